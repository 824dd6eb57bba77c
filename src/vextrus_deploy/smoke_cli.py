"""`vextrus-finance smoke`: the command line of vextrus_deploy.smoke, with its Rich summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from vextrus_deploy.smoke import (
    FOREIGN_ORIGIN,
    SmokeConfig,
    SmokeReport,
    Status,
    run_smoke,
)

STYLE = {Status.PASS: "green", Status.FAIL: "bold red", Status.NOT_RUN: "bold red"}


def render(report: SmokeReport, console: Console) -> None:
    table = Table(title=f"smoke test of {report.base_url}", show_lines=False)
    table.add_column("check")
    table.add_column("result")
    table.add_column("detail", overflow="fold")
    table.add_column("s", justify="right")
    for check in report.checks:
        style = STYLE[check.status]
        table.add_row(
            check.name, f"[{style}]{check.status}[/]", check.detail, f"{check.seconds:.2f}"
        )
    console.print(table)
    if report.ok:
        console.print(f"[green]SMOKE PASSED[/]: all {len(report.checks)} checks passed")
    else:
        names = ", ".join(c.name for c in report.failed)
        console.print(
            f"[bold red]SMOKE FAILED[/]: {len(report.failed)} of {len(report.checks)} checks "
            f"failed: {names}"
        )


def smoke(
    base_url: Annotated[str, typer.Option(help="the service, e.g. http://127.0.0.1:3014")],
    token: Annotated[
        str,
        typer.Option(
            envvar="SMOKE_TOKEN",
            help="bearer token of the smoke tenant, allowed to create and post (admin)",
        ),
    ],
    tenant: Annotated[
        str | None, typer.Option(help="smoke tenant (default: the token's tenant claim)")
    ] = None,
    wrong_role_token: Annotated[
        str | None,
        typer.Option(
            envvar="SMOKE_WRONG_ROLE_TOKEN",
            help="a token of the same tenant lacking journal:read, for the 403 check",
        ),
    ] = None,
    jwt_secret: Annotated[
        str | None,
        typer.Option(
            envvar="SMOKE_JWT_SECRET",
            help="HS256 secret to mint the wrong-role token (role `user`) when none is given",
        ),
    ] = None,
    jwt_issuer: Annotated[str | None, typer.Option(help="iss of a minted token")] = None,
    jwt_audience: Annotated[str | None, typer.Option(help="aud of a minted token")] = None,
    foreign_origin: Annotated[
        str, typer.Option(help="an origin the service must refuse")
    ] = FOREIGN_ORIGIN,
    requests: Annotated[int, typer.Option(min=1, help="requests for the latency check")] = 20,
    p95_ms: Annotated[float, typer.Option(help="latency check fails above this P95")] = 500.0,
    latency_path: Annotated[
        str, typer.Option(help="authenticated GET timed by the latency check")
    ] = "/api/v1/accounts?limit=1",
    timeout: Annotated[float, typer.Option(help="seconds per request")] = 10.0,
    insecure: Annotated[bool, typer.Option(help="do not verify TLS certificates")] = False,
    json_report: Annotated[
        Path | None, typer.Option("--json-report", help="also write the report as JSON here")
    ] = None,
) -> None:
    """Check a running service: health, 401/403, CORS, security headers, a ledger round trip,
    latency. Every check runs; exit 1 if any failed (or could not run)."""
    config = SmokeConfig(
        base_url=base_url,
        token=token,
        tenant=tenant,
        wrong_role_token=wrong_role_token,
        jwt_secret=jwt_secret,
        jwt_issuer=jwt_issuer,
        jwt_audience=jwt_audience,
        foreign_origin=foreign_origin,
        latency_requests=requests,
        latency_p95_ms=p95_ms,
        latency_path=latency_path,
        timeout_seconds=timeout,
        verify_tls=not insecure,
    )
    report = run_smoke(config)
    render(report, Console(width=160))
    if json_report is not None:
        json_report.write_text(json.dumps(report.as_dict(), indent=2) + "\n")
    raise typer.Exit(0 if report.ok else 1)


# What `vextrus-finance smoke` loads (vextrus_finance.cli.TOOLS).
smoke_app = typer.Typer(add_completion=False)
smoke_app.command()(smoke)
