"""The standard chart of accounts for a Bangladeshi construction / real-estate company, and
demo journals that make a fresh install look like a working ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

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

A, L, E, R, X = (
    AccountType.ASSET,
    AccountType.LIABILITY,
    AccountType.EQUITY,
    AccountType.REVENUE,
    AccountType.EXPENSE,
)
NON_NEGATIVE = BalanceLimit.NON_NEGATIVE


@dataclass(frozen=True)
class ChartEntry:
    code: str
    name: str
    type: AccountType
    parent: str | None = None
    limit: BalanceLimit | None = None


# Parents come before their children.
STANDARD_CHART: tuple[ChartEntry, ...] = (
    ChartEntry("1000", "Current Assets", A),
    ChartEntry("1100", "Cash in Hand", A, "1000", NON_NEGATIVE),
    ChartEntry("1110", "Petty Cash - Project Sites", A, "1000", NON_NEGATIVE),
    ChartEntry("1120", "Bank Accounts", A, "1000"),
    ChartEntry("1120-01", "Sonali Bank - Current Account", A, "1120"),
    ChartEntry("1120-02", "BRAC Bank - Current Account", A, "1120"),
    ChartEntry("1120-03", "Dutch-Bangla Bank - Escrow for Flat Bookings", A, "1120"),
    ChartEntry("1130", "Mobile Financial Services", A, "1000"),
    ChartEntry("1130-01", "bKash Merchant Wallet", A, "1130", NON_NEGATIVE),
    ChartEntry("1130-02", "Nagad Merchant Wallet", A, "1130", NON_NEGATIVE),
    ChartEntry("1200", "Accounts Receivable - Trade", A, "1000"),
    ChartEntry("1210", "Retention Money Receivable", A, "1000"),
    ChartEntry("1220", "Advances to Suppliers and Subcontractors", A, "1000"),
    ChartEntry("1230", "Security Deposits and Earnest Money", A, "1000"),
    ChartEntry("1300", "VAT Input Tax Credit", A, "1000"),
    ChartEntry("1310", "Advance Income Tax (AIT) Receivable", A, "1000"),
    ChartEntry("1400", "Construction Materials Inventory", A, "1000"),
    ChartEntry("1410", "Work in Progress - Construction Projects", A, "1000"),
    ChartEntry("1420", "Real Estate Inventory - Flats and Plots", A, "1000"),
    ChartEntry("1430", "Land Held for Development", A, "1000"),
    ChartEntry("1500", "Non-Current Assets", A),
    ChartEntry("1510", "Land", A, "1500"),
    ChartEntry("1520", "Buildings", A, "1500"),
    ChartEntry("1530", "Construction Equipment and Machinery", A, "1500"),
    ChartEntry("1540", "Vehicles", A, "1500"),
    ChartEntry("1550", "Office Equipment and Furniture", A, "1500"),
    ChartEntry("1590", "Accumulated Depreciation", A, "1500"),
    ChartEntry("2000", "Current Liabilities", L),
    ChartEntry("2100", "Accounts Payable - Suppliers", L, "2000"),
    ChartEntry("2110", "Accounts Payable - Subcontractors", L, "2000"),
    ChartEntry("2120", "Retention Money Payable", L, "2000"),
    ChartEntry("2200", "VAT Payable (Output VAT)", L, "2000"),
    ChartEntry("2210", "Supplementary Duty Payable", L, "2000"),
    ChartEntry("2220", "AIT/TDS Payable (Withholding Tax)", L, "2000"),
    ChartEntry("2230", "VDS Payable (VAT Deducted at Source)", L, "2000"),
    ChartEntry("2300", "Customer Advances - Flat and Plot Bookings", L, "2000"),
    ChartEntry("2310", "Accrued Expenses", L, "2000"),
    ChartEntry("2320", "Salaries and Wages Payable", L, "2000"),
    ChartEntry("2400", "Short-Term Bank Loan", L, "2000"),
    ChartEntry("2500", "Non-Current Liabilities", L),
    ChartEntry("2510", "Long-Term Project Finance Loan", L, "2500"),
    ChartEntry("3000", "Equity", E),
    ChartEntry("3100", "Share Capital", E, "3000"),
    ChartEntry("3200", "Retained Earnings", E, "3000"),
    ChartEntry("3900", "Opening Balance Equity", E, "3000"),
    ChartEntry("4000", "Revenue", R),
    ChartEntry("4100", "Construction Contract Revenue", R, "4000"),
    ChartEntry("4200", "Sales of Flats and Apartments", R, "4000"),
    ChartEntry("4210", "Sales of Plots and Land", R, "4000"),
    ChartEntry("4300", "Rental Income", R, "4000"),
    ChartEntry("4900", "Other Income", R, "4000"),
    ChartEntry("5000", "Cost of Construction", X),
    ChartEntry("5100", "Construction Materials (Cement, Rod, Brick, Sand)", X, "5000"),
    ChartEntry("5110", "Subcontractor Costs", X, "5000"),
    ChartEntry("5120", "Direct Labour - Site Wages", X, "5000"),
    ChartEntry("5130", "Equipment Hire", X, "5000"),
    ChartEntry("5140", "Site Overheads", X, "5000"),
    ChartEntry("6000", "Operating Expenses", X),
    ChartEntry("6100", "Salaries and Allowances", X, "6000"),
    ChartEntry("6110", "Office Rent", X, "6000"),
    ChartEntry("6120", "Utilities (Electricity, Gas, Water)", X, "6000"),
    ChartEntry("6130", "Depreciation Expense", X, "6000"),
    ChartEntry("6140", "Bank Charges and MFS Fees", X, "6000"),
    ChartEntry("6150", "Professional and Legal Fees", X, "6000"),
    ChartEntry("6160", "Marketing and Sales Expenses", X, "6000"),
    ChartEntry("6200", "Interest Expense", X, "6000"),
    ChartEntry("6300", "Income Tax Expense", X, "6000"),
)


# The standard chart's cash-flow classes (ADR 0047): cash in hand, petty cash, bank and MFS
# wallets are CASH; non-current assets (land, buildings, equipment, vehicles and their
# depreciation) INVESTING; bank loans and equity FINANCING; every other account OPERATING
# (revenue and expense accounts' classes are not read: profit enters through net profit).
_CASH_CODES = ("1100", "1110", "1120", "1130")
_INVESTING_CODES = ("15",)  # 1500 Non-Current Assets and its children
_FINANCING_CODES = ("2400", "25", "3")  # short-term loan, non-current liabilities, equity


def standard_cash_flow_class(code: str) -> CashFlowClass:
    """The class of a standard-chart account, by its code (children follow their parent)."""
    if code.startswith(_CASH_CODES):
        return CashFlowClass.CASH
    if code.startswith(_INVESTING_CODES):
        return CashFlowClass.INVESTING
    if code.startswith(_FINANCING_CODES):
        return CashFlowClass.FINANCING
    return CashFlowClass.OPERATING


async def seed_chart(uow: UnitOfWork) -> int:
    """Open every standard account the tenant does not have yet; return how many were opened."""
    existing = await uow.accounts.by_codes({entry.code for entry in STANDARD_CHART})
    ids = {code: record.id for code, record in existing.items()}
    opened = 0
    for entry in STANDARD_CHART:
        if entry.code in ids:
            continue
        command = OpenAccount(
            code=entry.code,
            name=entry.name,
            type=entry.type,
            parent_id=ids.get(entry.parent) if entry.parent else None,
            balance_limit=entry.limit,
            cash_flow_class=standard_cash_flow_class(entry.code),
        )
        ids[entry.code] = await open_account(uow, command)
        opened += 1
    return opened


# The demo's customer and supplier, by BIN: the demo invoices name the same BINs inline, so
# they land on these records and the demo aging ties to 1200 and 2100.
DEMO_CUSTOMER = RegisterCounterparty(
    CounterpartyKind.CUSTOMER,
    "Gulshan Heights Owners' Association",
    bin="0009876540101",
    address="Plot 5, Gulshan Avenue, Dhaka",
)
DEMO_SUPPLIER = RegisterCounterparty(
    CounterpartyKind.SUPPLIER, "Meghna Cement Mills", bin="0001112220101"
)

Party = Literal["customer", "supplier"]


@dataclass(frozen=True)
class _DemoLine:
    code: str
    debit: str
    credit: str
    party: Party | None


def _dr(code: str, amount: str, party: Party | None = None) -> _DemoLine:
    return _DemoLine(code, amount, "0", party)


def _cr(code: str, amount: str, party: Party | None = None) -> _DemoLine:
    return _DemoLine(code, "0", amount, party)


@dataclass(frozen=True)
class _DemoJournal:
    day: int
    type: JournalType
    reference: str
    description: str
    lines: tuple[_DemoLine, ...]
    post: bool = True


GJ, CR, CP, OJ = (
    JournalType.GENERAL,
    JournalType.CASH_RECEIPT,
    JournalType.CASH_PAYMENT,
    JournalType.OPENING,
)

# A table, not code: each row is a journal on a day of the fiscal year, its lines debits (_dr)
# and credits (_cr) on account codes, receivable and payable lines naming the demo party.
DEMO_JOURNALS: tuple[_DemoJournal, ...] = (
    _DemoJournal(0, OJ, "BOARD-RES-01", "Paid-up share capital deposited", (
        _dr("1120-01", "5000000.00"), _cr("3100", "5000000.00"))),
    _DemoJournal(3, GJ, "GRN-0001",
        "Cement and MS rod for Bashundhara tower, Mushak-6.3 received", (
        _dr("5100", "850000.00"), _dr("1300", "127500.00"),
        _cr("2100", "977500.00", "supplier"))),
    _DemoJournal(10, GJ, "BILL-0001", "Progress bill 1, Gulshan commercial project", (
        _dr("1200", "2300000.00", "customer"), _cr("4100", "2000000.00"),
        _cr("2200", "300000.00"))),
    _DemoJournal(15, CR, "CHQ-884512", "Client cheque against progress bill 1", (
        _dr("1120-02", "1150000.00"), _cr("1200", "1150000.00", "customer"))),
    _DemoJournal(18, CP, "PAY-0001", "Part payment to cement supplier", (
        _dr("2100", "500000.00", "supplier"), _cr("1120-01", "500000.00"))),
    _DemoJournal(20, GJ, "CHQ-SELF-01", "Cash withdrawn for site wages", (
        _dr("1100", "200000.00"), _cr("1120-01", "200000.00"))),
    _DemoJournal(21, CP, "WAGES-W03", "Site labour wages, week 3", (
        _dr("5120", "150000.00"), _cr("1100", "150000.00"))),
    _DemoJournal(25, CR, "BKASH-8N4K2Q", "Flat booking money received by bKash", (
        _dr("1130-01", "250000.00"), _cr("2300", "250000.00"))),
    _DemoJournal(28, GJ, "RENT-ACCRUAL", "Office rent accrual (awaiting approval)", (
        _dr("6110", "120000.00"), _cr("2310", "120000.00")), post=False),
)  # fmt: skip


def demo_journals(today: date, customer: str, supplier: str) -> list[CreateJournal]:
    """A few weeks of a construction company's books, dated inside the current fiscal year.
    Lines on the receivable and payable accounts name `customer` and `supplier`; no line is on
    a header account."""
    start = fiscal_year_of(today).start
    parties: dict[Party, str] = {"customer": customer, "supplier": supplier}

    def spec(line: _DemoLine) -> LineSpec:
        party = parties[line.party] if line.party else None
        return LineSpec(
            None, line.code, Decimal(line.debit), Decimal(line.credit), counterparty_id=party
        )

    return [
        CreateJournal(
            min(today, start + timedelta(days=row.day)),
            row.description,
            tuple(spec(line) for line in row.lines),
            row.type,
            row.reference,
            post=row.post,
        )
        for row in DEMO_JOURNALS
    ]


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
