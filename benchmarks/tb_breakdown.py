"""Where a trial balance at 10,000 accounts spends its time, step by step, in process.

    python -m benchmarks.tb_breakdown [--accounts 10000] [--repeat 5]

Fills a throwaway SQLite database's accounts and month totals read models directly (a month
total per account for each of the last 17 months, the accounts' all-time totals their sums),
then times the three steps the route takes, as of today and as of the last day of the month
eleven months back (answered from month totals alone, ADR 0025): the query (integer paisa per
account, with the plan it used), the JSON document (columns, sums, formatted amounts) and the
response body (orjson). No ledger entries: a date inside a past month also reads the days of
its month, which this breakdown does not time. Not a benchmark scenario: a profile to aim the
next optimisation (see docs/performance.md)."""

from __future__ import annotations

import argparse
import asyncio
import calendar
import random
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import orjson
import sqlalchemy as sa

from vextrus_finance.api.schemas.reports import trial_balance_document
from vextrus_finance.bootstrap import bootstrap
from vextrus_finance.infrastructure.db.schema import account_period_totals, accounts
from vextrus_finance.infrastructure.ledger.net_balances import plan_for
from vextrus_finance.settings import Environment, Settings

TYPES = ("ASSET", "LIABILITY", "EQUITY", "REVENUE", "EXPENSE")


def _months_back(day: date, back: int) -> date:
    """The first day of the month `back` months before `day`'s."""
    first = day.replace(day=1)
    for _ in range(back):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


def _key(day: date) -> int:
    return day.year * 100 + day.month


async def breakdown(n_accounts: int, repeat: int, path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{path}", jwt_secret="x" * 40, environment=Environment.TEST
    )
    container = bootstrap(settings)
    await container.migrate()
    now = datetime.now(UTC)
    today = date.today()
    months = [_months_back(today, back) for back in range(16, -1, -1)]
    rng = random.Random(7)
    totals = []
    rows = []
    for i in range(n_accounts):
        account_id = str(uuid.uuid4())
        debits = [rng.randint(0, 10**8) for _ in months]
        credits = [rng.randint(0, 10**8) for _ in months]
        totals += [
            {
                "tenant_id": "t",
                "account_id": account_id,
                "month": month.year * 100 + month.month,
                "debit": debit,
                "credit": credit,
            }
            for month, debit, credit in zip(months, debits, credits, strict=True)
        ]
        rows.append(
            {
                "tenant_id": "t",
                "id": account_id,
                "code": f"{1000 + i // 100}-{i % 100:02d}",
                "name": f"Account {i}",
                "type": rng.choice(TYPES),
                "parent_id": None,
                "currency": "BDT",
                "is_active": True,
                "balance_limit": None,
                "debit_total": sum(debits),
                "credit_total": sum(credits),
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
    async with container.db.write() as conn:
        await conn.execute(sa.insert(accounts), rows)
        await conn.execute(sa.insert(account_period_totals), totals)
    first, last = months[0], months[-1]
    eleven_back = months[-12]
    past = eleven_back.replace(day=calendar.monthrange(eleven_back.year, eleven_back.month)[1])
    for as_of in (today, past):
        print(f"as of {as_of}: {plan_for(as_of, _key(first), _key(last))}")
        for _ in range(repeat):
            t0 = time.perf_counter()
            async with container.reader("t") as reader:
                balances = await reader.net_balances_as_of(as_of, "BDT")
            t1 = time.perf_counter()
            document = trial_balance_document(balances, as_of=as_of, currency="BDT")
            t2 = time.perf_counter()
            body = orjson.dumps(document)
            t3 = time.perf_counter()
            print(
                f"  query {1000 * (t1 - t0):6.1f} ms   json document {1000 * (t2 - t1):6.1f} ms"
                f"   response body {1000 * (t3 - t2):6.1f} ms   ({len(body):,} bytes)"
            )
    await container.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(breakdown(args.accounts, args.repeat, Path(tmp) / "tb.db"))


if __name__ == "__main__":
    main()
