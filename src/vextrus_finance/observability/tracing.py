"""OpenTelemetry tracing of requests and SQL statements, exported over OTLP/HTTP.

Installed only when OTEL_EXPORTER_OTLP_ENDPOINT is set; otherwise nothing of OpenTelemetry's
SDK or instrumentation is even imported, so tracing costs nothing when it is off. The provider
is ours, not the global one, so two apps in one process (tests) do not share exporters."""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING, Any

from vextrus_finance.observability import logs

if TYPE_CHECKING:
    from fastapi import FastAPI
    from opentelemetry.sdk.trace import TracerProvider
    from sqlalchemy.ext.asyncio import AsyncEngine

    from vextrus_finance.settings import Settings

# Probes and scrapes would be most of the spans and tell nothing.
EXCLUDED_URLS = "/health,/metrics"
FLUSH_TIMEOUT_S = 3.0


def traces_endpoint(base: str) -> str:
    """OTEL_EXPORTER_OTLP_ENDPOINT is the collector's base URL; traces go to /v1/traces."""
    return base.rstrip("/") + "/v1/traces"


def _add_trace_ids(_logger: Any, _name: str, event_dict: Any) -> Any:
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict.setdefault("trace_id", format(context.trace_id, "032x"))
        event_dict.setdefault("span_id", format(context.span_id, "016x"))
    return event_dict


def install(app: FastAPI, settings: Settings) -> TracerProvider | None:
    endpoint = settings.otel_exporter_otlp_endpoint
    if not endpoint:
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    resource = Resource.create(
        {
            "service.name": settings.otel_service_name,
            "service.version": settings.deployment_version,
            "deployment.environment": settings.environment.value,
            "deployment.track": settings.deployment_track,
        }
    )
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(
        BatchSpanProcessor(OTLPSpanExporter(endpoint=traces_endpoint(endpoint)))
    )
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls=EXCLUDED_URLS)
    logs.trace_processor[:] = [_add_trace_ids]
    return provider


async def flush(provider: TracerProvider) -> None:
    """Export what the batch processor still holds, but never hold up the exit for long: with
    the collector down the SDK would retry for up to 30 s, more than the shutdown grace has."""
    worker = threading.Thread(target=provider.shutdown, name="otel-flush", daemon=True)
    worker.start()
    await asyncio.to_thread(worker.join, FLUSH_TIMEOUT_S)


def instrument_engines(provider: TracerProvider, engines: list[AsyncEngine]) -> None:
    """One span per SQL statement. EngineTracer is what SQLAlchemyInstrumentor(engine=...)
    builds; used directly it does not patch create_engine for the whole process."""
    from opentelemetry import metrics as otel_metrics
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer

    tracer = provider.get_tracer("vextrus_finance.sql")
    usage = otel_metrics.get_meter("vextrus_finance.sql").create_up_down_counter(
        "db.client.connections.usage"
    )
    for engine in {id(e): e for e in engines}.values():
        EngineTracer(tracer, engine.sync_engine, usage)  # type: ignore[no-untyped-call]
