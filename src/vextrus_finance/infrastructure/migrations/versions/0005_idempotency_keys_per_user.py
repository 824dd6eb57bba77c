"""Idempotency keys per user: the stored answer to a key is given only to the user who sent it.

Keyed by (tenant, key) alone, another user of the tenant who sent the same key and body got the
first user's stored answer. The user becomes part of the primary key. Rows stored before this
migration get the user `''`: they keep answering any user of their tenant, as before, until
they expire (one TTL), so a retry across the upgrade is not executed twice.

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Batch mode: SQLite cannot change a primary key in place (the table is copied);
    # PostgreSQL alters it directly.
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.add_column(
            sa.Column("user_id", sa.String(255), nullable=False, server_default=sa.text("''"))
        )
        batch.drop_constraint("pk_idempotency_keys", type_="primary")
        batch.create_primary_key("pk_idempotency_keys", ["tenant_id", "user_id", "key"])


def downgrade() -> None:
    # Answers stored by several users under one key cannot all stay: keep the first.
    op.execute(
        "DELETE FROM idempotency_keys WHERE user_id <> '' AND EXISTS ("
        "SELECT 1 FROM idempotency_keys AS o WHERE o.tenant_id = idempotency_keys.tenant_id "
        "AND o.key = idempotency_keys.key AND (o.created_at < idempotency_keys.created_at "
        "OR (o.created_at = idempotency_keys.created_at AND o.user_id < idempotency_keys.user_id)))"
    )
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.drop_constraint("pk_idempotency_keys", type_="primary")
        batch.create_primary_key("pk_idempotency_keys", ["tenant_id", "key"])
        batch.drop_column("user_id")
