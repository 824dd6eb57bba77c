"""Use cases of the general ledger: accounts, journals, periods and the reports read from them."""
