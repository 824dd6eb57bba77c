"""Command answers are rendered by orjson, byte for byte what Starlette's encoder wrote."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.responses import JSONResponse

from vextrus_finance.api.commands import CommandResponse, respond

JOURNAL: dict[str, Any] = {
    "id": "5f0c3a3e-8f7e-4c1e-9a53-0d2f4c3b2a10",
    "number": "GJ-2026-11-000042",
    "description": 'ভাড়া বাবদ — November "site" rent\n',
    "lines": [{"debit": "1234.50", "credit": "0.00", "memo": None, "ok": True}],
    "version": 2,
    "empty": {},
}


@pytest.mark.parametrize(
    "body", [JOURNAL, [JOURNAL, JOURNAL], {"by_number": {1: "one"}}, {"huge": 2**70}, []]
)
def test_the_same_bytes_as_starlettes_encoder(body: Any) -> None:
    assert CommandResponse(body).body == JSONResponse(body).body


def test_respond_sets_etag_location_and_replay_headers() -> None:
    response = respond(JOURNAL, 201, replayed=True, location="/api/v1/journals/x")
    assert isinstance(response, CommandResponse)
    assert response.status_code == 201
    assert response.headers["etag"] == '"2"'
    assert response.headers["location"] == "/api/v1/journals/x"
    assert response.headers["idempotent-replayed"] == "true"
    assert response.headers["content-type"] == "application/json"
