"""The ledger workload every scenario uses: a chart of accounts and journals of 2–4 lines,
generated deterministically, and a bulk loader that writes them as events (the log the
service itself would have written) so the read models can be projected by the service's own
rebuild — exactly what the projections produce, at bulk speed."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.application.ledger.journals import CreateJournal, LineSpec
from vextrus_finance.domain.accounts import (
    AccountOpened,
    AccountRenamed,
    AccountType,
    CashFlowClass,
)
from vextrus_finance.domain.events import DomainEvent
from vextrus_finance.domain.fiscal import period_of
from vextrus_finance.domain.journals import (
    JournalDrafted,
    JournalLine,
    JournalPosted,
    JournalType,
    journal_number,
    sequence_name,
)
from vextrus_finance.infrastructure.db import codec
from vextrus_finance.infrastructure.db.schema import counters, event_log_head, events
from vextrus_finance.infrastructure.event_store import chain

USER = "bench-user"
TYPES = (
    AccountType.ASSET,
    AccountType.LIABILITY,
    AccountType.EQUITY,
    AccountType.REVENUE,
    AccountType.EXPENSE,
)


@dataclass(frozen=True)
class ChartAccount:
    id: str
    code: str
    type: AccountType


@dataclass(frozen=True)
class Line:
    account: ChartAccount
    debit: int  # paisa
    credit: int


@dataclass(frozen=True)
class JournalSpec:
    day: date
    description: str
    lines: tuple[Line, ...]


def cash_flow_class_of(account: ChartAccount) -> CashFlowClass | None:
    """Some of the chart marked for the cash flow statement (ADR 0047): a quarter of the assets
    CASH and a quarter INVESTING, a third of the liabilities FINANCING; None: the default."""
    n = int(account.code[1:]) // len(TYPES)
    if account.type is AccountType.ASSET:
        return (CashFlowClass.CASH, CashFlowClass.INVESTING, None, None)[n % 4]
    if account.type is AccountType.LIABILITY and n % 3 == 0:
        return CashFlowClass.FINANCING
    return None


def chart(size: int, seed: int = 7) -> list[ChartAccount]:
    rnd = random.Random(seed)
    return [
        ChartAccount(
            str(uuid.UUID(int=rnd.getrandbits(128), version=4)), f"B{i:06d}", TYPES[i % len(TYPES)]
        )
        for i in range(size)
    ]


def journals(
    accounts: list[ChartAccount], count: int, first: date, last: date, seed: int = 11
) -> Iterator[JournalSpec]:
    """2–4 lines, one debit against the rest as credits (or the mirror), balanced in paisa."""
    rnd = random.Random(seed)
    days = (last - first).days + 1
    for i in range(count):
        k = rnd.randint(2, 4)
        picked = rnd.sample(accounts, k)
        parts = [rnd.randint(100, 5_000_000) for _ in range(k - 1)]
        total = sum(parts)
        others = zip(picked[1:], parts, strict=True)
        if i % 2:
            lines = (Line(picked[0], total, 0), *(Line(a, 0, p) for a, p in others))
        else:
            lines = (Line(picked[0], 0, total), *(Line(a, p, 0) for a, p in others))
        day = first + timedelta(days=(i * 7919) % days)
        yield JournalSpec(day, f"benchmark journal {i}", lines)


def _taka(paisa: int) -> Decimal:
    return Decimal(paisa).scaleb(-2)


def command(spec: JournalSpec) -> CreateJournal:
    return CreateJournal(
        date=spec.day,
        description=spec.description,
        lines=tuple(
            LineSpec(None, line.account.code, _taka(line.debit), _taka(line.credit))
            for line in spec.lines
        ),
        post=True,
    )


def body(spec: JournalSpec) -> dict[str, Any]:
    """The same journal as a request body of POST /api/v1/journals."""
    return {
        "date": spec.day.isoformat(),
        "description": spec.description,
        "post": True,
        "lines": [
            {"account_code": line.account.code}
            | (
                {"debit": str(_taka(line.debit))}
                if line.debit
                else {"credit": str(_taka(line.credit))}
            )
            for line in spec.lines
        ],
    }


# --- bulk event log --------------------------------------------------------------------------


class EventLogWriter:
    """Appends events with consecutive positions, many rows per statement; numbers journals
    per tenant, type and month as the service would, and leaves the counters and the log head
    where the service expects them."""

    CHUNK = 5000

    def __init__(self, conn: AsyncConnection, tenant: str) -> None:
        self._conn = conn
        self._tenant = tenant
        self._rows: list[dict[str, Any]] = []
        self._position = 0
        self._sequences: dict[str, int] = {}
        self._metadata = {
            "tenant_id": tenant,
            "user_id": USER,
            "correlation_id": None,
            "causation_id": None,
            "client_ip": None,
            "user_agent": None,
        }
        self.recorded_at = datetime(2025, 7, 1, tzinfo=UTC)
        self._last: dict[str, str] = {}  # tenant → its newest event's hash

    async def start(self) -> None:
        head = await self._conn.execute(sa.select(event_log_head.c.last_position))
        self._position = int(head.scalar_one())
        newest = await self._conn.execute(
            sa.select(events.c.hash)
            .where(events.c.tenant_id == self._tenant)
            .order_by(events.c.position.desc())
            .limit(1)
        )
        found = newest.scalar_one_or_none()
        if found is not None:
            self._last[self._tenant] = found

    async def add(self, stream_type: str, stream_id: str, version: int, event: DomainEvent) -> None:
        self._position += 1
        self._rows.append(
            {
                "position": self._position,
                "event_id": str(uuid.uuid4()),
                "tenant_id": self._tenant,
                "stream_type": stream_type,
                "stream_id": stream_id,
                "version": version,
                "event_type": event.event_type(),
                "schema_version": event.SCHEMA_VERSION,
                "data": codec.encode(event),
                "metadata": self._metadata,
                "recorded_at": self.recorded_at,
            }
        )
        chain.link(self._rows[-1:], self._last)  # the tenant's hash chain (ADR 0046)
        if len(self._rows) >= self.CHUNK:
            await self.flush()

    async def flush(self) -> None:
        if self._rows:
            await self._conn.execute(sa.insert(events), self._rows)
            self._rows = []

    async def accounts(self, accounts: Iterable[ChartAccount]) -> None:
        for a in accounts:
            await self.add(
                "account",
                a.id,
                1,
                AccountOpened(
                    code=a.code,
                    name=f"Account {a.code}",
                    type=a.type,
                    parent_id=None,
                    currency="BDT",
                    balance_limit=None,
                    cash_flow_class=cash_flow_class_of(a),
                ),
            )

    async def journal(self, spec: JournalSpec) -> None:
        seq_name = sequence_name(JournalType.GENERAL, spec.day)
        seq = self._sequences[seq_name] = self._sequences.get(seq_name, 0) + 1
        journal_id = str(uuid.uuid4())
        drafted = JournalDrafted(
            number=journal_number(JournalType.GENERAL, spec.day, seq),
            date=spec.day,
            type=JournalType.GENERAL,
            currency="BDT",
            description=spec.description,
            reference=None,
            fiscal_period=period_of(spec.day).code,
            lines=tuple(
                JournalLine(
                    str(uuid.uuid4()),
                    line.account.id,
                    line.account.code,
                    _taka(line.debit),
                    _taka(line.credit),
                )
                for line in spec.lines
            ),
        )
        await self.add("journal", journal_id, 1, drafted)
        await self.add(
            "journal", journal_id, 2, JournalPosted(posted_at=self.recorded_at, posted_by=USER)
        )

    async def renames(self, account: ChartAccount, count: int) -> None:
        """A long stream: the account opened, then renamed `count - 1` times."""
        await self.accounts([account])
        for version in range(2, count + 1):
            await self.add("account", account.id, version, AccountRenamed(name=f"name {version}"))

    async def finish(self) -> None:
        await self.flush()
        await self._conn.execute(sa.update(event_log_head).values(last_position=self._position))
        if self._sequences:
            await self._conn.execute(
                sa.insert(counters),
                [
                    {"tenant_id": self._tenant, "name": name, "value": value}
                    for name, value in self._sequences.items()
                ],
            )
