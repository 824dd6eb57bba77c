"""Invoice and payment lists walked one item a page: newest first by (date, number), each
item once, the last page without a cursor, and a cursor that is not a (date, number) key
refused."""

from __future__ import annotations

from tests.api.helpers import API, all_pages, assert_invalid, get_json
from tests.api.invoice_helpers import approved_invoice, line, pay, seed_tenant


async def test_payments_page_newest_first_by_date_then_number(client, container, auth):
    await seed_tenant(container)
    h = auth()
    inv = await approved_invoice(client, h, [line("1", "1000")])
    made = [
        await pay(client, h, inv["id"], "10", complete=False, payment_date=day)
        for day in ("2025-08-20", "2025-08-21", "2025-08-20")
    ]
    pages = await all_pages(client, f"{API}/payments", h, limit=1)
    assert [len(page) for page in pages] == [1, 1, 1]
    listed = [page[0] for page in pages]
    expected = sorted(made, key=lambda p: (p["payment_date"], p["number"]), reverse=True)
    assert [p["id"] for p in listed] == [p["id"] for p in expected]
    whole = await get_json(client, f"{API}/payments", h, limit=3)
    assert whole["next_cursor"] is None
    assert [p["id"] for p in whole["items"]] == [p["id"] for p in expected]


async def test_invoices_page_newest_first_and_refuse_a_foreign_cursor(client, container, auth):
    await seed_tenant(container)
    h = auth()
    made = [
        await approved_invoice(client, h, [line("1", "100")], invoice_date=day)
        for day in ("2025-08-20", "2025-08-21", "2025-08-20")
    ]
    pages = await all_pages(client, f"{API}/invoices", h, limit=2)
    assert [len(page) for page in pages] == [2, 1]
    expected = sorted(made, key=lambda i: (i["invoice_date"], i["number"]), reverse=True)
    assert [i["id"] for page in pages for i in page] == [i["id"] for i in expected]
    # A well-formed cursor whose key is not a date: the accounts list's kind of cursor.
    accounts = await get_json(client, f"{API}/accounts", h, limit=1)
    for url in (f"{API}/invoices", f"{API}/payments"):
        response = await client.get(url, params={"cursor": accounts["next_cursor"]}, headers=h)
        assert_invalid(response, "cursor")
