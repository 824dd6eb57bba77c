"""Where a trial balance at 10,000 accounts spends its time, step by step, in process.

    python -m benchmarks.tb_breakdown [--accounts 10000] [--repeat 5]

Fills a throwaway SQLite database's accounts read model directly (the trial balance as of
today reads only stored totals), then times the three steps the route takes: the query
(integer paisa per account), the JSON document (columns, sums, formatted amounts) and the
response body (orjson). Not a benchmark scenario: a profile to aim the next optimisation
(see docs/performance.md)."""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import orjson
import sqlalchemy as sa

from vextrus_finance.api.schemas.reports import trial_balance_document
from vextrus_finance.bootstrap import bootstrap
from vextrus_finance.infrastructure.schema import accounts
from vextrus_finance.infrastructure.settings import Environment, Settings

TYPES = ("ASSET", "LIABILITY", "EQUITY", "REVENUE", "EXPENSE")


async def breakdown(n_accounts: int, repeat: int, path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{path}", jwt_secret="x" * 40, environment=Environment.TEST
    )
    container = bootstrap(settings)
    await container.migrate()
    now = datetime.now(UTC)
    rng = random.Random(7)
    rows = [
        {
            "tenant_id": "t",
            "id": str(uuid.uuid4()),
            "code": f"{1000 + i // 100}-{i % 100:02d}",
            "name": f"Account {i}",
            "type": rng.choice(TYPES),
            "parent_id": None,
            "currency": "BDT",
            "is_active": True,
            "balance_limit": None,
            "debit_total": rng.randint(0, 10**9),
            "credit_total": rng.randint(0, 10**9),
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        for i in range(n_accounts)
    ]
    async with container.db.write() as conn:
        await conn.execute(sa.insert(accounts), rows)
    today = date.today()
    for _ in range(repeat):
        t0 = time.perf_counter()
        async with container.reader("t") as reader:
            balances = await reader.net_balances_as_of(today, "BDT")
        t1 = time.perf_counter()
        document = trial_balance_document(balances, as_of=today, currency="BDT")
        t2 = time.perf_counter()
        body = orjson.dumps(document)
        t3 = time.perf_counter()
        print(
            f"query {1000 * (t1 - t0):6.1f} ms   json document {1000 * (t2 - t1):6.1f} ms   "
            f"response body {1000 * (t3 - t2):6.1f} ms   ({len(body):,} bytes)"
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
