"""Snapshots every SNAPSHOT_FREQUENCY events, newest SNAPSHOT_RETENTION_COUNT kept, loads equal
with and without them, stale or broken snapshots ignored, failures never fail a command."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from tests.conftest import make_settings
from tests.integration.helpers import STANDARD, open_accounts, run
from vextrus_finance.application.ledger.accounts import UpdateAccount, update_account
from vextrus_finance.bootstrap import Container, bootstrap
from vextrus_finance.domain.accounts import Account
from vextrus_finance.infrastructure.db.schema import snapshots


async def _rename(container: Container, account_id: str, times: int) -> None:
    for i in range(times):
        await run(
            container,
            "t1",
            lambda uow, i=i: update_account(uow, UpdateAccount(account_id, name=f"Name {i:03d}")),
        )


async def _snapshot_versions(container: Container, account_id: str) -> list[int]:
    async with container.db.read() as conn:
        result = await conn.execute(
            sa.select(snapshots.c.version)
            .where(snapshots.c.stream_id == account_id)
            .order_by(snapshots.c.version)
        )
        return list(result.scalars())


async def _load(container: Container, account_id: str) -> Account:
    async with container.db.read() as conn:
        return await container.store.load(conn, "t1", Account, account_id)


async def test_a_120_event_stream_has_at_most_three_snapshots(container: Container) -> None:
    ids = await open_accounts(container, "t1", STANDARD[:1])
    await _rename(container, ids["1000"], 119)  # 1 opened + 119 renamed = 120 events
    versions = await _snapshot_versions(container, ids["1000"])
    assert versions == [50, 100]
    assert container.snapshotter.taken == 2
    with_snapshots = await _load(container, ids["1000"])
    async with container.db.write() as conn:
        await conn.execute(sa.delete(snapshots))
    without = await _load(container, ids["1000"])
    assert with_snapshots.version == without.version == 120
    assert with_snapshots.state == without.state
    assert with_snapshots.state.name == "Name 118"


async def test_only_the_newest_three_snapshots_are_kept(container: Container) -> None:
    ids = await open_accounts(container, "t1", STANDARD[:1])
    await _rename(container, ids["1000"], 209)  # 210 events: snapshots at 50..200
    assert await _snapshot_versions(container, ids["1000"]) == [100, 150, 200]
    loaded = await _load(container, ids["1000"])
    assert loaded.version == 210
    assert loaded.state.name == "Name 208"


async def test_frequency_and_retention_come_from_settings(database_url: str) -> None:
    container = bootstrap(
        make_settings(database_url, snapshot_frequency=5, snapshot_retention_count=2)
    )
    try:
        ids = await open_accounts(container, "t1", STANDARD[:1])
        await _rename(container, ids["1000"], 16)  # 17 events: snapshots at 5, 10, 15
        assert await _snapshot_versions(container, ids["1000"]) == [10, 15]
    finally:
        await container.close()


async def test_loading_uses_the_snapshot(container: Container) -> None:
    ids = await open_accounts(container, "t1", STANDARD[:1])
    await _rename(container, ids["1000"], 54)
    # Give the snapshot a state no event ever produced: only a load from it can show it.
    state = {
        "code": "1000",
        "name": "FROM SNAPSHOT",
        "type": "ASSET",
        "parent_id": None,
        "currency": "BDT",
        "balance_limit": None,
        "is_active": True,
        "deactivation_reason": None,
        "deactivated_at": None,
    }
    async with container.db.write() as conn:
        await conn.execute(
            sa.update(snapshots).where(snapshots.c.stream_id == ids["1000"]).values(state=state)
        )
    loaded = await _load(container, ids["1000"])
    # Events 51..55 are replayed on top of the snapshot at 50 and rename it to Name 053.
    assert loaded.version == 55
    assert loaded.state.name == "Name 053"
    async with container.db.write() as conn:
        await conn.execute(sa.delete(snapshots))
    async with container.db.write() as conn:
        await conn.execute(
            sa.insert(snapshots).values(
                tenant_id="t1",
                stream_id=ids["1000"],
                version=55,
                stream_type="account",
                schema_version=Account.SNAPSHOT_SCHEMA,
                state=state,
                created_at=datetime.now(UTC),
            )
        )
    assert (await _load(container, ids["1000"])).state.name == "FROM SNAPSHOT"


@pytest.mark.parametrize(
    "bad",
    [
        {"schema_version": 999},  # written by another version of the state class
        {"state": {"garbage": True}},  # unreadable
    ],
)
async def test_stale_or_broken_snapshots_are_ignored(
    container: Container, bad: dict[str, Any]
) -> None:
    ids = await open_accounts(container, "t1", STANDARD[:1])
    await _rename(container, ids["1000"], 9)
    values = {
        "tenant_id": "t1",
        "stream_id": ids["1000"],
        "version": 10,
        "stream_type": "account",
        "schema_version": Account.SNAPSHOT_SCHEMA,
        "state": {"code": "9999"},
        "created_at": datetime.now(UTC),
    } | bad
    async with container.db.write() as conn:
        await conn.execute(sa.insert(snapshots).values(values))
    loaded = await _load(container, ids["1000"])
    assert loaded.version == 10
    assert loaded.state.code == "1000"
    assert loaded.state.name == "Name 008"


async def test_a_failing_snapshot_never_fails_the_command(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = await open_accounts(container, "t1", STANDARD[:1])

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(container.store, "save_snapshot", broken)
    await _rename(container, ids["1000"], 60)
    assert container.snapshotter.errors == 1
    assert container.snapshotter.taken == 0
    loaded = await _load(container, ids["1000"])
    assert loaded.version == 61
    assert loaded.state.name == "Name 059"
