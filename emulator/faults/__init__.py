"""Chaos: fault rules, a rate limit and a per-request override, per store."""
