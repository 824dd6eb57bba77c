"""Read-model adapters of receivables and payables: invoices, counterparties,
document numbers and stored renders."""
