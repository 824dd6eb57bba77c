"""Running invoice and payment commands from routes: like `api/commands.execute`, but the
answer is read through the invoice reader of the command's own transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from vextrus_finance.api.commands import dump, respond
from vextrus_finance.application.context import RequestContext
from vextrus_finance.application.invoicing.queries import InvoiceReader
from vextrus_finance.application.ports import UnitOfWork
from vextrus_finance.application.runner import Idempotency
from vextrus_finance.bootstrap import Container
from vextrus_finance.domain.errors import NotFound

Read = Callable[[InvoiceReader, str], Awaitable[object | None]]


async def execute(
    container: Container,
    ctx: RequestContext,
    decide: Callable[[UnitOfWork], Awaitable[str]],
    read: Read,
    model: type[BaseModel],
    *,
    status: int = 200,
    idempotency: Idempotency | None = None,
    if_match: bool = False,
    location: Callable[[str], str] | None = None,
) -> JSONResponse:
    async def present(uow: UnitOfWork, result: str) -> tuple[int, Any]:
        view = await read(uow.invoices, result)
        if view is None:  # pragma: no cover - the command just wrote it
            raise NotFound(f"{result} vanished")
        return status, dump(model, view)

    outcome = await container.runner.run(
        ctx, decide, present, idempotency=idempotency, if_match=if_match
    )
    body = outcome.body
    where = location(body["id"]) if location and isinstance(body, dict) and "id" in body else None
    return respond(body, outcome.status_code, replayed=outcome.replayed, location=where)
