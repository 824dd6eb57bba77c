"""Counterparty commands: register, update, and linking the counterparty an invoice names to
its record (ADR 0037)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from vextrus_finance.application.context import new_id
from vextrus_finance.application.ledger.accounts import Change
from vextrus_finance.application.loading import load_existing
from vextrus_finance.application.ports import UnitOfWork
from vextrus_finance.domain.counterparties import (
    CounterpartyDetails,
    CounterpartyKind,
    CounterpartyRecord,
    build_details,
)
from vextrus_finance.domain.errors import AlreadyExists, InvalidInput
from vextrus_finance.domain.invoices import Counterparty, build_counterparty
from vextrus_finance.domain.payments import Direction

Decide = Callable[[UnitOfWork], Awaitable[str]]


@dataclass(frozen=True)
class RegisterCounterparty:
    kind: CounterpartyKind
    name: str
    bin: str | None = None
    tin: str | None = None
    address: str | None = None
    mobile: str | None = None
    # Chosen once per request so that a retried attempt recognises its own earlier commit.
    counterparty_id: str = field(default_factory=new_id)


@dataclass(frozen=True)
class UpdateCounterparty:
    counterparty_id: str
    kind: CounterpartyKind | None = None
    name: str | None = None
    bin: Change[str | None] | None = None
    tin: Change[str | None] | None = None
    address: Change[str | None] | None = None
    mobile: Change[str | None] | None = None
    is_active: bool | None = None
    expected_version: int | None = None


async def _refuse_taken_bin(uow: UnitOfWork, details: CounterpartyDetails, own_id: str) -> None:
    if details.bin is None:
        return
    holder = await uow.counterparties.by_bin(details.bin)
    if holder is not None and holder.id != own_id:
        raise AlreadyExists(
            f"BIN {details.bin} is already counterparty {holder.id} ({holder.name})",
            field="bin",
            code="counterparty_bin_taken",
        )


async def register_counterparty(uow: UnitOfWork, cmd: RegisterCounterparty) -> str:
    record = await uow.load(CounterpartyRecord, cmd.counterparty_id)
    if record.exists:
        return record.id  # an earlier attempt of this same command committed
    details = build_details(
        cmd.kind, cmd.name, bin=cmd.bin, tin=cmd.tin, address=cmd.address, mobile=cmd.mobile
    )
    await _refuse_taken_bin(uow, details, record.id)
    record.register(details)
    await uow.record(record)
    return record.id


def _changed(change: Change[str | None] | None, current: str | None) -> str | None:
    return current if change is None else change.value


async def update_counterparty(uow: UnitOfWork, cmd: UpdateCounterparty) -> str:
    record = await load_existing(
        uow,
        CounterpartyRecord,
        cmd.counterparty_id,
        what="counterparty",
        expected_version=cmd.expected_version,
    )
    now = record.state
    details = build_details(
        cmd.kind or now.kind,
        cmd.name if cmd.name is not None else now.name,
        bin=_changed(cmd.bin, now.bin),
        tin=_changed(cmd.tin, now.tin),
        address=_changed(cmd.address, now.address),
        mobile=_changed(cmd.mobile, now.mobile),
        is_active=now.is_active if cmd.is_active is None else cmd.is_active,
    )
    await _refuse_taken_bin(uow, details, record.id)
    record.update(details)
    await uow.record(record)
    return record.id


async def link_counterparty(
    uow: UnitOfWork, party: Counterparty, kind: CounterpartyKind, *, field: str = "counterparty"
) -> Counterparty:
    """The invoice's counterparty as a record. Named by id: that record (422 naming
    `counterparty.id` if the tenant has none). Inline: the record with its BIN, else the
    oldest of exactly its name, else a new record registered in this same transaction. The
    invoice keeps what was typed for the address and TIN where given (it is the document's
    copy); the name and BIN are the record's."""
    found = None
    if party.id is not None:
        found = await uow.counterparties.counterparty(party.id)
        if found is None:
            raise InvalidInput(
                f"no counterparty {party.id} in this tenant",
                field=f"{field}.id",
                code="unknown_counterparty",
            )
    elif party.bin is not None:
        found = await uow.counterparties.by_bin(party.bin)
    else:
        found = await uow.counterparties.by_name(party.name)
    if found is None:
        record = await uow.load(CounterpartyRecord, new_id())
        record.register(
            build_details(kind, party.name, bin=party.bin, tin=party.tin, address=party.address)
        )
        await uow.record(record)
        return Counterparty(party.name, record.id, party.address, party.bin, party.tin)
    if not found.is_active:
        raise InvalidInput(
            f"counterparty {found.id} ({found.name}) is inactive",
            field=f"{field}.id" if party.id else f"{field}.bin" if party.bin else f"{field}.name",
            code="counterparty_inactive",
        )
    if not found.kind.covers(kind):
        # A customer who also supplies us (or the reverse) becomes BOTH rather than a second
        # record of the same party.
        record = await load_existing(uow, CounterpartyRecord, found.id, what="counterparty")
        record.update(
            CounterpartyDetails(
                CounterpartyKind.BOTH,
                found.name,
                found.bin,
                found.tin,
                found.address,
                found.mobile,
                found.is_active,
            )
        )
        await uow.record(record)
    return Counterparty(
        found.name,
        found.id,
        party.address if party.address is not None else found.address,
        found.bin,
        party.tin if party.tin is not None else found.tin,
    )


async def payment_counterparty(
    uow: UnitOfWork,
    given: Counterparty | None,
    invoiced: Counterparty | None,
    direction: Direction,
) -> str | None:
    """The record a payment is from or to: the one given (`{id}` or inline, as on an invoice),
    else its invoice's. One given with an invoice must be the invoice's (422
    `counterparty_mismatch`); an advance may name any."""
    if given is None:
        if invoiced is None or invoiced.id is None:
            return None
        # An invoice from before the records may carry a free-text id: not a record.
        return invoiced.id if await uow.counterparties.existing({invoiced.id}) else None
    if given.id is None:
        given = build_counterparty(given.name, address=given.address, bin=given.bin, tin=given.tin)
    kind = CounterpartyKind.CUSTOMER if direction is Direction.IN else CounterpartyKind.SUPPLIER
    linked = await link_counterparty(uow, given, kind)
    if invoiced is not None and linked.id != invoiced.id:
        raise InvalidInput(
            f"the invoice is {invoiced.name}'s ({invoiced.id}), not {linked.name}'s",
            field="counterparty.id" if given.id else "counterparty",
            code="counterparty_mismatch",
        )
    return linked.id
