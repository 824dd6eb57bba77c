"""The read-model tables as a bundle, so projections can write either the live tables or a
shadow copy (`rebuild_*`) that a rebuild fills and `verify` compares."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from vextrus_finance.infrastructure.db import schema

SHADOW_PREFIX = "rebuild_"


@dataclass(frozen=True)
class ReadModelTables:
    accounts: sa.Table
    account_period_totals: sa.Table
    journals: sa.Table
    journal_lines: sa.Table
    ledger_entries: sa.Table
    fiscal_periods: sa.Table
    # invoices and payments (issue 4)
    invoices: sa.Table
    invoice_lines: sa.Table
    payments: sa.Table
    posting_profile_accounts: sa.Table
    company_profiles: sa.Table
    counterparties: sa.Table

    def all(self) -> tuple[sa.Table, ...]:
        return (
            self.accounts,
            self.account_period_totals,
            self.journals,
            self.journal_lines,
            self.ledger_entries,
            self.fiscal_periods,
            self.invoices,
            self.invoice_lines,
            self.payments,
            self.posting_profile_accounts,
            self.company_profiles,
            self.counterparties,
        )


LIVE = ReadModelTables(
    accounts=schema.accounts,
    account_period_totals=schema.account_period_totals,
    journals=schema.journals,
    journal_lines=schema.journal_lines,
    ledger_entries=schema.ledger_entries,
    fiscal_periods=schema.fiscal_periods,
    invoices=schema.invoices,
    invoice_lines=schema.invoice_lines,
    payments=schema.payments,
    posting_profile_accounts=schema.posting_profile_accounts,
    company_profiles=schema.company_profiles,
    counterparties=schema.counterparties,
)


def _shadow_of(table: sa.Table, metadata: sa.MetaData) -> sa.Table:
    """Same columns and primary key; no secondary indexes or unique constraints, whose names
    would clash with the live table's and which a rebuild does not need."""
    name = f"{SHADOW_PREFIX}{table.name}"
    columns = [sa.Column(c.name, c.type, nullable=c.nullable) for c in table.columns]
    key = sa.PrimaryKeyConstraint(*[c.name for c in table.primary_key.columns], name=f"pk_{name}")
    return sa.Table(name, metadata, *columns, key)


def shadow_tables() -> tuple[ReadModelTables, sa.MetaData]:
    metadata = sa.MetaData()
    shadows = {t.name: _shadow_of(t, metadata) for t in LIVE.all()}
    return ReadModelTables(**shadows), metadata
