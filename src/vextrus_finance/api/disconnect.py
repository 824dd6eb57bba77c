"""Expensive work on behalf of one request, abandoned when its client goes away (ADR 0031)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from fastapi import Request

T = TypeVar("T")
# How often a request waiting for its render checks whether the client is still there.
DISCONNECT_POLL_S = 0.5


class ClientGone(Exception):
    """The client disconnected while its document was rendering."""


async def unless_disconnected(request: Request, work: Awaitable[T]) -> T:
    """`work`, cancelled (its worker killed) as soon as the client goes away."""
    task = asyncio.ensure_future(work)
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=DISCONNECT_POLL_S)
            if done:
                return task.result()
            if await request.is_disconnected():
                task.cancel()
                raise ClientGone
    finally:
        if not task.done():
            task.cancel()
