"""The raw-SQL baseline: the same rows a create-and-post writes (two event rows and the log
head, the journal, its lines, its ledger entries, the account totals, the month totals and the
number counter), written with plain SQL through the bare driver — stdlib `sqlite3` in WAL with
synchronous=FULL, `asyncpg` with prepared statements — one transaction per journal, or one per
batch. No reads but the tenant's newest event hash (the hash chain's predecessor, ADR 0046),
no validation, no framework: the database's own limit for this work on this
machine at this moment. Payloads are prepared before the clock starts."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from benchmarks.workload import ChartAccount, JournalSpec
from vextrus_finance.infrastructure.event_store import chain

TENANT = "raw-baseline"


@dataclass(frozen=True)
class RawJournal:
    sequence: str
    events: list[tuple[Any, ...]]  # without position
    journal: tuple[Any, ...]  # without number
    lines: list[tuple[Any, ...]]
    ledger: list[tuple[Any, ...]]  # without journal number
    totals: list[tuple[Any, ...]]  # (debit, credit, tenant, account)
    months: list[tuple[Any, ...]]  # (tenant, account, month, debit, credit)


def prepare(specs: list[JournalSpec], *, sqlite_types: bool) -> list[RawJournal]:
    now = datetime.now(UTC)
    ts: Any = now.replace(tzinfo=None).isoformat(sep=" ") if sqlite_types else now
    out = []
    for spec in specs:
        jid = str(uuid.uuid4())
        day: Any = spec.day.isoformat() if sqlite_types else spec.day
        lines = []
        ledger = []
        sums: dict[str, list[int]] = {}
        for no, line in enumerate(spec.lines, start=1):
            lid = str(uuid.uuid4())
            lines.append(
                (TENANT, jid, no, lid, line.account.id, line.account.code, line.debit, line.credit)
            )
            ledger.append(
                (
                    TENANT,
                    jid,
                    no,
                    line.account.id,
                    day,
                    ts,
                    lid,
                    "GENERAL",
                    "BDT",
                    spec.description,
                    line.debit,
                    line.credit,
                )
            )
            s = sums.setdefault(line.account.id, [0, 0])
            s[0] += line.debit
            s[1] += line.credit
        drafted = json.dumps(
            {
                "number": "?",
                "date": spec.day.isoformat(),
                "lines": [
                    {"id": row[3], "account_id": row[4], "debit": row[6], "credit": row[7]}
                    for row in lines
                ],
            }
        )
        posted = json.dumps({"posted_at": now.isoformat(), "posted_by": "raw"})
        meta = json.dumps({"tenant_id": TENANT, "user_id": "raw"})
        events = [
            (str(uuid.uuid4()), TENANT, "journal", jid, 1, "JournalDrafted", 1, drafted, meta, ts),
            (str(uuid.uuid4()), TENANT, "journal", jid, 2, "JournalPosted", 1, posted, meta, ts),
        ]
        total = sum(line.debit for line in spec.lines)
        journal = (
            TENANT,
            jid,
            day,
            "GENERAL",
            "POSTED",
            "BDT",
            spec.description,
            "P",
            total,
            total,
            ts,
            "raw",
            ts,
            "raw",
            2,
        )
        month = spec.day.year * 100 + spec.day.month
        out.append(
            RawJournal(
                sequence=f"journal:GJ:{spec.day:%Y-%m}",
                events=events,
                journal=journal,
                lines=lines,
                ledger=ledger,
                totals=[(d, c, TENANT, a) for a, (d, c) in sorted(sums.items())],
                months=[(TENANT, a, month, d, c) for a, (d, c) in sorted(sums.items())],
            )
        )
    return out


_JOURNAL_COLS = (
    "tenant_id, id, number, date, type, status, currency, description, "
    "fiscal_period, total_debit, total_credit, created_at, created_by, posted_at, "
    "posted_by, version"
)
_EVENT_COLS = (
    "position, event_id, tenant_id, stream_type, stream_id, version, event_type, "
    "schema_version, data, metadata, recorded_at, prev_hash, hash"
)
_EVENT_FIELDS = _EVENT_COLS.split(", ")[:11]


def _chained(last: int, prev: str | None, events: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The journal's events numbered from `last` and chained to the tenant's newest event's
    hash `prev` (ADR 0046): the hashing the service does at every append."""
    out = []
    prev = prev or chain.GENESIS
    for i, e in enumerate(events):
        row = dict(zip(_EVENT_FIELDS, (last - 1 + i, *e), strict=True))
        fields = {**row, "data": json.loads(row["data"]), "metadata": json.loads(row["metadata"])}
        if isinstance(row["recorded_at"], str):
            fields["recorded_at"] = datetime.fromisoformat(row["recorded_at"])
        own = chain.event_hash(fields, prev)
        out.append((*row.values(), prev, own))
        prev = own
    return out


_LINE_COLS = "tenant_id, journal_id, line_no, id, account_id, account_code, debit, credit"
_LEDGER_COLS = (
    "tenant_id, journal_id, line_no, account_id, entry_date, posted_at, line_id, "
    "journal_type, currency, description, debit, credit, journal_number"
)


