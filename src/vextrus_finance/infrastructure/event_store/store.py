"""The append-only event log with commit-ordered global positions, optimistic concurrency,
batched reads and snapshots."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.application.context import new_id
from vextrus_finance.domain.aggregate import Aggregate
from vextrus_finance.domain.events import DomainEvent
from vextrus_finance.infrastructure.db import codec
from vextrus_finance.infrastructure.db.driver import Driver, InsertMany, Sql, driver, json_rows
from vextrus_finance.infrastructure.db.pg_one_statement import recordset
from vextrus_finance.infrastructure.db.schema import event_log_head, events, snapshots
from vextrus_finance.infrastructure.event_store import chain
from vextrus_finance.observability import metrics

A = TypeVar("A", bound=Aggregate[Any])
HEAD_ID = 1
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EventEnvelope:
    """An event with where it belongs: the unit both projections and the store work on."""

    tenant_id: str
    stream_type: str
    stream_id: str
    version: int
    event: DomainEvent
    metadata: dict[str, Any]
    recorded_at: datetime
    event_id: str = field(default_factory=new_id)
    position: int | None = None

    @property
    def user_id(self) -> str:
        return str(self.metadata.get("user_id") or "system")


# Prebuilt with bound parameters: compiled once per dialect, not rebuilt per command.
# The append runs on every command: through the driver (ADR 0026).
_ADVANCE_HEAD = Sql.same(
    "UPDATE event_log_head SET last_position = last_position + ? WHERE id = ? "
    "RETURNING last_position"
)
_INSERT_EVENTS = InsertMany(events)
_INSERT_SQL: dict[str, str] = {}
# The hash of the tenant's newest event: one probe of ix_events_tenant_position, made after
# the head's lock is taken so no other appender's event can come after it (ADR 0046).
_TENANT_LAST_HASH = Sql.same(
    "SELECT hash FROM events WHERE tenant_id = ? ORDER BY position DESC LIMIT 1"
)


def _insert_sql(dialect: Dialect) -> str:
    """PostgreSQL: the batch's events, numbered and chained, as one JSON array of objects in
    one statement."""
    text = _INSERT_SQL.get(dialect.name)
    if text is None:
        columns = _INSERT_EVENTS.columns(dialect)
        names = ", ".join(f'"{name}"' for name, _ in columns)
        # Our own column names and types; every value is bound.
        text = _INSERT_SQL[dialect.name] = (
            f"INSERT INTO events ({names}) SELECT {names} "  # noqa: S608
            f"FROM {recordset(1, columns, alias='e')}"
        )
    return text


async def _link(db: Driver, rows: list[dict[str, Any]]) -> None:
    """Chain the rows (positions assigned) to their tenants' newest events. Under the head's
    lock: the newest event read here stays the newest until this transaction commits."""
    last: dict[str, str] = {}
    for tenant in dict.fromkeys(row["tenant_id"] for row in rows):
        found = await db.fetch(_TENANT_LAST_HASH, (tenant,))
        if found:
            last[tenant] = str(found[0][0])
    chain.link(rows, last)


_STREAM_EXISTS = (
    sa.select(sa.literal(1))
    .where(
        events.c.tenant_id == sa.bindparam("tenant_id"),
        events.c.stream_id == sa.bindparam("stream_id"),
        events.c.stream_type == sa.bindparam("stream_type"),
    )
    .limit(1)
)
_EXISTING_STREAMS = (
    sa.select(events.c.stream_id)
    .where(
        events.c.tenant_id == sa.bindparam("tenant_id"),
        events.c.stream_type == sa.bindparam("stream_type"),
        events.c.stream_id.in_(sa.bindparam("stream_ids", expanding=True)),
    )
    .distinct()
)
_NEWEST_SNAPSHOT = (
    sa.select(snapshots.c.version, snapshots.c.state)
    .where(
        snapshots.c.tenant_id == sa.bindparam("tenant_id"),
        snapshots.c.stream_id == sa.bindparam("stream_id"),
        snapshots.c.stream_type == sa.bindparam("stream_type"),
        snapshots.c.schema_version == sa.bindparam("schema_version"),
    )
    .order_by(snapshots.c.version.desc())
    .limit(1)
)
_STREAM_EVENTS = (
    sa.select(events)
    .where(
        events.c.tenant_id == sa.bindparam("tenant_id"),
        events.c.stream_id == sa.bindparam("stream_id"),
        events.c.version > sa.bindparam("after_version"),
        events.c.stream_type == sa.bindparam("stream_type"),
    )
    .order_by(events.c.version)
    .limit(sa.bindparam("batch_size", type_=sa.Integer))
)


class EventStore:
    def __init__(
        self, *, read_batch_size: int, snapshot_frequency: int, snapshot_retention: int
    ) -> None:
        self.read_batch_size = read_batch_size
        self.snapshot_frequency = snapshot_frequency
        self.snapshot_retention = snapshot_retention

    async def exists(
        self, conn: AsyncConnection, tenant_id: str, stream_type: str, stream_id: str
    ) -> bool:
        result = await conn.execute(
            _STREAM_EXISTS,
            {"tenant_id": tenant_id, "stream_id": stream_id, "stream_type": stream_type},
        )
        return result.first() is not None

    async def existing(
        self, conn: AsyncConnection, tenant_id: str, stream_type: str, stream_ids: Sequence[str]
    ) -> set[str]:
        """Which of these streams have any event: one statement for a whole batch."""
        if not stream_ids:
            return set()
        result = await conn.execute(
            _EXISTING_STREAMS,
            {"tenant_id": tenant_id, "stream_type": stream_type, "stream_ids": list(stream_ids)},
        )
        return {row[0] for row in result}

    async def append(self, conn: AsyncConnection, batch: Sequence[EventEnvelope]) -> int:
        """Give the batch the next positions and insert it. The head row stays locked until
        commit, so positions are handed out in commit order and a reader tailing by position
        never misses an event that commits later with a lower number. Returns the last
        position. Call it last in the transaction: the lock serialises committers."""
        if not batch:
            return await self.head_position(conn)
        started = time.perf_counter()
        db = await driver(conn)
        rows = [
            {
                "position": 0,  # assigned below, under the head's lock
                "event_id": e.event_id,
                "tenant_id": e.tenant_id,
                "stream_type": e.stream_type,
                "stream_id": e.stream_id,
                "version": e.version,
                "event_type": e.event.event_type(),
                "schema_version": e.event.SCHEMA_VERSION,
                "data": codec.encode(e.event),
                "metadata": e.metadata,
                "recorded_at": e.recorded_at,
            }
            for e in batch
        ]
        # The head's row lock first: positions and the chain's predecessors are read under it.
        ((head,),) = await db.fetch(_ADVANCE_HEAD, (len(batch), HEAD_ID))
        last = int(head)
        for i, row in enumerate(rows, start=last - len(batch) + 1):
            row["position"] = i
        await _link(db, rows)
        if db.dialect == "postgresql":
            await db.execute(_insert_sql(conn.dialect), (json_rows(rows),))
        else:
            await _INSERT_EVENTS(conn, rows)
        metrics.observe_append(started)
        return last

    async def head_position(self, conn: AsyncConnection) -> int:
        result = await conn.execute(
            sa.select(event_log_head.c.last_position).where(event_log_head.c.id == HEAD_ID)
        )
        return int(result.scalar_one())

    async def lock_head(self, conn: AsyncConnection) -> int:
        """Block every appender until this transaction ends; return the current head."""
        result = await conn.execute(
            sa.update(event_log_head)
            .where(event_log_head.c.id == HEAD_ID)
            .values(last_position=event_log_head.c.last_position)
            .returning(event_log_head.c.last_position)
        )
        return int(result.scalar_one())

    async def read_stream(
        self,
        conn: AsyncConnection,
        tenant_id: str,
        stream_id: str,
        after_version: int = 0,
        *,
        stream_type: str | None = None,
    ) -> AsyncIterator[list[EventEnvelope]]:
        """The stream's events after `after_version`, in batches of `read_batch_size`."""
        version = after_version
        while True:
            if stream_type is not None:
                params = {
                    "tenant_id": tenant_id,
                    "stream_id": stream_id,
                    "after_version": version,
                    "stream_type": stream_type,
                    "batch_size": self.read_batch_size,
                }
                result = await conn.execute(_STREAM_EVENTS, params)
            else:
                result = await conn.execute(
                    sa.select(events)
                    .where(
                        events.c.tenant_id == tenant_id,
                        events.c.stream_id == stream_id,
                        events.c.version > version,
                    )
                    .order_by(events.c.version)
                    .limit(self.read_batch_size)
                )
            batch = [_envelope(row) for row in result.mappings()]
            if not batch:
                return
            yield batch
            if len(batch) < self.read_batch_size:
                return
            version = batch[-1].version

    async def read_all(
        self, conn: AsyncConnection, *, after_position: int, limit: int | None = None
    ) -> list[EventEnvelope]:
        """Events of every tenant after a global position, in position order."""
        result = await conn.execute(
            sa.select(events)
            .where(events.c.position > after_position)
            .order_by(events.c.position)
            .limit(limit or self.read_batch_size)
        )
        return [_envelope(row) for row in result.mappings()]

    async def load(self, conn: AsyncConnection, tenant_id: str, cls: type[A], stream_id: str) -> A:
        """Newest usable snapshot plus the events after it; an empty aggregate if no stream of
        this type has that id (an account's id given where a journal's is expected is simply
        not found)."""
        aggregate = cls(stream_id)
        snapshot = (
            await conn.execute(
                _NEWEST_SNAPSHOT,
                {
                    "tenant_id": tenant_id,
                    "stream_id": stream_id,
                    "stream_type": cls.STREAM_TYPE,
                    "schema_version": cls.SNAPSHOT_SCHEMA,
                },
            )
        ).first()
        if snapshot is not None:
            try:
                state = codec.decode_state(cls.STATE_TYPE, snapshot.state)
            except ValueError:
                # An unreadable snapshot is only a lost shortcut: replay the whole stream.
                log.warning("ignoring unreadable snapshot of %s v%d", stream_id, snapshot.version)
            else:
                aggregate.restore(snapshot.version, state)
        async for batch in self.read_stream(
            conn, tenant_id, stream_id, aggregate.version, stream_type=cls.STREAM_TYPE
        ):
            for envelope in batch:
                aggregate.replay(envelope.event)
        return aggregate

    def snapshot_due(self, before: int, after: int) -> bool:
        """A snapshot is taken whenever a commit crosses a multiple of the frequency."""
        return after // self.snapshot_frequency > before // self.snapshot_frequency

    async def save_snapshot(
        self, conn: AsyncConnection, tenant_id: str, aggregate: Aggregate[Any], at: datetime
    ) -> None:
        values = {
            "tenant_id": tenant_id,
            "stream_id": aggregate.id,
            "version": aggregate.committed_version,
            "stream_type": aggregate.STREAM_TYPE,
            "schema_version": aggregate.SNAPSHOT_SCHEMA,
            "state": codec.encode(aggregate.state),
            "created_at": at,
        }
        exists = await conn.execute(
            sa.select(sa.literal(1)).where(
                snapshots.c.tenant_id == tenant_id,
                snapshots.c.stream_id == aggregate.id,
                snapshots.c.version == aggregate.committed_version,
            )
        )
        if exists.first() is None:
            await conn.execute(sa.insert(snapshots).values(values))
        keep = (
            sa.select(snapshots.c.version)
            .where(snapshots.c.tenant_id == tenant_id, snapshots.c.stream_id == aggregate.id)
            .order_by(snapshots.c.version.desc())
            .limit(self.snapshot_retention)
            .scalar_subquery()
        )
        await conn.execute(
            sa.delete(snapshots).where(
                snapshots.c.tenant_id == tenant_id,
                snapshots.c.stream_id == aggregate.id,
                snapshots.c.version.not_in(keep),
            )
        )


def _envelope(row: sa.RowMapping) -> EventEnvelope:
    return EventEnvelope(
        tenant_id=row["tenant_id"],
        stream_type=row["stream_type"],
        stream_id=row["stream_id"],
        version=row["version"],
        event=codec.decode_event(row["event_type"], row["data"]),
        metadata=row["metadata"],
        recorded_at=row["recorded_at"],
        event_id=row["event_id"],
        position=row["position"],
    )
