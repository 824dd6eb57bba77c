"""Every error is an RFC 9457 problem document; correlation ids travel in and out."""

from __future__ import annotations

import uuid

from tests.api.helpers import (
    API,
    assert_invalid,
    cr,
    create_accounts,
    dr,
    journal_body,
    list_all,
    problem_of,
)


async def test_validation_errors_are_422_problems_naming_the_field(client, auth):
    h = auth()
    await create_accounts(
        client, h, ("1000", "Cash in Hand", "ASSET"), ("4000", "Revenue", "REVENUE")
    )
    good = journal_body("2025-08-01", [dr("1000", "1.00"), cr("4000", "1.00")])

    no_date = {k: v for k, v in good.items() if k != "date"}
    body = assert_invalid(await client.post(f"{API}/journals", json=no_date, headers=h), "date")
    assert body["code"] == "validation_failed"
    assert body["instance"] == f"{API}/journals"
    assert "date" in body["detail"]
    for issue in body["errors"]:
        assert set(issue) >= {"field", "message", "code"}

    misspelt_line = {
        **good,
        "lines": [{"account_code": "1000", "ammount": "1.00"}, cr("4000", "1.00")],
    }
    assert_invalid(
        await client.post(f"{API}/journals", json=misspelt_line, headers=h), "lines[0].ammount"
    )
    misspelt_top = {**good, "ammount": "1.00"}
    assert_invalid(await client.post(f"{API}/journals", json=misspelt_top, headers=h), "ammount")
    bad_date = {**good, "date": "2025-02-30"}
    assert_invalid(await client.post(f"{API}/journals", json=bad_date, headers=h), "date")
    bad_type = {**good, "type": "MISC"}
    assert_invalid(await client.post(f"{API}/journals", json=bad_type, headers=h), "type")
    empty_description = {**good, "description": "   "}
    assert_invalid(
        await client.post(f"{API}/journals", json=empty_description, headers=h), "description"
    )
    assert await list_all(client, f"{API}/journals", h) == []


async def test_limit_must_be_between_1_and_500(client, auth):
    h = auth()
    for url in (f"{API}/accounts", f"{API}/journals"):
        for limit in ("0", "501", "-1", "ten"):
            assert_invalid(await client.get(url, params={"limit": limit}, headers=h), "limit")
        for limit in ("1", "500"):
            response = await client.get(url, params={"limit": limit}, headers=h)
            assert response.status_code == 200, response.text
            assert response.json() == {"items": [], "next_cursor": None}


async def test_malformed_json_and_wrong_shapes_are_422_problems(client, auth):
    h = {**auth(), "Content-Type": "application/json"}
    response = await client.post(f"{API}/accounts", content=b'{"code": "1000",', headers=h)
    problem_of(response, 422)
    response = await client.post(f"{API}/accounts", content=b"[1, 2, 3]", headers=h)
    problem_of(response, 422)
    response = await client.post(f"{API}/journals/batch", json={"journals": "all"}, headers=h)
    assert_invalid(response, "journals")


async def test_unknown_routes_and_methods_are_problems(client, auth):
    h = auth()
    body = problem_of(await client.get(f"{API}/no-such-thing", headers=h), 404)
    assert body["instance"] == f"{API}/no-such-thing"
    problem_of(await client.get("/no-such-thing"), 404)
    response = await client.delete(f"{API}/accounts", headers=h)
    assert response.status_code in (404, 405)
    problem_of(response, response.status_code)


async def test_correlation_id_is_echoed_or_generated(client, auth):
    h = auth()
    given = "req-2025.08.01:abc_123"
    response = await client.get(f"{API}/accounts", headers={**h, "X-Correlation-ID": given})
    assert response.status_code == 200
    assert response.headers["x-correlation-id"] == given

    # on errors too, and in the problem body
    response = await client.get(f"{API}/accounts/nope", headers={**h, "X-Correlation-ID": given})
    body = problem_of(response, 404)
    assert response.headers["x-correlation-id"] == given
    assert body["correlation_id"] == given
    response = await client.get(f"{API}/accounts", headers={"X-Correlation-ID": given})
    assert response.status_code == 401
    assert response.headers["x-correlation-id"] == given

    generated = set()
    for _ in range(2):
        response = await client.get(f"{API}/accounts", headers=h)
        value = response.headers["x-correlation-id"]
        uuid.UUID(value)
        generated.add(value)
    assert len(generated) == 2

    # an unsafe value is replaced, not echoed
    for unsafe in ("has spaces in it", "x" * 200, "a\tb"):
        response = await client.get(f"{API}/accounts", headers={**h, "X-Correlation-ID": unsafe})
        assert response.headers["x-correlation-id"] != unsafe
        uuid.UUID(response.headers["x-correlation-id"])

    # health endpoints carry one as well
    response = await client.get("/health/live", headers={"X-Correlation-ID": given})
    assert response.headers["x-correlation-id"] == given
