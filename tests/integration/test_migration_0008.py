"""Migration 0008 adds the index that makes "does an invoice name this account as its control
account?" one probe inside the posting lock statement (ADR 0037, amended); down and up again
on a database holding a subcontractor bill keeps the row and the answer."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import command

from tests.integration.test_migration_0006 import _invoice
from vextrus_finance.bootstrap import Container
from vextrus_finance.infrastructure import migrations

INDEX = "ix_invoices_tenant_control_account"


def _downgrade(connection: Any, revision: str) -> None:
    config = migrations.alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


def _indexes(connection: Any) -> dict[str, list[str | None]]:
    return {
        ix["name"]: list(ix["column_names"])
        for ix in sa.inspect(connection).get_indexes("invoices")
        if ix["name"]
    }


async def test_0008_indexes_the_invoices_control_accounts(container: Container) -> None:
    async with container.db.writer() as conn:
        if container.db.is_sqlite:
            await conn.begin()
        assert (await conn.run_sync(_indexes))[INDEX] == ["tenant_id", "control_account_code"]
        await conn.run_sync(_downgrade, "0007")
        assert INDEX not in await conn.run_sync(_indexes)
        bill = {**_invoice("BILL-1"), "control_account_code": "2110"}
        old = sa.MetaData()
        await conn.run_sync(old.reflect, only=["invoices"])
        await conn.execute(sa.insert(old.tables["invoices"]), bill)
        await migrations.upgrade(conn)
        await conn.commit()
    async with container.db.writer() as conn:
        assert await migrations.current_revision(conn) == migrations.head_revision()
        assert (await conn.run_sync(_indexes))[INDEX] == ["tenant_id", "control_account_code"]
        rows = await conn.execute(
            sa.text(
                "SELECT number FROM invoices"
                " WHERE tenant_id = 't1' AND control_account_code = '2110'"
            )
        )
        assert rows.scalars().all() == ["BILL-1"]
