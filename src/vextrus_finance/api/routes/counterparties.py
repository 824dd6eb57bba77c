"""Customers and suppliers as records, and the statement of account of each."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from vextrus_finance.api.commands import counterparties, dump, respond, view
from vextrus_finance.api.context import ContainerDep, ContextDep, RevisionDep, WriteDep
from vextrus_finance.api.permissions import API
from vextrus_finance.api.query_params import From, Limit, To, check_dates
from vextrus_finance.api.schemas.common import ListOf
from vextrus_finance.api.schemas.counterparties import (
    CounterpartyRecordIn,
    CounterpartyRecordOut,
    CounterpartyRecordPatch,
    StatementOut,
)
from vextrus_finance.application.invoicing import counterparties as commands
from vextrus_finance.application.invoicing.counterparty_queries import (
    CounterpartyFilter,
    CounterpartyReader,
    CounterpartyRecordView,
    statement_of,
)
from vextrus_finance.application.ledger.accounts import Change
from vextrus_finance.domain.counterparties import CounterpartyKind
from vextrus_finance.domain.errors import InvalidInput, NotFound
from vextrus_finance.domain.fiscal import fiscal_year_start
from vextrus_finance.domain.tax_ids import validate_bin
from vextrus_finance.infrastructure.invoicing.counterparties import SqlStatementReader

router = APIRouter(prefix=f"{API}/counterparties", tags=["counterparties"])
_OPTIONAL = ("bin", "tin", "address", "mobile")
_PROBLEM: dict[str, object] = {
    "description": "an RFC 9457 problem document naming the field",
    "content": {"application/problem+json": {}},
}


def _problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: _PROBLEM for status in statuses}


def _not_found(counterparty_id: str) -> NotFound:
    return NotFound(f"no counterparty {counterparty_id}", code="counterparty_not_found")


async def _counterparty(
    reader: CounterpartyReader, counterparty_id: str
) -> CounterpartyRecordView | None:
    return await reader.counterparty(counterparty_id)


_ANSWER = view(CounterpartyRecordOut, _counterparty, counterparties)


def _location(counterparty_id: str) -> str:
    return f"{API}/counterparties/{counterparty_id}"


@router.post(
    "", status_code=201, response_model=CounterpartyRecordOut, responses=_problems(409, 422)
)
async def register_counterparty(body: CounterpartyRecordIn, write: WriteDep) -> JSONResponse:
    command = commands.RegisterCounterparty(
        kind=body.kind,
        name=body.name,
        bin=body.bin,
        tin=body.tin,
        address=body.address,
        mobile=body.mobile,
    )
    return await write.create(
        lambda uow: commands.register_counterparty(uow, command), _ANSWER, _location
    )


@router.get("", response_model=ListOf[CounterpartyRecordOut], responses=_problems(422))
async def list_counterparties(
    ctx: ContextDep,
    container: ContainerDep,
    kind: CounterpartyKind | None = None,
    q: Annotated[str | None, Query(max_length=255)] = None,
    bin: Annotated[
        str | None, Query(max_length=32, json_schema_extra={"pattern": r"^([0-9]{13})?$"})
    ] = None,
    active: bool | None = None,
    limit: Limit = 50,
    cursor: str | None = None,
) -> JSONResponse:
    """CUSTOMER or SUPPLIER also lists those that are BOTH; `q` is part of the name, any
    case; `bin` is checked and matched exactly."""
    where = CounterpartyFilter(kind, q or None, validate_bin(bin) if bin else None, active)
    async with container.counterparty_reader(ctx.tenant_id) as reader:
        page = await reader.counterparties(where, limit=limit, cursor=cursor)
    return respond(dump(ListOf[CounterpartyRecordOut], page))


@router.get("/{counterparty_id}", response_model=CounterpartyRecordOut, responses=_problems(404))
async def get_counterparty(
    counterparty_id: str, ctx: ContextDep, container: ContainerDep
) -> JSONResponse:
    async with container.counterparty_reader(ctx.tenant_id) as reader:
        view = await reader.counterparty(counterparty_id)
    if view is None:
        raise _not_found(counterparty_id)
    return respond(dump(CounterpartyRecordOut, view))


@router.patch(
    "/{counterparty_id}",
    response_model=CounterpartyRecordOut,
    responses=_problems(404, 409, 412, 422),
)
async def update_counterparty(
    counterparty_id: str, body: CounterpartyRecordPatch, write: RevisionDep
) -> JSONResponse:
    given = body.model_fields_set
    for required in ("kind", "name", "is_active"):
        if required in given and getattr(body, required) is None:
            raise InvalidInput(f"{required} cannot be removed", field=required)
    changes = {name: Change(getattr(body, name)) for name in _OPTIONAL if name in given}
    command = commands.UpdateCounterparty(
        counterparty_id,
        kind=body.kind,
        name=body.name,
        is_active=body.is_active,
        expected_version=write.expected,
        **changes,
    )
    return await write.change(lambda uow: commands.update_counterparty(uow, command), _ANSWER)


@router.get(
    "/{counterparty_id}/statement", response_model=StatementOut, responses=_problems(404, 422)
)
async def counterparty_statement(
    counterparty_id: str,
    ctx: ContextDep,
    container: ContainerDep,
    date_from: From = None,
    date_to: To = None,
) -> JSONResponse:
    """Opening balance before `from` (default: the start of `to`'s fiscal year), every
    invoice, cancellation, payment and reversal dated from `from` to `to` (default today)
    with the running balance, and the closing balance. Positive: the party owes us."""
    day_to = date_to or container.settings.today()
    day_from = date_from or fiscal_year_start(day_to)
    check_dates(day_from, day_to)
    async with container.counterparty_reader(ctx.tenant_id) as reader:
        view = await reader.counterparty(counterparty_id)
        if view is None:
            raise _not_found(counterparty_id)
        entries = await SqlStatementReader(reader.conn, ctx.tenant_id).entries(view.id)
    return respond(dump(StatementOut, statement_of(view, entries, day_from, day_to)))