def _marks(n: int, dollar: bool) -> str:
    return ", ".join(f"${i}" if dollar else "?" for i in range(1, n + 1))


def _sql(dollar: bool) -> dict[str, str]:
    return {
        "counter": f"INSERT INTO counters (tenant_id, name, value) VALUES ({_marks(2, dollar)}, 1) "
        "ON CONFLICT (tenant_id, name) DO UPDATE SET value = counters.value + 1 "
        "RETURNING value",
        "head": f"UPDATE event_log_head SET last_position = last_position + {_marks(1, dollar)} "
        "WHERE id = 1 RETURNING last_position",
        "events": f"INSERT INTO events ({_EVENT_COLS}) VALUES ({_marks(13, dollar)})",
        "last_hash": "SELECT hash FROM events WHERE tenant_id = {} "
        "ORDER BY position DESC LIMIT 1".format("$1" if dollar else "?"),
        "journal": f"INSERT INTO journals ({_JOURNAL_COLS}) VALUES ({_marks(16, dollar)})",
        "lines": f"INSERT INTO journal_lines ({_LINE_COLS}) VALUES ({_marks(8, dollar)})",
        "ledger": f"INSERT INTO ledger_entries ({_LEDGER_COLS}) VALUES ({_marks(13, dollar)})",
        "totals": "UPDATE accounts SET debit_total = debit_total + {}, credit_total = "
        "credit_total + {} WHERE tenant_id = {} AND id = {}".format(
            *(["$1", "$2", "$3", "$4"] if dollar else ["?"] * 4)
        ),
        "months": "INSERT INTO account_period_totals (tenant_id, account_id, month, debit, credit) "
        f"VALUES ({_marks(5, dollar)}) ON CONFLICT (tenant_id, account_id, month) DO "
        "UPDATE SET debit = account_period_totals.debit + excluded.debit, "
        "credit = account_period_totals.credit + excluded.credit",
    }


def _account_rows(accounts: list[ChartAccount], ts: Any) -> list[tuple[Any, ...]]:
    return [
        (TENANT, a.id, a.code, f"Account {a.code}", a.type.value, "BDT", True, 0, 0, 1, ts, ts)
        for a in accounts
    ]


_ACCOUNT_INSERT = (
    "INSERT INTO accounts (tenant_id, id, code, name, type, currency, is_active, "
    "debit_total, credit_total, version, created_at, updated_at) VALUES ({})"
)


def _groups(journals: list[RawJournal], size: int) -> list[list[RawJournal]]:
    return [journals[i : i + size] for i in range(0, len(journals), size)]


