"""Reports read from the ledger: the financial statements (ADR 0047)."""
