"""Every Prometheus metric of the service, and the small hooks the rest of the code calls.

One process per pod (ADR 0014): the default registry of this process is the whole truth, so
there is no multiprocess directory to manage. Labels are bounded by the code (route templates,
methods, status codes, event types, states) — never a tenant, a user or an id."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

# `_created` series double the output and nothing here uses them.
disable_created_metrics()  # type: ignore[no-untyped-call]

# 5 ms to 5 s with enough steps in between for a P95 near the 500 ms objective.
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0)
DB_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
UNMATCHED_ROUTE = "unmatched"

http_requests = Counter(
    "http_requests_total", "HTTP requests answered.", ["method", "route", "code"]
)
http_duration = Histogram(
    "http_request_duration_seconds",
    "Time from request received to response sent.",
    ["method", "route"],
    buckets=HTTP_BUCKETS,
)
http_in_flight = Gauge("http_requests_in_flight", "HTTP requests being served now.")

append_duration = Histogram(
    "eventstore_append_duration_seconds",
    "Time to give a batch its positions and insert it.",
    buckets=DB_BUCKETS,
)
events_appended = Counter(
    "eventstore_events_appended_total", "Events committed to the log.", ["event_type"]
)
concurrency_conflicts = Counter(
    "eventstore_concurrency_conflicts_total",
    "Commits refused because another writer changed the same stream first.",
)
connection_errors = Counter(
    "eventstore_connection_errors_total",
    "Database operations that failed because the connection failed or the server went away.",
)
snapshots_taken = Counter("eventstore_snapshots_total", "Snapshots written.")
snapshot_duration = Histogram(
    "eventstore_snapshot_duration_seconds", "Time to write one snapshot.", buckets=DB_BUCKETS
)
snapshot_errors = Counter("eventstore_snapshot_errors_total", "Snapshots that failed.")

journals_posted = Counter("finance_journals_posted_total", "Journals posted.")
invoices = Counter(
    "finance_invoices_total", "Invoices that entered a state (from Invoice* events).", ["state"]
)
payments = Counter(
    "finance_payments_total", "Payments that entered a state (from Payment* events).", ["state"]
)
# A Mushak-6.3 PDF takes ~0.1 s of CPU a page; the limit (DOCUMENT_RENDER_TIMEOUT_SECONDS) is 25 s.
RENDER_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0)
document_render_duration = Histogram(
    "finance_document_render_duration_seconds",
    "Time to render a document that was not stored yet (outcome: ok, failed, timeout, abandoned).",
    ["format", "outcome"],
    buckets=RENDER_BUCKETS,
)
document_renders_rejected = Counter(
    "finance_document_renders_rejected_total",
    "Renders refused before they started (reason: pool_full, tenant_busy).",
    ["reason"],
)
document_served = Counter(
    "finance_documents_served_total",
    "Documents answered, by where the bytes came from (source: stored, rendered).",
    ["format", "source"],
)
trial_balance_variance = Gauge(
    "finance_trial_balance_variance",
    "Σ over tenants and currencies of |debits − credits| of the account totals, in major "
    "units. Anything but 0 is a ledger defect.",
)
build_info = Gauge(
    "finance_build_info", "Always 1; labels identify the build.", ["version", "track"]
)

# States of the spec, so every series exists (at 0) before its first event.
INVOICE_STATES = ("draft", "approved", "partially_paid", "paid", "cancelled")
PAYMENT_STATES = ("pending", "processing", "completed", "failed", "reconciled", "reversed")
_VERB_STATE = {"drafted": "draft", "created": "draft", "issued": "approved"}
_STATE_COUNTERS = (("Invoice", invoices, INVOICE_STATES), ("Payment", payments, PAYMENT_STATES))
for _prefix, _counter, _states in _STATE_COUNTERS:
    for _state in _states:
        _counter.labels(_state)


def set_build_info(version: str, track: str) -> None:
    build_info.clear()
    build_info.labels(version, track).set(1)


def observe_append(started: float) -> None:
    """`started` is a `time.perf_counter()` taken before the append."""
    append_duration.observe(time.perf_counter() - started)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _state_of(event: Any, verb: str) -> str:
    """An event that carries its new status says it; otherwise its verb does:
    InvoiceApproved → approved, PaymentCompleted → completed, InvoiceDrafted → draft."""
    status = getattr(event, "status", None) or getattr(event, "state", None)
    if isinstance(status, str) and status:
        return status.lower()
    snake = _snake(verb)
    return _VERB_STATE.get(snake, snake)


def events_committed(events: Iterable[Any]) -> None:
    """Called once a transaction that appended these domain events has committed. Counting by
    type here means invoice and payment events are counted as soon as they exist."""
    for event in events:
        event_type = type(event).__name__
        events_appended.labels(event_type).inc()
        if event_type == "JournalPosted":
            journals_posted.inc()
            continue
        for prefix, counter, _ in _STATE_COUNTERS:
            if event_type.startswith(prefix) and len(event_type) > len(prefix):
                counter.labels(_state_of(event, event_type[len(prefix) :])).inc()


def exposition() -> tuple[bytes, str]:
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
