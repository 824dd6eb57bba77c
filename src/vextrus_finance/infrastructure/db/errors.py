"""Turning driver errors into what the application can act on: retry, re-decide, or replay."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

# The idempotency key's unique rule, recognised from PostgreSQL's constraint name and
# SQLite's column list (the two databases report violations differently).
_IDEMPOTENCY_MARKERS = (
    "pk_idempotency_keys",
    "idempotency_keys.tenant_id, idempotency_keys.user_id, idempotency_keys.key",
)
_TRANSIENT_SQLSTATES = frozenset(
    {
        "40001",  # serialization_failure
        "40P01",  # deadlock_detected
        "55P03",  # lock_not_available
        "57P01",  # admin_shutdown
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now
        "53300",  # too_many_connections
    }
)


def _text(exc: sa.exc.DBAPIError) -> str:
    return str(exc.orig) if exc.orig is not None else str(exc)


def is_idempotency_race(exc: sa.exc.IntegrityError) -> bool:
    text = _text(exc)
    return any(marker in text for marker in _IDEMPOTENCY_MARKERS)


def is_unique_violation(exc: sa.exc.IntegrityError) -> bool:
    """A unique key or primary key refused the row: PostgreSQL's unique_violation, SQLite's
    "UNIQUE constraint failed" (which it reports for primary keys too)."""
    return sqlstate(exc) == "23505" or "UNIQUE constraint failed" in _text(exc)


def sqlstate(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", None)
    for candidate in (orig, getattr(orig, "__cause__", None)):
        code = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if isinstance(code, str):
            return code
    return None


def is_overflow(exc: BaseException) -> bool:
    """A value left the 64-bit integer range: PostgreSQL's numeric_value_out_of_range, SQLite's
    "integer overflow" from sum(), or a Python int too large for the SQLite driver."""
    if isinstance(exc, OverflowError):
        return True
    if not isinstance(exc, sa.exc.DBAPIError):
        return False
    return sqlstate(exc) == "22003" or "integer overflow" in _text(exc).lower()


def is_connection_failure(exc: BaseException) -> bool:
    """The connection failed or the server went away (counted as a connection error), as
    opposed to a deadlock, a serialization failure or a busy SQLite writer."""
    if isinstance(exc, OSError | asyncio.TimeoutError | ConnectionError):
        return True
    if isinstance(exc, sa.exc.DBAPIError):
        code = sqlstate(exc) or ""
        if exc.connection_invalidated or code.startswith("08") or code.startswith("57P"):
            return True
        if isinstance(exc.orig, OSError | ConnectionError):
            return True
        text = _text(exc).lower()
        return "connection" in text and ("closed" in text or "refused" in text)
    return False


def is_transient(exc: BaseException) -> bool:
    """Worth retrying: the connection went away, the server is starting or shutting down,
    a deadlock or serialization failure was chosen as victim, or SQLite was busy."""
    if isinstance(exc, OSError | asyncio.TimeoutError | ConnectionError):
        return True
    if isinstance(exc, sa.exc.DBAPIError):
        if exc.connection_invalidated:
            return True
        if sqlstate(exc) in _TRANSIENT_SQLSTATES:
            return True
        text = _text(exc).lower()
        if "database is locked" in text or ("connection" in text and "closed" in text):
            return True
        return isinstance(exc, sa.exc.InterfaceError)
    return isinstance(exc, sa.exc.TimeoutError)  # pool checkout timed out
