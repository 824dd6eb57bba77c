"""Words shared by every exported report (the header block, totals, account types)."""

from __future__ import annotations

from vextrus_finance.documents.reports.model import Label

COMPANY = Label("Company", "প্রতিষ্ঠান")
BIN = Label("BIN", "বিআইএন")
GENERATED_AT = Label("Generated at", "প্রস্তুতের সময়")
AS_OF = Label("As of", "যে তারিখ পর্যন্ত")
FROM = Label("From", "হতে")
TO = Label("To", "পর্যন্ত")
PERIOD = Label("Period", "সময়কাল")
FISCAL_YEAR = Label("Fiscal year", "অর্থবছর")
CURRENCY = Label("Currency", "মুদ্রা")
AMOUNTS_IN = Label("Amounts in Taka", "সকল অংক টাকায়")
TOTAL = Label("Total", "মোট")
NOT_SET = Label("not set", "নির্ধারিত নয়")

# Account types as printed; the key is the API's value.
ACCOUNT_TYPES: dict[str, Label] = {
    "ASSET": Label("Asset", "সম্পদ"),
    "LIABILITY": Label("Liability", "দায়"),
    "EQUITY": Label("Equity", "মালিকানা স্বত্ব"),
    "REVENUE": Label("Revenue", "আয়"),
    "EXPENSE": Label("Expense", "ব্যয়"),
}


def account_type(value: str) -> Label:
    return ACCOUNT_TYPES.get(value, Label(value, value))
