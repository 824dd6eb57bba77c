"""Read-model adapters of the general ledger: accounts and balances, the chart, the period guard."""
