from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response

from vextrus_finance.api.commands import Answer, dump, ledger, respond, view
from vextrus_finance.api.context import (
    ContainerDep,
    ContextDep,
    RevisionDep,
    VersionedWriteDep,
    WriteDep,
)
from vextrus_finance.api.exports import EXPORT_RESPONSES, Export, ExportDep
from vextrus_finance.api.openapi_errors import problem_responses
from vextrus_finance.api.permissions import API
from vextrus_finance.api.query_params import From, Limit, To, check_dates
from vextrus_finance.api.schemas.accounts import AccountIn, AccountOut, AccountPatch, DeactivateIn
from vextrus_finance.api.schemas.common import IsoDate, ListOf
from vextrus_finance.api.schemas.journals import LedgerOut
from vextrus_finance.application.context import RequestContext
from vextrus_finance.application.ledger import accounts as commands
from vextrus_finance.application.ledger.queries import LedgerReader
from vextrus_finance.application.ledger.views import AccountView
from vextrus_finance.bootstrap import Container
from vextrus_finance.documents.reports.tables import ledger_table
from vextrus_finance.domain.accounts import AccountType
from vextrus_finance.domain.calendar import BusinessCalendar
from vextrus_finance.domain.errors import InvalidInput, NotFound

router = APIRouter(prefix=f"{API}/accounts", tags=["accounts"])


async def _account(
    reader: LedgerReader, account_id: str, calendar: BusinessCalendar
) -> AccountView | None:
    found = await reader.account(account_id)
    if found is None:
        return None
    # A command's answer shows the balance as of today, as GET does by default.
    return (await reader.accounts_as_of([found], calendar.today()))[0]


def _answer(container: Container) -> Answer[str]:
    return view(
        AccountOut,
        lambda reader, account_id: _account(reader, account_id, container.calendar),
        ledger,
    )


AsOf = Annotated[
    IsoDate | None,
    Query(description="Balances at the end of this day (default: today in the business time zone)"),
]


def _location(account_id: str) -> str:
    return f"/api/v1/accounts/{account_id}"


@router.post("", status_code=201, response_model=AccountOut)
async def open_account(body: AccountIn, write: WriteDep) -> JSONResponse:
    command = commands.OpenAccount(
        code=body.code,
        name=body.name,
        type=body.type,
        parent_id=body.parent_id,
        currency=body.currency,
        balance_limit=body.balance_limit,
        cash_flow_class=body.cash_flow_class,
    )
    return await write.create(
        lambda uow: commands.open_account(uow, command), _answer(write.container), _location
    )


@router.get("", response_model=ListOf[AccountOut])
async def list_accounts(
    ctx: ContextDep,
    container: ContainerDep,
    type: AccountType | None = None,
    active: bool | None = None,
    limit: Limit = 50,
    cursor: str | None = None,
    as_of: AsOf = None,
) -> JSONResponse:
    day = as_of or container.settings.today()
    async with container.reader(ctx.tenant_id) as reader:
        page = await reader.accounts(account_type=type, active=active, limit=limit, cursor=cursor)
        page = replace(page, items=await reader.accounts_as_of(page.items, day))
    return respond(dump(ListOf[AccountOut], page))


@router.get("/by-code/{code}", response_model=AccountOut)
async def account_by_code(
    code: str, ctx: ContextDep, container: ContainerDep, as_of: AsOf = None
) -> JSONResponse:
    return await _balance(ctx, container, None, code, as_of)


@router.get("/{account_id}", response_model=AccountOut)
async def get_account(
    account_id: str, ctx: ContextDep, container: ContainerDep, as_of: AsOf = None
) -> JSONResponse:
    return await _balance(ctx, container, account_id, None, as_of)


async def _find(reader: LedgerReader, account_id: str | None, code: str | None) -> AccountView:
    """One account, named by id or (when `account_id` is None) by code, or its 404 problem."""
    if account_id is not None:
        account = await reader.account(account_id)
        missing = f"no account {account_id}"
    else:
        account = await reader.account_by_code(code or "")
        missing = f"no account with code {code}"
    if account is None:
        raise NotFound(missing, code="account_not_found")
    return account


