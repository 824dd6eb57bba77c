from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from vextrus_finance.api.commands import dump, found, ledger, respond, view
from vextrus_finance.api.context import (
    ContainerDep,
    ContextDep,
    RevisionDep,
    VersionedWriteDep,
    WriteDep,
    require_also,
)
from vextrus_finance.api.openapi_errors import problem_responses
from vextrus_finance.api.permissions import API
from vextrus_finance.api.problems import issues_json, status_of
from vextrus_finance.api.query_params import PERIOD_PATTERN, From, Limit, To, check_dates
from vextrus_finance.api.schemas.common import ListOf
from vextrus_finance.api.schemas.journals import (
    CancelIn,
    JournalBatchIn,
    JournalBatchOut,
    JournalIn,
    JournalLineIn,
    JournalOut,
    JournalPatch,
    ReverseIn,
)
from vextrus_finance.application.ledger import journals as commands
from vextrus_finance.application.ledger.accounts import Change
from vextrus_finance.application.ledger.queries import JournalFilter, LedgerReader
from vextrus_finance.application.ledger.views import JournalView
from vextrus_finance.application.ports import UnitOfWork
from vextrus_finance.domain.errors import InvalidInput
from vextrus_finance.domain.fiscal import parse_period
from vextrus_finance.domain.journals import JournalStatus, JournalType
from vextrus_finance.domain.money import ZERO

router = APIRouter(prefix=f"{API}/journals", tags=["journals"])


def _lines(lines: list[JournalLineIn]) -> tuple[commands.LineSpec, ...]:
    return tuple(
        commands.LineSpec(
            account_id=line.account_id,
            account_code=line.account_code,
            debit=line.debit if line.debit is not None else ZERO,
            credit=line.credit if line.credit is not None else ZERO,
            description=line.description,
            cost_center=line.cost_center,
            project=line.project,
            tax_code=line.tax_code,
            counterparty_id=line.counterparty_id,
        )
        for line in lines
    )


def _command(body: JournalIn) -> commands.CreateJournal:
    return commands.CreateJournal(
        date=body.date,
        description=body.description,
        lines=_lines(body.lines),
        type=body.type,
        reference=body.reference,
        currency=body.currency,
        post=body.post,
    )


async def _journal(reader: LedgerReader, journal_id: str) -> JournalView | None:
    return await reader.journal(journal_id)


_ANSWER = view(JournalOut, _journal, ledger)


def _location(journal_id: str) -> str:
    return f"/api/v1/journals/{journal_id}"


@router.post("", status_code=201, response_model=JournalOut)
async def create_journal(body: JournalIn, request: Request, write: WriteDep) -> JSONResponse:
    if body.post:
        require_also(request, "journal:post")
    command = _command(body)
    return await write.create(lambda uow: commands.create_journal(uow, command), _ANSWER, _location)


@router.post("/batch", status_code=201, response_model=JournalBatchOut)
async def create_journal_batch(
    body: JournalBatchIn, request: Request, write: WriteDep
) -> JSONResponse:
    if any(j.post for j in body.journals):
        require_also(request, "journal:post")
    command = commands.CreateJournalBatch(tuple(_command(j) for j in body.journals), body.atomic)
    return await write.execute(
        lambda uow: commands.create_journal_batch(uow, command), _batch_answer, status=201
    )


async def _batch_answer(uow: UnitOfWork, results: list[commands.BatchItemResult]) -> object:
    # Every journal written, read back with two statements (not two per journal).
    written = await uow.reader.journals_by_ids(
        [r.journal_id for r in results if r.journal_id is not None]
    )
    errors = [
        {
            "index": result.index,
            "status": status_of(result.error),
            "code": result.error.code,
            "detail": result.error.message,
            "errors": issues_json(result.error),
        }
        for result in results
        if result.error is not None
    ]
    return {"items": [dump(JournalOut, view) for view in written], "errors": errors}


