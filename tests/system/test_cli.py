"""The `vextrus-finance` command against both databases."""

from __future__ import annotations

import jwt
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import TEST_SECRET
from tests.system.server import cli
from vextrus_finance.infrastructure.database import async_url


async def _tamper(database_url: str) -> None:
    engine = create_async_engine(async_url(database_url))
    try:
        async with engine.begin() as conn:
            await conn.execute(
                sa.text("UPDATE accounts SET credit_total = credit_total + 7 WHERE code = '3100'")
            )
    finally:
        await engine.dispose()


async def test_seed_verify_tamper_rebuild(database_url: str) -> None:
    seeded = cli("seed", database_url=database_url)
    assert "67 accounts opened, 9 journals" in seeded.stderr
    again = cli("seed", database_url=database_url)
    assert "0 accounts opened, 0 journals" in again.stderr  # seeding is idempotent

    assert cli("verify", database_url=database_url).returncode == 0
    await _tamper(database_url)
    failed = cli("verify", database_url=database_url, check=False)
    assert failed.returncode == 1
    assert "FAILED" in failed.stderr
    assert "accounts" in failed.stderr

    rebuilt = cli("projections", "rebuild", database_url=database_url)
    assert "rebuilt from" in rebuilt.stderr
    assert cli("verify", database_url=database_url).returncode == 0


async def test_seed_a_named_tenant_gives_only_the_chart(database_url: str) -> None:
    out = cli("seed", "--tenant", "acme-builders", database_url=database_url)
    assert "tenant acme-builders: 67 accounts opened, 0 journals" in out.stderr


def test_token_is_signed_with_the_configured_secret() -> None:
    out = cli(
        "token",
        "--tenant",
        "acme",
        "--roles",
        "accountant,auditor",
        "--sub",
        "rahim",
        "--ttl",
        "600",
        database_url="sqlite:///unused.db",
    )
    claims = jwt.decode(out.stdout.strip(), TEST_SECRET, algorithms=["HS256"])
    assert claims["tenant_id"] == "acme"
    assert claims["sub"] == "rahim"
    assert claims["roles"] == ["accountant", "auditor"]
    assert claims["exp"] - claims["iat"] == 600


async def test_migrate_is_repeatable(database_url: str) -> None:
    assert "migrated" in cli("migrate", database_url=database_url).stderr
    assert "migrated" in cli("migrate", database_url=database_url).stderr
