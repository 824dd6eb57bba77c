"""Serialising the checks for duplicates (a supplier bill entered twice, a wallet transaction
completed twice) without a unique index: a check first locks a counter row named after the
key's bucket, so two commands with the same key take turns and the second one's look-up sees
the first one's committed row. Unique indexes would refuse to build, or to rebuild, on a
database that already holds such duplicates."""

from __future__ import annotations

import hashlib

from vextrus_finance.application.ports import UnitOfWork

_BUCKETS = 1024  # bounds the counter rows; two keys sharing a bucket merely wait for each other


async def lock_duplicate_check(uow: UnitOfWork, scope: str, key: str) -> None:
    digest = hashlib.sha256(key.encode()).digest()
    bucket = int.from_bytes(digest[:4], "big") % _BUCKETS
    await uow.numbers.lock([f"duplicate-check:{scope}:{bucket}"])
