"""Migration 0010 gives every account a cash-flow class — the type's default for accounts that
existed before it: EQUITY → FINANCING, the others OPERATING, as the projection defaults an
`AccountOpened` event recorded without a class (ADR 0047) — and indexes journals by type."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import command

from vextrus_finance.bootstrap import Container
from vextrus_finance.infrastructure import migrations


def _downgrade(connection: Any, revision: str) -> None:
    config = migrations.alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


def _columns(connection: Any) -> set[str]:
    return {c["name"] for c in sa.inspect(connection).get_columns("accounts")}


def _account(code: str, kind: str) -> dict[str, Any]:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return {
        "tenant_id": "t1",
        "id": f"a{code}",
        "code": code,
        "name": f"Account {code}",
        "type": kind,
        "parent_id": None,
        "currency": "BDT",
        "is_active": True,
        "balance_limit": None,
        "debit_total": 0,
        "credit_total": 0,
        "deactivated_at": None,
        "deactivation_reason": None,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }


async def test_0010_gives_existing_accounts_their_types_default_class(
    container: Container,
) -> None:
    async with container.db.writer() as conn:
        if container.db.is_sqlite:
            await conn.begin()
        await conn.run_sync(_downgrade, "0009")
        assert "cash_flow_class" not in await conn.run_sync(_columns)
        old = sa.MetaData()
        await conn.run_sync(old.reflect, only=["accounts"])
        kinds = {"1100": "ASSET", "2100": "LIABILITY", "3100": "EQUITY", "4100": "REVENUE"}
        await conn.execute(
            sa.insert(old.tables["accounts"]), [_account(c, k) for c, k in kinds.items()]
        )
        await migrations.upgrade(conn)
        await conn.commit()
    async with container.db.writer() as conn:
        assert await migrations.current_revision(conn) == migrations.head_revision()
        rows = await conn.execute(sa.text("SELECT code, cash_flow_class FROM accounts"))
        assert {code: flow for code, flow in rows} == {
            "1100": "OPERATING",
            "2100": "OPERATING",
            "3100": "FINANCING",
            "4100": "OPERATING",
        }
        indexes = await conn.run_sync(
            lambda c: {
                ix["name"]: ix["column_names"] for ix in sa.inspect(c).get_indexes("journals")
            }
        )
        assert indexes["ix_journals_tenant_type"] == ["tenant_id", "type"]
