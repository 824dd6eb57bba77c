"""Issue 16: Mushak-6.3 renders are stored, bounded, per-tenant and killable.

One tenant's large PDFs used to run on the shared thread pool without limit, starving every
other tenant and outliving their requests. Here a deliberately slow renderer (an hour for one
buyer's invoice) stands in for such a document."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from typing import Any

import httpx
import sqlalchemy as sa

from tests.api.helpers import API, problem_of, services_of
from tests.api.invoice_helpers import approved_invoice, line, seed_tenant
from tests.documents import render_jobs
from vextrus_finance.bootstrap import Container
from vextrus_finance.infrastructure.db.schema import rendered_documents
from vextrus_finance.observability import metrics

COMPANY = {"name": "Vextrus Builders Ltd.", "address": "Gulshan-1, Dhaka", "bin": "0001234560101"}


async def _issued(client: Any, container: Container, h: dict[str, str], tenant: str, buyer: str):
    await seed_tenant(container, tenant)
    response = await client.put(f"{API}/company-profile", json=COMPANY, headers=h)
    assert response.status_code == 200, response.text
    return await approved_invoice(
        client, h, [line("10", "1000")], counterparty={"name": buyer, "bin": "0098765430101"}
    )


async def _until(condition: Callable[[], bool]) -> None:
    """Wait for a request running in another task to reach a point (no time limit: the test
    run's own timeout catches a hang)."""
    while True:
        if condition():
            return
        await asyncio.sleep(0.02)


def _url(invoice: dict[str, Any]) -> str:
    return f"{API}/invoices/{invoice['id']}/mushak-6.3"


async def test_a_stored_document_is_served_without_rendering_again(client, container, auth):
    h = auth("t1", ("user",))
    invoice = await _issued(client, container, auth("t1"), "t1", "Gulshan Heights Ltd.")
    pool = services_of(client).render_pool
    served = metrics.document_served.labels("pdf", "stored")
    before = served._value.get()
    first = await client.get(_url(invoice), params={"format": "pdf"}, headers=h)
    assert first.status_code == 200, first.text
    assert pool.renders_started == 1
    again = await client.get(_url(invoice), params={"format": "pdf"}, headers=h)
    assert again.status_code == 200
    assert again.content == first.content
    assert pool.renders_started == 1  # served from the store
    assert served._value.get() == before + 1
    bengali = await client.get(_url(invoice), params={"format": "pdf", "lang": "bn"}, headers=h)
    assert bengali.status_code == 200
    assert pool.renders_started == 2  # another language is another document
    html = [(await client.get(_url(invoice), headers=h)).text for _ in range(2)]
    assert html[0] == html[1]
    async with container.db.read() as conn:
        rows = (
            await conn.execute(
                sa.select(rendered_documents).where(rendered_documents.c.tenant_id == "t1")
            )
        ).all()
    assert sorted((r.format, r.lang) for r in rows) == [
        ("html", "en"),
        ("pdf", "bn"),
        ("pdf", "en"),
    ]
    for row in rows:
        assert row.content_sha256 == hashlib.sha256(row.content).hexdigest()
        assert row.invoice_version == invoice["version"]


async def test_a_render_over_its_time_limit_is_killed_and_answered(client, container, auth):
    h = auth()
    invoice = await _issued(client, container, h, "t1", render_jobs.SLOW_BUYER)
    services_of(client).pdf_renderer = render_jobs.pdf_slow_for_one_buyer
    pool = services_of(client).render_pool
    pool.timeout_s = 1
    timed_out = metrics.document_render_duration.labels("pdf", "timeout")
    before = timed_out._sum.get()
    response = await client.get(_url(invoice), params={"format": "pdf"}, headers=h)
    assert timed_out._sum.get() > before  # the killed render is observed as a timeout
    body = problem_of(response, 503)
    assert body["code"] == "document_render_timeout"
    assert int(response.headers["Retry-After"]) >= 1
    assert pool.alive() == []  # killed, not left rendering for its hour
    assert pool.busy == 0


async def test_a_tenant_over_its_share_gets_429_while_another_tenant_is_served(
    client, container, auth
):
    hog_headers, other_headers = auth("t1", ("user",)), auth("t2", ("user",))
    slow = await _issued(client, container, auth("t1"), "t1", render_jobs.SLOW_BUYER)
    other = await _issued(client, container, auth("t2"), "t2", "Gulshan Heights Ltd.")
    services_of(client).pdf_renderer = render_jobs.pdf_slow_for_one_buyer
    pool = services_of(client).render_pool
    hog = asyncio.create_task(client.get(_url(slow), params={"format": "pdf"}, headers=hog_headers))
    await _until(lambda: pool.busy > 0)  # the hog's request has reached the pool
    rejected = metrics.document_renders_rejected.labels("tenant_busy")
    before = rejected._value.get()
    refused = await client.get(_url(slow), params={"format": "pdf"}, headers=hog_headers)
    assert rejected._value.get() == before + 1
    body = problem_of(refused, 429)
    assert body["code"] == "document_render_tenant_busy"
    assert int(refused.headers["Retry-After"]) >= 1
    served = await client.get(_url(other), params={"format": "pdf"}, headers=other_headers)
    assert served.status_code == 200, served.text
    assert served.content.startswith(b"%PDF")
    hog.cancel()
    await asyncio.gather(hog, return_exceptions=True)
    assert pool.busy == 0
    assert len(pool.alive()) == 1  # the hog's worker was killed; the other tenant's is idle


async def test_a_full_pool_answers_503_with_retry_after(client, container, auth):
    h1, h2 = auth("t1"), auth("t2")
    slow = await _issued(client, container, h1, "t1", render_jobs.SLOW_BUYER)
    other = await _issued(client, container, h2, "t2", render_jobs.SLOW_BUYER)
    services_of(client).pdf_renderer = render_jobs.pdf_slow_for_one_buyer
    pool = services_of(client).render_pool
    pool.workers = 1
    hog = asyncio.create_task(client.get(_url(slow), params={"format": "pdf"}, headers=h1))
    await _until(lambda: pool.busy > 0)
    refused = await client.get(_url(other), params={"format": "pdf"}, headers=h2)
    body = problem_of(refused, 503)
    assert body["code"] == "document_render_busy"
    assert int(refused.headers["Retry-After"]) >= 1
    hog.cancel()
    await asyncio.gather(hog, return_exceptions=True)
    assert pool.alive() == []


async def test_closing_the_render_pool_kills_renders_in_progress(client, container, auth):
    h = auth()
    invoice = await _issued(client, container, h, "t1", render_jobs.SLOW_BUYER)
    services_of(client).pdf_renderer = render_jobs.pdf_slow_for_one_buyer
    pool = services_of(client).render_pool
    request = asyncio.create_task(client.get(_url(invoice), params={"format": "pdf"}, headers=h))
    await _until(lambda: bool(pool.alive()))
    pool.close()  # what the app's lifespan does at shutdown
    response = await request
    assert problem_of(response, 503)["code"] == "document_render_failed"
    assert pool.alive() == []


async def test_the_route_documents_its_refusals(client):
    spec = (await client.get("/openapi.json")).json()
    responses = spec["paths"][f"{API}/invoices/{{invoice_id}}/mushak-6.3"]["get"]["responses"]
    for status in ("404", "409", "422", "429", "503"):
        assert "application/problem+json" in responses[status]["content"], status


async def test_a_client_that_goes_away_stops_its_render(client, container, auth):
    """Driven through the ASGI interface itself, to say when the client disconnects."""
    h = auth()
    invoice = await _issued(client, container, h, "t1", render_jobs.SLOW_BUYER)
    services_of(client).pdf_renderer = render_jobs.pdf_slow_for_one_buyer
    pool = services_of(client).render_pool
    pool.timeout_s = 3600  # only the disconnect can stop it
    gone = asyncio.Event()
    requested = False

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await gone.wait()
        return {"type": "http.disconnect"}

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    path = _url(invoice)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"format=pdf",
        "headers": [(b"host", b"finance.test")]
        + [(k.lower().encode(), v.encode()) for k, v in h.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("finance.test", 80),
        "state": {},
    }
    transport = client._transport
    assert isinstance(transport, httpx.ASGITransport)
    answered = asyncio.create_task(transport.app(scope, receive, send))
    await _until(lambda: bool(pool.alive()) and pool.busy > 0)
    (worker,) = pool.alive()
    gone.set()
    async with asyncio.timeout(60):  # a guard against a hang, not a measurement
        await answered
    assert pool.busy == 0
    assert not worker.is_alive()  # stopped, not left rendering for its hour
    assert sent[0]["status"] == 503
    body = b"".join(m.get("body", b"") for m in sent[1:])
    assert b'"code":"client_disconnected"' in body
