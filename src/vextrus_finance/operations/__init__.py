"""Operational tools run against a deployed service (the smoke test)."""
