"""Customers and suppliers as records: one per trading partner, so that invoices, payments,
manual lines on control accounts and the aging all name the same party by id (ADR 0037)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from vextrus_finance.domain.aggregate import Aggregate
from vextrus_finance.domain.errors import FieldIssue, InvalidInput
from vextrus_finance.domain.events import DomainEvent, field_values, register
from vextrus_finance.domain.invoices import ADDRESS_MAX, NAME_MAX, InvoiceKind
from vextrus_finance.domain.tax_ids import normalize_mobile, validate_bin, validate_tin
from vextrus_finance.domain.text import checked_text


class CounterpartyKind(StrEnum):
    CUSTOMER = "CUSTOMER"
    SUPPLIER = "SUPPLIER"
    BOTH = "BOTH"

    @staticmethod
    def trading(kind: InvoiceKind) -> CounterpartyKind:
        """Who a party is on an invoice of `kind`: sales go to customers, purchases come
        from suppliers."""
        return CounterpartyKind.CUSTOMER if kind is InvoiceKind.SALES else CounterpartyKind.SUPPLIER

    def covers(self, other: CounterpartyKind) -> bool:
        return self is other or self is CounterpartyKind.BOTH


@dataclass(frozen=True)
class _Particulars:
    """Who the party is; the record and both of its events carry these fields, in this order."""

    kind: CounterpartyKind
    name: str
    bin: str | None
    tin: str | None
    address: str | None
    mobile: str | None


@dataclass(frozen=True)
class CounterpartyDetails(_Particulars):
    is_active: bool = True


@register
@dataclass(frozen=True)
class CounterpartyRegistered(DomainEvent, _Particulars):
    pass  # a new party is active from the start


@register
@dataclass(frozen=True)
class CounterpartyUpdated(DomainEvent, _Particulars):
    """The whole record after the change: replay needs no merging."""

    is_active: bool


def build_details(
    kind: CounterpartyKind,
    name: str | None,
    *,
    bin: str | None = None,
    tin: str | None = None,
    address: str | None = None,
    mobile: str | None = None,
    is_active: bool = True,
    prefix: str = "",
) -> CounterpartyDetails:
    """Checked and normalised: every problem at once, each naming `prefix` + its field."""
    issues: list[FieldIssue] = []
    clean_name = checked_text(name, NAME_MAX, f"{prefix}name", issues, required=True)
    clean_address = checked_text(address, ADDRESS_MAX, f"{prefix}address", issues, required=False)
    checked: dict[str, str | None] = {"bin": None, "tin": None, "mobile": None}
    for key, value, check in (
        ("bin", bin, validate_bin),
        ("tin", tin, validate_tin),
        ("mobile", mobile, normalize_mobile),
    ):
        if value is not None and value.strip():
            try:
                checked[key] = check(value, field=f"{prefix}{key}")
            except InvalidInput as error:
                issues.extend(error.issues)
    if issues:
        raise InvalidInput.from_issues(issues)
    return CounterpartyDetails(
        kind=kind,
        name=clean_name or "",
        bin=checked["bin"],
        tin=checked["tin"],
        address=clean_address,
        mobile=checked["mobile"],
        is_active=is_active,
    )


class CounterpartyRecord(Aggregate[CounterpartyDetails]):
    STREAM_TYPE = "counterparty"
    STATE_TYPE = CounterpartyDetails

    def register(self, details: CounterpartyDetails) -> None:
        self._emit(CounterpartyRegistered(**field_values(details, CounterpartyRegistered)))

    def update(self, details: CounterpartyDetails) -> None:
        if details == self.state:
            return  # nothing changed: no event
        self._emit(CounterpartyUpdated(**field_values(details)))

    def _apply(self, event: DomainEvent) -> CounterpartyDetails:
        if isinstance(event, CounterpartyRegistered | CounterpartyUpdated):
            return CounterpartyDetails(**field_values(event))
        raise TypeError(f"CounterpartyRecord cannot apply {type(event).__name__}")
