"""The tenant's control accounts of a kind (ADR 0037, amended): the one definition the aging's
tie-out, the statement of account, `verify`'s findings and the chart's counterparty check use.

A control account of a kind is the stored posting profile's role account for that kind
(ACCOUNTS_RECEIVABLE for SALES, ACCOUNTS_PAYABLE for PURCHASE) or an account whose code some
invoice of that kind names as its `control_account_code` (ADR 0035)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from vextrus_finance.application.invoicing.aging import CONTROL_ROLE
from vextrus_finance.domain.invoices import InvoiceKind
from vextrus_finance.infrastructure.db.schema import accounts, invoices, posting_profile_accounts

ALL_KINDS: tuple[InvoiceKind, ...] = tuple(InvoiceKind)


def _constants(values: list[str]) -> sa.BindParameter[list[str]]:
    """Rendered into the SQL text, so statements built on the condition take no parameters
    for it (the account lock runs on the bare driver)."""
    return sa.bindparam(None, values, expanding=True, literal_execute=True)


def is_control_account(
    account: sa.FromClause, kinds: Iterable[InvoiceKind] = ALL_KINDS
) -> sa.ColumnElement[bool]:
    """Whether the row of `account` (the `accounts` table or an alias of it, correlated) is a
    control account of one of `kinds`: one primary-key probe of `posting_profile_accounts`
    per role, or one probe of `ix_invoices_tenant_control_account` (tenant, code)."""
    wanted = sorted(set(kinds))
    ppa, i = posting_profile_accounts, invoices
    by_profile = sa.exists().where(
        ppa.c.tenant_id == account.c.tenant_id,
        ppa.c.role.in_(_constants([CONTROL_ROLE[k].value for k in wanted])),
        ppa.c.account_id == account.c.id,
    )
    named = [i.c.tenant_id == account.c.tenant_id, i.c.control_account_code == account.c.code]
    if wanted != sorted(ALL_KINDS):  # every invoice is of some kind: no filter, index only
        named.append(i.c.kind.in_(_constants([k.value for k in wanted])))
    return sa.or_(by_profile, sa.exists().where(*named))


def control_accounts(
    tenant_id: str | sa.ColumnElement[str], kinds: Iterable[InvoiceKind] = ALL_KINDS
) -> sa.Select[Any]:
    """The tenant's control accounts of `kinds` as (id, code), by code."""
    return (
        sa.select(accounts.c.id, accounts.c.code)
        .where(accounts.c.tenant_id == tenant_id, is_control_account(accounts, kinds))
        .order_by(accounts.c.code)
    )
