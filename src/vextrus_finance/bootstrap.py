"""Wires the service once: database, event store, unit of work, command runner, readers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa

from vextrus_finance.application.runner import CommandRunner
from vextrus_finance.documents.mushak63 import Mushak63Document, render_pdf
from vextrus_finance.documents.numerals import Lang
from vextrus_finance.documents.render_pool import RenderPool
from vextrus_finance.documents.rendering import load_pdf_renderer
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
    # The PDF renderer the render pool runs (a module-level function: it crosses into a worker
    # process); tests put a deliberately slow one here.
    pdf_renderer: Callable[[Mushak63Document, Lang], bytes] = field(default=render_pdf)
    _render_pool: RenderPool | None = field(default=None, init=False, repr=False)

    def render_pool(self) -> RenderPool:
        """The document render workers, started on first use (or by `RenderPool.prestart`)."""
        if self._render_pool is None:
            self._render_pool = RenderPool(
                workers=self.settings.document_render_workers,
                per_tenant=self.settings.document_render_per_tenant,
                timeout_s=self.settings.document_render_timeout_seconds,
                initializer=load_pdf_renderer,
            )
        return self._render_pool

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
        if self._render_pool is not None:
            self._render_pool.close()  # kills renders in progress: shutdown must not wait
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
