"""fastspring-emulator: a local, stateful emulator of FastSpring's REST API."""

__version__ = "0.1.0"
