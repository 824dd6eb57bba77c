"""Wires the service once: database, event store, unit of work, command runner, readers.
The CLI and the app share it; what only the served app needs is in `api/services.py`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from vextrus_finance.application.runner import CommandRunner
from vextrus_finance.domain.calendar import BusinessCalendar
from vextrus_finance.infrastructure import migrations
from vextrus_finance.infrastructure.db.database import Database
from vextrus_finance.infrastructure.event_store.snapshots import Snapshotter
from vextrus_finance.infrastructure.event_store.store import EventStore
from vextrus_finance.infrastructure.invoicing.counterparties import SqlCounterpartyReader
from vextrus_finance.infrastructure.invoicing.read_models import SqlInvoiceReader
from vextrus_finance.infrastructure.ledger.read_models import SqlLedgerReader
from vextrus_finance.infrastructure.unit_of_work import PostingWindowRule, SqlUnitOfWorkFactory
from vextrus_finance.settings import Settings

MIGRATION_LOCK = 0x76787466  # "vxtf": the advisory lock key serialising migrations


@dataclass
class Container:
    settings: Settings
    db: Database
    store: EventStore
    uow_factory: SqlUnitOfWorkFactory
    snapshotter: Snapshotter
    runner: CommandRunner
    calendar: BusinessCalendar

    @asynccontextmanager
    async def reader(self, tenant_id: str) -> AsyncIterator[SqlLedgerReader]:
        async with self.db.read() as conn:
            yield SqlLedgerReader(conn, tenant_id)

    @asynccontextmanager
    async def invoice_reader(self, tenant_id: str) -> AsyncIterator[SqlInvoiceReader]:
        async with self.db.read() as conn:
            yield SqlInvoiceReader(conn, tenant_id)

    @asynccontextmanager
    async def counterparty_reader(self, tenant_id: str) -> AsyncIterator[SqlCounterpartyReader]:
        async with self.db.read() as conn:
            yield SqlCounterpartyReader(conn, tenant_id)

    async def migrate(self) -> None:
        async with self.db.writer() as conn:
            if not self.db.is_sqlite:
                # Replicas starting together: one migrates, the others wait and find it done.
                await conn.execute(
                    sa.text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK}
                )
            else:
                # Processes sharing a SQLite file: the whole migration in one BEGIN IMMEDIATE,
                # so one migrates and the others wait and find it done. Left to itself Alembic
                # reads the version in one transaction and migrates in another (SQLite's DDL
                # counts as non-transactional to it), and two processes could both read "no
                # version" and both create the tables. Begun here, the transaction is external
                # to Alembic, which then runs every step inside it.
                await conn.begin()
            try:
                await migrations.upgrade(conn)
                await conn.commit()
            finally:
                if not self.db.is_sqlite:
                    await conn.execute(
                        sa.text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK}
                    )
                    await conn.commit()

    async def close(self) -> None:
        await self.db.dispose()


def bootstrap(settings: Settings) -> Container:
    calendar = settings.calendar
    db = Database(settings)
    store = EventStore(
        read_batch_size=settings.eventstore_read_batch_size,
        snapshot_frequency=settings.snapshot_frequency,
        snapshot_retention=settings.snapshot_retention_count,
    )
    uow_factory = SqlUnitOfWorkFactory(
        db,
        store,
        idempotency_ttl=timedelta(hours=settings.idempotency_ttl_hours),
        calendar=calendar,
        window=PostingWindowRule(
            settings.posting_window_first_day, settings.posting_window_years_ahead
        ),
    )
    snapshotter = Snapshotter(db, store)
    runner = CommandRunner(
        uow_factory,
        max_attempts=settings.eventstore_max_retry_attempts,
        base_delay_s=settings.eventstore_retry_delay_ms / 1000,
        after_commit=snapshotter,
    )
    return Container(settings, db, store, uow_factory, snapshotter, runner, calendar)
