"""The read-model tables: the one list of them, as a bundle, so projections can write either
the live tables or a shadow copy (`rebuild_*`) that a rebuild fills and `verify` compares."""

from __future__ import annotations

from dataclasses import dataclass, fields

import sqlalchemy as sa

from vextrus_finance.infrastructure.db import schema

SHADOW_PREFIX = "rebuild_"


@dataclass(frozen=True)
class ReadModelTables:
    """Each field is named after its live table. In the order in which commands lock these
    tables (the period guard first, then the accounts, …; invoices and payments after the
    journals their commands post, counterparties after them, the fiscal years after the
    closing journal a year's close posts): a rebuild's swap locks them in
    this order, so it never deadlocks with a command."""

    fiscal_periods: sa.Table
    accounts: sa.Table
    journals: sa.Table
    journal_lines: sa.Table
    ledger_entries: sa.Table
    account_period_totals: sa.Table
    invoices: sa.Table
    invoice_lines: sa.Table
    payments: sa.Table
    posting_profile_accounts: sa.Table
    company_profiles: sa.Table
    counterparties: sa.Table
    fiscal_years: sa.Table

    def all(self) -> tuple[sa.Table, ...]:
        return tuple(getattr(self, f.name) for f in fields(self))

    def by_name(self) -> dict[str, sa.Table]:
        """By field (live table) name: the name `rows.rows_for` gives each change."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


LIVE = ReadModelTables(**{f.name: getattr(schema, f.name) for f in fields(ReadModelTables)})


def _shadow_of(table: sa.Table, metadata: sa.MetaData, prefix: str) -> sa.Table:
    """Same columns and primary key; no secondary indexes or unique constraints, whose names
    would clash with the live table's and which a rebuild does not need."""
    name = f"{prefix}{table.name}"
    columns = [sa.Column(c.name, c.type, nullable=c.nullable) for c in table.columns]
    key = sa.PrimaryKeyConstraint(*[c.name for c in table.primary_key.columns], name=f"pk_{name}")
    return sa.Table(name, metadata, *columns, key)


def shadow_tables(prefix: str = SHADOW_PREFIX) -> tuple[ReadModelTables, sa.MetaData]:
    metadata = sa.MetaData()
    shadows = {f.name: _shadow_of(getattr(LIVE, f.name), metadata, prefix) for f in fields(LIVE)}
    return ReadModelTables(**shadows), metadata
