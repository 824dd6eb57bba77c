from __future__ import annotations

from pydantic import Field

from vextrus_finance.api.schemas.common import Body, View

_CODE = Field(default=None, max_length=64, description="account code (or id)")


class PostingProfileIn(Body):
    """Account codes (or ids) per role; roles left out keep their current account."""

    accounts_receivable: str | None = _CODE
    ait_receivable: str | None = _CODE
    sales_revenue: str | None = _CODE
    vat_output: str | None = _CODE
    sd_payable: str | None = _CODE
    accounts_payable: str | None = _CODE
    vat_input: str | None = _CODE
    purchases: str | None = _CODE
    ait_payable: str | None = _CODE
    customer_advances: str | None = _CODE
    supplier_advances: str | None = _CODE
    cash: str | None = _CODE
    bank: str | None = _CODE
    mobile_wallet: str | None = _CODE


class ProfileAccountOut(View):
    role: str
    account_id: str
    code: str
    name: str
    type: str


class PostingProfileOut(View):
    accounts: list[ProfileAccountOut]
    is_default: bool
    version: int


class CompanyProfileIn(Body):
    name: str = Field(max_length=255)
    address: str | None = Field(default=None, max_length=500)
    bin: str | None = Field(default=None, max_length=32)
    tin: str | None = Field(default=None, max_length=32)
    phone: str | None = Field(default=None, max_length=32)


class CompanyProfileOut(View):
    name: str
    address: str | None
    bin: str | None
    tin: str | None
    phone: str | None
    version: int
