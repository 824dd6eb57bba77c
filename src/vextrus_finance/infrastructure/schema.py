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
    sa.Index("ix_account_period_totals_tenant_month", "tenant_id", "month"),
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
    sa.Index("ix_ledger_entries_tenant_date", "tenant_id", "entry_date"),
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

# Rebuilt from events by `projections rebuild`, compared by `verify`, in this order.
READ_MODEL_TABLES: tuple[sa.Table, ...] = (
    accounts,
    account_period_totals,
    journals,
    journal_lines,
    ledger_entries,
    fiscal_periods,
)
