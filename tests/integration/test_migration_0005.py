"""Migration 0005 on a database that already holds idempotency keys: they survive with the
legacy user '' and keep answering every user of their tenant until they expire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Connection

from vextrus_finance.bootstrap import Container
from vextrus_finance.infrastructure import migrations
from vextrus_finance.infrastructure.db.idempotency import SqlIdempotencyStore


def _downgrade(connection: Connection, revision: str) -> None:
    config = migrations.alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


async def test_existing_keys_survive_and_answer_any_user_of_their_tenant(
    container: Container,
) -> None:
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    async with container.db.writer() as conn:
        await conn.begin()
        await conn.run_sync(_downgrade, "0003")
        await conn.execute(
            sa.text(
                "INSERT INTO idempotency_keys "
                "(tenant_id, key, request_hash, status_code, response, created_at) "
                "VALUES ('t1', 'k-old', 'h1', 201, :body, :at)"
            ),
            {"body": '{"id": "j-1"}', "at": now - timedelta(hours=1)},
        )
        await conn.commit()
    await container.migrate()  # as the service migrates on start
    async with container.db.read() as conn:
        assert await migrations.current_revision(conn) == migrations.head_revision()
        users = (await conn.execute(sa.text("SELECT user_id FROM idempotency_keys"))).all()
        assert [u[0] for u in users] == [""]

    ttl = timedelta(hours=24)
    async with container.db.write() as conn:
        for user in ("alice", "bob"):
            stored = await SqlIdempotencyStore(conn, "t1", user, ttl=ttl, now=now).find("k-old")
            assert stored is not None
            assert stored.status_code == 201
        other_tenant = SqlIdempotencyStore(conn, "t2", "alice", ttl=ttl, now=now)
        assert await other_tenant.find("k-old") is None
        # New answers are per user: alice's does not answer bob.
        await SqlIdempotencyStore(conn, "t1", "alice", ttl=ttl, now=now).save(
            "k-new", "h2", 201, {"id": "j-2"}
        )
        bob = SqlIdempotencyStore(conn, "t1", "bob", ttl=ttl, now=now)
        assert await bob.find("k-new") is None
        await bob.save("k-new", "h2", 201, {"id": "j-3"})
        alice = SqlIdempotencyStore(conn, "t1", "alice", ttl=ttl, now=now)
        found = await alice.find("k-new")
        assert found is not None
        assert found.body == {"id": "j-2"}
