"""Duplicates entered at the same moment: the same supplier bill created twice, the same wallet
transaction completed on two payments. Exactly one of each pair passes, on both databases."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from decimal import Decimal

from tests.integration.helpers import run
from tests.invoices.helpers import DAY, new_payment, seed_tenant, simple_line
from vextrus_finance.application.invoicing.invoices import (
    CounterpartySpec,
    CreateInvoice,
    create_invoice,
)
from vextrus_finance.application.invoicing.payments import (
    CompletePayment,
    WalletSpec,
    complete_payment,
)
from vextrus_finance.application.ports import UnitOfWork
from vextrus_finance.bootstrap import Container
from vextrus_finance.domain.errors import AlreadyExists
from vextrus_finance.domain.invoices import InvoiceDetails, InvoiceKind
from vextrus_finance.domain.payments import Direction, PaymentMethod, WalletProvider

PAIRS = 3


async def _outcome(container: Container, decide: Callable[[UnitOfWork], Awaitable[str]]) -> str:
    try:
        await run(container, "t1", decide)
    except AlreadyExists as error:
        assert error.code.startswith("duplicate_")
        return "refused"
    return "done"


def _bill(number: str) -> CreateInvoice:
    return CreateInvoice(
        InvoiceKind.PURCHASE,
        CounterpartySpec("Meghna Cement Mills", bin="0001112220101"),
        DAY,
        DAY,
        (simple_line("100"),),
        details=InvoiceDetails(supplier_invoice_number=number),
    )


async def test_the_same_supplier_bill_created_at_once_is_entered_once(container: Container) -> None:
    await seed_tenant(container, "t1")
    commands = [_bill(f"MCM-{n}") for n in range(PAIRS) for _ in range(2)]
    outcomes = await asyncio.gather(
        *(_outcome(container, lambda uow, c=c: create_invoice(uow, c)) for c in commands)
    )
    for n in range(PAIRS):
        assert sorted(outcomes[2 * n : 2 * n + 2]) == ["done", "refused"]


async def test_a_wallet_transaction_completed_at_once_completes_one_payment(
    container: Container,
) -> None:
    await seed_tenant(container, "t1")
    # Advances: no invoice stream to conflict on, so only the duplicate check orders them.
    racers = []
    for n in range(PAIRS):
        wallet = WalletSpec(WalletProvider.BKASH, "01712345678", f"TRX{n:07d}")
        racers += [
            await new_payment(
                container,
                "t1",
                None,
                "1.00",
                method=PaymentMethod.MOBILE_WALLET,
                direction=Direction.IN,
                complete=False,
                wallet=wallet,
            )
            for _ in range(2)
        ]
    outcomes = await asyncio.gather(
        *(
            _outcome(
                container,
                lambda uow, p=p: complete_payment(uow, CompletePayment(p, "provider-ok")),
            )
            for p in racers
        )
    )
    for n in range(PAIRS):
        assert sorted(outcomes[2 * n : 2 * n + 2]) == ["done", "refused"]
    async with container.reader("t1") as ledger:
        advances = await ledger.account_by_code("2300")
    assert advances is not None
    assert advances.balance == Decimal(PAIRS)
