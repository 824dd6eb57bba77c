"""/metrics: names, labels (templates, never ids or tenants) and the values the hooks record,
read back through the exposition format on both databases."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from dataclasses import dataclass
from datetime import date

import httpx
import sqlalchemy as sa
from prometheus_client import REGISTRY

from tests.api.helpers import API, cr, create_accounts, dr, post_journal
from tests.conftest import make_settings
from tests.integration.helpers import STANDARD, journal, open_accounts, run
from tests.metrics_helpers import parse, scrape, value
from vextrus_finance.api.app import create_app
from vextrus_finance.application.ledger.journals import ReviseJournal, revise_journal
from vextrus_finance.bootstrap import Container, bootstrap
from vextrus_finance.domain.errors import ConcurrencyConflict
from vextrus_finance.infrastructure.db.schema import accounts
from vextrus_finance.observability import metrics

CHART = (("1000", "Cash", "ASSET"), ("4000", "Revenue", "REVENUE"))
JOURNAL_ROUTE = "/api/v1/journals/{journal_id}"


async def test_routes_are_templates_and_no_tenant_or_id_becomes_a_label(client, auth):
    before = await scrape(client)
    journal_id = str(uuid.uuid4())
    missing = await client.get(f"{API}/journals/{journal_id}", headers=auth("tenant-xyz"))
    assert missing.status_code == 404
    assert (await client.get("/no/such/path")).status_code == 404
    assert (await client.request("BREW", f"{API}/accounts")).status_code in (401, 405)

    response = await client.get("/metrics")
    after = parse(response.text)
    assert journal_id not in response.text
    assert "tenant-xyz" not in response.text
    get_404 = {"method": "GET", "route": JOURNAL_ROUTE, "code": "404"}
    assert value(after, "http_requests_total", **get_404) == (
        value(before, "http_requests_total", **get_404) + 1
    )
    unmatched = {"method": "GET", "route": metrics.UNMATCHED_ROUTE, "code": "404"}
    assert value(after, "http_requests_total", **unmatched) >= 1
    methods = {
        dict(labels).get("method") for name, labels in after if name == "http_requests_total"
    }
    assert "BREW" not in methods  # an invented method is folded into OTHER
    assert "OTHER" in methods
    # The histogram resolves 5 ms to 5 s.
    buckets = {
        dict(labels)["le"]
        for name, labels in after
        if name == "http_request_duration_seconds_bucket"
    }
    assert {"0.005", "0.5", "5.0", "+Inf"} <= buckets
    # /metrics does not count its own scrapes.
    assert not any(dict(labels).get("route") == "/metrics" for _, labels in after)


async def test_posting_is_counted_and_the_trial_balance_variance_is_zero(client, auth, container):
    h = auth()
    chart = await create_accounts(client, h, *CHART)
    before = await scrape(client)
    posted = await post_journal(
        client, h, "2025-08-01", [dr(chart["1000"], "125.50"), cr(chart["4000"], "125.50")]
    )
    assert (await client.get(f"{API}/journals/{posted['id']}", headers=h)).status_code == 200
    after = await scrape(client)

    assert value(after, "finance_journals_posted_total") == (
        value(before, "finance_journals_posted_total") + 1
    )
    posted_events = {"event_type": "JournalPosted"}
    assert value(after, "eventstore_events_appended_total", **posted_events) == (
        value(before, "eventstore_events_appended_total", **posted_events) + 1
    )
    assert value(after, "eventstore_append_duration_seconds_count") > value(
        before, "eventstore_append_duration_seconds_count"
    )
    assert value(after, "finance_trial_balance_variance") == 0
    ok = {"method": "GET", "route": JOURNAL_ROUTE, "code": "200"}
    assert (
        value(after, "http_requests_total", **ok) == value(before, "http_requests_total", **ok) + 1
    )

    # A defect in the read model shows as a variance, in taka.
    async with container.db.write() as conn:
        await conn.execute(
            sa.update(accounts)
            .where(accounts.c.tenant_id == "t1", accounts.c.code == "4000")
            .values(credit_total=accounts.c.credit_total + 7)
        )
    assert value(await scrape(client), "finance_trial_balance_variance") == 0.07


async def test_build_info_and_snapshots(database_url: str, auth) -> None:
    settings = make_settings(
        database_url, deployment_version="2.3.4", deployment_track="canary", snapshot_frequency=1
    )
    container = bootstrap(settings)
    app = create_app(container=container)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c,
        ):
            before = await scrape(c)
            await create_accounts(c, auth(), *CHART)
            after = await scrape(c)
    finally:
        await container.close()
    assert value(after, "finance_build_info", version="2.3.4", track="canary") == 1
    assert not [
        k for k in after if k[0] == "finance_build_info" and dict(k[1])["track"] != "canary"
    ]
    # Every commit crosses a multiple of 1: each new account stream was snapshotted.
    assert value(after, "eventstore_snapshots_total") >= value(
        before, "eventstore_snapshots_total"
    ) + len(CHART)
    assert value(after, "eventstore_snapshot_duration_seconds_count") > value(
        before, "eventstore_snapshot_duration_seconds_count"
    )
    assert value(after, "eventstore_snapshot_errors_total") == value(
        before, "eventstore_snapshot_errors_total"
    )


async def test_conflicts_are_counted_as_the_runner_sees_them(container: Container) -> None:
    await open_accounts(container, "t1", STANDARD)
    draft = await journal(
        container, "t1", date(2025, 8, 1), ("1000", "5.00", "0"), ("4000", "0", "5.00"), post=False
    )
    counted = _conflicts()
    seen = container.runner.stats.conflicts

    async def edit(i: int) -> None:
        command = ReviseJournal(draft, description=f"edit {i}")
        with contextlib.suppress(ConcurrencyConflict):
            await run(container, "t1", lambda uow: revise_journal(uow, command))

    await asyncio.gather(*(edit(i) for i in range(12)))
    conflicts = container.runner.stats.conflicts - seen
    assert _conflicts() - counted == conflicts
    if not container.db.is_sqlite:
        assert conflicts > 0  # on PostgreSQL the race really happens


@dataclass(frozen=True)
class InvoiceApproved:
    invoice_id: str


@dataclass(frozen=True)
class InvoicePaymentRecorded:
    invoice_id: str
    status: str


@dataclass(frozen=True)
class PaymentCompleted:
    payment_id: str


def test_invoice_and_payment_events_are_counted_by_state() -> None:
    """Invoices and payments land on another branch; any Invoice*/Payment* event committed is
    counted under the state its verb (or its `status`) names."""
    states = {
        ("finance_invoices_total", "approved"),
        ("finance_invoices_total", "partially_paid"),
        ("finance_payments_total", "completed"),
    }
    before = parse(metrics.exposition()[0].decode())
    metrics.events_committed(
        [
            InvoiceApproved("i1"),
            InvoicePaymentRecorded("i1", "PARTIALLY_PAID"),
            PaymentCompleted("p"),
        ]
    )
    after = parse(metrics.exposition()[0].decode())
    for name, state in states:
        assert value(after, name, state=state) == value(before, name, state=state) + 1
    for event_type in ("InvoiceApproved", "PaymentCompleted"):
        assert value(after, "eventstore_events_appended_total", event_type=event_type) == (
            value(before, "eventstore_events_appended_total", event_type=event_type) + 1
        )
    # Every state of the spec is exported before its first event, so dashboards see zeros.
    for state in metrics.INVOICE_STATES:
        assert ("finance_invoices_total", frozenset({("state", state)})) in after


def _conflicts() -> float:
    return REGISTRY.get_sample_value("eventstore_concurrency_conflicts_total") or 0.0
