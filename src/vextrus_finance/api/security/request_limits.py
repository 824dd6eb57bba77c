"""Sanity limits on what a request may cost: body size (413), JSON nesting depth (400) and
time (504). The body is buffered here (it is bounded), so an over-long or over-deep body is
refused before any handler or parser sees it."""

from __future__ import annotations

import asyncio
import re

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vextrus_finance.api.middleware import HttpMiddleware
from vextrus_finance.api.problems import refuse
from vextrus_finance.api.security.nul_bytes import nul_field

_STRUCTURE = re.compile(rb'["\\\[\]{}]')


def json_too_deep(body: bytes, limit: int) -> bool:
    """Whether arrays/objects nest deeper than `limit` (strings and escapes skipped).
    Only structural characters are visited, so this is cheap next to parsing."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False  # fewer openings than the limit (strings' included): cannot nest deeper
    depth = 0
    in_string = False
    skip_at = -1
    for match in _STRUCTURE.finditer(body):
        if match.start() == skip_at:
            continue
        char = match.group()
        if in_string:
            if char == b"\\":
                skip_at = match.end()
            elif char == b'"':
                in_string = False
        elif char == b'"':
            in_string = True
        elif char in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


class _TooLarge(Exception):
    pass


class RequestLimitsMiddleware(HttpMiddleware):
    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int, max_json_depth: int, timeout_s: float
    ) -> None:
        super().__init__(app)
        self.max_body_bytes = max_body_bytes
        self.max_json_depth = max_json_depth
        self.timeout_s = timeout_s

    async def _refuse(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        status: int,
        code: str,
        detail: str,
        errors: list[dict[str, str]] | None = None,
    ) -> None:
        instance = scope["path"].replace("\x00", "")
        await refuse(scope, receive, send, status, code, detail, instance=instance, errors=errors)

    async def _refuse_nul(self, scope: Scope, receive: Receive, send: Send, field: str) -> None:
        message = "must not contain the NUL character"
        await self._refuse(
            scope,
            receive,
            send,
            422,
            "invalid_input",
            f"{field} {message}",
            [{"field": field, "message": message, "code": "nul_character"}],
        )

    async def _read_body(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        too_large = f"the body is larger than {self.max_body_bytes} bytes"
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            await self._refuse(scope, receive, send, 413, "payload_too_large", too_large)
            return
        downstream = receive
        field = nul_field(scope["path"], scope.get("query_string", b""), b"")
        if field is not None:
            await self._refuse_nul(scope, receive, send, field)
            return
        if scope["method"] in ("POST", "PUT", "PATCH", "DELETE"):
            try:
                body = await self._read_body(receive)
            except _TooLarge:
                await self._refuse(scope, receive, send, 413, "payload_too_large", too_large)
                return
            # Any body, whatever its Content-Type says (a parser may take `application/JSON`
            # or a missing type as JSON): the scan is cheap next to parsing.
            if json_too_deep(body, self.max_json_depth):
                detail = f"the JSON body nests deeper than {self.max_json_depth} levels"
                await self._refuse(scope, receive, send, 400, "json_too_deep", detail)
                return
            field = nul_field("", b"", body)
            if field is not None:
                await self._refuse_nul(scope, receive, send, field)
                return
            downstream = _replay(body, receive)

        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            async with asyncio.timeout(self.timeout_s):
                await self.app(scope, downstream, watch)
        except TimeoutError:
            if started:
                raise
            detail = f"the request took longer than {self.timeout_s:g} s and was abandoned"
            await self._refuse(scope, receive, send, 504, "request_timeout", detail)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # afterwards: wait for the disconnect, as the server would

    return replay
