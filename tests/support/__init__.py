"""Helpers the tests import as modules: clients, a shop on a frozen clock, a real
webhook receiver, a CLI runner, the contract check and the official document."""
