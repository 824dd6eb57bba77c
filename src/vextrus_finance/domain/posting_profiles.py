"""Which ledger accounts invoices and payments post to (the tenant's posting profile), and who
the tenant is on a tax invoice (its company profile). One stream of each per tenant."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from vextrus_finance.domain.accounts import AccountType
from vextrus_finance.domain.aggregate import Aggregate
from vextrus_finance.domain.errors import FieldIssue, InvalidInput
from vextrus_finance.domain.events import DomainEvent, field_values, register
from vextrus_finance.domain.tax_ids import validate_bin, validate_tin

POSTING_PROFILE_STREAM = "posting-profile"
COMPANY_PROFILE_STREAM = "company-profile"
NAME_MAX, ADDRESS_MAX, PHONE_MAX = 255, 500, 32


class PostingRole(StrEnum):
    ACCOUNTS_RECEIVABLE = "accounts_receivable"
    AIT_RECEIVABLE = "ait_receivable"
    SALES_REVENUE = "sales_revenue"
    VAT_OUTPUT = "vat_output"
    SD_PAYABLE = "sd_payable"
    ACCOUNTS_PAYABLE = "accounts_payable"
    VAT_INPUT = "vat_input"
    PURCHASES = "purchases"
    AIT_PAYABLE = "ait_payable"
    CUSTOMER_ADVANCES = "customer_advances"
    SUPPLIER_ADVANCES = "supplier_advances"
    CASH = "cash"
    BANK = "bank"
    MOBILE_WALLET = "mobile_wallet"

    @property
    def allowed_types(self) -> tuple[AccountType, ...]:
        return _TYPES[self]

    @property
    def default_code(self) -> str:
        """The account of the standard chart (`application/seed.py`) this role defaults to."""
        return _DEFAULT_CODES[self]


A, L, R, X = AccountType.ASSET, AccountType.LIABILITY, AccountType.REVENUE, AccountType.EXPENSE
_TYPES: dict[PostingRole, tuple[AccountType, ...]] = {
    PostingRole.ACCOUNTS_RECEIVABLE: (A,),
    PostingRole.AIT_RECEIVABLE: (A,),
    PostingRole.SALES_REVENUE: (R,),
    PostingRole.VAT_OUTPUT: (L,),
    PostingRole.SD_PAYABLE: (L,),
    PostingRole.ACCOUNTS_PAYABLE: (L,),
    PostingRole.VAT_INPUT: (A,),
    # Purchases are costs, or inventory / work in progress until used.
    PostingRole.PURCHASES: (X, A),
    PostingRole.AIT_PAYABLE: (L,),
    PostingRole.CUSTOMER_ADVANCES: (L,),
    PostingRole.SUPPLIER_ADVANCES: (A,),
    PostingRole.CASH: (A,),
    PostingRole.BANK: (A,),
    PostingRole.MOBILE_WALLET: (A,),
}
_DEFAULT_CODES: dict[PostingRole, str] = {
    PostingRole.ACCOUNTS_RECEIVABLE: "1200",
    PostingRole.AIT_RECEIVABLE: "1310",
    PostingRole.SALES_REVENUE: "4100",
    PostingRole.VAT_OUTPUT: "2200",
    PostingRole.SD_PAYABLE: "2210",
    PostingRole.ACCOUNTS_PAYABLE: "2100",
    PostingRole.VAT_INPUT: "1300",
    PostingRole.PURCHASES: "5100",
    PostingRole.AIT_PAYABLE: "2220",
    PostingRole.CUSTOMER_ADVANCES: "2300",
    PostingRole.SUPPLIER_ADVANCES: "1220",
    PostingRole.CASH: "1100",
    PostingRole.BANK: "1120-01",
    PostingRole.MOBILE_WALLET: "1130-01",
}


@dataclass(frozen=True)
class ProfileAccount:
    id: str
    code: str


@dataclass(frozen=True)
class PostingProfileState:
    accounts: dict[PostingRole, ProfileAccount]


@register
@dataclass(frozen=True)
class PostingProfileSet(DomainEvent):
    """The whole profile after the change: replay needs no merging."""

    accounts: dict[PostingRole, ProfileAccount]


class PostingProfile(Aggregate[PostingProfileState]):
    STREAM_TYPE = "posting_profile"
    STATE_TYPE = PostingProfileState

    def set(self, accounts: dict[PostingRole, ProfileAccount]) -> None:
        missing = [role for role in PostingRole if role not in accounts]
        if missing:
            raise InvalidInput(
                "the profile must name an account for every role",
                issues=tuple(FieldIssue(r.value, "must be given", "required") for r in missing),
            )
        if self.exists and self.state.accounts == accounts:
            return  # nothing changed: no event
        self._emit(PostingProfileSet(accounts=dict(accounts)))

    def _apply(self, event: DomainEvent) -> PostingProfileState:
        if isinstance(event, PostingProfileSet):
            return PostingProfileState(accounts=dict(event.accounts))
        raise TypeError(f"PostingProfile cannot apply {type(event).__name__}")


@dataclass(frozen=True)
class CompanyProfileState:
    name: str
    address: str | None
    bin: str | None
    tin: str | None
    phone: str | None


@register
@dataclass(frozen=True)
class CompanyProfileSet(DomainEvent, CompanyProfileState):
    pass  # the whole profile as set, so replay needs no merging


def build_company(
    name: str, address: str | None, bin: str | None, tin: str | None, phone: str | None
) -> CompanyProfileState:
    issues: list[FieldIssue] = []

    def text(value: str | None, field: str, maximum: int, required: bool = False) -> str | None:
        value = (value or "").strip() or None
        if value is None and required:
            issues.append(FieldIssue(field, "must not be empty", "required"))
        elif value is not None and len(value) > maximum:
            issues.append(FieldIssue(field, f"must be at most {maximum} characters", "too_long"))
        return value

    clean_name = text(name, "name", NAME_MAX, required=True)
    clean_address = text(address, "address", ADDRESS_MAX)
    clean_phone = text(phone, "phone", PHONE_MAX)
    clean_bin = clean_tin = None
    try:
        clean_bin = validate_bin(bin) if bin and bin.strip() else None
    except InvalidInput as error:
        issues.extend(error.issues)
    try:
        clean_tin = validate_tin(tin) if tin and tin.strip() else None
    except InvalidInput as error:
        issues.extend(error.issues)
    if issues:
        raise InvalidInput.from_issues(issues)
    return CompanyProfileState(clean_name or "", clean_address, clean_bin, clean_tin, clean_phone)


class CompanyProfile(Aggregate[CompanyProfileState]):
    STREAM_TYPE = "company_profile"
    STATE_TYPE = CompanyProfileState

    def set(self, company: CompanyProfileState) -> None:
        if self.exists and self.state == company:
            return
        self._emit(CompanyProfileSet(**field_values(company)))

    def _apply(self, event: DomainEvent) -> CompanyProfileState:
        if isinstance(event, CompanyProfileSet):
            return CompanyProfileState(**field_values(event))
        raise TypeError(f"CompanyProfile cannot apply {type(event).__name__}")
