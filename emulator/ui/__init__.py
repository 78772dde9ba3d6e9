"""The dashboard at `/_emulator/ui`: server-rendered pages over one store's state,
kept live by server-sent events (docs/dashboard.md)."""
