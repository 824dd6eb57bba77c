"""The dates a tenant may post on: from the start of its first fiscal year to the end of the
fiscal year after the current one. A date outside is a typing mistake (1899, 2099), and a
far-future posting would move today's balances without showing in today's trial balance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from vextrus_finance.domain.errors import InvalidInput
from vextrus_finance.domain.fiscal import FiscalYear, fiscal_year_of


@dataclass(frozen=True)
class PostingWindow:
    start: date
    end: date

    @classmethod
    def on(cls, today: date, *, first_day: date, years_ahead: int) -> PostingWindow:
        """The window on `today`: whole fiscal years, from the one holding `first_day` to
        `years_ahead` after today's."""
        last = FiscalYear(fiscal_year_of(today).start_year + years_ahead)
        return cls(fiscal_year_of(first_day).start, last.end)

    def check(self, day: date, *, field: str = "date") -> None:
        if not self.start <= day <= self.end:
            raise InvalidInput(
                f"{day.isoformat()} is outside the posting window: dates from "
                f"{self.start.isoformat()} to {self.end.isoformat()} are allowed",
                field=field,
                code="date_out_of_range",
            )
