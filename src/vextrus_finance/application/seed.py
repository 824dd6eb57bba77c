"""The standard chart of accounts for a Bangladeshi construction / real-estate company, and
demo journals that make a fresh install look like a working ledger. Both are data shipped in
the package (standard_chart.csv, demo_books.toml), loaded and validated once at import: a
malformed row fails loudly, naming the row, rather than seeding half a tenant."""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from importlib.resources import files
from typing import Any, TypeVar

from vextrus_finance.application.context import new_id
from vextrus_finance.application.invoicing.counterparties import (
    RegisterCounterparty,
    register_counterparty,
)
from vextrus_finance.application.ledger.accounts import OpenAccount, open_account
from vextrus_finance.application.ledger.journals import CreateJournal, LineSpec, create_journal
from vextrus_finance.application.ports import UnitOfWork
from vextrus_finance.domain.accounts import AccountType, BalanceLimit, CashFlowClass
from vextrus_finance.domain.counterparties import CounterpartyKind
from vextrus_finance.domain.fiscal import fiscal_year_of
from vextrus_finance.domain.journals import JournalType

T = TypeVar("T")
Row = Mapping[str, Any]


def load_rows(source: str, rows: list[Row], parse: Callable[[Row], T]) -> tuple[T, ...]:
    """Parse every row of a data file, or fail naming the file and the (1-based) row."""
    parsed = []
    for number, row in enumerate(rows, start=1):
        try:
            parsed.append(parse(row))
        except (KeyError, ValueError, TypeError, ArithmeticError) as exc:
            raise ValueError(f"{source}: row {number} {dict(row)!r}: {exc!r}") from exc
    return tuple(parsed)


def read_data(name: str) -> str:
    return files(__package__).joinpath(name).read_text(encoding="utf-8")


def _standard_account(row: Row) -> tuple[OpenAccount, str | None]:
    limit = row["balance_limit"]
    account = OpenAccount(
        code=row["code"],
        name=row["name"],
        type=AccountType[row["type"]],
        balance_limit=BalanceLimit[limit] if limit else None,
        cash_flow_class=CashFlowClass[row["cash_flow_class"]],
    )
    if not account.code or not account.name:
        raise ValueError("an account needs a code and a name")
    return account, row["parent"] or None


def _load_chart() -> tuple[tuple[OpenAccount, str | None], ...]:
    chart = load_rows(
        "standard_chart.csv",
        list(csv.DictReader(read_data("standard_chart.csv").splitlines())),
        _standard_account,
    )
    seen: set[str] = set()
    for account, parent in chart:
        if account.code in seen or (parent is not None and parent not in seen):
            raise ValueError(f"standard_chart.csv: {account.code} repeated or before its parent")
        seen.add(account.code)
    return chart


# Each standard account as the command that opens it (its parent still a code, resolved to an
# id per tenant) and its parent's code; parents come before their children.
STANDARD_CHART = _load_chart()


async def seed_chart(uow: UnitOfWork) -> int:
    """Open every standard account the tenant does not have yet; return how many were opened."""
    existing = await uow.accounts.by_codes({account.code for account, _ in STANDARD_CHART})
    ids = {code: record.id for code, record in existing.items()}
    opened = 0
    for account, parent in STANDARD_CHART:
        if account.code in ids:
            continue
        command = replace(  # a fresh id: the template is shared by every tenant
            account, parent_id=ids.get(parent) if parent else None, account_id=new_id()
        )
        ids[account.code] = await open_account(uow, command)
        opened += 1
    return opened


DEMO_BOOKS: dict[str, Any] = tomllib.loads(read_data("demo_books.toml"))


def _party(row: Row) -> RegisterCounterparty:
    fields = {k: v for k, v in row.items() if k != "kind"}
    return RegisterCounterparty(CounterpartyKind[row["kind"]], **fields)


# The demo's customer and supplier, by BIN: the demo invoices name the same parties, so they
# land on these records and the demo aging ties to 1200 and 2100.
DEMO_CUSTOMER, DEMO_SUPPLIER = load_rows(
    "demo_books.toml [parties]",
    [DEMO_BOOKS["parties"]["customer"], DEMO_BOOKS["parties"]["supplier"]],
    _party,
)


def demo_day(today: date, when: int | str) -> date:
    """A demo date: a day of the current fiscal year (never after today), or "today[+N]"."""
    if isinstance(when, int):
        return min(today, fiscal_year_of(today).start + timedelta(days=when))
    head, _, days = when.partition("+")
    if head != "today":
        raise ValueError(f"a demo date is a day number or 'today[+N]', not {when!r}")
    return today + timedelta(days=int(days or 0))


def _journal(row: Row, today: date, parties: Mapping[str, str]) -> CreateJournal:
    def spec(line: Row) -> LineSpec:
        party = parties[line["party"]] if "party" in line else None
        debit, credit = Decimal(line.get("debit", "0")), Decimal(line.get("credit", "0"))
        return LineSpec(None, line["account"], debit, credit, counterparty_id=party)

    return CreateJournal(
        demo_day(today, row["day"]),
        row["description"],
        tuple(spec(line) for line in row["lines"]),
        JournalType[row["type"]],
        row["reference"],
        post=row.get("post", True),
    )


_SAMPLE_PARTIES = {"customer": "customer", "supplier": "supplier"}
load_rows(  # checked once here, so a broken demo never fails half-way through a seed
    "demo_books.toml [[journals]]",
    DEMO_BOOKS["journals"],
    lambda row: _journal(row, date(2000, 1, 1), _SAMPLE_PARTIES),
)


def demo_journals(today: date, customer: str, supplier: str) -> list[CreateJournal]:
    """A few weeks of a construction company's books, dated inside the current fiscal year.
    Lines on the receivable and payable accounts name `customer` and `supplier`."""
    parties = {"customer": customer, "supplier": supplier}
    return [_journal(row, today, parties) for row in DEMO_BOOKS["journals"]]


async def _demo_party(uow: UnitOfWork, command: RegisterCounterparty) -> str:
    found = await uow.counterparties.by_bin(command.bin or "")
    return found.id if found else await register_counterparty(uow, command)


async def seed_demo_journals(uow: UnitOfWork, today: date) -> int:
    customer = await _demo_party(uow, DEMO_CUSTOMER)
    supplier = await _demo_party(uow, DEMO_SUPPLIER)
    journals = demo_journals(today, customer, supplier)
    for command in journals:
        await create_journal(uow, command)
    return len(journals)
