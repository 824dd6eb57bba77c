"""Receivables (SALES) and payables (PURCHASE) aging per counterparty."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from vextrus_finance.api.commands import dump
from vextrus_finance.api.exports import EXPORT_RESPONSES, ReportDep
from vextrus_finance.api.permissions import API
from vextrus_finance.api.schemas.common import IsoDate
from vextrus_finance.api.schemas.invoices import AgingOut
from vextrus_finance.application.invoicing.aging import aging_report
from vextrus_finance.documents.reports.tables import aging_table
from vextrus_finance.domain.invoices import InvoiceKind
from vextrus_finance.domain.money import from_minor

router = APIRouter(prefix=f"{API}/reports", tags=["reports"])


@router.get("/aging", response_model=AgingOut, responses=EXPORT_RESPONSES)
async def aging(
    report: ReportDep, kind: InvoiceKind = InvoiceKind.SALES, as_of: IsoDate | None = None
) -> Response:
    """What was owed at the end of `as_of` (default today) on invoices dated by then — payable
    total less the payments dated by then, counting cancellations and payment reversals only
    from their own dates — bucketed by days past due as of `as_of`. `ledger_balance` is the
    kind's control accounts at the end of `as_of` — the posting profile's receivable (SALES) or
    payable (PURCHASE) account and every account an invoice of the kind names as its control
    account — `difference` what the open items leave unexplained. Manual lines on those
    accounts that name a counterparty are open items of it, due the day they were entered."""
    day = as_of or report.container.settings.today()
    receivable = kind is InvoiceKind.SALES
    async with report.container.invoice_reader(report.ctx.tenant_id) as reader:
        control = await reader.control_accounts(kind)
        ids = [account_id for account_id, _ in control]
        items = await reader.open_items(kind, day)
        items += await reader.manual_items(ids, day, debit_side=receivable)
        net_debit = await reader.net_debit_as_of(ids, day)
    # Receivables are debit balances, payables credit balances.
    owed = from_minor(net_debit if receivable else -net_debit)
    codes = [code for _, code in control]
    document = dump(AgingOut, aging_report(kind, day, items, codes, owed))
    return await report.answer(document, aging_table)
