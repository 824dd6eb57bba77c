"""The integer-paisa document the route serves is exactly what the response model dumps for
the Decimal report of the same balances."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from vextrus_finance.api.schemas.reports import TrialBalanceOut, trial_balance_document
from vextrus_finance.application.ledger.reports import trial_balance
from vextrus_finance.application.ledger.views import BalanceRow, NetBalanceRow
from vextrus_finance.domain.accounts import AccountType
from vextrus_finance.domain.fiscal import parse_fiscal_year

paisa = st.integers(min_value=0, max_value=10**15)


@st.composite
def balance_rows(draw: st.DrawFn) -> list[BalanceRow]:
    count = draw(st.integers(min_value=0, max_value=12))
    return [
        BalanceRow(
            account_id=f"id-{i}",
            code=f"{i:04d}",
            name=draw(st.text(max_size=20)),
            type=draw(st.sampled_from(list(AccountType))),
            is_active=draw(st.booleans()),
            debit_total=Decimal(draw(paisa)).scaleb(-2),
            credit_total=Decimal(draw(paisa)).scaleb(-2),
        )
        for i in range(count)
    ]


def _net(row: BalanceRow) -> NetBalanceRow:
    paisa = int((row.debit_total - row.credit_total).scaleb(2))
    return (row.account_id, row.code, row.name, row.type.value, row.is_active, paisa)


# No deadline: on the shared, loaded machine one run failed and its seed did not reproduce
# the failure — the mark of an example exceeding Hypothesis's 200 ms default, not of a bug.
@settings(deadline=None)
@given(
    rows=balance_rows(),
    include_zero=st.booleans(),
    with_year=st.booleans(),
    order=st.randoms(use_true_random=False),
)
def test_the_paisa_document_is_the_decimal_report(
    rows: list[BalanceRow], include_zero: bool, with_year: bool, order: Any
) -> None:
    year = parse_fiscal_year("FY2025-2026") if with_year else None
    as_of = date(2026, 1, 31)
    view = trial_balance(
        rows, as_of=as_of, currency="BDT", fiscal_year=year, include_zero=include_zero
    )
    net_rows = [_net(r) for r in rows]
    order.shuffle(net_rows)  # the document sorts by code itself, as the report does
    document = trial_balance_document(
        net_rows, as_of=as_of, currency="BDT", fiscal_year=year, include_zero=include_zero
    )
    assert document == TrialBalanceOut.model_validate(view).model_dump(mode="json")
