"""A tenant archive that is truncated, edited, carries a wrong checksum or an unknown format
version, whose chain is broken, or whose tenant already has events in the target, is refused
— and the target database is left exactly as it was (ADR 0050)."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.conftest import make_settings
from tests.system.server import cli
from vextrus_finance.bootstrap import Container, bootstrap
from vextrus_finance.cli import _seed
from vextrus_finance.infrastructure.db import schema
from vextrus_finance.infrastructure.tenancy.archive import ArchiveRefused
from vextrus_finance.infrastructure.tenancy.export import export_tenant
from vextrus_finance.infrastructure.tenancy.import_ import import_tenant

TENANT = "demo"
TABLES = (
    schema.events,
    schema.event_log_head,
    schema.counters,
    schema.accounts,
    schema.journals,
    schema.ledger_entries,
    schema.invoices,
    schema.payments,
    schema.counterparties,
    schema.fiscal_periods,
)


@pytest.fixture
async def target(
    database_url: str, tmp_path: Path, sqlite_template: Path, postgres_database_factory: Any
) -> AsyncIterator[Container]:
    """A fresh migrated database of the same kind as `database_url`, holding another tenant."""
    if database_url.startswith("sqlite"):
        path = tmp_path / "target.db"
        shutil.copyfile(sqlite_template, path)
        url = f"sqlite:///{path}"
    else:
        url = await postgres_database_factory()
    container = bootstrap(make_settings(url))
    await _seed(container, "other", with_journals=False)
    try:
        yield container
    finally:
        await container.close()


@pytest.fixture
async def archive(container: Container, tmp_path: Path) -> Path:
    await _seed(container, TENANT, with_journals=True)
    path = tmp_path / "demo.jsonl.gz"
    await export_tenant(container.db, TENANT, path, now=container.calendar.now(), batch_size=7)
    return path


async def _contents(container: Container) -> dict[str, list[tuple[Any, ...]]]:
    async with container.db.read() as conn:
        return {
            table.name: sorted(map(tuple, await conn.execute(sa.select(table))), key=repr)
            for table in TABLES
        }


def _lines(path: Path) -> list[bytes]:
    with gzip.open(path, "rb") as f:
        return f.read().splitlines(keepends=True)


def _write(path: Path, lines: list[bytes], *, reseal: bool = False) -> None:
    """The lines as an archive; `reseal`: with a checksum line recomputed over them."""
    if reseal:
        body = lines[:-1]
        trailer = {"sha256": hashlib.sha256(b"".join(body)).hexdigest(), "lines": len(body)}
        lines = [*body, json.dumps(trailer).encode() + b"\n"]
    with gzip.open(path, "wb") as f:
        f.write(b"".join(lines))


def _edit_event(lines: list[bytes], change: Callable[[dict[str, Any]], None]) -> list[bytes]:
    event = json.loads(lines[3])
    change(event)
    return [*lines[:3], json.dumps(event).encode() + b"\n", *lines[4:]]


def truncated_raw(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])


def truncated_lines(path: Path) -> None:
    _write(path, _lines(path)[:-5])


def without_checksum(path: Path) -> None:
    _write(path, _lines(path)[:-1])


def flipped_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def edited_amount(path: Path) -> None:
    """An edit in the plain text: the checksum no longer matches."""
    lines = _lines(path)
    for i, line in enumerate(lines):
        if b'"debit":"' in line:
            lines[i] = line.replace(b'"debit":"', b'"debit":"1', 1)
            break
    else:
        raise AssertionError("no amount to edit")
    _write(path, lines)


def wrong_checksum(path: Path) -> None:
    lines = _lines(path)
    trailer = json.loads(lines[-1])
    trailer["sha256"] = "0" * 64
    _write(path, [*lines[:-1], json.dumps(trailer).encode() + b"\n"])


def unknown_version(path: Path) -> None:
    lines = _lines(path)
    manifest = json.loads(lines[0])
    manifest["format_version"] = 99
    _write(path, [json.dumps(manifest).encode() + b"\n", *lines[1:]], reseal=True)


def broken_chain(path: Path) -> None:
    """An edited event, the checksum recomputed: the chain still tells."""
    lines = _edit_event(_lines(path), lambda e: e["metadata"].update(user_id="mallory"))
    _write(path, lines, reseal=True)


def dropped_event(path: Path) -> None:
    lines = _lines(path)
    _write(path, [*lines[:3], *lines[4:]], reseal=True)


def changed_books(path: Path) -> None:
    """A manifest whose books the events do not give: refused after projecting, rolled back."""
    lines = _lines(path)
    manifest = json.loads(lines[0])
    manifest["books"]["accounts"]["1100"][0] += 1
    _write(path, [json.dumps(manifest).encode() + b"\n", *lines[1:]], reseal=True)


def not_an_archive(path: Path) -> None:
    lines = [json.dumps({"hello": "world"}).encode() + b"\n", b"{}\n"]
    _write(path, lines, reseal=True)


CORRUPTIONS = {
    "truncated file": (truncated_raw, "truncated"),
    "truncated lines": (truncated_lines, "checksum"),
    "no checksum line": (without_checksum, "truncated"),
    "flipped byte": (flipped_byte, "corrupt|checksum mismatch"),
    "edited amount": (edited_amount, "checksum mismatch"),
    "wrong checksum": (wrong_checksum, "checksum mismatch"),
    "unknown format version": (unknown_version, "unknown format version 99"),
    "not an archive": (not_an_archive, "not a tenant archive"),
    "broken chain": (broken_chain, "hash chain is broken"),
    "dropped event": (dropped_event, "hash chain is broken"),
    "different books": (changed_books, "books differ"),
}


@pytest.mark.parametrize("corruption", CORRUPTIONS)
async def test_a_damaged_archive_is_refused_and_nothing_written(
    corruption: str, archive: Path, target: Container
) -> None:
    damage, message = CORRUPTIONS[corruption]
    damage(archive)
    before = await _contents(target)
    with pytest.raises(ArchiveRefused, match=message):
        await import_tenant(target.db, target.store, archive, batch_size=5)
    assert await _contents(target) == before


async def test_a_tenant_with_events_is_refused(archive: Path, target: Container) -> None:
    await import_tenant(target.db, target.store, archive, batch_size=5)
    before = await _contents(target)
    with pytest.raises(ArchiveRefused, match="already has events"):
        await import_tenant(target.db, target.store, archive)
    assert await _contents(target) == before


async def test_the_command_refuses_with_an_error(archive: Path, target: Container) -> None:
    truncated_raw(archive)
    url = target.settings.database_url
    before = await _contents(target)
    failed = cli("tenant", "import", str(archive), database_url=url, check=False, COLUMNS="300")
    assert failed.returncode == 1
    assert "refused: the file is corrupt or truncated" in failed.stderr, failed.stderr
    assert await _contents(target) == before
