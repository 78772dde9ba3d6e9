"""The domain core: FastSpring's records and rules, with no HTTP in it."""
