"""The operator's tools (vextrus_deploy) stay outside the service's import graph (ADR 0045):
the service and its CLI start without them, the rollout commands start without the service,
and `vextrus-finance deploy|smoke` still reach them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from vextrus_finance.cli import app

TOOLING = ("vextrus_deploy", "vextrus_finance.deployment", "vextrus_finance.operations")


def _fresh(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "OTEL_EXPORTER_OTLP_ENDPOINT": ""},
        timeout=120,
    )


def test_the_api_app_and_the_cli_load_no_deployment_module() -> None:
    script = (
        "import sys\n"
        "from vextrus_finance.api.app import create_app\n"
        "from vextrus_finance.settings import Settings\n"
        "import vextrus_finance.cli\n"
        "app = create_app(Settings(environment='test', database_url='sqlite:///:memory:',\n"
        "                          jwt_secret='x' * 32))\n"
        "app.build_middleware_stack()\n"
        f"tooling = sorted(m for m in sys.modules if m.startswith({TOOLING!r}))\n"
        "print(tooling, 'vextrus_finance.cli' in sys.modules, 'fastapi' in sys.modules)\n"
    )
    assert _fresh(script).stdout.strip() == "[] True True"


def test_the_rollout_commands_start_without_the_service() -> None:
    # What deploy/scripts/* run: every module Python imports is listed by -X importtime.
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "vextrus_deploy", "--help"],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "120"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "rollout" in done.stdout
    assert "preflight" in done.stdout
    imported = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()]
    assert "vextrus_deploy.rollout" in imported
    assert [m for m in imported if m.startswith("vextrus_finance")] == []


def test_deploy_and_smoke_are_commands_of_vextrus_finance() -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["--help"], prog_name="vextrus-finance", terminal_width=120)
    assert listed.exit_code == 0, listed.output
    assert "deploy" in listed.output
    assert "smoke" in listed.output

    deploy = runner.invoke(
        app, ["deploy", "--help"], prog_name="vextrus-finance", terminal_width=120
    )
    assert deploy.exit_code == 0, deploy.output
    assert "Usage: vextrus-finance deploy" in deploy.output
    for command in ("preflight", "rollout", "rollback"):
        assert command in deploy.output
    assert "--install-completion" not in deploy.output  # only the root command installs it

    smoke = runner.invoke(app, ["smoke", "--help"], prog_name="vextrus-finance", terminal_width=120)
    assert smoke.exit_code == 0, smoke.output
    assert "--base-url" in smoke.output
    assert "--json-report" in smoke.output

    typo = runner.invoke(app, ["deplo"], prog_name="vextrus-finance", terminal_width=120)
    assert typo.exit_code == 2
    assert "Did you mean 'deploy'?" in typo.output


def test_vextrus_finance_deploy_runs_the_rollout_tooling(tmp_path: Path) -> None:
    # No kubectl at that path: every step of the manual rollback fails, is reported, and the
    # exit code says a person must act (2), exactly as `python -m vextrus_deploy rollback`.
    missing = str(tmp_path / "no-kubectl")
    result = CliRunner().invoke(
        app, ["deploy", "rollback", "--stage", "staging", "--kubectl", missing]
    )
    assert result.exit_code == 2, result.output
    assert "manual rollback of stage staging" in result.output
    assert "ROLLBACK INCOMPLETE" in result.output
    assert f"{missing} not found" in result.output

    unknown = CliRunner().invoke(app, ["deploy", "preflight", "--stage", "canary-99"])
    assert unknown.exit_code == 2
    assert "unknown stage 'canary-99'" in unknown.output
