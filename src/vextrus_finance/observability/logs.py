"""Logging: structlog for our lines, the same formatter for the standard library's (uvicorn,
SQLAlchemy, our `logging.getLogger` users), JSON in production, one redaction pass over all.

Request-scoped fields (correlation id, tenant, user, trace id) live in structlog's contextvars,
so every line written while serving a request carries them, whoever writes it."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import orjson
import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

# Keys whose values are never written, whatever they hold.
_SECRET_KEY = re.compile(r"pass(word)?|secret|token|authorization|api[_-]?key|cookie", re.I)
# Values that look like credentials wherever they appear in text.
_SECRET_TEXT = (
    # scheme://user:password@host → scheme://user:***@host
    (re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]+@", re.I), r"\g<head>***@"),
    (re.compile(r"(?P<head>bearer\s+)[^\s\"',]+", re.I), r"\g<head>***"),
    # A JWT anywhere: three base64url parts, the first a JSON header ("eyJ").
    (re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]*"), "***jwt***"),
    (re.compile(r"(?P<head>(password|secret|token)\s*[=:]\s*)[^\s&\"',]+", re.I), r"\g<head>***"),
)
# Any of them (case-insensitive: a superset), for one search first: most values — every field
# of every access-log line — hold none, and one search costs a quarter of four substitutions.
_ANY_SECRET_TEXT = re.compile(
    "|".join(f"(?:{p.pattern.replace('(?P<head>', '(?:')})" for p, _ in _SECRET_TEXT), re.I
)
REDACTED = "***"


def redact_text(text: str) -> str:
    if not _ANY_SECRET_TEXT.search(text):
        return text
    for pattern, replacement in _SECRET_TEXT:
        text = pattern.sub(replacement, text)
    return text


def _redact_value(key: str, value: Any) -> Any:
    if _SECRET_KEY.search(key):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, MutableMapping):
        return {k: _redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(key, v) for v in value]
    return value


def redact(_logger: WrappedLogger, _name: str, event_dict: EventDict) -> EventDict:
    """The last processor before rendering: runs after exceptions are formatted to text, so a
    traceback quoting a connection string is scrubbed too."""
    return {key: _redact_value(key, value) for key, value in event_dict.items()}


def _json_line(event: Any, **dumps_kw: Any) -> str:
    """One JSON log line by orjson, cheaper than the stdlib encoder for the access log line
    every request writes (ADR 0030). structlog's fallback (`default`) still turns what JSON has
    no type for into text; what orjson refuses outright (non-string keys, integers beyond
    64 bits) goes to the stdlib encoder."""
    try:
        return orjson.dumps(event, default=dumps_kw.get("default")).decode()
    except TypeError:
        return json.dumps(event, **dumps_kw)


def _drop_color_message(_logger: WrappedLogger, _name: str, event_dict: EventDict) -> EventDict:
    # uvicorn adds an ANSI-coloured duplicate of its message.
    event_dict.pop("color_message", None)
    return event_dict


# Set by tracing when it is installed: adds trace_id/span_id of the current span.
trace_processor: list[Processor] = []


def _add_trace_ids(logger: WrappedLogger, name: str, event_dict: EventDict) -> EventDict:
    for processor in trace_processor:
        event_dict = processor(logger, name, event_dict)  # type: ignore[assignment]
    return event_dict


def configure(level: str, fmt: str, stream: Any = None) -> None:
    """Idempotent: `serve` calls it before uvicorn starts; tests may call it again."""
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_trace_ids,
    ]
    renderer: Processor
    if fmt == "console":
        renderer = structlog.dev.ConsoleRenderer(colors=stream is None and sys.stderr.isatty())
    else:
        renderer = structlog.processors.JSONRenderer(serializer=_json_line)
    # Tracebacks become text before redaction in both formats, so they are scrubbed too.
    final: list[Processor] = [
        _drop_color_message,
        structlog.processors.format_exc_info,
        redact,
        renderer,
    ]
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.ExtraAdder()],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *final],
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn's loggers must reach the root handler instead of their own.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
