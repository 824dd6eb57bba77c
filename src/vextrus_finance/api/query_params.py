"""The query parameters the list routes share, and the rule that unknown ones are refused (422
naming the parameter), never ignored: a filter the route does not have (`payments?from=…`) would
otherwise answer everything unfiltered."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Path, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from vextrus_finance.api.schemas.common import IsoDate
from vextrus_finance.domain.errors import InvalidInput

Limit = Annotated[int, Query(ge=1, le=500)]
# The forms domain/fiscal.py parses, as the OpenAPI document declares them (the years must also
# be consecutive, which no pattern says: FY2025-2027 is refused with 422 all the same).
FISCAL_YEAR_PATTERN = r"^FY[0-9]{4}-[0-9]{4}$"
# As a filter an empty value means "not given".
FISCAL_YEAR_FILTER_PATTERN = r"^(FY[0-9]{4}-[0-9]{4})?$"
PERIOD_PATTERN = r"^FY[0-9]{4}-[0-9]{4}-P(0[1-9]|1[0-2])$"
FiscalYearCode = Annotated[str, Path(json_schema_extra={"pattern": FISCAL_YEAR_PATTERN})]
PeriodCode = Annotated[str, Path(json_schema_extra={"pattern": PERIOD_PATTERN})]
From = Annotated[IsoDate | None, Query(alias="from")]
To = Annotated[IsoDate | None, Query(alias="to")]


def check_dates(date_from: date | None, date_to: date | None) -> None:
    """A date window runs forwards; the problem names `from`."""
    if date_from and date_to and date_from > date_to:
        raise InvalidInput("'from' must not be after 'to'", field="from")


def _names(dependant: Dependant) -> set[str]:
    """The query parameter names a route's endpoint and its dependencies declare."""
    names = {field.alias for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _names(sub)
    return names


async def reject_unknown_query_params(request: Request) -> None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.query_params:
        return  # a request without a query (every write) costs nothing
    known = _names(route.dependant)
    unknown = sorted({name for name in request.query_params if name not in known})
    if unknown:
        allowed = ", ".join(sorted(known)) or "none"
        raise InvalidInput(
            f"unknown query parameter {unknown[0]!r}; this route takes: {allowed}",
            field=unknown[0],
            code="unknown_query_parameter",
        )
