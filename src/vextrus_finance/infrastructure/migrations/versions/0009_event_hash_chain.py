"""Each tenant's events form a hash chain (ADR 0046): `events.prev_hash` and `events.hash`,
backfilled for the events already stored, per tenant in position order, in batches.

The canonical form is copied here, frozen, from infrastructure/event_store/chain.py: a
migration imports nothing from the application that can change later. A test checks that
both compute the same hashes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
BATCH = 5000
_FIELDS = (
    "position",
    "event_id",
    "tenant_id",
    "stream_type",
    "stream_id",
    "version",
    "event_type",
    "schema_version",
    "data",
    "metadata",
    "recorded_at",
)


def _timestamp(value: datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _hash(row: dict[str, Any], prev_hash: str) -> str:
    document = {name: row[name] for name in _FIELDS}
    document["recorded_at"] = _timestamp(row["recorded_at"])
    document["prev_hash"] = prev_hash
    text = json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
        sa.select(*(events.c[n] for n in _FIELDS))
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
            own = last[row["tenant_id"]] = _hash(row, prev)
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
