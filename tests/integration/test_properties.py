"""Property tests: any sequence of create / post / reverse / cancel keeps the books balanced,
the trial balance as of any date equals a naive sum of the posted lines, and a rebuild of the
read models equals the live ones. Each example runs in a fresh tenant of the test database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from tests.integration.helpers import STANDARD, open_accounts, run, run_examples
from vextrus_finance.api.schemas.reports import TrialBalanceOut, trial_balance_document
from vextrus_finance.application.ledger.journals import (
    CancelJournal,
    CreateJournal,
    LineSpec,
    PostJournal,
    ReverseJournal,
    cancel_journal,
    create_journal,
    post_journal,
    reverse_journal,
)
from vextrus_finance.application.ledger.reports import trial_balance
from vextrus_finance.bootstrap import Container
from vextrus_finance.domain.accounts import signed_balance
from vextrus_finance.domain.errors import InvalidInput
from vextrus_finance.infrastructure.rebuild.rebuild import Rebuilder

FIRST_DAY = date(2025, 6, 1)  # spans two fiscal years and many months
DAYS = 460
CODES = [code for code, _ in STANDARD]
TYPES = dict(STANDARD)


@dataclass
class ModelJournal:
    id: str
    day: date
    lines: list[tuple[str, Decimal, Decimal]]
    status: str
    is_reversal: bool = False  # a reversing journal cannot itself be reversed (409)


@dataclass
class Model:
    journals: list[ModelJournal] = field(default_factory=list)

    def posted_lines(self) -> list[tuple[date, str, Decimal, Decimal]]:
        return [
            (j.day, code, debit, credit)
            for j in self.journals
            if j.status in ("POSTED", "REVERSED")
            for code, debit, credit in j.lines
        ]


@st.composite
def journal_lines(draw: st.DrawFn) -> list[tuple[str, Decimal, Decimal]]:
    """2–4 lines that balance exactly (the last line takes up the difference)."""
    count = draw(st.integers(1, 3))
    lines = []
    net = Decimal(0)
    for _ in range(count):
        amount = Decimal(draw(st.integers(1, 10_000_00))) / 100
        debit = draw(st.booleans())
        code = draw(st.sampled_from(CODES))
        lines.append((code, amount, Decimal(0)) if debit else (code, Decimal(0), amount))
        net += amount if debit else -amount
    code = draw(st.sampled_from(CODES))
    if net == 0:
        amount = Decimal(draw(st.integers(1, 500_00))) / 100
        lines.append((code, amount, Decimal(0)))
        lines.append((draw(st.sampled_from(CODES)), Decimal(0), amount))
    else:
        lines.append((code, Decimal(0), net) if net > 0 else (code, -net, Decimal(0)))
    return lines


def _specs(lines: list[tuple[str, Decimal, Decimal]]) -> tuple[LineSpec, ...]:
    return tuple(LineSpec(None, code, debit, credit) for code, debit, credit in lines)


async def _scenario(container: Container, data: st.DataObject) -> None:
    tenant = f"p-{uuid.uuid4().hex[:10]}"
    await open_accounts(container, tenant, STANDARD)
    model = Model()
    for _ in range(data.draw(st.integers(1, 10), label="steps")):
        kind = data.draw(
            st.sampled_from(["create", "create", "post", "reverse", "cancel", "unbalanced"])
        )
        drafts = [j for j in model.journals if j.status == "DRAFT"]
        posted = [j for j in model.journals if j.status == "POSTED" and not j.is_reversal]
        if kind == "create":
            lines = data.draw(journal_lines())
            day = FIRST_DAY + timedelta(days=data.draw(st.integers(0, DAYS)))
            post = data.draw(st.booleans())
            command = CreateJournal(day, "property", _specs(lines), post=post)
            journal_id = await run(container, tenant, lambda uow, c=command: create_journal(uow, c))
            model.journals.append(
                ModelJournal(journal_id, day, lines, "POSTED" if post else "DRAFT")
            )
        elif kind == "unbalanced":
            lines = data.draw(journal_lines())
            code, debit, credit = lines[-1]
            lines[-1] = (
                code,
                debit + Decimal("0.01") if debit else debit,
                credit + Decimal("0.01") if credit else credit,
            )
            command = CreateJournal(FIRST_DAY, "unbalanced", _specs(lines), post=True)
            try:
                await run(container, tenant, lambda uow, c=command: create_journal(uow, c))
            except InvalidInput as error:
                assert error.code == "unbalanced"
            else:
                raise AssertionError("an unbalanced journal was accepted")
        elif kind == "post" and drafts:
            target = data.draw(st.sampled_from(drafts))
            await run(container, tenant, lambda uow, t=target: post_journal(uow, PostJournal(t.id)))
            target.status = "POSTED"
        elif kind == "cancel" and drafts:
            target = data.draw(st.sampled_from(drafts))
            await run(
                container,
                tenant,
                lambda uow, t=target: cancel_journal(uow, CancelJournal(t.id, "not needed")),
            )
            target.status = "CANCELLED"
        elif kind == "reverse" and posted:
            target = data.draw(st.sampled_from(posted))
            day = target.day + timedelta(days=data.draw(st.integers(0, 40)))
            command = ReverseJournal(target.id, day)
            reversal = await run(container, tenant, lambda uow, c=command: reverse_journal(uow, c))
            target.status = "REVERSED"
            swapped = [(code, credit, debit) for code, debit, credit in target.lines]
            model.journals.append(ModelJournal(reversal, day, swapped, "POSTED", is_reversal=True))

    checkpoints = [FIRST_DAY - timedelta(days=1), FIRST_DAY + timedelta(days=DAYS + 60)]
    checkpoints += [FIRST_DAY + timedelta(days=data.draw(st.integers(0, DAYS))) for _ in range(3)]
    checkpoints += [j.day for j in model.journals[:3]]
    async with container.reader(tenant) as reader:
        for as_of in checkpoints:
            rows = await reader.balances_as_of(as_of, "BDT")
            view = trial_balance(rows, as_of=as_of, currency="BDT")
            assert view.totals.balanced, (as_of, view.totals)
            # The route's path (paisa summed per side by the database) gives the same report.
            net_rows = await reader.net_balances_as_of(as_of, "BDT")
            document = trial_balance_document(net_rows, as_of=as_of, currency="BDT")
            assert document == TrialBalanceOut.model_validate(view).model_dump(mode="json"), as_of
            expected: dict[str, Decimal] = dict.fromkeys(CODES, Decimal(0))
            for day, code, debit, credit in model.posted_lines():
                if day <= as_of:
                    expected[code] += signed_balance(TYPES[code], debit, credit)
            assert {e.code: e.net for e in view.entries} == expected, as_of
    report = await Rebuilder(container.db, container.store).verify()
    assert report.ok, report


async def test_any_command_sequence_keeps_the_books_balanced_and_rebuildable(
    database_url: str,
) -> None:
    await run_examples(database_url, _scenario, max_examples=15)
