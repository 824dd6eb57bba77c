"""Each tenant's events form a hash chain (ADR 0046): `events.prev_hash` and `events.hash`,
backfilled for the events already stored, per tenant in position order, in batches.

The canonical form is the one of infrastructure/event_store/chain.py, which is frozen (a test
pins its bytes and hash; a new form needs a new chain version and migration), so this
migration uses it rather than a copy that could drift from it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from vextrus_finance.infrastructure.event_store.chain import FIELDS, GENESIS, event_hash

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BATCH = 5000


def _events_table(dialect: str) -> sa.TableClause:
    # The columns as this revision knows them; JSON parsed, timestamps as datetimes (SQLite
    # stores naive UTC text, PostgreSQL timestamptz).
    json_type = sa.JSON().with_variant(JSONB(), "postgresql")
    return sa.table(
        "events",
        sa.column("position", sa.BigInteger),
        sa.column("event_id", sa.String),
        sa.column("tenant_id", sa.String),
        sa.column("stream_type", sa.String),
        sa.column("stream_id", sa.String),
        sa.column("version", sa.Integer),
        sa.column("event_type", sa.String),
        sa.column("schema_version", sa.Integer),
        sa.column("data", json_type),
        sa.column("metadata", json_type),
        sa.column("recorded_at", sa.DateTime(timezone=dialect != "sqlite")),
        sa.column("prev_hash", sa.String),
        sa.column("hash", sa.String),
    )


def _backfill() -> None:
    bind = op.get_bind()
    events = _events_table(bind.dialect.name)
    read = (
        sa.select(*(events.c[n] for n in FIELDS))
        .where(events.c.position > sa.bindparam("after"))
        .order_by(events.c.position)
        .limit(BATCH)
    )
    write = (
        sa.update(events)
        .where(events.c.position == sa.bindparam("at"))
        .values(prev_hash=sa.bindparam("prev"), hash=sa.bindparam("own"))
    )
    last: dict[str, str] = {}  # tenant → hash of its newest event so far
    after = 0
    while True:
        rows = [dict(r) for r in bind.execute(read, {"after": after}).mappings()]
        if not rows:
            return
        updates = []
        for row in rows:
            prev = last.get(row["tenant_id"], GENESIS)
            own = last[row["tenant_id"]] = event_hash(row, prev)
            updates.append({"at": row["position"], "prev": prev, "own": own})
        bind.execute(write, updates)
        after = rows[-1]["position"]


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("prev_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(64), nullable=True))
    _backfill()
    with op.batch_alter_table("events") as batch:
        batch.alter_column("prev_hash", existing_type=sa.String(64), nullable=False)
        batch.alter_column("hash", existing_type=sa.String(64), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("hash")
        batch.drop_column("prev_hash")
