"""Moving one tenant between databases: its events, counters and a manifest as one checked
file (ADR 0050)."""
