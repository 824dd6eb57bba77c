"""The largest amounts, line counts and totals the service accepts (domain/limits.py): what
exceeds them is a 422 naming the field before anything is written, and `verify` and the trial
balance report on stored values out of that range instead of crashing."""

from __future__ import annotations

from decimal import Decimal

from tests.api.helpers import (
    API,
    assert_invalid,
    cr,
    create_accounts,
    dr,
    journal_body,
    list_all,
)
from tests.api.invoice_helpers import invoice_body, line, seed_tenant
from vextrus_finance.domain.limits import MAX_AMOUNT, MAX_TOTAL

OLD_MAX = "999999999999999.99"  # the line limit before totals were bounded
CHART = (("1000", "Cash", "ASSET"), ("3000", "Capital", "EQUITY"))


async def _balances(client, h) -> dict[str, tuple[str, str]]:
    listed = await list_all(client, f"{API}/accounts", h)
    return {a["code"]: (a["debit_total"], a["credit_total"]) for a in listed}


async def test_the_reported_overflow_is_refused_at_the_line(client, auth):
    h = auth()
    a = await create_accounts(client, h, *CHART)
    lines = [dr(a["1000"], OLD_MAX) for _ in range(40)]
    lines += [cr(a["3000"], OLD_MAX) for _ in range(40)]
    for _ in range(3):
        response = await client.post(
            f"{API}/journals", json=journal_body("2025-08-01", lines, post=True), headers=h
        )
        assert_invalid(response, "lines[0].debit")
    trial = await client.get(f"{API}/reports/trial-balance", headers=h)
    assert trial.status_code == 200, trial.text


async def test_a_journal_total_over_the_limit_names_lines(client, auth):
    h = auth()
    a = await create_accounts(client, h, *CHART)
    big = f"{MAX_AMOUNT}"
    n = int(MAX_TOTAL // MAX_AMOUNT) + 1
    lines = [dr(a["1000"], big) for _ in range(n)] + [cr(a["3000"], big) for _ in range(n)]
    response = await client.post(
        f"{API}/journals", json=journal_body("2025-08-01", lines, post=True), headers=h
    )
    assert_invalid(response, "lines", code="total_too_large")
    assert await list_all(client, f"{API}/journals", h) == []


async def test_an_account_total_over_the_limit_is_refused_before_anything_is_written(client, auth):
    h = auth()
    a = await create_accounts(client, h, *CHART)
    big = f"{MAX_AMOUNT}"
    n = int(MAX_TOTAL // MAX_AMOUNT)
    lines = [dr(a["1000"], big) for _ in range(n)] + [cr(a["3000"], big) for _ in range(n)]
    body = journal_body("2025-08-01", lines, post=True)
    first = await client.post(f"{API}/journals", json=body, headers=h)
    assert first.status_code == 201, first.text
    before = await _balances(client, h)
    total = f"{Decimal(big) * n:f}"
    assert before["1000"] == (total, "0.00")

    second = await client.post(f"{API}/journals", json=body, headers=h)
    assert_invalid(second, "lines[0].account_id", code="account_total_exceeded")
    assert await _balances(client, h) == before
    assert len(await list_all(client, f"{API}/journals", h)) == 1

    # A draft may hold it; posting it is refused the same way, and the draft stays a draft.
    draft = await client.post(f"{API}/journals", json=journal_body("2025-08-01", lines), headers=h)
    assert draft.status_code == 201, draft.text
    posted = await client.post(f"{API}/journals/{draft.json()['id']}/post", headers=h)
    assert_invalid(posted, "lines[0].account_id", code="account_total_exceeded")
    assert await _balances(client, h) == before


async def test_an_invoice_grand_total_over_the_limit_names_lines(client, auth, container):
    await seed_tenant(container)
    h = auth()
    n = int(MAX_TOTAL // MAX_AMOUNT) + 1
    body = invoice_body([line("1", f"{MAX_AMOUNT}", "EXEMPT") for _ in range(n)])
    response = await client.post(f"{API}/invoices", json=body, headers=h)
    assert_invalid(response, "lines", code="total_too_large")
    over_line = invoice_body([line("2", f"{MAX_AMOUNT}", "EXEMPT")])
    assert_invalid(await client.post(f"{API}/invoices", json=over_line, headers=h), "lines[0]")


async def test_an_atomic_batch_whose_journals_together_exceed_an_account_total(client, auth):
    h = auth()
    a = await create_accounts(client, h, *CHART)
    big = f"{MAX_AMOUNT}"
    n = int(MAX_TOTAL // MAX_AMOUNT)
    lines = [dr(a["1000"], big) for _ in range(n)] + [cr(a["3000"], big) for _ in range(n)]
    journal = journal_body("2025-08-01", lines, post=True)
    response = await client.post(
        f"{API}/journals/batch", json={"journals": [journal, journal]}, headers=h
    )
    assert_invalid(response, "journals[1].lines[0].account_id", code="account_total_exceeded")
    assert await list_all(client, f"{API}/journals", h) == []
    assert (await _balances(client, h))["1000"] == ("0.00", "0.00")
