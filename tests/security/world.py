"""A tenant's worth of objects made on demand by an admin, so that every route can be called
with a request that would succeed: the RBAC matrix and the tenancy attack both use it.

`ROUTE_REQUESTS` gives, for every route in the permission table, how to build a valid request
from a World. A route added to the service without an entry here fails the matrix test."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

API = "/api/v1"
DAY = "2026-03-15"
BIN = "0001234560101"


@dataclass(frozen=True)
class Call:
    url: str
    json: dict[str, Any] | None = None


class World:
    def __init__(self, client: httpx.AsyncClient, admin: dict[str, str], tag: str = "9") -> None:
        """`tag` (one digit) keeps two worlds' account codes and customers apart."""
        self.client = client
        self.admin = admin
        self.tag = tag
        self._seq = itertools.count(1)
        self._years = itertools.count(1950)  # fiscal years nobody posts into
        self.cash: dict[str, Any] = {}
        self.revenue: dict[str, Any] = {}

    async def setup(self) -> World:
        """Needs the tenant seeded with the standard chart and posting profile first."""
        self.cash = await self.account("ASSET")
        self.revenue = await self.account("REVENUE")
        company = {"name": "Vextrus Builders Ltd.", "address": "Gulshan, Dhaka", "bin": BIN}
        await self._ok("PUT", f"{API}/company-profile", company)
        return self

    # --- invoices and payments ---

    def invoice_body(self) -> dict[str, Any]:
        return {
            "kind": "SALES",
            "counterparty": {"name": f"Gulshan Heights Ltd. {self.tag}"},
            "invoice_date": DAY,
            "due_date": "2026-04-14",
            "lines": [
                {
                    "description": "Work",
                    "quantity": "1",
                    "unit_price": "1000",
                    "vat_rate": "STANDARD",
                }
            ],
        }

    async def draft_invoice(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._ok("POST", f"{API}/invoices", self.invoice_body())
        return result

    async def approved_invoice(self) -> dict[str, Any]:
        draft = await self.draft_invoice()
        result: dict[str, Any] = await self._ok("POST", f"{API}/invoices/{draft['id']}/approve")
        return result

    async def pending_payment(self) -> dict[str, Any]:
        invoice = await self.approved_invoice()
        body = {
            "invoice_id": invoice["id"],
            "amount": "100.00",
            "method": "CASH",
            # A sales invoice is dated the day it is approved (ADR 0035): paid that day.
            "payment_date": invoice["invoice_date"],
        }
        result: dict[str, Any] = await self._ok("POST", f"{API}/payments", body)
        return result

    async def completed_payment(self) -> dict[str, Any]:
        pending = await self.pending_payment()
        url = f"{API}/payments/{pending['id']}/complete"
        result: dict[str, Any] = await self._ok("POST", url, {"transaction_reference": "TXN-1"})
        return result

    async def counterparty(self) -> dict[str, Any]:
        body = {"kind": "CUSTOMER", "name": f"Matrix party {self.tag}-{next(self._seq)}"}
        result: dict[str, Any] = await self._ok("POST", f"{API}/counterparties", body)
        return result

    def code(self, first: str) -> str:
        seq = next(self._seq)
        return f"{first}{seq // 100:03d}-{seq % 100:02d}"

    async def _ok(self, method: str, url: str, json: dict[str, Any] | None = None) -> Any:
        response = await self.client.request(method, url, json=json, headers=self.admin)
        assert response.is_success, response.text
        return response.json()

    async def account(self, type_: str = "ASSET") -> dict[str, Any]:
        code = self.code(self.tag)
        body = {"code": code, "name": f"Matrix {code}", "type": type_}
        result: dict[str, Any] = await self._ok("POST", f"{API}/accounts", body)
        return result

    def journal_body(self, *, post: bool = False) -> dict[str, Any]:
        return {
            "date": DAY,
            "description": "RBAC matrix",
            "post": post,
            "lines": [
                {"account_id": self.cash["id"], "debit": "100.00"},
                {"account_id": self.revenue["id"], "credit": "100.00"},
            ],
        }

    async def draft(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._ok("POST", f"{API}/journals", self.journal_body())
        return result

    async def posted(self) -> dict[str, Any]:
        body = self.journal_body(post=True)
        result: dict[str, Any] = await self._ok("POST", f"{API}/journals", body)
        return result

    def fresh_period(self) -> str:
        """A period nobody posts into, never the same twice."""
        seq = next(self._seq)
        start = 2000 + seq // 12
        return f"FY{start}-{start + 1}-P{1 + seq % 12:02d}"

    async def closable_year(self) -> str:
        """A fiscal year with all twelve periods closed, never the same twice."""
        start = next(self._years)
        for n in range(1, 13):
            code = f"FY{start}-{start + 1}-P{n:02d}"
            await self._ok("POST", f"{API}/fiscal-periods/{code}/close", {"reason": "month end"})
        return f"FY{start}-{start + 1}"

    async def closed_year(self) -> str:
        code = await self.closable_year()
        await self._ok("POST", f"{API}/fiscal-years/{code}/close", {"reason": "year end"})
        return code

    async def closed_period(self) -> str:
        code = self.fresh_period()
        await self._ok("POST", f"{API}/fiscal-periods/{code}/close", {"reason": "year end"})
        return code


Builder = Callable[[World], Awaitable[Call]]


def _fixed(url: str, body: dict[str, Any] | None = None) -> Builder:
    """A request that needs no fresh object."""

    async def build(_world: World) -> Call:
        return Call(url, body)

    return build


async def _account_create(w: World) -> Call:
    return Call(f"{API}/accounts", {"code": w.code("8"), "name": "Matrix new", "type": "ASSET"})


async def _account_by_code(w: World) -> Call:
    return Call(f"{API}/accounts/by-code/{w.cash['code']}")


async def _account_get(w: World) -> Call:
    return Call(f"{API}/accounts/{w.cash['id']}")


async def _account_patch(w: World) -> Call:
    return Call(f"{API}/accounts/{(await w.account())['id']}", {"name": "Renamed"})


async def _account_deactivate(w: World) -> Call:
    return Call(
        f"{API}/accounts/{(await w.account())['id']}/deactivate", {"reason": "bank account closed"}
    )


async def _account_ledger(w: World) -> Call:
    return Call(f"{API}/accounts/{w.cash['id']}/ledger")


async def _account_ledger_by_code(w: World) -> Call:
    return Call(f"{API}/accounts/by-code/{w.cash['code']}/ledger")


async def _journal_by_number(w: World) -> Call:
    return Call(f"{API}/journals/by-number/{(await w.posted())['number']}")


async def _invoice_by_number(w: World) -> Call:
    return Call(f"{API}/invoices/by-number/{(await w.draft_invoice())['number']}")


async def _payment_by_number(w: World) -> Call:
    return Call(f"{API}/payments/by-number/{(await w.pending_payment())['number']}")


async def _journal_create(w: World) -> Call:
    return Call(f"{API}/journals", w.journal_body())


async def _journal_batch(w: World) -> Call:
    return Call(f"{API}/journals/batch", {"journals": [w.journal_body()]})


async def _journal_get(w: World) -> Call:
    return Call(f"{API}/journals/{(await w.draft())['id']}")


async def _journal_patch(w: World) -> Call:
    return Call(f"{API}/journals/{(await w.draft())['id']}", {"description": "Revised"})


async def _journal_post(w: World) -> Call:
    return Call(f"{API}/journals/{(await w.draft())['id']}/post")


async def _journal_reverse(w: World) -> Call:
    return Call(f"{API}/journals/{(await w.posted())['id']}/reverse", {"date": DAY})


async def _journal_cancel(w: World) -> Call:
    return Call(f"{API}/journals/{(await w.draft())['id']}/cancel", {"reason": "typo"})


async def _period_close(w: World) -> Call:
    return Call(f"{API}/fiscal-periods/{w.fresh_period()}/close", {"reason": "month end"})


async def _period_reopen(w: World) -> Call:
    return Call(f"{API}/fiscal-periods/{await w.closed_period()}/reopen", {"reason": "adjust"})


async def _year_close(w: World) -> Call:
    return Call(f"{API}/fiscal-years/{await w.closable_year()}/close", {"reason": "year end"})


async def _year_reopen(w: World) -> Call:
    return Call(f"{API}/fiscal-years/{await w.closed_year()}/reopen", {"reason": "adjust"})


async def _invoice_create(w: World) -> Call:
    return Call(f"{API}/invoices", w.invoice_body())


async def _invoice_get(w: World) -> Call:
    return Call(f"{API}/invoices/{(await w.draft_invoice())['id']}")


async def _invoice_patch(w: World) -> Call:
    return Call(f"{API}/invoices/{(await w.draft_invoice())['id']}", {"due_date": "2026-05-01"})


async def _invoice_approve(w: World) -> Call:
    return Call(f"{API}/invoices/{(await w.draft_invoice())['id']}/approve")


async def _invoice_cancel(w: World) -> Call:
    invoice = await w.approved_invoice()
    return Call(f"{API}/invoices/{invoice['id']}/cancel", {"reason": "issued in error"})


async def _mushak(w: World) -> Call:
    return Call(f"{API}/invoices/{(await w.approved_invoice())['id']}/mushak-6.3?lang=bn")


async def _payment_create(w: World) -> Call:
    invoice = await w.approved_invoice()
    body = {
        "invoice_id": invoice["id"],
        "amount": "50.00",
        "method": "CASH",
        "payment_date": invoice["invoice_date"],
    }
    return Call(f"{API}/payments", body)


async def _payment_get(w: World) -> Call:
    return Call(f"{API}/payments/{(await w.pending_payment())['id']}")


async def _payment_complete(w: World) -> Call:
    payment = await w.pending_payment()
    return Call(f"{API}/payments/{payment['id']}/complete", {"transaction_reference": "TXN-2"})


async def _payment_fail(w: World) -> Call:
    payment = await w.pending_payment()
    return Call(f"{API}/payments/{payment['id']}/fail", {"reason": "the cheque was dishonoured"})


async def _payment_reconcile(w: World) -> Call:
    payment = await w.completed_payment()
    bank_line = f"SONALI-{next(w._seq):06d}"
    return Call(f"{API}/payments/{payment['id']}/reconcile", {"bank_transaction_id": bank_line})


async def _payment_reverse(w: World) -> Call:
    payment = await w.completed_payment()
    return Call(f"{API}/payments/{payment['id']}/reverse", {"reason": "paid to the wrong party"})


async def _company_put(w: World) -> Call:
    return Call(f"{API}/company-profile", {"name": "Vextrus Builders Ltd.", "bin": BIN})


async def _counterparty_create(w: World) -> Call:
    return Call(f"{API}/counterparties", {"kind": "SUPPLIER", "name": f"Matrix {next(w._seq)}"})


async def _counterparty_get(w: World) -> Call:
    return Call(f"{API}/counterparties/{(await w.counterparty())['id']}")


async def _counterparty_patch(w: World) -> Call:
    party = await w.counterparty()
    return Call(f"{API}/counterparties/{party['id']}", {"address": "Motijheel, Dhaka"})


async def _counterparty_statement(w: World) -> Call:
    party = await w.counterparty()
    return Call(f"{API}/counterparties/{party['id']}/statement?to={DAY}")


ROUTE_REQUESTS: dict[tuple[str, str], Builder] = {
    ("POST", f"{API}/accounts"): _account_create,
    ("GET", f"{API}/accounts"): _fixed(f"{API}/accounts"),
    ("GET", f"{API}/accounts/by-code/{{code}}"): _account_by_code,
    ("GET", f"{API}/accounts/{{account_id}}"): _account_get,
    ("PATCH", f"{API}/accounts/{{account_id}}"): _account_patch,
    ("POST", f"{API}/accounts/{{account_id}}/deactivate"): _account_deactivate,
    ("GET", f"{API}/accounts/{{account_id}}/ledger"): _account_ledger,
    ("GET", f"{API}/accounts/by-code/{{code}}/ledger"): _account_ledger_by_code,
    ("GET", f"{API}/journals/by-number/{{number}}"): _journal_by_number,
    ("GET", f"{API}/invoices/by-number/{{number}}"): _invoice_by_number,
    ("GET", f"{API}/payments/by-number/{{number}}"): _payment_by_number,
    ("POST", f"{API}/journals"): _journal_create,
    ("POST", f"{API}/journals/batch"): _journal_batch,
    ("GET", f"{API}/journals"): _fixed(f"{API}/journals"),
    ("GET", f"{API}/journals/{{journal_id}}"): _journal_get,
    ("PATCH", f"{API}/journals/{{journal_id}}"): _journal_patch,
    ("POST", f"{API}/journals/{{journal_id}}/post"): _journal_post,
    ("POST", f"{API}/journals/{{journal_id}}/reverse"): _journal_reverse,
    ("POST", f"{API}/journals/{{journal_id}}/cancel"): _journal_cancel,
    ("GET", f"{API}/fiscal-periods"): _fixed(f"{API}/fiscal-periods"),
    ("POST", f"{API}/fiscal-periods/{{code}}/close"): _period_close,
    ("POST", f"{API}/fiscal-periods/{{code}}/reopen"): _period_reopen,
    ("GET", f"{API}/fiscal-years"): _fixed(f"{API}/fiscal-years"),
    ("POST", f"{API}/fiscal-years/{{code}}/close"): _year_close,
    ("POST", f"{API}/fiscal-years/{{code}}/reopen"): _year_reopen,
    ("GET", f"{API}/reports/trial-balance"): _fixed(f"{API}/reports/trial-balance?as_of={DAY}"),
    ("GET", f"{API}/reports/profit-and-loss"): _fixed(
        f"{API}/reports/profit-and-loss?from={DAY}&to={DAY}"
    ),
    ("GET", f"{API}/reports/balance-sheet"): _fixed(f"{API}/reports/balance-sheet?as_of={DAY}"),
    ("GET", f"{API}/reports/cash-flow"): _fixed(f"{API}/reports/cash-flow?from={DAY}&to={DAY}"),
    ("POST", f"{API}/invoices"): _invoice_create,
    ("GET", f"{API}/invoices"): _fixed(f"{API}/invoices"),
    ("GET", f"{API}/invoices/{{invoice_id}}"): _invoice_get,
    ("PATCH", f"{API}/invoices/{{invoice_id}}"): _invoice_patch,
    ("POST", f"{API}/invoices/{{invoice_id}}/approve"): _invoice_approve,
    ("POST", f"{API}/invoices/{{invoice_id}}/cancel"): _invoice_cancel,
    ("GET", f"{API}/invoices/{{invoice_id}}/mushak-6.3"): _mushak,
    ("POST", f"{API}/payments"): _payment_create,
    ("GET", f"{API}/payments"): _fixed(f"{API}/payments"),
    ("GET", f"{API}/payments/{{payment_id}}"): _payment_get,
    ("POST", f"{API}/payments/{{payment_id}}/complete"): _payment_complete,
    ("POST", f"{API}/payments/{{payment_id}}/fail"): _payment_fail,
    ("POST", f"{API}/payments/{{payment_id}}/reconcile"): _payment_reconcile,
    ("POST", f"{API}/payments/{{payment_id}}/reverse"): _payment_reverse,
    ("GET", f"{API}/posting-profile"): _fixed(f"{API}/posting-profile"),
    ("PUT", f"{API}/posting-profile"): _fixed(
        f"{API}/posting-profile", {"accounts_receivable": "1200"}
    ),
    ("GET", f"{API}/company-profile"): _fixed(f"{API}/company-profile"),
    ("PUT", f"{API}/company-profile"): _company_put,
    ("GET", f"{API}/reports/aging"): _fixed(f"{API}/reports/aging?kind=SALES&as_of={DAY}"),
    ("POST", f"{API}/counterparties"): _counterparty_create,
    ("GET", f"{API}/counterparties"): _fixed(f"{API}/counterparties"),
    ("GET", f"{API}/counterparties/{{counterparty_id}}"): _counterparty_get,
    ("PATCH", f"{API}/counterparties/{{counterparty_id}}"): _counterparty_patch,
    ("GET", f"{API}/counterparties/{{counterparty_id}}/statement"): _counterparty_statement,
}
