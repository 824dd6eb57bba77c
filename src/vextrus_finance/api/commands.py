"""Running a command from a route: the answer is read inside the command's transaction, stored
for Idempotency-Key replays with the HTTP status chosen here, and sent with its ETag."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from vextrus_finance.application.context import RequestContext
from vextrus_finance.application.invoicing.counterparty_queries import CounterpartyReader
from vextrus_finance.application.invoicing.queries import InvoiceReader
from vextrus_finance.application.ledger.queries import LedgerReader
from vextrus_finance.application.ports import UnitOfWork
from vextrus_finance.application.runner import Idempotency, Reply
from vextrus_finance.bootstrap import Container
from vextrus_finance.domain.errors import NotFound

R = TypeVar("R")
T = TypeVar("T")
Answer = Callable[[UnitOfWork, R], Awaitable[Any]]  # the response body, from the command's result


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


def found(model: type[BaseModel], view: object | None, missing: str, code: str) -> JSONResponse:
    """A record read by id or number, or the 404 problem `code` saying what is `missing`."""
    if view is None:
        raise NotFound(missing, code=code)
    return respond(dump(model, view))


# The readers of the command's own transaction an answer may read through.
def ledger(uow: UnitOfWork) -> LedgerReader:
    return uow.reader


def invoicing(uow: UnitOfWork) -> InvoiceReader:
    return uow.invoices


def counterparties(uow: UnitOfWork) -> CounterpartyReader:
    return uow.counterparties


def view(
    model: type[BaseModel],
    read: Callable[[T, str], Awaitable[object | None]],
    reader: Callable[[UnitOfWork], T],
) -> Answer[str]:
    """The answer of a command that returns an id: the thing it names, read through `reader`
    and dumped as `model`."""

    async def answer(uow: UnitOfWork, result: str) -> Any:
        found = await read(reader(uow), result)
        if found is None:  # pragma: no cover - the command just wrote it
            raise NotFound(f"{result} vanished")
        return dump(model, found)

    return answer


@dataclass(frozen=True, slots=True)
class Write:
    """What every write route runs its command with: the request's context and container, its
    Idempotency-Key and its If-Match version (None where the route does not take the header)."""

    container: Container
    ctx: RequestContext
    idempotency: Idempotency | None = None
    expected: int | None = None

    async def execute(
        self,
        decide: Callable[[UnitOfWork], Awaitable[R]],
        answer: Answer[R],
        *,
        status: int = 200,
        location: Callable[[str], str] | None = None,
    ) -> JSONResponse:
        """`decide` runs the command; `answer` makes the response body from its result in the
        same transaction. A replay sends the stored status and body again."""

        async def command(uow: UnitOfWork) -> Reply:
            return Reply(status, await answer(uow, await decide(uow)))

        outcome = await self.container.runner.run(
            self.ctx, command, idempotency=self.idempotency, if_match=self.expected is not None
        )
        body = outcome.value.body
        where = (
            location(body["id"]) if location and isinstance(body, dict) and "id" in body else None
        )
        return respond(body, outcome.value.status_code, replayed=outcome.replayed, location=where)

    async def create(
        self,
        decide: Callable[[UnitOfWork], Awaitable[str]],
        answer: Answer[str],
        location: Callable[[str], str],
    ) -> JSONResponse:
        """A command that makes a record: 201 Created with the new record and its Location."""
        return await self.execute(decide, answer, status=201, location=location)

    async def change(
        self, decide: Callable[[UnitOfWork], Awaitable[R]], answer: Answer[R]
    ) -> JSONResponse:
        """A command on an existing record, answered with status 200."""
        return await self.execute(decide, answer)
