"""The `vextrus-finance` command."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from typer.core import TyperGroup

from vextrus_finance.application.context import RequestContext, is_tenant_id
from vextrus_finance.application.invoicing.demo import seed_demo_invoices
from vextrus_finance.application.invoicing.posting_profiles import seed_posting_profile
from vextrus_finance.application.ports import UnitOfWork
from vextrus_finance.application.seed import seed_chart, seed_demo_journals
from vextrus_finance.bootstrap import Container, bootstrap
from vextrus_finance.infrastructure.db.database import redacted
from vextrus_finance.infrastructure.rebuild.rebuild import Rebuilder
from vextrus_finance.settings import Settings, get_settings
from vextrus_finance.tenant_cli import tenant_app

# The operator's tools that live outside the service (ADR 0045): command -> (module, Typer app).
# They are imported by name through importlib when the command runs or --help lists it, so
# importing this module (or the API) loads none of them, and import-linter's graph, which sees
# only import statements, has no edge from the runtime to vextrus_deploy.
TOOLS = {
    "deploy": ("vextrus_deploy.cli", "deploy_app"),
    "smoke": ("vextrus_deploy.smoke_cli", "smoke_app"),
}


class _WithTools(TyperGroup):
    """The root command group, with the TOOLS commands added on first use."""

    # ctx is Typer's vendored click.Context, a type Typer does not export.
    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in TOOLS if n not in self.commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in TOOLS and cmd_name not in self.commands:
            module, attribute = TOOLS[cmd_name]
            tool: typer.Typer = getattr(importlib.import_module(module), attribute)
            command = typer.main.get_command(tool)
            command.name = cmd_name
            self.add_command(command)
        return super().get_command(ctx, cmd_name)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in self.commands and args[0] not in TOOLS:
            for name in TOOLS:  # a typo: "Did you mean" draws on the loaded commands
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)


app = typer.Typer(
    cls=_WithTools,
    no_args_is_help=True,
    help="Vextrus Finance: the ledger service and its tools.",
)
projections = typer.Typer(no_args_is_help=True, help="Read models built from the event log.")
app.add_typer(projections, name="projections")
app.add_typer(tenant_app, name="tenant")
console = Console(stderr=True)
T = TypeVar("T")
DEMO_TENANT = "demo"


def _run(work: Callable[[Container], Awaitable[T]], settings: Settings | None = None) -> T:
    async def main() -> T:
        container = bootstrap(settings or get_settings())
        try:
            return await work(container)
        finally:
            await container.close()

    return asyncio.run(main())


def _configure_logging(settings: Settings) -> None:
    from vextrus_finance.observability import logs

    logs.configure(settings.log_level, settings.resolved_log_format)


@app.command()
def migrate() -> None:
    """Bring the database to the latest schema."""
    settings = get_settings()
    _run(lambda c: c.migrate())
    console.print(f"[green]migrated[/] {redacted(settings.database_url)}")


async def _seed(container: Container, tenant: str, with_journals: bool) -> tuple[int, int]:
    ctx = RequestContext(tenant_id=tenant, user_id="cli:seed")

    async def decide(uow: UnitOfWork) -> tuple[int, int]:
        opened = await seed_chart(uow)
        # The default posting profile: what invoice approval and payment postings use.
        await seed_posting_profile(uow)
        journals = 0
        if with_journals and opened:  # only into a fresh chart: seeding twice adds nothing
            journals = await seed_demo_journals(uow, container.settings.today())
        return opened, journals

    opened, journals = (await container.runner.run(ctx, decide)).value
    if with_journals and opened:

        async def run(step: Callable[[UnitOfWork], Awaitable[str]]) -> str:
            return (await container.runner.run(ctx, step)).value

        await seed_demo_invoices(run, container.settings.today())
    return opened, journals


def _token(settings: Settings, tenant: str, roles: list[str], sub: str, ttl: int) -> str:
    from vextrus_finance.api.auth import mint_token

    return mint_token(settings, tenant_id=tenant, roles=roles, subject=sub, ttl_seconds=ttl)


@app.command()
def seed(
    tenant: Annotated[
        str | None, typer.Option(help="Give this tenant the standard chart (default: demo tenant)")
    ] = None,
) -> None:
    """Create the demo tenant (standard chart, posting profile, sample journals, invoices and
    payments), or give TENANT the standard chart and the default posting profile."""
    settings = get_settings()
    if tenant is not None and not is_tenant_id(tenant):
        raise typer.BadParameter("1–64 letters, digits or ._:-, starting with a letter or digit")

    async def work(container: Container) -> tuple[int, int]:
        if settings.migrate_on_start:
            await container.migrate()
        return await _seed(container, tenant or DEMO_TENANT, with_journals=tenant is None)

    opened, journals = _run(work)
    console.print(
        f"tenant [bold]{tenant or DEMO_TENANT}[/]: {opened} accounts opened, {journals} journals"
    )


@app.command()
def token(
    tenant: Annotated[str, typer.Option(help="tenant_id claim")] = DEMO_TENANT,
    roles: Annotated[str, typer.Option(help="comma-separated roles")] = "admin",
    sub: Annotated[str, typer.Option(help="subject (user id)")] = "dev-user",
    ttl: Annotated[int, typer.Option(help="lifetime in seconds")] = 3600,
) -> None:
    """Print a JWT signed with JWT_SECRET (or the development secret)."""
    names = [r.strip() for r in roles.split(",") if r.strip()]
    typer.echo(_token(get_settings(), tenant, names, sub, ttl))


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="default: HOST or 0.0.0.0")] = None,
    port: Annotated[int | None, typer.Option(help="default: PORT or 3014")] = None,
    demo: Annotated[
        bool, typer.Option(help="migrate, seed the demo tenant and print a token first")
    ] = False,
) -> None:
    """Serve the REST API; on SIGTERM drain, finish in-flight requests and exit 0."""
    from vextrus_finance.api.app import create_app
    from vextrus_finance.api.security.header_limit import bounded_head_protocol
    from vextrus_finance.api.services import services
    from vextrus_finance.observability import server

    settings = get_settings()
    refused = settings.production_problems()
    if refused:  # before anything is migrated, seeded or logged
        console.print(f"[red]refusing to start in {settings.environment}:[/] " + "; ".join(refused))
        raise typer.Exit(2)
    _configure_logging(settings)
    if demo:

        async def prepare(container: Container) -> tuple[int, int]:
            await container.migrate()
            return await _seed(container, DEMO_TENANT, with_journals=True)

        opened, journals = _run(prepare)
        console.print(
            f"[green]demo tenant ready[/] ({opened} accounts and {journals} journals added)"
        )
        console.print("[bold]Development token[/] (tenant demo, role admin, valid 12 hours):")
        typer.echo(_token(settings, DEMO_TENANT, ["admin"], "demo-admin", 12 * 3600))
    served = create_app(settings)
    server.serve(
        served,
        drain=services(served).drain,
        host=host or settings.host,
        port=port or settings.port,
        drain_seconds=settings.shutdown_drain_seconds,
        grace_seconds=settings.shutdown_grace_seconds,
        http=bounded_head_protocol(settings.max_header_bytes),
    )


def _progress_run(
    label: str, work: Callable[[Rebuilder, Callable[[int, int], None]], Awaitable[T]]
) -> T:
    with Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=console
    ) as bar:
        task = bar.add_task(label, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=max(total, done))

        return _run(lambda c: work(Rebuilder(c.db, c.store), advance))


@projections.command("rebuild")
def projections_rebuild() -> None:
    """Rebuild every read model from the event log (safe while the service runs)."""
    events = _progress_run("rebuilding", lambda r, p: r.rebuild(p))
    console.print(f"[green]rebuilt[/] from {events} events")


@app.command()
def verify() -> None:
    """Check that a rebuild equals the live read models, that debits equal credits and that
    every tenant's event hash chain is intact."""
    report = _progress_run("verifying", lambda r, p: r.verify(p))
    table = Table("check", "result")
    table.add_row("events replayed", str(report.events))
    for check, problem in report.failures():
        table.add_row(escape(check), f"[red]{escape(problem)}[/]")
    for finding in report.findings:  # warnings: the books are replayed exactly all the same
        table.add_row(
            f"tenant {finding.tenant_id} {finding.check}",
            f"[yellow]{escape(finding.subject)}: {escape(finding.detail)}[/]",
        )
    table.add_row("verdict", "[green]OK[/]" if report.ok else "[red]FAILED[/]")
    console.print(table)
    raise typer.Exit(0 if report.ok else 1)


def main() -> None:
    app()
