"""The `vextrus-finance` command against both databases."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import jwt
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import TEST_SECRET
from tests.system.server import BIN, cli, service_env
from vextrus_finance.infrastructure import migrations
from vextrus_finance.infrastructure.db.database import async_url


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


async def test_replicas_migrating_a_new_database_at_once_migrate_it_once(
    postgres_server: str, tmp_path: Path
) -> None:
    """Four processes run `migrate` together against an empty database, as replicas with
    MIGRATE_ON_START do: all succeed and the schema is the head once."""
    name = f"vf_fresh_{uuid.uuid4().hex[:8]}"
    engine = create_async_engine(async_url(postgres_server), isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()
    fresh = [
        make_url(postgres_server).set(database=name).render_as_string(hide_password=False),
        f"sqlite:///{tmp_path / 'fresh.db'}",
    ]
    for url in fresh:
        processes = [
            subprocess.Popen(  # noqa: ASYNC220 - child processes are the point
                [str(BIN / "vextrus-finance"), "migrate"],
                env=service_env(url),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(4)
        ]
        outcomes = [p.communicate(timeout=120) for p in processes]
        assert [p.returncode for p in processes] == [0, 0, 0, 0], outcomes
        engine = create_async_engine(async_url(url))
        async with engine.connect() as conn:
            assert await migrations.current_revision(conn) == migrations.head_revision()
            count = await conn.execute(sa.text("SELECT count(*) FROM event_log_head"))
            assert count.scalar_one() == 1
        await engine.dispose()


async def test_migrate_waits_for_the_migration_lock(postgres_server: str) -> None:
    """While another replica holds the migration lock, `migrate` waits for it."""
    from vextrus_finance.bootstrap import MIGRATION_LOCK

    name = f"vf_locked_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(async_url(postgres_server), isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    url = make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
    holder = create_async_engine(async_url(url), isolation_level="AUTOCOMMIT")
    async with holder.connect() as conn:
        await conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
        waiting = subprocess.Popen(  # noqa: ASYNC220 - a child process is the point
            [str(BIN / "vextrus-finance"), "migrate"],
            env=service_env(url),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        with pytest.raises(subprocess.TimeoutExpired):
            waiting.wait(timeout=6)  # it would finish in ~2 s if it did not wait
        await conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
        _, err = waiting.communicate(timeout=60)
    await holder.dispose()
    assert waiting.returncode == 0, err
    assert "migrated" in err
