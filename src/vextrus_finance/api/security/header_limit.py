"""A bound on the request head (request line and headers), at the server: the HTTP parser
(httptools) has none, so a 32 MB `Authorization` header would be read and parsed in full
before any middleware could look at it. Past MAX_HEADER_BYTES the connection gets a 431 problem
document and is closed; the app never sees the request."""

from __future__ import annotations

import json

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from vextrus_finance.api.problems import MEDIA_TYPE, PROBLEM_TYPE

STATUS = 431
CODE = "request_header_fields_too_large"
LINGER_S = 2.0


def _refusal(limit: int) -> bytes:
    body = json.dumps(
        {
            "type": PROBLEM_TYPE + CODE,
            "title": "Request Header Fields Too Large",
            "status": STATUS,
            "detail": f"the request line and headers are larger than {limit} bytes",
            "code": CODE,
        }
    ).encode()
    head = (
        f"HTTP/1.1 {STATUS} Request Header Fields Too Large\r\n"
        f"content-type: {MEDIA_TYPE}\r\n"
        f"content-length: {len(body)}\r\n"
        "cache-control: no-store\r\n"
        "x-content-type-options: nosniff\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class BoundedHeadProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, counting the bytes of each request's head. A chunk is
    parsed before it is counted, so a body arriving with the end of a head is not mistaken for
    head: the count only grows while the headers are still incomplete after a chunk."""

    max_head_bytes = 64 * 1024

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._in_head = True
        self._head_bytes = 0
        self._refused = False
        self._completed = False

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        self._completed = False
        super().data_received(data)
        if not self._in_head or self._completed or self.transport.is_closing():
            return  # a chunk that ended a message is not counted: most of it was not head
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a pipelined head while the answer before it is still being written
        self._head_bytes += len(data)
        if self._head_bytes > self.max_head_bytes:
            self._refused = True
            self.transport.write(_refusal(self.max_head_bytes))
            # Closing with the rest of the head unread would reset the connection, and a reset
            # can discard the answer before the client reads it: end our side, drop what still
            # arrives, and close after LINGER_S at the latest (what nginx calls lingering close).
            if self.transport.can_write_eof():
                self.transport.write_eof()
                self.loop.call_later(LINGER_S, self.transport.close)
            else:
                self.transport.close()

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True
        self._head_bytes = 0
        self._completed = True


def bounded_head_protocol(max_head_bytes: int) -> type[BoundedHeadProtocol]:
    """The protocol class for uvicorn's `http=` with this limit."""
    return type("BoundedHeadProtocol", (BoundedHeadProtocol,), {"max_head_bytes": max_head_bytes})
