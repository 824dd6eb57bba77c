"""`seed` gives a tenant the posting profile (and the demo tenant invoices and payments);
`verify` and `projections rebuild` cover the invoice read models too."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from tests.system.server import cli
from vextrus_finance.infrastructure.db.database import async_url


async def _query(database_url: str, statement: str) -> list[tuple[object, ...]]:
    engine = create_async_engine(async_url(database_url))
    try:
        async with engine.begin() as conn:
            result = await conn.execute(sa.text(statement))
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        await engine.dispose()


async def test_seed_tenant_gives_the_default_posting_profile(database_url: str) -> None:
    cli("seed", "--tenant", "acme", database_url=database_url)
    rows = await _query(
        database_url,
        "SELECT p.role, a.code FROM posting_profile_accounts p JOIN accounts a "
        "ON a.tenant_id = p.tenant_id AND a.id = p.account_id WHERE p.tenant_id = 'acme'",
    )
    profile = dict(rows)
    assert len(profile) == 14
    assert profile["accounts_receivable"] == "1200"
    assert profile["vat_output"] == "2200"
    assert profile["bank"] == "1120-01"
    cli("seed", "--tenant", "acme", database_url=database_url)  # idempotent
    again = await _query(
        database_url, "SELECT count(*) FROM posting_profile_accounts WHERE tenant_id = 'acme'"
    )
    assert again == [(14,)]


async def test_demo_invoices_verify_tamper_rebuild(database_url: str) -> None:
    cli("seed", database_url=database_url)
    invoices = await _query(
        database_url,
        "SELECT kind, status, mushak_number FROM invoices WHERE tenant_id = 'demo' ORDER BY number",
    )
    assert sorted(status for _, status, _ in invoices) == [
        "PAID",
        "PARTIALLY_PAID",
        "PARTIALLY_PAID",
    ]
    assert sum(1 for kind, _, serial in invoices if kind == "SALES" and serial) == 2
    payments = await _query(database_url, "SELECT status FROM payments WHERE tenant_id = 'demo'")
    assert payments == [("COMPLETED",)] * 3
    company = await _query(database_url, "SELECT bin FROM company_profiles")
    assert company == [("0012345670101",)]
    assert cli("verify", database_url=database_url).returncode == 0

    await _query(database_url, "UPDATE invoices SET paid_amount = paid_amount + 1")
    failed = cli("verify", database_url=database_url, check=False)
    assert failed.returncode == 1
    assert "invoices" in failed.stderr
    cli("projections", "rebuild", database_url=database_url)
    assert cli("verify", database_url=database_url).returncode == 0
