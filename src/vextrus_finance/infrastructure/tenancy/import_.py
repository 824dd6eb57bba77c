"""`tenant import`: an archive's tenant recreated in this database (ADR 0050).

One write transaction does all of it, so a refusal at any point — a corrupt, truncated or
edited file, a broken chain, an unknown format, a tenant that already has events here, books
that come out different — writes nothing:

1. the events, `batch_size` at a time as the file streams, are projected into the live read
   models by the `BulkProjector` (as a command's are) and appended by `EventStore.append`,
   which gives them this database's positions and chains them anew to this tenant's chain;
2. the counters (document numbering) are set to the source's values;
3. the tenant's books (each account's totals, the sums by currency, the counters) are compared
   with the manifest's.

Each event must decode and encode back to exactly the JSON it was stored with (same event
type, same schema version): the append re-encodes the event, and history is not rewritten on
the way. `verify_database` (the `verify` command's checks) then runs after the commit."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from vextrus_finance.infrastructure.db import codec
from vextrus_finance.infrastructure.db.database import Database
from vextrus_finance.infrastructure.db.schema import counters, events
from vextrus_finance.infrastructure.event_store.store import EventEnvelope, EventStore
from vextrus_finance.infrastructure.migrations import (
    current_revision,
    head_revision,
    known_revisions,
)
from vextrus_finance.infrastructure.projections.bulk import BulkProjector
from vextrus_finance.infrastructure.projections.inline import upsert
from vextrus_finance.infrastructure.projections.tables import LIVE
from vextrus_finance.infrastructure.rebuild.rebuild import Rebuilder
from vextrus_finance.infrastructure.tenancy.archive import (
    ArchiveReader,
    ArchiveRefused,
    Manifest,
    check_file,
)
from vextrus_finance.infrastructure.tenancy.books import tenant_books

BATCH_SIZE = 5_000


@dataclass(frozen=True)
class Imported:
    manifest: Manifest
    first_position: int
    last_position: int


def _envelope(tenant_id: str, line: dict[str, object], recorded_at: object) -> EventEnvelope:
    event_type, data = line["event_type"], line["data"]
    where = f"source position {line['position']} (event {line['event_id']})"
    if not isinstance(event_type, str) or not isinstance(data, dict):
        raise ArchiveRefused(f"{where}: malformed event")
    try:
        event = codec.decode_event(event_type, data)
    except (LookupError, ValueError) as exc:
        raise ArchiveRefused(f"{where}: this release cannot read the event: {exc}") from exc
    if (
        event.event_type() != event_type
        or line["schema_version"] != event.SCHEMA_VERSION
        or codec.encode(event) != data
    ):
        raise ArchiveRefused(
            f"{where}: {event_type} v{line['schema_version']} does not encode back to the "
            f"stored JSON in this release (v{event.SCHEMA_VERSION}); import with the release "
            "that exported it"
        )
    metadata = line["metadata"]
    if not isinstance(metadata, dict):
        raise ArchiveRefused(f"{where}: malformed metadata")
    return EventEnvelope(
        tenant_id=tenant_id,
        stream_type=str(line["stream_type"]),
        stream_id=str(line["stream_id"]),
        version=int(line["version"]),  # type: ignore[call-overload]
        event=event,
        metadata=metadata,
        recorded_at=recorded_at,  # type: ignore[arg-type]
        event_id=str(line["event_id"]),
    )


async def _check_target(conn: AsyncConnection, manifest: Manifest) -> None:
    revision = await current_revision(conn)
    if revision != head_revision():
        raise ArchiveRefused(
            f"the target database is at schema revision {revision!r}, not {head_revision()!r}: "
            "run `vextrus-finance migrate` first"
        )
    if manifest.schema_revision not in known_revisions():
        raise ArchiveRefused(
            f"the archive comes from schema revision {manifest.schema_revision!r}, unknown "
            "to this release (a newer one): import with that release"
        )
    found = await conn.execute(
        sa.select(sa.literal(1)).where(events.c.tenant_id == manifest.tenant_id).limit(1)
    )
    if found.first() is not None:
        raise ArchiveRefused(
            f"tenant {manifest.tenant_id!r} already has events in the target database"
        )


async def _restore_counters(conn: AsyncConnection, tenant_id: str, values: dict[str, int]) -> None:
    for name, value in sorted(values.items()):
        insert = upsert(conn, counters).values(tenant_id=tenant_id, name=name, value=value)
        await conn.execute(
            insert.on_conflict_do_update(
                index_elements=["tenant_id", "name"], set_={"value": insert.excluded.value}
            )
        )


async def import_tenant(
    db: Database, store: EventStore, path: Path, *, batch_size: int = BATCH_SIZE
) -> Imported:
    """Recreate the archive's tenant in `db`, or raise `ArchiveRefused` having written
    nothing."""
    check_file(path)  # a damaged file is refused before the database is touched
    with ArchiveReader(path) as reader:
        manifest = reader.manifest
        tenant = manifest.tenant_id
        projector = BulkProjector(LIVE)
        first = last = 0
        try:
            async with db.write() as conn:
                await _check_target(conn, manifest)
                batch: list[EventEnvelope] = []

                async def flush() -> int:
                    await projector.apply(conn, batch)
                    position = await store.append(conn, batch)
                    batch.clear()
                    return position

                for line, recorded_at in reader.events():
                    batch.append(_envelope(tenant, line, recorded_at))
                    if len(batch) >= batch_size:
                        last = await flush()
                        first = first or last - batch_size + 1
                if batch:
                    size = len(batch)
                    last = await flush()
                    first = first or last - size + 1
                # reader.events() is exhausted: the checksum (again: the file may have
                # changed since check_file), the chain and the counts held.
                await _restore_counters(conn, tenant, manifest.books.counters)
                differences = manifest.books.differences(await tenant_books(conn, tenant))
                if differences:
                    raise ArchiveRefused(
                        "the imported books differ from the source's: " + "; ".join(differences)
                    )
        except sa.exc.IntegrityError as exc:
            raise ArchiveRefused(
                f"the target database refused the events (an event id or a document number "
                f"already exists there): {str(exc.orig).splitlines()[0]}"
            ) from exc
    return Imported(manifest, first, last)


async def verify_database(db: Database, store: EventStore) -> list[str]:
    """The `verify` command's checks over the whole database: what failed, or nothing."""
    report = await Rebuilder(db, store).verify()
    return [f"{check}: {problem}" for check, problem in report.failures()]
