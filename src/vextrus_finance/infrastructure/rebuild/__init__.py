"""Rebuilding every read model from the event log, and verify: the findings that compare them."""
