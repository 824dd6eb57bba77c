"""Helpers for the security tests: the real app on the test database with chosen settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from vextrus_finance.api.app import create_app
from vextrus_finance.bootstrap import Container

BASE_URL = "http://finance.test"


@asynccontextmanager
async def app_client(
    container: Container, *, client_ip: str = "127.0.0.1", **overrides: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """The app with `overrides` applied to the container's settings, over ASGI, from
    `client_ip` (the socket peer the app sees)."""
    settings = container.settings.model_copy(update=overrides)
    app = create_app(settings=settings, container=container)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(client_ip, 40000))
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            yield client


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["code"] == code, body
    return body
