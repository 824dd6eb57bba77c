"""Stored renderings of documents (table `rendered_documents`): read one, keep one.

Two requests may render the same document at once; the second insert is ignored (the bytes
are the same, the render being deterministic)."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.application.context import utc_now
from vextrus_finance.infrastructure.db.schema import rendered_documents as t
from vextrus_finance.infrastructure.projections.inline import upsert


@dataclass(frozen=True)
class DocumentKey:
    """A stored rendering's key: each field is the key column of the same name."""

    tenant_id: str
    invoice_id: str
    format: str
    lang: str
    source_sha256: str  # digest of everything the bytes depend on


async def stored_document(conn: AsyncConnection, key: DocumentKey) -> bytes | None:
    row = (
        await conn.execute(
            sa.select(t.c.content).where(
                *(t.c[column] == value for column, value in asdict(key).items())
            )
        )
    ).first()
    return None if row is None else bytes(row.content)


async def store_document(
    conn: AsyncConnection, key: DocumentKey, *, invoice_version: int, content: bytes
) -> None:
    await conn.execute(
        upsert(conn, t)
        .values(
            **asdict(key),
            invoice_version=invoice_version,
            content=content,
            content_sha256=hashlib.sha256(content).hexdigest(),
            created_at=utc_now(),
        )
        .on_conflict_do_nothing()
    )
