"""Alembic environment: always handed a connection by `vextrus_finance.infrastructure.migrations`
(the `vextrus-finance migrate` command), so the same code serves SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import context

from vextrus_finance.infrastructure.db.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("run migrations with `vextrus-finance migrate`")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
