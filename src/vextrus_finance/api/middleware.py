"""What the service's own ASGI middlewares share: they act on HTTP requests only (lifespan and
websocket scopes pass straight through), and several add headers as the response starts."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

RawHeaders = list[tuple[bytes, bytes]]


class HttpMiddleware(ABC):
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def passes(self, scope: Scope) -> bool:
        """An HTTP request this middleware leaves alone."""
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.passes(scope):
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    @abstractmethod
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one HTTP request."""


def adding_headers(
    send: Send, extra: Callable[[RawHeaders], Iterable[tuple[bytes, bytes]]]
) -> Send:
    """`send`, with the headers `extra` picks (it sees those already set) added to the start of
    the response."""

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            headers.extend(extra(headers))
            message["headers"] = headers
        await send(message)

    return send_with_headers
