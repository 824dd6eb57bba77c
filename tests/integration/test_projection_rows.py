"""One definition of the rows each event produces (`projections/rows.py`, ADR 0040), and the
writers held to it: every inserted row names exactly its table's columns, the rebuild's SQL
fill statements write exactly those columns on both databases, and the four ways of writing
the rows — the commands' bulk projection, the rebuild's SQL, its Python path and the
one-statement-per-change projector — fill every read-model table with the same rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.bootstrap import Container
from vextrus_finance.domain.accounts import (
    AccountBalanceLimitChanged,
    AccountCashFlowClassChanged,
    AccountDeactivated,
    AccountOpened,
    AccountParentChanged,
    AccountRenamed,
    AccountType,
    BalanceLimit,
    CashFlowClass,
)
from vextrus_finance.domain.counterparties import (
    CounterpartyKind,
    CounterpartyRegistered,
    CounterpartyUpdated,
)
from vextrus_finance.domain.events import EVENT_TYPES, DomainEvent
from vextrus_finance.domain.fiscal_years import FiscalYearClosed, FiscalYearReopened
from vextrus_finance.domain.invoices import (
    Counterparty,
    InvoiceApproved,
    InvoiceCancelled,
    InvoiceCreated,
    InvoiceDetails,
    InvoiceKind,
    InvoiceLine,
    InvoicePaymentRecorded,
    InvoicePaymentReversed,
    InvoiceRevised,
    InvoiceStatus,
)
from vextrus_finance.domain.journals import (
    JournalCancelled,
    JournalDrafted,
    JournalLine,
    JournalPosted,
    JournalReversed,
    JournalRevised,
    JournalType,
)
from vextrus_finance.domain.payments import (
    Direction,
    PaymentCompleted,
    PaymentCreated,
    PaymentDetails,
    PaymentFailed,
    PaymentMethod,
    PaymentReconciled,
    PaymentReversed,
    Wallet,
    WalletProvider,
)
from vextrus_finance.domain.periods import FiscalPeriodClosed, FiscalPeriodReopened
from vextrus_finance.domain.posting_profiles import (
    CompanyProfileSet,
    PostingProfileSet,
    PostingRole,
    ProfileAccount,
)
from vextrus_finance.domain.vat import VatRate
from vextrus_finance.infrastructure.db import schema
from vextrus_finance.infrastructure.event_store.store import EventEnvelope
from vextrus_finance.infrastructure.projections.bulk import BulkProjector
from vextrus_finance.infrastructure.projections.inline import Projector
from vextrus_finance.infrastructure.projections.rows import (
    Insert,
    Post,
    Replace,
    Update,
    Upsert,
    ledger_rows,
    projected_event_types,
    rows_for,
)
from vextrus_finance.infrastructure.projections.sql import (
    FillMismatch,
    SqlProjection,
    fill_columns,
)
from vextrus_finance.infrastructure.projections.tables import (
    LIVE,
    ReadModelTables,
    shadow_tables,
)

AT = datetime(2025, 9, 3, 10, 30, tzinfo=UTC)
LATER = datetime(2025, 9, 4, 8, 15, 30, 123456, tzinfo=UTC)


class _Log:
    """Envelopes of one tenant, versions counted per stream."""

    def __init__(self, tenant: str) -> None:
        self.tenant = tenant
        self.events: list[EventEnvelope] = []
        self._versions: dict[tuple[str, str], int] = {}

    def add(self, stream_type: str, stream_id: str, event: DomainEvent, user: Any = "u-1") -> None:
        version = self._versions.get((stream_type, stream_id), 0) + 1
        self._versions[stream_type, stream_id] = version
        metadata = {} if user is None else {"user_id": user}
        self.events.append(
            EventEnvelope(self.tenant, stream_type, stream_id, version, event, metadata, AT)
        )


def _line(n: int, account: str, debit: str, credit: str, **text: str | None) -> JournalLine:
    return JournalLine(f"l-{n}", account, f"C{account}", Decimal(debit), Decimal(credit), **text)


def _drafted(number: str, *lines: JournalLine, **header: Any) -> JournalDrafted:
    values: dict[str, Any] = {
        "number": number,
        "date": date(2025, 9, 3),
        "type": JournalType.GENERAL,
        "currency": "BDT",
        "description": f"journal {number}",
        "reference": None,
        "fiscal_period": "FY2025-2026-P03",
        "lines": lines,
        **header,
    }
    return JournalDrafted(**values)


def _invoice_line(price: str, account_code: str | None = None) -> InvoiceLine:
    amount = Decimal(price)
    return InvoiceLine(
        description="goods",
        quantity=Decimal("2.5000"),
        unit="kg",
        unit_price=amount / 2,
        hs_code="0101.21.00",
        vat_rate=VatRate.STANDARD,
        sd_rate=Decimal("0"),
        ait_rate=Decimal("2.5"),
        amount=amount,
        sd_amount=Decimal("0"),
        vat_amount=amount * Decimal("0.15"),
        ait_amount=amount * Decimal("0.025"),
        account_code=account_code,
    )


def _ledger(log: _Log) -> None:
    """Accounts and journals: drafted and posted together, posted later, revised, cancelled,
    reversed; line fields set, unset and empty; amounts of many digits and one not in the
    two-decimal form (SQLite's SQL leaves that event to Python)."""
    for code, kind in (("1000", AccountType.ASSET), ("2000", AccountType.LIABILITY)):
        log.add(
            "account",
            f"a{code}",
            AccountOpened(code, f"account {code}", kind, None, "BDT", None),
        )
    limit = BalanceLimit.NON_NEGATIVE
    log.add(
        "account",
        "a3000",
        AccountOpened("3000", "equity", AccountType.EQUITY, "a2000", "BDT", limit),
    )
    log.add("account", "a3000", AccountRenamed("owner's equity"))
    log.add("account", "a3000", AccountParentChanged(None))
    log.add("account", "a3000", AccountBalanceLimitChanged(None))
    log.add("account", "a2000", AccountBalanceLimitChanged(limit))
    # Cash-flow classes: given at opening, changed later; the accounts above were opened
    # without one (events recorded before classes existed) and take their type's default.
    cash = CashFlowClass.CASH
    log.add(
        "account",
        "a1100",
        AccountOpened("1100", "bank", AccountType.ASSET, None, "BDT", None, cash),
    )
    log.add("account", "a2000", AccountCashFlowClassChanged(CashFlowClass.FINANCING))
    for n in range(40):
        amount = f"{n + 1}.{n % 100:02d}"
        log.add(
            "journal",
            f"j{n}",
            _drafted(
                f"GJ-{n:04d}", _line(1, "a1000", amount, "0.00"), _line(2, "a3000", "0.00", amount)
            ),
            user=("u-1", None, "")[n % 3],
        )
        if n % 4 != 3:
            log.add(
                "journal", f"j{n}", JournalPosted(posted_at=(AT, LATER)[n % 2], posted_by="u-1")
            )
    full = {"description": "own", "cost_center": "CC", "project": "P-1", "tax_code": "VAT"}
    log.add(
        "journal",
        "rich",
        _drafted(
            "GJ-RICH",
            _line(1, "a1000", "999999999999.99", "0.00", **full, counterparty_id="cp-1"),
            _line(2, "a2000", "0.01", "0.00", description=""),
            _line(3, "a3000", "0.00", "1000000000000.00"),
            reference="REF-9",
            type=JournalType.ADJUSTMENT,
        ),
    )
    log.add("journal", "j3", JournalPosted(posted_at=LATER, posted_by="u-2"))  # posted later
    lines = (
        _line(1, "a1000", "8.25", "0.00", description="revised"),
        _line(2, "a2000", "0.00", "8.25"),
    )
    log.add(
        "journal",
        "j7",
        JournalRevised(date(2025, 9, 5), "FY2025-2026-P03", "revised header", "R-7", lines),
    )
    log.add("journal", "rich", JournalPosted(posted_at=AT, posted_by="u-1"))
    log.add("journal", "j7", JournalPosted(posted_at=AT, posted_by="u-1"))
    log.add("journal", "j11", JournalCancelled("not needed", AT))
    log.add(
        "journal",
        "rev-0",
        _drafted(
            "GJ-REV",
            _line(1, "a3000", "1.00", "0.00"),
            _line(2, "a1000", "0.00", "1.00"),
            reverses_id="j0",
            type=JournalType.REVERSING,
        ),
    )
    log.add("journal", "rev-0", JournalPosted(posted_at=AT, posted_by="u-1"))
    log.add("journal", "j0", JournalReversed("rev-0", date(2025, 9, 6), "wrong", AT))
    odd = _drafted("GJ-ODD", _line(1, "a1000", "7.5", "0.00"), _line(2, "a2000", "0.00", "7.50"))
    log.add("journal", "odd", odd)
    log.add("journal", "odd", JournalPosted(posted_at=AT, posted_by="u-1"))
    log.add("account", "a2000", AccountDeactivated("merged", AT))
    log.add("fiscal_period", "FY2025-2026-P01", FiscalPeriodClosed("July done", AT, "u-1"))
    log.add("fiscal_period", "FY2025-2026-P01", FiscalPeriodReopened("fix", LATER, "u-2"))
    log.add("fiscal_period", "FY2025-2026-P01", FiscalPeriodClosed("again", LATER, "u-1"))
    log.add("fiscal_year", "FY2024-2025", FiscalYearClosed("j0", "a2000", "year done", AT, "u-1"))
    log.add("fiscal_year", "FY2024-2025", FiscalYearReopened("rev-0", "fix", LATER, "u-2"))
    log.add("fiscal_year", "FY2024-2025", FiscalYearClosed(None, "a2000", "again", LATER, "u-1"))


def _invoicing(log: _Log) -> None:
    profile = {
        PostingRole.ACCOUNTS_RECEIVABLE: ProfileAccount("a1000", "1000"),
        PostingRole.SALES_REVENUE: ProfileAccount("a3000", "3000"),
    }
    log.add("posting_profile", "profile", PostingProfileSet(profile))
    profile[PostingRole.CASH] = ProfileAccount("a1000", "1000")
    log.add("posting_profile", "profile", PostingProfileSet(profile))
    log.add("company_profile", "company", CompanyProfileSet("Co", None, None, None, None))
    company = CompanyProfileSet("Co Ltd", "Dhaka", "0000000010101", "123456789012", "017")
    log.add("company_profile", "company", company)
    party = ("Buyer", "0000000020101", "123456789013", "Chattogram", "01700000000")
    kind = CounterpartyKind.CUSTOMER
    log.add("counterparty", "cp-1", CounterpartyRegistered(kind, *party))
    log.add("counterparty", "cp-1", CounterpartyUpdated(CounterpartyKind.BOTH, *party, False))
    buyer = Counterparty("Buyer", "cp-1", "Chattogram", "0000000020101", "123456789013")
    details = InvoiceDetails("S-1", date(2025, 8, 1), "1000", "Khulna", "truck", "DM-1")
    day, due = date(2025, 8, 10), date(2025, 9, 10)
    lines = (_invoice_line("100.00", "3000"), _invoice_line("20.00"))
    created = InvoiceCreated(
        "INV-1", InvoiceKind.SALES, buyer, day, due, "FY2025-2026", "BDT", lines
    )
    log.add("invoice", "i1", created)
    revised = InvoiceRevised(Counterparty("Walk-in"), day, due, "FY2025-2026", lines[:1], details)
    log.add("invoice", "i1", revised)
    issued = date(2025, 8, 12)
    approved = InvoiceApproved(AT, "u-1", "j1", "M-1", AT, issued, due, "FY2025-2026")
    log.add("invoice", "i1", approved)
    log.add(
        "invoice",
        "i1",
        InvoicePaymentRecorded("p1", Decimal("50"), Decimal("50.00"), InvoiceStatus.PARTIALLY_PAID),
    )
    log.add(
        "invoice",
        "i1",
        InvoicePaymentReversed("p1", Decimal("50"), Decimal("0.00"), InvoiceStatus.APPROVED),
    )
    bill = replace(created, number="BILL-1", kind=InvoiceKind.PURCHASE, details=details)
    log.add("invoice", "i2", bill)
    log.add("invoice", "i2", InvoiceApproved(AT, "u-1", "j2", None, None))
    log.add("invoice", "i2", InvoiceCancelled("duplicate", AT, "u-1", "j4"))
    wallet = PaymentDetails(
        PaymentMethod.MOBILE_WALLET, wallet=Wallet(WalletProvider.BKASH, "01700000000", "TX-0")
    )
    log.add(
        "payment",
        "p1",
        PaymentCreated(
            "PMT-1", "i1", Direction.IN, Decimal("50"), "BDT", wallet, day, "R", "a1000", "cp-1"
        ),
    )
    log.add("payment", "p1", PaymentCompleted("T-1", AT, "u-1", "j5", "TX-1"))
    log.add("payment", "p1", PaymentReconciled("BT-1", LATER, "u-1"))
    log.add("payment", "p1", PaymentReversed("bounced", LATER, "u-1", "j6"))
    bank = PaymentDetails(PaymentMethod.CHECK, bank_account_id="a1000", check_number="CH-1")
    log.add(
        "payment",
        "p2",
        PaymentCreated(
            "PMT-2", None, Direction.OUT, Decimal("9.99"), "BDT", bank, day, None, "a1000"
        ),
    )
    log.add("payment", "p2", PaymentCompleted("T-2", AT, "u-1", "j8"))
    cash = PaymentDetails(PaymentMethod.CASH)
    log.add(
        "payment",
        "p3",
        PaymentCreated("PMT-3", None, Direction.IN, Decimal("1"), "BDT", cash, day, None, "a1000"),
    )
    log.add("payment", "p3", PaymentFailed("declined", AT))


def _events() -> list[EventEnvelope]:
    events = []
    for tenant in ("t1", "t2"):
        log = _Log(tenant)
        _ledger(log)
        _invoicing(log)
        events += log.events
    return events


def _changes() -> Iterator[tuple[EventEnvelope, Any]]:
    for envelope in _events():
        for change in rows_for(envelope):
            yield envelope, change


def _columns(table: str) -> set[str]:
    return {c.name for c in LIVE.by_name()[table].columns}


def _primary_key(table: str) -> list[str]:
    return [c.name for c in LIVE.by_name()[table].primary_key.columns]


# --- the definition ------------------------------------------------------------------------


def test_every_event_type_has_rows_and_the_sample_log_has_every_event_type() -> None:
    assert projected_event_types() == set(EVENT_TYPES.values())
    assert {type(e.event) for e in _events()} == set(EVENT_TYPES.values())


def test_the_read_model_tables_are_every_table_but_the_log_and_the_caches() -> None:
    """A table added to the schema is either in the one list (`tables.py`), and so rebuilt,
    verified and locked by the swap, or named here as not a read model."""
    not_read_models = {
        "events",
        "event_log_head",
        "snapshots",
        "idempotency_keys",
        "counters",
        "rendered_documents",
    }
    read_models = {table.name for table in LIVE.all()}
    assert read_models == set(schema.metadata.tables) - not_read_models
    assert set(LIVE.by_name()) == read_models


def test_every_row_names_exactly_the_columns_of_its_table() -> None:
    """Inserted rows are whole rows; updates name the row by its primary key and set columns
    of the table other than the key."""
    for envelope, change in _changes():
        what = f"{type(envelope.event).__name__}: {change}"
        if isinstance(change, Insert | Replace):
            assert change.rows or isinstance(change, Replace), what
            for row in change.rows:
                assert set(row) == _columns(change.table), what
        if isinstance(change, Upsert):
            assert set(change.row) == _columns(change.table), what
            assert list(change.conflict) == _primary_key(change.table), what
        if isinstance(change, Update):
            assert list(change.key) == _primary_key(change.table), what
            assert set(change.values) <= _columns(change.table) - set(change.key), what
            assert "version" in change.values, what
        if isinstance(change, Replace):
            assert list(change.key) == _primary_key(change.table)[: len(change.key)], what
        if isinstance(change, Post):
            assert isinstance(envelope.event, JournalPosted), what


def test_ledger_rows_are_whole_ledger_entries() -> None:
    drafted = next(e for e in _events() if e.stream_id == "rich")
    journal, lines = (change.rows for change in rows_for(drafted) if isinstance(change, Insert))
    entries = ledger_rows("t1", "rich", AT, journal[0], lines)
    assert [set(entry) for entry in entries] == [_columns("ledger_entries")] * 3
    # a line without its own text (None or empty) takes the journal's
    assert [entry["description"] for entry in entries] == ["own", *["journal GJ-RICH"] * 2]


# --- the SQL fill statements, held to the definition ---------------------------------------


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_the_fill_statements_write_the_columns_of_the_definition(dialect: str) -> None:
    fill = fill_columns(dialect, LIVE)
    inserted: dict[str, set[str]] = {}
    posted: set[str] = set()
    for envelope, change in _changes():
        if isinstance(change, Insert):
            for row in change.rows:
                inserted.setdefault(change.table, set()).update(row)
        if isinstance(change, Update) and isinstance(envelope.event, JournalPosted):
            posted.update(change.values)
    drafted = next(e for e in _events() if e.stream_id == "rich")
    journal, lines = (change.rows for change in rows_for(drafted) if isinstance(change, Insert))
    ledger = set(ledger_rows("t1", "rich", AT, journal[0], lines)[0])
    assert set(fill.accounts) == inserted["accounts"]
    assert set(fill.journals) == inserted["journals"]
    assert set(fill.journal_lines) == inserted["journal_lines"]
    assert set(fill.ledger_entries) == ledger
    assert set(fill.posted) == posted


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
@pytest.mark.parametrize("table", ["accounts", "journals", "journal_lines", "ledger_entries"])
def test_a_column_the_fill_statements_do_not_write_fails_them(dialect: str, table: str) -> None:
    """A column added to a read-model table (and to `rows.py`) but not to the SQL: building the
    statements fails, so does every rebuild and every test that runs one."""
    metadata = sa.MetaData()
    tables = {f.name: getattr(LIVE, f.name) for f in fields(LIVE)}
    live = tables[table]
    columns = [sa.Column(c.name, c.type, nullable=c.nullable) for c in live.columns]
    tables[table] = sa.Table(live.name, metadata, *columns, sa.Column("project_id", sa.String))
    with pytest.raises(FillMismatch, match="project_id"):
        fill_columns(dialect, ReadModelTables(**tables))


# --- the writers, row by row ---------------------------------------------------------------


async def _rows(conn: AsyncConnection, tables: ReadModelTables) -> dict[str, list[tuple[Any, ...]]]:
    found = {}
    for name, table in tables.by_name().items():
        ordered = sa.select(table).order_by(*table.primary_key.columns)
        found[name] = [tuple(row) for row in await conn.execute(ordered)]
    return found


async def test_sql_bulk_and_one_by_one_projections_fill_the_same_rows(
    container: Container,
) -> None:
    """The log projected as the commands project it (live tables), then into three shadow
    bundles: the rebuild's SQL (every run of projectable events, however short), its Python
    path (totals deferred across batches), and one statement per change. Every table equal
    row by row, on both databases."""
    events = _events()
    async with container.db.write() as conn:
        await container.store.append(conn, events)
        live = BulkProjector(LIVE)
        start = 0
        for end in range(1, len(events) + 1):  # one call per stream's run, as commands do
            if end == len(events) or events[end].stream_id != events[start].stream_id:
                await live.apply(conn, events[start:end])
                start = end
    async with container.db.write() as conn:
        head = await container.store.head_position(conn)
        stored = await container.store.read_all(conn, after_position=0)
        bundles = {}
        for how in ("sql", "python", "one_by_one"):
            tables, metadata = shadow_tables(prefix=f"cmp_{how}_")
            await conn.run_sync(metadata.create_all)
            bundles[how] = tables
        by_sql = SqlProjection(bundles["sql"], container.store, min_sql_run=1)
        await by_sql.project(conn, 0, head)
        await by_sql.finish(conn)
        assert by_sql.events_by_sql > 100
        if container.db.is_sqlite:  # "7.5" is not in the exact form SQLite's SQL converts
            assert 0 < by_sql.events_by_python < 100
        bulk = BulkProjector(bundles["python"], defer_totals=True)
        for batch in range(0, len(stored), 7):
            await bulk.apply(conn, stored[batch : batch + 7])
        await bulk.flush_totals(conn)
        await Projector(bundles["one_by_one"]).apply(conn, stored)
        expected = await _rows(conn, LIVE)
        for how, tables in bundles.items():
            assert await _rows(conn, tables) == expected, how
    assert all(expected[f.name] for f in fields(LIVE)), "every table has rows"
    ledger = expected["ledger_entries"]
    assert len({row[0] for row in ledger}) == 2
    assert 99999999999999 in {row[12] for row in ledger}