async def _balance(
    ctx: RequestContext,
    container: Container,
    account_id: str | None,
    code: str | None,
    as_of: date | None,
) -> JSONResponse:
    """One account with its balance at the end of `as_of` (default: today)."""
    async with container.reader(ctx.tenant_id) as reader:
        account = await _find(reader, account_id, code)
        (account,) = await reader.accounts_as_of([account], as_of or container.settings.today())
    return respond(dump(AccountOut, account))


@router.patch("/{account_id}", response_model=AccountOut)
async def update_account(account_id: str, body: AccountPatch, write: RevisionDep) -> JSONResponse:
    given = body.model_fields_set
    if "name" in given and body.name is None:
        raise InvalidInput("name cannot be removed", field="name")
    if "cash_flow_class" in given and body.cash_flow_class is None:
        raise InvalidInput("cash_flow_class cannot be removed", field="cash_flow_class")
    command = commands.UpdateAccount(
        account_id=account_id,
        name=body.name,
        parent_id=commands.Change(body.parent_id) if "parent_id" in given else None,
        balance_limit=commands.Change(body.balance_limit) if "balance_limit" in given else None,
        cash_flow_class=body.cash_flow_class,
        expected_version=write.expected,
    )
    return await write.change(
        lambda uow: commands.update_account(uow, command), _answer(write.container)
    )


@router.post("/{account_id}/deactivate", response_model=AccountOut)
async def deactivate_account(
    account_id: str, body: DeactivateIn, write: VersionedWriteDep
) -> JSONResponse:
    command = commands.DeactivateAccount(account_id, body.reason, expected_version=write.expected)
    return await write.change(
        lambda uow: commands.deactivate_account(uow, command), _answer(write.container)
    )


@dataclass(frozen=True)
class _Window:
    date_from: date | None
    date_to: date | None
    limit: int
    cursor: str | None


async def _window(
    date_from: From = None, date_to: To = None, limit: Limit = 50, cursor: str | None = None
) -> _Window:
    """The query parameters both ledger routes take, declared once."""
    return _Window(date_from, date_to, limit, cursor)


WindowDep = Annotated[_Window, Depends(_window)]


@router.get(
    "/by-code/{code}/ledger",
    response_model=LedgerOut,
    responses={**problem_responses(404, 422), **EXPORT_RESPONSES},
)
async def account_ledger_by_code(
    code: str, ctx: ContextDep, container: ContainerDep, window: WindowDep, export: ExportDep
) -> Response:
    return await _ledger(ctx, container, None, code, window, export)


@router.get("/{account_id}/ledger", response_model=LedgerOut, responses=EXPORT_RESPONSES)
async def account_ledger(
    account_id: str, ctx: ContextDep, container: ContainerDep, window: WindowDep, export: ExportDep
) -> Response:
    return await _ledger(ctx, container, account_id, None, window, export)


# An export holds the whole window, read in pages of this many lines (`limit`/`cursor` ignored).
_EXPORT_PAGE = 500


async def _ledger(
    ctx: RequestContext,
    container: Container,
    account_id: str | None,
    code: str | None,
    window: _Window,
    export: Export,
) -> Response:
    """The general ledger of one account, named by id or by code."""
    date_from, date_to = window.date_from, window.date_to
    check_dates(date_from, date_to)
    async with container.reader(ctx.tenant_id) as reader:
        account = await _find(reader, account_id, code)
        limit, cursor = (_EXPORT_PAGE, None) if export.wanted else (window.limit, window.cursor)
        page = first = await reader.ledger(
            account, date_from=date_from, date_to=date_to, limit=limit, cursor=cursor
        )
        items = list(page.items)
        while export.wanted and page.next_cursor:
            page = await reader.ledger(
                account, date_from=date_from, date_to=date_to, limit=limit, cursor=page.next_cursor
            )
            items += page.items
    closing = items[-1].balance if items else first.opening_balance
    body = {
        "account_id": account.id,
        "account_code": account.code,
        "account_name": account.name,
        "currency": account.currency,
        "opening_balance": first.opening_balance,
        "closing_balance": closing,
        "items": items,
        "next_cursor": page.next_cursor,
    }
    document = dump(LedgerOut, body)
    if export.wanted:
        return await export.response(ctx, container, ledger_table(document, date_from, date_to))
    return respond(document)