@router.get("", response_model=ListOf[JournalOut])
async def list_journals(
    ctx: ContextDep,
    container: ContainerDep,
    status: JournalStatus | None = None,
    type: JournalType | None = None,
    period: Annotated[str | None, Query(json_schema_extra={"pattern": PERIOD_PATTERN})] = None,
    date_from: From = None,
    date_to: To = None,
    account_id: Annotated[
        str | None, Query(max_length=64, description="Journals with a line on this account")
    ] = None,
    account_code: Annotated[
        str | None, Query(max_length=64, description="Journals with a line on this account")
    ] = None,
    reference: Annotated[str | None, Query(max_length=255)] = None,
    limit: Limit = 50,
    cursor: str | None = None,
) -> JSONResponse:
    if period is not None:
        period = parse_period(period, field="period").code
    check_dates(date_from, date_to)
    if account_id is not None and account_code is not None:
        raise InvalidInput("give account_id or account_code, not both", field="account_code")
    where = JournalFilter(
        status,
        type,
        period,
        date_from,
        date_to,
        account_id=account_id,
        account_code=account_code,
        reference=reference,
    )
    async with container.reader(ctx.tenant_id) as reader:
        page = await reader.journals(where, limit=limit, cursor=cursor)
    return respond(dump(ListOf[JournalOut], page))


@router.get("/by-number/{number}", response_model=JournalOut, responses=problem_responses(404, 422))
async def get_journal_by_number(
    number: str, ctx: ContextDep, container: ContainerDep
) -> JSONResponse:
    async with container.reader(ctx.tenant_id) as reader:
        view = await reader.journal_by_number(number)
    return found(JournalOut, view, f"no journal numbered {number}", "journal_not_found")


@router.get("/{journal_id}", response_model=JournalOut)
async def get_journal(journal_id: str, ctx: ContextDep, container: ContainerDep) -> JSONResponse:
    async with container.reader(ctx.tenant_id) as reader:
        view = await reader.journal(journal_id)
    return found(JournalOut, view, f"no journal {journal_id}", "journal_not_found")


@router.patch("/{journal_id}", response_model=JournalOut)
async def revise_journal(journal_id: str, body: JournalPatch, write: RevisionDep) -> JSONResponse:
    given = body.model_fields_set
    for name in ("date", "description", "lines"):
        if name in given and getattr(body, name) is None:
            raise InvalidInput(f"{name} cannot be removed", field=name)
    command = commands.ReviseJournal(
        journal_id=journal_id,
        date=body.date,
        description=body.description,
        reference=Change(body.reference) if "reference" in given else None,
        lines=_lines(body.lines) if body.lines is not None else None,
        expected_version=write.expected,
    )
    return await write.change(lambda uow: commands.revise_journal(uow, command), _ANSWER)


@router.post("/{journal_id}/post", response_model=JournalOut)
async def post_journal(journal_id: str, write: VersionedWriteDep) -> JSONResponse:
    command = commands.PostJournal(journal_id, expected_version=write.expected)
    return await write.change(lambda uow: commands.post_journal(uow, command), _ANSWER)


@router.post("/{journal_id}/reverse", status_code=201, response_model=JournalOut)
async def reverse_journal(
    journal_id: str, body: ReverseIn, write: VersionedWriteDep
) -> JSONResponse:
    command = commands.ReverseJournal(
        journal_id, body.date, reason=body.reason, expected_version=write.expected
    )
    return await write.execute(
        lambda uow: commands.reverse_journal(uow, command), _ANSWER, status=201, location=_location
    )


@router.post("/{journal_id}/cancel", response_model=JournalOut)
async def cancel_journal(journal_id: str, body: CancelIn, write: VersionedWriteDep) -> JSONResponse:
    command = commands.CancelJournal(journal_id, body.reason, expected_version=write.expected)
    return await write.change(lambda uow: commands.cancel_journal(uow, command), _ANSWER)
