from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from vextrus_finance.api.commands import Write, dump, ledger, respond, view
from vextrus_finance.api.context import ContainerDep, ContextDep, WriteDep
from vextrus_finance.api.openapi_errors import problem_responses
from vextrus_finance.api.permissions import API
from vextrus_finance.api.query_params import FISCAL_YEAR_FILTER_PATTERN, PeriodCode
from vextrus_finance.api.schemas.common import ListOf
from vextrus_finance.api.schemas.reports import PeriodChangeIn, PeriodOut
from vextrus_finance.application.ledger.periods import ChangePeriod, change_period, periods_of_year
from vextrus_finance.application.ledger.queries import LedgerReader
from vextrus_finance.application.ledger.views import Page, PeriodView
from vextrus_finance.domain.fiscal import fiscal_year_of, parse_fiscal_year, parse_period

router = APIRouter(prefix=f"{API}/fiscal-periods", tags=["fiscal periods"])


async def _period(reader: LedgerReader, code: str) -> PeriodView | None:
    period = parse_period(code)
    views = periods_of_year(
        period.fiscal_year, await reader.closed_or_reopened_periods(period.fiscal_year)
    )
    return next(v for v in views if v.code == period.code)


@router.get("", response_model=ListOf[PeriodOut])
async def list_periods(
    ctx: ContextDep,
    container: ContainerDep,
    fiscal_year: Annotated[
        str | None, Query(json_schema_extra={"pattern": FISCAL_YEAR_FILTER_PATTERN})
    ] = None,
) -> JSONResponse:
    year = (
        parse_fiscal_year(fiscal_year)
        if fiscal_year
        else fiscal_year_of(container.settings.today())
    )
    async with container.reader(ctx.tenant_id) as reader:
        views = periods_of_year(year, await reader.closed_or_reopened_periods(year))
    return respond(dump(ListOf[PeriodOut], Page(views, None)))


async def _change(
    code: str,
    body: PeriodChangeIn,
    write: Write,
    *,
    close: bool,
) -> JSONResponse:
    command = ChangePeriod(code, body.reason, close=close, force=body.force)
    answer = view(PeriodOut, _period, ledger)
    return await write.change(lambda uow: change_period(uow, command), answer)


@router.post("/{code}/close", response_model=PeriodOut, responses=problem_responses(409, 422))
async def close_period(code: PeriodCode, body: PeriodChangeIn, write: WriteDep) -> JSONResponse:
    return await _change(code, body, write, close=True)


@router.post("/{code}/reopen", response_model=PeriodOut)
async def reopen_period(code: PeriodCode, body: PeriodChangeIn, write: WriteDep) -> JSONResponse:
    return await _change(code, body, write, close=False)
