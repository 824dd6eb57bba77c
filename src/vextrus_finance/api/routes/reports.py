from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from vextrus_finance.api.exports import EXPORT_RESPONSES, ReportDep
from vextrus_finance.api.permissions import API
from vextrus_finance.api.schemas.common import IsoDate
from vextrus_finance.api.schemas.reports import TrialBalanceOut, trial_balance_document
from vextrus_finance.documents.reports.tables import trial_balance_table
from vextrus_finance.domain.accounts import validate_currency
from vextrus_finance.domain.errors import InvalidInput
from vextrus_finance.domain.fiscal import parse_fiscal_year
from vextrus_finance.domain.limits import stored_totals_out_of_range

router = APIRouter(prefix=f"{API}/reports", tags=["reports"])


@router.get("/trial-balance", response_model=TrialBalanceOut, responses=EXPORT_RESPONSES)
async def get_trial_balance(
    report: ReportDep,
    as_of: IsoDate | None = None,
    fiscal_year: str | None = None,
    currency: str = "BDT",
    include_zero: bool = True,
) -> Response:
    """Balances at the end of `as_of` (default: the business day). With `fiscal_year` alone, as
    of that year's last day; with both, `as_of` must fall inside the year."""
    currency = validate_currency(currency)
    year = parse_fiscal_year(fiscal_year) if fiscal_year else None
    if year is not None and as_of is not None and not year.contains(as_of):
        raise InvalidInput(f"{as_of} is not in {year.label}", field="as_of")
    day = as_of or (year.end if year else report.container.settings.today())
    async with report.container.reader(report.ctx.tenant_id) as reader:
        rows = await reader.net_balances_as_of(day, currency)
    try:
        document = trial_balance_document(
            rows, as_of=day, currency=currency, fiscal_year=year, include_zero=include_zero
        )
    except (TypeError, ValueError) as exc:
        # Only a REAL among the stored totals (SQLite) fails to format as paisa: checked here,
        # where it costs nothing, not row by row on every request.
        raise stored_totals_out_of_range() from exc
    # The JSON through orjson: the body grows with the chart and the stdlib encoder was most of
    # the request's time (docs/performance.md). Same JSON (UTF-8, no NaN: amounts are strings).
    return await report.answer(document, trial_balance_table)
