"""Fiscal years: list, close and reopen (ADR 0048)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from vextrus_finance.api.commands import dump, ledger, respond, view
from vextrus_finance.api.context import ContainerDep, ContextDep, WriteDep
from vextrus_finance.api.openapi_errors import problem_responses
from vextrus_finance.api.permissions import API
from vextrus_finance.api.query_params import FiscalYearCode
from vextrus_finance.api.schemas.common import ListOf
from vextrus_finance.api.schemas.fiscal_years import (
    FiscalYearCloseIn,
    FiscalYearOut,
    FiscalYearReopenIn,
)
from vextrus_finance.application.ledger.fiscal_years import (
    CloseFiscalYear,
    ReopenFiscalYear,
    close_fiscal_year,
    list_fiscal_years,
    reopen_fiscal_year,
)
from vextrus_finance.application.ledger.queries import LedgerReader
from vextrus_finance.application.ledger.views import FiscalYearView, Page

F = TypeVar("F", bound=Callable[..., Any])

router = APIRouter(prefix=f"{API}/fiscal-years", tags=["fiscal years"])

_LIST = """Every fiscal year (1 July – 30 June) from the one holding the tenant's first
posting or first period change to the current one (only the current one when there is
neither), plus any later year ever closed or reopened; oldest first, in one page
(`next_cursor` is always null). A year never closed is OPEN with `closing_journal_id` null."""

_CLOSE = """Close the fiscal year: allowed only when all twelve of its periods are CLOSED
(409 `periods_open`, one entry of `errors` per open period, its code as the message) and the
year is not closed already (409 `year_closed`). Posts ONE journal of type CLOSING (number
`CJ-YYYY-06-…`) dated 30 June that brings every REVENUE and EXPENSE account's balance as of
that day (base currency, from the stored totals) to zero against retained earnings —
`retained_earnings_account_id`, or the account with code 3200 — which must exist and be an
active EQUITY posting account in BDT (422 naming `retained_earnings_account_id` otherwise).
Accounts at zero get no line; when no revenue or expense account has a balance, no journal
is posted and `closing_journal_id` is null. This is the only command that may post into the
year's closed last period. While the year is closed, its periods cannot be reopened (409
`year_closed`). Idempotency-Key as for every command."""

_REOPEN = """Reopen a closed fiscal year (409 `year_open` when it is not closed): the closing
journal is reversed by a journal of type CLOSING (not REVERSING: the statements leave CLOSING
journals out) dated the same 30 June, with the lines swapped, `reverses_id` naming the closing
journal and reference `REV-<its number>`; the closing journal becomes REVERSED. Balances are
then as before the close, the periods stay CLOSED and can be reopened one by one, and the year
can be closed again (a new closing journal)."""


async def _year(reader: LedgerReader, code: str) -> FiscalYearView | None:
    seen = await reader.fiscal_years_seen()
    return next((year for year in seen.changed if year.code == code), None)


@router.get("", response_model=ListOf[FiscalYearOut], description=_LIST)
async def list_years(ctx: ContextDep, container: ContainerDep) -> JSONResponse:
    async with container.reader(ctx.tenant_id) as reader:
        seen = await reader.fiscal_years_seen()
    years = list_fiscal_years(container.settings.today(), seen)
    return respond(dump(ListOf[FiscalYearOut], Page(years, None)))


# The year as it stands after the command, read in the command's transaction.
_ANSWER = view(FiscalYearOut, _year, ledger)


def _year_command(action: str, description: str) -> Callable[[F], F]:
    return router.post(
        f"/{{code}}/{action}",
        response_model=FiscalYearOut,
        responses=problem_responses(409, 422),
        description=description,
    )


@_year_command("close", _CLOSE)
async def close_year(
    code: FiscalYearCode, body: FiscalYearCloseIn, write: WriteDep
) -> JSONResponse:
    command = CloseFiscalYear(code, body.reason, body.retained_earnings_account_id)
    return await write.change(lambda uow: close_fiscal_year(uow, command), _ANSWER)


@_year_command("reopen", _REOPEN)
async def reopen_year(
    code: FiscalYearCode, body: FiscalYearReopenIn, write: WriteDep
) -> JSONResponse:
    command = ReopenFiscalYear(code, body.reason)
    return await write.change(lambda uow: reopen_fiscal_year(uow, command), _ANSWER)
