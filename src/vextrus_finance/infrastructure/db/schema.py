"""The tables. Every key leads with `tenant_id` so the schema can be distributed by tenant
(Citus) without change; money is integer paisa; the events table is the only source of truth,
every other table except counters, idempotency keys and snapshots is a rebuildable read model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Timezone-aware UTC in and out; SQLite stores naive text, PostgreSQL timestamptz."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored")
        if value.tzinfo is not UTC:
            # Values already in UTC (nearly all) skip the conversion: a rebuild binds
            # millions of them (ADR 0023).
            value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType = sa.JSON().with_variant(JSONB(), "postgresql")
Tenant = sa.String(64)
Id = sa.String(64)
Money = sa.BigInteger  # paisa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# --- event store -------------------------------------------------------------------------

events = sa.Table(
    "events",
    metadata,
    # Assigned under the event_log_head row lock at commit: gapless and in commit order.
    sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("event_id", sa.String(36), nullable=False, unique=True),
    sa.Column("tenant_id", Tenant, nullable=False),
    sa.Column("stream_type", sa.String(32), nullable=False),
    sa.Column("stream_id", Id, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("event_type", sa.String(64), nullable=False),
    sa.Column("schema_version", sa.SmallInteger, nullable=False),
    sa.Column("data", JSONType, nullable=False),
    sa.Column("metadata", JSONType, nullable=False),
    sa.Column("recorded_at", UTCDateTime, nullable=False),
    # The tenant's hash chain (ADR 0046, migration 0009): the hash of this event's canonical
    # form with `prev_hash`, the hash of the tenant's event before it.
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    # The optimistic-concurrency guard: two writers cannot both append version N.
    sa.UniqueConstraint("tenant_id", "stream_id", "version", name="uq_events_stream_version"),
    sa.Index("ix_events_tenant_position", "tenant_id", "position"),
)

event_log_head = sa.Table(
    "event_log_head",
    metadata,
    sa.Column("id", sa.SmallInteger, primary_key=True, autoincrement=False),
    sa.Column("last_position", sa.BigInteger, nullable=False),
)

snapshots = sa.Table(
    "snapshots",
    metadata,
    sa.Column("tenant_id", Tenant, primary_key=True),
    sa.Column("stream_id", Id, primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("stream_type", sa.String(32), nullable=False),
    sa.Column("schema_version", sa.SmallInteger, nullable=False),
    sa.Column("state", JSONType, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("tenant_id", Tenant, primary_key=True),
    # Per user (migration 0005): another user's same key is another request. '' marks rows
    # stored before, which answer any user of the tenant until they expire.
    sa.Column("user_id", sa.String(255), primary_key=True, server_default=sa.text("''")),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("status_code", sa.SmallInteger, nullable=False),
    sa.Column("response", JSONType, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_idempotency_keys_created_at", "created_at"),
)

counters = sa.Table(
    "counters",
    metadata,
    sa.Column("tenant_id", Tenant, primary_key=True),
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

# --- read models ---------------------------------------------------------------------------

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("tenant_id", Tenant, primary_key=True),
    sa.Column("id", Id, primary_key=True),
    sa.Column("code", sa.String(64), nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("parent_id", Id),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("is_active", sa.Boolean, nullable=False),
    sa.Column("balance_limit", sa.String(16)),
    # All-time totals of posted lines, maintained at posting.
    sa.Column("debit_total", Money, nullable=False),
    sa.Column("credit_total", Money, nullable=False),
    sa.Column("deactivated_at", UTCDateTime),
    sa.Column("deactivation_reason", sa.String(500)),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    # CASH | OPERATING | INVESTING | FINANCING (migration 0010, ADR 0047).
    sa.Column("cash_flow_class", sa.String(16), nullable=False),
    sa.UniqueConstraint("tenant_id", "code", name="uq_accounts_tenant_code"),
    sa.Index("ix_accounts_tenant_parent", "tenant_id", "parent_id"),
)

account_period_totals = sa.Table(
    "account_period_totals",
    metadata,
    sa.Column("tenant_id", Tenant, primary_key=True),
    sa.Column("account_id", Id, primary_key=True),
    sa.Column("month", sa.Integer, primary_key=True, autoincrement=False),  # YYYYMM
    sa.Column("debit", Money, nullable=False),
    sa.Column("credit", Money, nullable=False),
    # Covering (migration 0003): balances as of a date sum the months before or after it
    # from this index alone, without a row lookup per month total.
    sa.Index(
        "ix_account_period_totals_month_amounts",
        "tenant_id",
        "month",
        "account_id",
        "debit",
        "credit",
    ),
)

journals = sa.Table(
    "journals",
    metadata,
    sa.Column("tenant_id", Tenant, primary_key=True),
    sa.Column("id", Id, primary_key=True),
    sa.Column("number", sa.String(32), nullable=False),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("description", sa.String(500), nullable=False),
    sa.Column("reference", sa.String(255)),
    sa.Column("fiscal_period", sa.String(16), nullable=False),
    sa.Column("total_debit", Money, nullable=False),
    sa.Column("total_credit", Money, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(255), nullable=False),
    sa.Column("posted_at", UTCDateTime),
    sa.Column("posted_by", sa.String(255)),
    sa.Column("reversed_by_id", Id),
    sa.Column("reverses_id", Id),
    sa.Column("cancel_reason", sa.String(500)),
    sa.Column("version", sa.Integer, nullable=False),
    sa.UniqueConstraint("tenant_id", "number", name="uq_journals_tenant_number"),
    sa.Index("ix_journals_tenant_date", "tenant_id", "date", "number"),
    sa.Index("ix_journals_tenant_status", "tenant_id", "status"),
    sa.Index("ix_journals_tenant_period", "tenant_id", "fiscal_period"),
    # The statements find the CLOSING journals by type (migration 0010, ADR 0047).
    sa.Index("ix_journals_tenant_type", "tenant_id", "type"),
)

journal_lines = sa.Table(
    "journal_lines",
    metadata,
    sa.Column("tenant_id", Tenant, primary_key=True),
    sa.Column("journal_id", Id, primary_key=True),
    sa.Column("line_no", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("id", Id, nullable=False),
    sa.Column("account_id", Id, nullable=False),
    sa.Column("account_code", sa.String(64), nullable=False),
    sa.Column("debit", Money, nullable=False),
    sa.Column("credit", Money, nullable=False),
    sa.Column("description", sa.String(500)),
    sa.Column("cost_center", sa.String(64)),
    sa.Column("project", sa.String(64)),
    sa.Column("tax_code", sa.String(64)),
    sa.Column("counterparty_id", Id),  # migration 0007
)

# Posted lines only: the general ledger, and intra-month detail for "as of" balances.
ledger_entries = sa.Table(
    "ledger_entries",
    metadata,
    sa.Column("tenant_id", Tenant, primary_key=True),
    sa.Column("journal_id", Id, primary_key=True),
    sa.Column("line_no", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("account_id", Id, nullable=False),
    sa.Column("entry_date", sa.Date, nullable=False),
    sa.Column("posted_at", UTCDateTime, nullable=False),
    sa.Column("line_id", Id, nullable=False),
    sa.Column("journal_number", sa.String(32), nullable=False),
    sa.Column("journal_type", sa.String(16), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("description", sa.String(500)),
    sa.Column("reference", sa.String(255)),
    sa.Column("debit", Money, nullable=False),
    sa.Column("credit", Money, nullable=False),
    sa.Index(
        "ix_ledger_entries_account_order",
        "tenant_id",
        "account_id",
        "entry_date",
        "posted_at",
        "journal_id",
        "line_no",
    ),
    # Covering (migration 0003): the days of a month, summed per account from the index.
    sa.Index(
        "ix_ledger_entries_date_amounts", "tenant_id", "entry_date", "account_id", "debit", "credit"
    ),
)

fiscal_periods = sa.Table(
    "fiscal_periods",
    metadata,
    sa.Column("tenant_id", Tenant, primary_key=True),
    sa.Column("code", sa.String(16), primary_key=True),
    sa.Column("fiscal_year", sa.String(12), nullable=False),
    sa.Column("start_date", sa.Date, nullable=False),
    sa.Column("end_date", sa.Date, nullable=False),
    sa.Column("status", sa.String(8), nullable=False),
    sa.Column("changed_at", UTCDateTime, nullable=False),
    sa.Column("changed_by", sa.String(255), nullable=False),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)

# The fiscal years ever closed or reopened (ADR 0048); a year without a row is OPEN.
fiscal_years = sa.Table(
    "fiscal_years",
    metadata,
    sa.Column("tenant_id", Tenant, primary_key=True),
    sa.Column("code", sa.String(12), primary_key=True),
    sa.Column("start_date", sa.Date, nullable=False),
    sa.Column("end_date", sa.Date, nullable=False),
    sa.Column("status", sa.String(8), nullable=False),
    sa.Column("closing_journal_id", Id),
    sa.Column("retained_earnings_account_id", Id),
    sa.Column("changed_at", UTCDateTime, nullable=False),
    sa.Column("changed_by", sa.String(255), nullable=False),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)

# --- invoices, payments and the tenant's profiles ------------------------------------------
# Read models like the ledger's: rebuilt from events, compared by `verify`.

Rate = sa.String(8)  # a percentage as exact decimal text: "7.5"

invoices = sa.Table(
    "invoices",
    metadata,
    sa.Column("tenant_id", Tenant, primary_key=True),
    sa.Column("id", Id, primary_key=True),
    sa.Column("number", sa.String(32), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("counterparty_id", sa.String(64)),
    sa.Column("counterparty_name", sa.String(255), nullable=False),
    sa.Column("counterparty_address", sa.String(500)),
    sa.Column("counterparty_bin", sa.String(13)),
    sa.Column("counterparty_tin", sa.String(12)),
    sa.Column("invoice_date", sa.Date, nullable=False),
    sa.Column("due_date", sa.Date, nullable=False),
    sa.Column("fiscal_year", sa.String(12), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("subtotal", Money, nullable=False),
    sa.Column("sd_total", Money, nullable=False),
    sa.Column("vat_total", Money, nullable=False),
    sa.Column("ait_total", Money, nullable=False),
    sa.Column("grand_total", Money, nullable=False),
    sa.Column("payable_total", Money, nullable=False),
    sa.Column("paid_amount", Money, nullable=False),
    sa.Column("mushak_number", sa.String(32)),
    sa.Column("issued_at", UTCDateTime),
    sa.Column("journal_id", Id),
    sa.Column("cancellation_journal_id", Id),
    sa.Column("cancel_reason", sa.String(500)),
    sa.Column("approved_at", UTCDateTime),
    sa.Column("approved_by", sa.String(255)),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(255), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    # Migration 0006 (ADR 0035): the supplier's own tax-invoice number and date (purchase
    # bills), the accounts the counterparty side posts to, and the goods' transport on a sales
    # invoice's 6.3.
    sa.Column("supplier_invoice_number", sa.String(64)),
    sa.Column("supplier_invoice_date", sa.Date),
    sa.Column("control_account_code", sa.String(64)),
    sa.Column("destination", sa.String(500)),
    sa.Column("vehicle_type", sa.String(64)),
    sa.Column("vehicle_number", sa.String(32)),
    sa.UniqueConstraint("tenant_id", "number", name="uq_invoices_tenant_number"),
    sa.UniqueConstraint("tenant_id", "mushak_number", name="uq_invoices_tenant_mushak_number"),
    sa.Index("ix_invoices_tenant_date", "tenant_id", "invoice_date", "number"),
    sa.Index("ix_invoices_tenant_open", "tenant_id", "kind", "status", "due_date"),
    sa.Index("ix_invoices_tenant_counterparty", "tenant_id", "counterparty_id"),
    sa.Index("ix_invoices_tenant_supplier_invoice", "tenant_id", "supplier_invoice_number"),
    # Is this account a control account (control_accounts.py)? One probe (migration 0008).
    sa.Index("ix_invoices_tenant_control_account", "tenant_id", "control_account_code"),
)

invoice_lines = sa.Table(
    "invoice_lines",
    metadata,
    sa.Column("tenant_id", Tenant, primary_key=True),
    sa.Column("invoice_id", Id, primary_key=True),
    sa.Column("line_no", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.String(500), nullable=False),
    sa.Column("quantity", sa.String(24), nullable=False),  # exact decimal text, ≤ 4 places
    sa.Column("unit", sa.String(32)),
    sa.Column("unit_price", Money, nullable=False),
    sa.Column("hs_code", sa.String(16)),
    sa.Column("vat_rate", sa.String(16), nullable=False),
    sa.Column("sd_rate", Rate, nullable=False),
    sa.Column("ait_rate", Rate, nullable=False),
    sa.Column("amount", Money, nullable=False),
    sa.Column("sd_amount", Money, nullable=False),
    sa.Column("vat_amount", Money, nullable=False),
    sa.Column("ait_amount", Money, nullable=False),
    sa.Column("account_code", sa.String(64)),  # NULL: the posting profile's account
)

payments = sa.Table(
    "payments",
    metadata,
    sa.Column("tenant_id", Tenant, primary_key=True),
    sa.Column("id", Id, primary_key=True),
    sa.Column("number", sa.String(32), nullable=False),
    sa.Column("invoice_id", Id),
    sa.Column("direction", sa.String(3), nullable=False),
    sa.Column("amount", Money, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("method", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("payment_date", sa.Date, nullable=False),
    sa.Column("reference", sa.String(255)),
    sa.Column("bank_account_id", Id),
    sa.Column("account_id", Id, nullable=False),
    sa.Column("check_number", sa.String(64)),
    sa.Column("wallet_provider", sa.String(16)),
    sa.Column("wallet_mobile_number", sa.String(16)),
    sa.Column("wallet_transaction_id", sa.String(64)),
    sa.Column("transaction_reference", sa.String(255)),
    sa.Column("journal_id", Id),
    sa.Column("completed_at", UTCDateTime),
    sa.Column("failure_reason", sa.String(500)),
    sa.Column("bank_transaction_id", sa.String(128)),
    sa.Column("reconciled_at", UTCDateTime),
    sa.Column("reversal_reason", sa.String(500)),
    sa.Column("reversal_journal_id", Id),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(255), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("counterparty_id", Id),  # migration 0007
    sa.UniqueConstraint("tenant_id", "number", name="uq_payments_tenant_number"),
    # One bank-statement line settles one payment (NULLs, i.e. unreconciled, do not clash).
    sa.UniqueConstraint(
        "tenant_id", "bank_transaction_id", name="uq_payments_tenant_bank_transaction"
    ),
    sa.Index("ix_payments_tenant_invoice", "tenant_id", "invoice_id"),
    sa.Index("ix_payments_tenant_date", "tenant_id", "payment_date", "number"),
    sa.Index("ix_payments_tenant_wallet", "tenant_id", "wallet_provider", "wallet_transaction_id"),
)

posting_profile_accounts = sa.Table(
    "posting_profile_accounts",
    metadata,
    sa.Column("tenant_id", Tenant, primary_key=True),
    sa.Column("role", sa.String(32), primary_key=True),
    sa.Column("account_id", Id, nullable=False),
    sa.Column("account_code", sa.String(64), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)

company_profiles = sa.Table(
    "company_profiles",
    metadata,
    sa.Column("tenant_id", Tenant, primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("address", sa.String(500)),
    sa.Column("bin", sa.String(13)),
    sa.Column("tin", sa.String(12)),
    sa.Column("phone", sa.String(32)),
    sa.Column("version", sa.Integer, nullable=False),
)

# Customers and suppliers (ADR 0037). One record per BIN: the unique key is what turns a
# second registration of the same BIN, even a concurrent one, into a 409.
counterparties = sa.Table(
    "counterparties",
    metadata,
    sa.Column("tenant_id", Tenant, primary_key=True),
    sa.Column("id", Id, primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("bin", sa.String(13)),
    sa.Column("tin", sa.String(12)),
    sa.Column("address", sa.String(500)),
    sa.Column("mobile", sa.String(16)),
    sa.Column("is_active", sa.Boolean, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(255), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.UniqueConstraint("tenant_id", "bin", name="uq_counterparties_tenant_bin"),
    sa.Index("ix_counterparties_tenant_name", "tenant_id", "name", "id"),
)

# Rendered tax invoices (Mushak-6.3), kept so a document is rendered once and then served.
# Not a read model: a cache of a deterministic render of the invoice's data. `source_sha256`
# digests everything the bytes depend on (the document's fields, format, language and the
# renderer's own code and templates), so a cancelled invoice, a changed company profile or a
# new template gives a new row rather than stale bytes; rebuilds leave the table alone.
rendered_documents = sa.Table(
    "rendered_documents",
    metadata,
    sa.Column("tenant_id", Tenant, primary_key=True),
    sa.Column("invoice_id", Id, primary_key=True),
    sa.Column("format", sa.String(8), primary_key=True),
    sa.Column("lang", sa.String(8), primary_key=True),
    sa.Column("source_sha256", sa.String(64), primary_key=True),
    sa.Column("invoice_version", sa.Integer, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("content_sha256", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)
