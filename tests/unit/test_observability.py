"""Log redaction and format, settings that must not leak, tracing off by default, and the
drain's signal handling — without a server process."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import structlog
import uvicorn
from pydantic import ValidationError

from vextrus_finance.observability import logs
from vextrus_finance.observability.drain import Drain
from vextrus_finance.observability.server import DrainingServer
from vextrus_finance.settings import Environment, Settings

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("connect postgresql://finance:Hunter2pw@db:5432/x failed", "Hunter2pw"),
        ("Authorization: Bearer opaque-token-123", "opaque-token-123"),
        (f"token was {JWT}", JWT),
        ("retry with password=Hunter2pw&user=x", "Hunter2pw"),
    ],
)
def test_credentials_in_text_are_redacted(text: str, secret: str) -> None:
    redacted = logs.redact_text(text)
    assert secret not in redacted
    assert "***" in redacted


def test_secret_keys_are_redacted_whatever_their_value() -> None:
    event = {
        "event": "login",
        "password": "x",
        "headers": {"Authorization": "Basic abc", "accept": "json"},
        "jwt_secret": 1234,
        "route": "/api/v1/accounts",
    }
    out = logs.redact(None, "info", event)
    assert out["password"] == out["jwt_secret"] == "***"
    assert out["headers"] == {"Authorization": "***", "accept": "json"}
    assert out["route"] == "/api/v1/accounts"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Our configuration on a private stream; the test runner's logging put back after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stream = io.StringIO()
    logs.configure("INFO", "json", stream)
    try:
        yield stream
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        structlog.reset_defaults()
        structlog.contextvars.clear_contextvars()


def test_stdlib_and_structlog_lines_share_one_json_format(captured: io.StringIO) -> None:
    structlog.contextvars.bind_contextvars(correlation_id="c-1")
    structlog.stdlib.get_logger("vextrus_finance.test").info("request", status=201)
    logging.getLogger("uvicorn.error").info("Started server process [%d]", 7)
    logging.getLogger("vextrus_finance.test").debug("below the level")
    try:
        raise ConnectionError("could not reach postgresql://u:Hunter2pw@db/x")
    except ConnectionError:
        logging.getLogger("sqlalchemy.pool").exception("pool failed")
    lines = [json.loads(line) for line in captured.getvalue().splitlines()]
    assert [line["event"] for line in lines] == [
        "request",
        "Started server process [7]",
        "pool failed",
    ]
    assert all(line["correlation_id"] == "c-1" for line in lines)
    assert lines[0]["status"] == 201
    assert lines[1]["logger"] == "uvicorn.error"
    assert "color_message" not in lines[1]
    assert "ConnectionError" in lines[2]["exception"]
    assert "Hunter2pw" not in captured.getvalue()  # the traceback was scrubbed too


def test_log_lines_carry_any_value_as_json(captured: io.StringIO) -> None:
    """orjson renders the lines; what it has no type for, or refuses, still comes out."""
    log = structlog.stdlib.get_logger("vextrus_finance.test")
    log.info("posted", amount=Decimal("1234.50"), memo="ভাড়া বাবদ", when=date(2026, 11, 27))
    log.info("odd", by_number={1: "one"}, huge=2**70)
    first, second = [json.loads(line) for line in captured.getvalue().splitlines()]
    assert first["amount"] == "Decimal('1234.50')"  # structlog's fallback (repr): not a float
    assert first["memo"] == "ভাড়া বাবদ"
    assert first["when"] == "2026-11-27"
    assert second["by_number"] == {"1": "one"}
    assert second["huge"] == 2**70


def test_log_format_is_json_unless_developing_or_overridden() -> None:
    assert Settings(environment=Environment.PRODUCTION).resolved_log_format == "json"
    assert Settings(environment=Environment.TEST).resolved_log_format == "json"
    assert Settings(environment=Environment.DEVELOPMENT).resolved_log_format == "console"
    assert Settings(log_format="json").resolved_log_format == "json"


def test_settings_never_show_the_database_password() -> None:
    settings = Settings(database_url="postgresql://finance:Hunter2pw@db:5432/ledger")
    for shown in (repr(settings), str(settings), f"{settings!r}"):
        assert "Hunter2pw" not in shown
        assert "finance:***@db:5432/ledger" in shown
    assert settings.database_url.endswith("Hunter2pw@db:5432/ledger")  # still usable


def test_the_drain_must_fit_in_the_grace_period() -> None:
    with pytest.raises(ValidationError, match="SHUTDOWN_DRAIN_SECONDS"):
        Settings(shutdown_drain_seconds=60, shutdown_grace_seconds=50)


def test_without_an_endpoint_nothing_of_opentelemetry_is_loaded() -> None:
    script = (
        "import sys\n"
        "from vextrus_finance.api.app import create_app\n"
        "from vextrus_finance.settings import Settings\n"
        "app = create_app(Settings(environment='test', database_url='sqlite:///:memory:',\n"
        "                          jwt_secret='x' * 32))\n"
        "app.build_middleware_stack()\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('opentelemetry.sdk', "
        "'opentelemetry.instrumentation', 'opentelemetry.exporter')))\n"
        "print(loaded, hasattr(app, '_original_build_middleware_stack'))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "OTEL_EXPORTER_OTLP_ENDPOINT": ""}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "[] False"


def _server(drain_seconds: float) -> DrainingServer:
    config = uvicorn.Config(app=lambda *_: None, log_config=None)
    return DrainingServer(config, Drain(), drain_seconds)


async def test_sigterm_starts_a_drain_then_stops_and_is_not_re_raised() -> None:
    server = _server(drain_seconds=0.3)
    server.handle_exit(signal.SIGTERM, None)
    assert server.drain.active  # readiness reads this: 503 from now on
    assert not server.should_exit  # still serving
    assert not await server.on_tick(1)
    await asyncio.sleep(0.3)
    assert await server.on_tick(2)  # the drain is over: uvicorn's graceful shutdown begins
    assert server._captured_signals == []  # so the process exits 0, not by SIGTERM


def test_a_second_signal_ends_the_drain_and_a_third_ctrl_c_forces() -> None:
    server = _server(drain_seconds=60)
    server.handle_exit(signal.SIGINT, None)
    assert not server.should_exit
    server.handle_exit(signal.SIGINT, None)
    assert server.should_exit
    assert not server.force_exit
    server.handle_exit(signal.SIGINT, None)
    assert server.force_exit


def test_every_setting_is_documented() -> None:
    documented = (Path(__file__).parents[2] / "docs" / "configuration.md").read_text()
    missing = [
        name.upper() for name in Settings.model_fields if f"`{name.upper()}`" not in documented
    ]
    assert missing == []
