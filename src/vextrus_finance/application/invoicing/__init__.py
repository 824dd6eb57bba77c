"""Use cases of receivables and payables: invoices, payments, counterparties,
posting profiles, aging."""