def _sqlite_connection(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA busy_timeout=30000")
    return db


def _sqlite_accounts(db: sqlite3.Connection, accounts: list[ChartAccount]) -> None:
    if db.execute("SELECT 1 FROM accounts WHERE tenant_id = ? LIMIT 1", (TENANT,)).fetchone():
        return
    db.execute("BEGIN IMMEDIATE")
    db.executemany(
        _ACCOUNT_INSERT.format(_marks(12, False)),
        _account_rows(accounts, datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")),
    )
    db.execute("COMMIT")


def _sqlite_write(
    db: sqlite3.Connection, sql: dict[str, str], journals: list[RawJournal], per_transaction: int
) -> None:
    for group in _groups(journals, per_transaction):
        db.execute("BEGIN IMMEDIATE")
        for j in group:
            (seq,) = db.execute(sql["counter"], (TENANT, j.sequence)).fetchone()
            number = f"GJ-{j.sequence[-7:]}-{seq:06d}"
            (last,) = db.execute(sql["head"], (2,)).fetchone()
            (prev,) = db.execute(sql["last_hash"], (TENANT,)).fetchone() or (None,)
            db.executemany(sql["events"], _chained(last, prev, j.events))
            db.execute(sql["journal"], (*j.journal[:2], number, *j.journal[2:]))
            db.executemany(sql["lines"], j.lines)
            db.executemany(sql["ledger"], [(*row, number) for row in j.ledger])
            db.executemany(sql["totals"], j.totals)
            db.executemany(sql["months"], j.months)
        db.execute("COMMIT")


def run_sqlite(
    path: str, accounts: list[ChartAccount], journals: list[RawJournal], per_transaction: int
) -> float:
    """Journals per second."""
    db = _sqlite_connection(path)
    try:
        _sqlite_accounts(db, accounts)
        started = time.perf_counter()
        _sqlite_write(db, _sql(dollar=False), journals, per_transaction)
        return len(journals) / (time.perf_counter() - started)
    finally:
        db.close()


def run_sqlite_concurrent(
    path: str, accounts: list[ChartAccount], journals: list[RawJournal], connections: int
) -> float:
    """Journals per second from `connections` threads, each with its own connection and one
    transaction per journal: what SQLite's single writer allows at the HTTP scenario's
    concurrency (the stdlib driver releases the GIL while SQLite works and waits)."""
    dbs = [_sqlite_connection(path) for _ in range(connections)]
    try:
        _sqlite_accounts(dbs[0], accounts)
        sql = _sql(dollar=False)
        shares = [journals[i::connections] for i in range(connections)]
        with ThreadPoolExecutor(max_workers=connections) as pool:
            started = time.perf_counter()
            # list(): waits for every writer and re-raises the first failure, so a writer that
            # gave up (a busy timeout) cannot leave a rate counted for journals never written.
            list(pool.map(lambda db, share: _sqlite_write(db, sql, share, 1), dbs, shares))
            return len(journals) / (time.perf_counter() - started)
    finally:
        for db in dbs:
            db.close()


async def _pg_connection(url: str) -> asyncpg.Connection:
    u = make_url(url)
    return await asyncpg.connect(host=u.host, port=u.port, user=u.username, database=u.database)


async def _pg_accounts(conn: asyncpg.Connection, accounts: list[ChartAccount]) -> None:
    if await conn.fetchval("SELECT 1 FROM accounts WHERE tenant_id = $1 LIMIT 1", TENANT):
        return
    await conn.executemany(
        _ACCOUNT_INSERT.format(_marks(12, True)), _account_rows(accounts, datetime.now(UTC))
    )


async def _pg_statements(conn: asyncpg.Connection) -> dict[str, Any]:
    return {k: await conn.prepare(v) for k, v in _sql(dollar=True).items()}


async def _pg_write(
    conn: asyncpg.Connection,
    stmts: dict[str, Any],
    journals: list[RawJournal],
    per_transaction: int,
) -> None:
    for group in _groups(journals, per_transaction):
        async with conn.transaction():
            for j in group:
                seq = await stmts["counter"].fetchval(TENANT, j.sequence)
                number = f"GJ-{j.sequence[-7:]}-{seq:06d}"
                last = await stmts["head"].fetchval(2)
                prev = await stmts["last_hash"].fetchval(TENANT)
                await stmts["events"].executemany(_chained(last, prev, j.events))
                await stmts["journal"].fetch(*j.journal[:2], number, *j.journal[2:])
                await stmts["lines"].executemany(j.lines)
                await stmts["ledger"].executemany([(*row, number) for row in j.ledger])
                await stmts["totals"].executemany(j.totals)
                await stmts["months"].executemany(j.months)


async def run_postgres(
    url: str, accounts: list[ChartAccount], journals: list[RawJournal], per_transaction: int
) -> float:
    conn = await _pg_connection(url)
    try:
        await _pg_accounts(conn, accounts)
        stmts = await _pg_statements(conn)
        started = time.perf_counter()
        await _pg_write(conn, stmts, journals, per_transaction)
        return len(journals) / (time.perf_counter() - started)
    finally:
        await conn.close()


async def run_postgres_concurrent(
    url: str, accounts: list[ChartAccount], journals: list[RawJournal], connections: int
) -> float:
    """Journals per second from `connections` connections at once, one transaction per
    journal (PostgreSQL can flush several commits with one WAL write)."""
    conns = [await _pg_connection(url) for _ in range(connections)]
    try:
        await _pg_accounts(conns[0], accounts)
        stmts = [await _pg_statements(c) for c in conns]
        started = time.perf_counter()
        await asyncio.gather(
            *(_pg_write(c, stmts[i], journals[i::connections], 1) for i, c in enumerate(conns))
        )
        return len(journals) / (time.perf_counter() - started)
    finally:
        for c in conns:
            await c.close()


def sqlite_path(url: str) -> str:
    database = make_url(url).database
    assert database
    return database


async def run_aiosqlite(
    path: str, accounts: list[ChartAccount], journals: list[RawJournal], per_transaction: int
) -> float:
    """The same statements through aiosqlite, the async driver the service must use: every
    statement is a hop to the driver's thread and back. Not the baseline — the floor that any
    async SQLite code on this machine pays, reported next to it."""
    import aiosqlite

    sql = _sql(dollar=False)
    async with aiosqlite.connect(path, isolation_level=None) as db:
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA synchronous=FULL")
        await db.execute("PRAGMA busy_timeout=30000")
        started = time.perf_counter()
        for group in _groups(journals, per_transaction):
            await db.execute("BEGIN IMMEDIATE")
            for j in group:
                async with db.execute(sql["counter"], (TENANT, j.sequence)) as cur:
                    (seq,) = await cur.fetchone()  # type: ignore[misc]
                number = f"GJ-{j.sequence[-7:]}-{seq:06d}"
                async with db.execute(sql["head"], (2,)) as cur:
                    (last,) = await cur.fetchone()  # type: ignore[misc]
                async with db.execute(sql["last_hash"], (TENANT,)) as cur:
                    (prev,) = await cur.fetchone() or (None,)
                await db.executemany(sql["events"], _chained(last, prev, j.events))
                await db.execute(sql["journal"], (*j.journal[:2], number, *j.journal[2:]))
                await db.executemany(sql["lines"], j.lines)
                await db.executemany(sql["ledger"], [(*row, number) for row in j.ledger])
                await db.executemany(sql["totals"], j.totals)
                await db.executemany(sql["months"], j.months)
            await db.execute("COMMIT")
        return len(journals) / (time.perf_counter() - started)
