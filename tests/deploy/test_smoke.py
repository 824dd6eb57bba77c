"""`vextrus-finance smoke` against the real service in its own process (every check passes, and
again on a rerun), and against servers that are wrong in different ways (each wrong thing is a
listed failure, the command exits 1, and no failure stops the other checks)."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_SECRET
from tests.deploy.helpers import CHECK_NAMES, admin_token, run_smoke_cli
from tests.system.server import Server
from vextrus_deploy.smoke import SmokeConfig, Status, run_smoke

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
async def server(
    postgres_database_factory: Callable[[], Any], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Server]:
    url = await postgres_database_factory()
    service = Server(url, tmp_path_factory.mktemp("smoke") / "server.log")
    service.start()
    try:
        yield service
    finally:
        assert service.stop() == 0


def test_every_check_passes_against_the_real_service_and_again_on_a_rerun(
    server: Server, tmp_path: Path
) -> None:
    token = admin_token(TEST_SECRET)
    for _ in range(2):  # unique codes and keys per run: a rerun in the same tenant passes too
        run = run_smoke_cli(server.url, token, tmp_path, "--jwt-secret", TEST_SECRET)
        assert run.returncode == 0, run.output
        assert tuple(run.status()) == CHECK_NAMES
        assert set(run.status().values()) == {"PASS"}, run.output
        assert run.report["ok"] is True
        assert "SMOKE PASSED: all 13 checks passed" in run.output


def test_a_given_wrong_role_token_is_used_for_the_403_check(server: Server) -> None:
    # accounts_receivable reads accounts and reports but not journals.
    weak = admin_token(TEST_SECRET, role="accounts_receivable")
    report = run_smoke(SmokeConfig(server.url, admin_token(TEST_SECRET), wrong_role_token=weak))
    assert report.ok, [(c.name, c.detail) for c in report.failed]
    # The same token with a role that may read journals is not a wrong role: the check fails.
    strong = admin_token(TEST_SECRET)
    report = run_smoke(SmokeConfig(server.url, strong, wrong_role_token=strong))
    failed = {c.name: c for c in report.failed}
    assert set(failed) == {"auth: wrong role → 403"}
    assert "expected 403, got 200" in failed["auth: wrong role → 403"].detail


def test_without_a_second_identity_the_role_check_is_not_run_and_fails(server: Server) -> None:
    report = run_smoke(SmokeConfig(server.url, admin_token(TEST_SECRET), latency_p95_ms=0.0))
    assert not report.ok
    failed = {c.name: c for c in report.failed}
    assert set(failed) == {"auth: wrong role → 403", "latency"}
    assert failed["auth: wrong role → 403"].status is Status.NOT_RUN
    assert failed["latency"].status is Status.FAIL
    assert "> threshold 0 ms" in failed["latency"].detail


def test_a_token_the_service_does_not_accept_fails_loudly(server: Server, tmp_path: Path) -> None:
    forged = admin_token("another-secret-of-enough-length-0123456789abcdef")
    run = run_smoke_cli(server.url, forged, tmp_path, "--jwt-secret", TEST_SECRET)
    assert run.returncode == 1, run.output
    # Anonymous checks still pass; everything done with the bad token fails, and the round trip
    # reports its later steps as not run instead of stopping the smoke test.
    assert run.failed() == {
        "auth: wrong tenant → 403",
        "roundtrip.accounts",
        "roundtrip.journal",
        "roundtrip.post",
        "roundtrip.trial_balance",
        "latency",
    }, run.output
    status = run.status()
    assert status["roundtrip.journal"] == "NOT RUN"
    assert "expected 403, got 401" in _detail(run.report, "auth: wrong tenant → 403")
    assert "SMOKE FAILED: 6 of 13 checks failed" in run.output


# --- a deliberately broken server -----------------------------------------------------------


class _AnswersOkToEverything(BaseHTTPRequestHandler):
    """What the seed's smoke test could not tell apart from a healthy service: 200 and `{}` for
    every method and path, any origin allowed, no security headers, no authentication."""

    def _ok(self) -> None:
        body = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_OPTIONS = do_PATCH = _ok

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def broken_server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _AnswersOkToEverything)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_server_that_answers_200_to_everything_fails_every_real_check(
    broken_server: str, tmp_path: Path
) -> None:
    run = run_smoke_cli(
        broken_server, admin_token(TEST_SECRET), tmp_path, "--jwt-secret", TEST_SECRET
    )
    assert run.returncode == 1
    assert tuple(run.status()) == CHECK_NAMES  # every check ran or was reported
    assert run.failed() == {
        "auth: no token → 401",
        "auth: wrong role → 403",
        "auth: wrong tenant → 403",
        "cors: foreign origin refused",
        "security headers",
        "roundtrip.accounts",
        "roundtrip.journal",
        "roundtrip.post",
        "roundtrip.trial_balance",
    }, run.output
    assert "expected 401, got 200" in _detail(run.report, "auth: no token → 401")
    assert "Allow-Origin '*'" in _detail(run.report, "cors: foreign origin refused")
    headers = _detail(run.report, "security headers")
    for name in ("strict-transport-security", "x-content-type-options", "x-frame-options"):
        assert name in headers
    # Loud: the summary names every failed check, after the table.
    summary = run.output.splitlines()[-2:]
    assert "SMOKE FAILED: 9 of 13 checks failed" in " ".join(summary), run.output


def test_nothing_listening_fails_every_check_without_a_traceback(tmp_path: Path) -> None:
    from tests.conftest import free_port

    run = run_smoke_cli(
        f"http://127.0.0.1:{free_port()}", admin_token(TEST_SECRET), tmp_path, "--requests", "2"
    )
    assert run.returncode == 1
    assert run.failed() == set(CHECK_NAMES)
    assert "Traceback" not in run.output
    assert "ConnectError" in _detail(run.report, "health /health/live")


def _detail(report: dict[str, Any], name: str) -> str:
    return str(next(c["detail"] for c in report["checks"] if c["name"] == name))
