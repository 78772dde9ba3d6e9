"""Webhook delivery: FastSpring's signed, batched POSTs of the store's event log."""
