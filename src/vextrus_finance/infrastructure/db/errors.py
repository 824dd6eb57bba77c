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


# asyncpg's classes (and the SQLAlchemy adapter's of the same names) that mean the connection
# is gone or unusable, known by name so this module imports no driver. InternalClientError is
# asyncpg's protocol state machine refusing a statement ("cannot switch to state 12; another
# operation is in progress"): seen on a pooled connection whose server went away while it sat
# idle, it leaves the connection useless and must be replaced (ADR 0051).
_DISCONNECT_CLASSES = frozenset(
    {
        "ConnectionDoesNotExistError",
        "ConnectionFailureError",
        "ConnectionRejectionError",
        "CannotConnectNowError",
        "ClientCannotConnectError",
        "InternalClientError",
    }
)
_DISCONNECT_TEXTS = (
    "connection is closed",
    "connection was closed",
    "connection refused",
    "another operation is in progress",
    "server closed the connection",
    "terminating connection",
    "the database system is starting up",
    "the database system is shutting down",
)


def _chain(exc: BaseException) -> list[BaseException]:
    """`exc`, the driver error SQLAlchemy wrapped (`orig`) and their causes, nearest first."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo and len(seen) < 8:
        current = todo.pop(0)
        if current is None or any(current is s for s in seen):
            continue
        seen.append(current)
        orig = getattr(current, "orig", None)
        todo += [orig if isinstance(orig, BaseException) else None, current.__cause__]
    return seen


def is_disconnect(exc: BaseException) -> bool:
    """The connection under the failed statement is gone or unusable: the server went away or
    refused it, or the driver's connection broke. Such a connection is replaced, never reused,
    and the pool's other connections are suspect (ADR 0051)."""
    for error in _chain(exc):
        if isinstance(error, OSError | ConnectionError | asyncio.TimeoutError):
            return True
        if isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated:
            return True
        if any(cls.__name__ in _DISCONNECT_CLASSES for cls in type(error).__mro__):
            return True
        code = sqlstate(error) or getattr(error, "sqlstate", None) or ""
        if isinstance(code, str) and (code.startswith("08") or code.startswith("57P")):
            return True
        text = str(error).lower()
        if any(marker in text for marker in _DISCONNECT_TEXTS):
            return True
    return False


def is_connection_failure(exc: BaseException) -> bool:
    """The connection failed or the server went away (counted as a connection error), as
    opposed to a deadlock, a serialization failure or a busy SQLite writer."""
    return is_disconnect(exc)


def is_transient(exc: BaseException) -> bool:
    """Worth retrying: the connection went away, the server is starting or shutting down,
    a deadlock or serialization failure was chosen as victim, or SQLite was busy."""
    if is_disconnect(exc):
        return True
    if isinstance(exc, sa.exc.DBAPIError):
        if sqlstate(exc) in _TRANSIENT_SQLSTATES:
            return True
        if "database is locked" in _text(exc).lower():
            return True
        return isinstance(exc, sa.exc.InterfaceError)
    return isinstance(exc, sa.exc.TimeoutError)  # pool checkout timed out
