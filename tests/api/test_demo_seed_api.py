"""The demo seed (`vextrus-finance seed --with-journals`): no line on a header account, every
line on a control account names its counterparty, and so both agings tie to the ledger."""

from __future__ import annotations

from tests.api.helpers import API, assert_amount, get_json, list_all
from vextrus_finance.cli import _seed


async def test_the_demo_books_tie_out(client, container, auth):
    opened, journals = await _seed(container, "t1", True)
    assert opened > 0
    assert journals > 0
    h = auth()
    accounts = await list_all(client, f"{API}/accounts", h)
    parents = {a["parent_id"] for a in accounts if a["parent_id"]}
    headers = {a["code"] for a in accounts if a["id"] in parents}
    assert {"1000", "1120", "3000"} <= headers
    lines = [
        line
        for journal in await list_all(client, f"{API}/journals", h)
        for line in (await get_json(client, f"{API}/journals/{journal['id']}", h))["lines"]
    ]
    assert lines
    assert not [line for line in lines if line["account_code"] in headers]
    for kind, code in (("SALES", "1200"), ("PURCHASE", "2100")):
        aging = await get_json(client, f"{API}/reports/aging", h, kind=kind)
        assert aging["control_accounts"] == [code]
        assert aging["rows"], aging
        assert all(row["counterparty_id"] for row in aging["rows"])
        assert_amount(aging["difference"], "0.00")
        assert aging["ledger_balance"] == aging["totals"]["total"]
        assert aging["ledger_balance"] != "0.00"
    customers = await list_all(client, f"{API}/counterparties", h, kind="CUSTOMER")
    assert "Gulshan Heights Owners' Association" in [c["name"] for c in customers]
