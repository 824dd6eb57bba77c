"""Who may do what: the role map and the one table that gives every route its permission.
A route missing from the table is refused (deny by default)."""

from __future__ import annotations

from collections.abc import Iterable

ACTIONS = {
    "account": ("create", "read", "update", "deactivate"),
    "journal": ("create", "read", "update", "post", "reverse", "cancel"),
    "period": ("read", "close", "reopen"),
    "report": ("read", "export"),
    "invoice": ("create", "read", "update", "approve", "cancel"),
    "payment": ("create", "read", "process", "reconcile", "refund"),
    "counterparty": ("create", "read", "update"),
}
ALL_PERMISSIONS = frozenset(f"{r}:{a}" for r, actions in ACTIONS.items() for a in actions)


def _all(resource: str) -> set[str]:
    return {f"{resource}:{a}" for a in ACTIONS[resource]}


def _read(*resources: str) -> set[str]:
    return {f"{r}:read" for r in resources}


# The upstream map, with its gaps fixed: every permission a route needs is granted to some
# role; period close/reopen is for finance managers and admins only; auditors read all.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": ALL_PERMISSIONS,
    "finance_manager": frozenset(
        _all("journal")
        | _all("account")
        | _all("period")
        | _all("report")
        | _all("invoice")
        | _all("payment")
        | _all("counterparty")
    ),
    "accountant": frozenset(
        {"invoice:create", "invoice:read", "invoice:update", "payment:create", "payment:read"}
        | {"journal:create", "journal:read", "journal:update", "journal:cancel"}
        | _read("account", "period", "report")
        | _all("counterparty")
    ),
    "accounts_payable": frozenset(
        {"invoice:create", "invoice:read", "payment:create", "payment:read"}
        | _read("account", "report")
        | _all("counterparty")
    ),
    "accounts_receivable": frozenset(
        {"invoice:create", "invoice:read", "invoice:update", "payment:read"}
        | _read("account", "report")
        | _all("counterparty")
    ),
    "auditor": frozenset(
        _read("account", "journal", "period", "invoice", "payment", "counterparty")
        | {"report:read", "report:export"}
    ),
    "user": frozenset({"invoice:read", "report:read"}),
}

API = "/api/v1"
ROUTE_PERMISSIONS: dict[tuple[str, str], str] = {
    ("POST", f"{API}/accounts"): "account:create",
    ("GET", f"{API}/accounts"): "account:read",
    ("GET", f"{API}/accounts/by-code/{{code}}"): "account:read",
    ("GET", f"{API}/accounts/{{account_id}}"): "account:read",
    ("PATCH", f"{API}/accounts/{{account_id}}"): "account:update",
    ("POST", f"{API}/accounts/{{account_id}}/deactivate"): "account:deactivate",
    ("GET", f"{API}/accounts/{{account_id}}/ledger"): "account:read",
    ("GET", f"{API}/accounts/by-code/{{code}}/ledger"): "account:read",
    ("GET", f"{API}/journals/by-number/{{number}}"): "journal:read",
    ("GET", f"{API}/invoices/by-number/{{number}}"): "invoice:read",
    ("GET", f"{API}/payments/by-number/{{number}}"): "payment:read",
    ("POST", f"{API}/journals"): "journal:create",
    ("POST", f"{API}/journals/batch"): "journal:create",
    ("GET", f"{API}/journals"): "journal:read",
    ("GET", f"{API}/journals/{{journal_id}}"): "journal:read",
    ("PATCH", f"{API}/journals/{{journal_id}}"): "journal:update",
    ("POST", f"{API}/journals/{{journal_id}}/post"): "journal:post",
    ("POST", f"{API}/journals/{{journal_id}}/reverse"): "journal:reverse",
    ("POST", f"{API}/journals/{{journal_id}}/cancel"): "journal:cancel",
    ("GET", f"{API}/fiscal-periods"): "period:read",
    ("POST", f"{API}/fiscal-periods/{{code}}/close"): "period:close",
    ("POST", f"{API}/fiscal-periods/{{code}}/reopen"): "period:reopen",
    ("GET", f"{API}/fiscal-years"): "period:read",
    ("POST", f"{API}/fiscal-years/{{code}}/close"): "period:close",
    ("POST", f"{API}/fiscal-years/{{code}}/reopen"): "period:reopen",
    ("GET", f"{API}/reports/trial-balance"): "report:read",
    ("GET", f"{API}/reports/profit-and-loss"): "report:read",
    ("GET", f"{API}/reports/balance-sheet"): "report:read",
    ("GET", f"{API}/reports/cash-flow"): "report:read",
    ("POST", f"{API}/invoices"): "invoice:create",
    ("GET", f"{API}/invoices"): "invoice:read",
    ("GET", f"{API}/invoices/{{invoice_id}}"): "invoice:read",
    ("PATCH", f"{API}/invoices/{{invoice_id}}"): "invoice:update",
    ("POST", f"{API}/invoices/{{invoice_id}}/approve"): "invoice:approve",
    ("POST", f"{API}/invoices/{{invoice_id}}/cancel"): "invoice:cancel",
    ("GET", f"{API}/invoices/{{invoice_id}}/mushak-6.3"): "invoice:read",
    ("POST", f"{API}/payments"): "payment:create",
    ("GET", f"{API}/payments"): "payment:read",
    ("GET", f"{API}/payments/{{payment_id}}"): "payment:read",
    ("POST", f"{API}/payments/{{payment_id}}/complete"): "payment:process",
    ("POST", f"{API}/payments/{{payment_id}}/fail"): "payment:process",
    ("POST", f"{API}/payments/{{payment_id}}/reconcile"): "payment:reconcile",
    ("POST", f"{API}/payments/{{payment_id}}/reverse"): "payment:refund",
    ("GET", f"{API}/posting-profile"): "account:read",
    ("PUT", f"{API}/posting-profile"): "account:update",
    ("GET", f"{API}/company-profile"): "account:read",
    ("PUT", f"{API}/company-profile"): "account:update",
    ("GET", f"{API}/reports/aging"): "report:read",
    ("POST", f"{API}/counterparties"): "counterparty:create",
    ("GET", f"{API}/counterparties"): "counterparty:read",
    ("GET", f"{API}/counterparties/{{counterparty_id}}"): "counterparty:read",
    ("PATCH", f"{API}/counterparties/{{counterparty_id}}"): "counterparty:update",
    ("GET", f"{API}/counterparties/{{counterparty_id}}/statement"): "counterparty:read",
}


def granted(roles: Iterable[str], permissions: Iterable[str]) -> frozenset[str]:
    """A principal's permissions: those of its roles plus any given to it directly."""
    result: set[str] = set(permissions)
    for role in roles:
        result |= ROLE_PERMISSIONS.get(role.lower(), frozenset())
    return frozenset(result)
