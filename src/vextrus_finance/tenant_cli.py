"""`vextrus-finance tenant export|import`: move one tenant between databases (ADR 0050)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from vextrus_finance.application.context import is_tenant_id
from vextrus_finance.bootstrap import Container, bootstrap
from vextrus_finance.infrastructure.db.database import redacted
from vextrus_finance.infrastructure.tenancy.archive import ArchiveRefused
from vextrus_finance.settings import get_settings

tenant_app = typer.Typer(
    no_args_is_help=True, help="Move a tenant between databases: export and import."
)
console = Console(stderr=True)
T = TypeVar("T")


def _run(work: Callable[[Container], Awaitable[T]]) -> T:
    async def main() -> T:
        container = bootstrap(get_settings())
        try:
            return await work(container)
        finally:
            await container.close()

    try:
        return asyncio.run(main())
    except ArchiveRefused as exc:
        console.print(f"[red]refused:[/] {escape(str(exc))}")
        raise typer.Exit(1) from exc


@tenant_app.command("export")
def tenant_export(
    tenant: Annotated[str, typer.Option(help="the tenant to export")],
    out: Annotated[Path, typer.Option(help="the archive to write (gzip-compressed JSON Lines)")],
) -> None:
    """Write TENANT's events, counters and books (a manifest and a checksum) to OUT."""
    from vextrus_finance.infrastructure.tenancy.export import export_tenant

    if not is_tenant_id(tenant):
        raise typer.BadParameter("1–64 letters, digits or ._:-, starting with a letter or digit")

    exported = _run(lambda c: export_tenant(c.db, tenant, out, now=c.calendar.now()))
    m = exported.manifest
    console.print(
        f"[green]exported[/] tenant [bold]{escape(tenant)}[/]: {m.events} events "
        f"(positions {m.first_position}–{m.last_position}), {len(m.books.counters)} counters "
        f"to {escape(str(out))} (sha256 {exported.sha256})"
    )


@tenant_app.command("import")
def tenant_import(
    archive: Annotated[Path, typer.Argument(help="an archive written by `tenant export`")],
    verify: Annotated[
        bool, typer.Option(help="run `verify` over the whole database after the import")
    ] = True,
) -> None:
    """Recreate the archive's tenant in DATABASE_URL: its events, counters and read models; in
    one transaction, so a refused archive changes nothing."""
    from vextrus_finance.infrastructure.tenancy.import_ import import_tenant, verify_database

    settings = get_settings()
    if not archive.is_file():
        raise typer.BadParameter(f"{archive} is not a file")

    async def work(container: Container) -> list[str]:
        if settings.migrate_on_start:
            await container.migrate()
        imported = await import_tenant(container.db, container.store, archive)
        m = imported.manifest
        console.print(
            f"[green]imported[/] tenant [bold]{escape(m.tenant_id)}[/] into "
            f"{redacted(settings.database_url)}: {m.events} events at positions "
            f"{imported.first_position}–{imported.last_position}; books and counters equal "
            "the source's"
        )
        return await verify_database(container.db, container.store) if verify else []

    problems = _run(work)
    if problems:
        for problem in problems:
            console.print(f"[red]verify: {escape(problem)}[/]")
        console.print("[red]verify FAILED after the import[/] (the import is committed)")
        raise typer.Exit(1)
    if verify:
        console.print("[green]verify OK[/]")
