"""Loading aggregates that must exist, with the If-Match check."""

from __future__ import annotations

from typing import Any, TypeVar

from vextrus_finance.application.ports import UnitOfWork
from vextrus_finance.domain.aggregate import Aggregate
from vextrus_finance.domain.errors import NotFound, PreconditionFailed

A = TypeVar("A", bound=Aggregate[Any])


async def load_existing(
    uow: UnitOfWork, cls: type[A], stream_id: str, *, what: str, expected_version: int | None = None
) -> A:
    aggregate = await uow.load(cls, stream_id)
    if not aggregate.exists:
        raise NotFound(f"no {what} {stream_id}", code=f"{cls.STREAM_TYPE}_not_found")
    if expected_version is not None and expected_version != aggregate.version:
        raise PreconditionFailed(
            f"the {what} is at version {aggregate.version}, not {expected_version}",
            field="If-Match",
        )
    return aggregate
