"""Running a command from a route: the answer is read inside the command's transaction, stored
for Idempotency-Key replays, and sent with its ETag."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from vextrus_finance.application.context import RequestContext
from vextrus_finance.application.ledger.queries import LedgerReader
from vextrus_finance.application.ports import UnitOfWork
from vextrus_finance.application.runner import Idempotency
from vextrus_finance.bootstrap import Container
from vextrus_finance.domain.errors import NotFound


class CommandResponse(JSONResponse):
    """Rendered by orjson: the same compact UTF-8 JSON as Starlette's encoder, which was the
    larger of the two stdlib encodes on every POST (the other: its log line). What orjson
    refuses (non-string keys, integers beyond 64 bits) goes to Starlette's as before."""

    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content)
        except TypeError:
            return super().render(content)


def respond(
    body: Any, status: int = 200, *, replayed: bool = False, location: str | None = None
) -> JSONResponse:
    headers: dict[str, str] = {}
    if isinstance(body, dict) and isinstance(body.get("version"), int):
        headers["ETag"] = f'"{body["version"]}"'
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    if location:
        headers["Location"] = location
    return CommandResponse(body, status_code=status, headers=headers)


def dump(model: type[BaseModel], view: object) -> Any:
    return model.model_validate(view, from_attributes=True).model_dump(mode="json")


async def execute(
    container: Container,
    ctx: RequestContext,
    decide: Callable[[UnitOfWork], Awaitable[str]],
    read: Callable[[LedgerReader, str], Awaitable[object | None]],
    model: type[BaseModel],
    *,
    status: int = 200,
    idempotency: Idempotency | None = None,
    if_match: bool = False,
    location: Callable[[str], str] | None = None,
) -> JSONResponse:
    """`decide` returns the id of the thing to answer with; `read` fetches it for the answer."""

    async def present(uow: UnitOfWork, result: str) -> tuple[int, Any]:
        view = await read(uow.reader, result)
        if view is None:  # pragma: no cover - the command just wrote it
            raise NotFound(f"{result} vanished")
        return status, dump(model, view)

    outcome = await container.runner.run(
        ctx, decide, present, idempotency=idempotency, if_match=if_match
    )
    body = outcome.body
    where = location(body["id"]) if location and isinstance(body, dict) and "id" in body else None
    return respond(body, outcome.status_code, replayed=outcome.replayed, location=where)
