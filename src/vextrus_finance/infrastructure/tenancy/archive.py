"""The tenant archive's format (ADR 0050): gzip-compressed JSON Lines.

    line 1       the manifest: FORMAT, FORMAT_VERSION, the tenant, the source's schema
                 revision, event count, first and last source position, the last hash of the
                 tenant's chain, the tenant's books as the source saw them, created_at
    lines 2..n+1 one event each, in source position order: every column of the row but the
                 tenant (the manifest's), with `position`, `prev_hash` and `hash` as the source
                 stored them
    last line    {"sha256": …, "lines": n + 1}: SHA-256 of the bytes of every line before it

`ArchiveReader` checks everything while it streams: the trailer's digest and line count (a
truncated or edited file), the format version, and the tenant's hash chain (chain.py) from
GENESIS through every event to the manifest's last hash (an event edited before the export, or
the digest recomputed after an edit). Nothing it yields is trusted until it is exhausted."""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from vextrus_finance.infrastructure.event_store import chain

FORMAT = "vextrus-finance/tenant-archive"
FORMAT_VERSION = 1
# The columns of an event line, besides `position`, `prev_hash` and `hash`: what the chain
# covers, less the tenant (the archive's own) and the position (the target assigns its own).
EVENT_FIELDS = tuple(f for f in chain.FIELDS if f not in ("position", "tenant_id"))
LINE_FIELDS = frozenset({"position", *EVENT_FIELDS, "prev_hash", "hash"})


class ArchiveRefused(Exception):
    """The file is not an intact archive this release can import; the message says why."""


@dataclass(frozen=True)
class Books:
    """What the tenant's books say, compared between source and target: each account's posted
    debit and credit totals by code (the trial balance's columns), the debit and credit sums by
    currency, and the document-numbering counters."""

    accounts: dict[str, tuple[int, int]]
    currencies: dict[str, tuple[int, int]]
    counters: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {
            "accounts": {k: list(v) for k, v in sorted(self.accounts.items())},
            "currencies": {k: list(v) for k, v in sorted(self.currencies.items())},
            "counters": dict(sorted(self.counters.items())),
        }

    @classmethod
    def from_json(cls, value: Any) -> Books:
        try:
            return cls(
                accounts={str(k): (int(d), int(c)) for k, (d, c) in value["accounts"].items()},
                currencies={str(k): (int(d), int(c)) for k, (d, c) in value["currencies"].items()},
                counters={str(k): int(v) for k, v in value["counters"].items()},
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ArchiveRefused(f"the manifest's books are malformed: {exc}") from exc

    def differences(self, other: Books) -> list[str]:
        """Human-readable differences, `self` being what was expected."""
        found: list[str] = []
        sides: tuple[tuple[str, dict[str, Any], dict[str, Any]], ...] = (
            ("account", dict(self.accounts), dict(other.accounts)),
            ("currency", dict(self.currencies), dict(other.currencies)),
            ("counter", dict(self.counters), dict(other.counters)),
        )
        for label, mine, theirs in sides:
            for key in sorted(set(mine) | set(theirs)):
                if mine.get(key) != theirs.get(key):
                    found.append(
                        f"{label} {key}: expected {mine.get(key)}, found {theirs.get(key)}"
                    )
        return found


@dataclass(frozen=True)
class Manifest:
    tenant_id: str
    schema_revision: str | None
    events: int
    first_position: int | None
    last_position: int | None
    last_hash: str
    books: Books
    created_at: str
    format_version: int = FORMAT_VERSION

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": self.format_version,
            "tenant_id": self.tenant_id,
            "schema_revision": self.schema_revision,
            "events": self.events,
            "first_position": self.first_position,
            "last_position": self.last_position,
            "last_hash": self.last_hash,
            "books": self.books.to_json(),
            "created_at": self.created_at,
        }

    @classmethod
    def from_json(cls, value: Any) -> Manifest:
        if not isinstance(value, dict) or value.get("format") != FORMAT:
            raise ArchiveRefused("not a tenant archive: the first line is no manifest")
        version = value.get("format_version")
        if version != FORMAT_VERSION:
            raise ArchiveRefused(
                f"unknown format version {version!r}: this release reads version {FORMAT_VERSION}"
            )
        try:
            return cls(
                tenant_id=str(value["tenant_id"]),
                schema_revision=value["schema_revision"],
                events=int(value["events"]),
                first_position=value["first_position"],
                last_position=value["last_position"],
                last_hash=str(value["last_hash"]),
                books=Books.from_json(value["books"]),
                created_at=str(value["created_at"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ArchiveRefused(f"the manifest is malformed: {exc}") from exc


def _line(value: dict[str, Any]) -> bytes:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8") + b"\n"


def event_line(row: dict[str, Any]) -> dict[str, Any]:
    """An event row (as read from `events`) as the archive holds it."""
    line = {name: row[name] for name in ("position", *EVENT_FIELDS, "prev_hash", "hash")}
    line["recorded_at"] = chain.timestamp(row["recorded_at"])
    return line


class ArchiveWriter:
    """Writes the manifest, then events, then the trailer; `close` without `finish` (an error
    on the way) leaves no archive behind: it is written to a temporary name and renamed."""

    def __init__(self, path: Path, manifest: Manifest) -> None:
        self._path = path
        self._partial = path.with_name(path.name + ".partial")
        self._raw = self._partial.open("wb")
        self._file = gzip.GzipFile(fileobj=self._raw, mode="wb", mtime=0)
        self._digest = hashlib.sha256()
        self._lines = 0
        self._write(manifest.to_json())

    def _write(self, value: dict[str, Any]) -> None:
        data = _line(value)
        self._digest.update(data)
        self._file.write(data)
        self._lines += 1

    def event(self, line: dict[str, Any]) -> None:
        self._write(line)

    def finish(self) -> str:
        """Write the trailer and put the file in place; returns the digest."""
        digest = self._digest.hexdigest()
        self._file.write(_line({"sha256": digest, "lines": self._lines}))
        self._file.close()
        self._raw.close()
        self._partial.replace(self._path)
        return digest

    def abandon(self) -> None:
        self._file.close()
        self._raw.close()
        self._partial.unlink(missing_ok=True)


@dataclass
class ChainCheck:
    """Follows one tenant's chain from GENESIS: each line's `prev_hash` is the hash before it,
    and its `hash` is what chain.py computes for it."""

    tenant_id: str
    last: str = chain.GENESIS
    last_position: int = 0

    def check(self, line: dict[str, Any], recorded_at: datetime) -> None:
        position = line["position"]
        if not isinstance(position, int) or position <= self.last_position:
            raise ArchiveRefused(f"event positions out of order at position {position!r}")
        if line["prev_hash"] != self.last:
            raise ArchiveRefused(
                f"the hash chain is broken at source position {position} "
                f"(event {line['event_id']}): prev_hash does not link to the event before"
            )
        row = {**line, "tenant_id": self.tenant_id, "recorded_at": recorded_at}
        if chain.event_hash(row, self.last) != line["hash"]:
            raise ArchiveRefused(
                f"the hash chain is broken at source position {position} "
                f"(event {line['event_id']}): the event does not match its hash"
            )
        self.last = line["hash"]
        self.last_position = position


def parse_timestamp(text: Any) -> datetime:
    if not isinstance(text, str) or not text.endswith("Z"):
        raise ArchiveRefused(f"recorded_at {text!r} is not a UTC timestamp")
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise ArchiveRefused(f"recorded_at {text!r} is not a UTC timestamp") from exc


def check_file(path: Path) -> None:
    """The whole file's integrity, before anything else reads it: it decompresses (gzip's own
    CRC holds), ends with a complete checksum line, and the digest and line count match. Raw
    lines only: cheap, and a damaged file is refused with the plain reason before the import
    touches the database."""
    digest = hashlib.sha256()
    lines = 0
    previous: bytes | None = None
    try:
        with gzip.GzipFile(path, "rb") as f:
            for data in f:
                if previous is not None:
                    digest.update(previous)
                    lines += 1
                previous = data
    except (OSError, EOFError, zlib.error) as exc:
        raise ArchiveRefused(f"the file is corrupt or truncated: {exc}") from exc
    if previous is None:
        raise ArchiveRefused("the file is empty")
    if not previous.endswith(b"\n"):
        raise ArchiveRefused("the file is truncated: its last line is incomplete")
    try:
        trailer = json.loads(previous)
    except (UnicodeDecodeError, json.JSONDecodeError):
        trailer = None
    if not isinstance(trailer, dict) or "sha256" not in trailer:
        raise ArchiveRefused("the file is truncated: it ends before its checksum line")
    if trailer.get("lines") != lines:
        raise ArchiveRefused(
            f"the checksum line counts {trailer.get('lines')!r} lines, the file {lines}"
        )
    if trailer["sha256"] != digest.hexdigest():
        raise ArchiveRefused("checksum mismatch: the file was changed after the export")


class ArchiveReader:
    """Streams an archive: `manifest` first, then `events()` yields each event line (checked
    against the chain) with its `recorded_at` parsed, and raises `ArchiveRefused` at the end if
    the trailer is missing or does not match, or at the first line that is wrong."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._file = gzip.GzipFile(path, "rb")
        self._digest = hashlib.sha256()
        self._lines = 0
        first = self._next()
        if first is None:
            raise ArchiveRefused("the file is empty")
        self.manifest = Manifest.from_json(self._decode(first))
        self._digest.update(first)
        self._lines = 1

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> ArchiveReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _next(self) -> bytes | None:
        try:
            data = self._file.readline()
        except (OSError, EOFError, zlib.error) as exc:
            # gzip.BadGzipFile is an OSError; a cut-off stream is an EOFError.
            raise ArchiveRefused(f"the file is corrupt or truncated: {exc}") from exc
        if not data:
            return None
        if not data.endswith(b"\n"):
            raise ArchiveRefused("the file is truncated: its last line is incomplete")
        return data

    def _decode(self, data: bytes) -> Any:
        try:
            return json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ArchiveRefused(
                f"the file is corrupt: line {self._lines + 1} is not JSON: {exc}"
            ) from exc

    def events(self) -> Iterator[tuple[dict[str, Any], datetime]]:
        manifest = self.manifest
        checker = ChainCheck(manifest.tenant_id)
        count = 0
        first: int | None = None
        while True:
            data = self._next()
            if data is None:
                raise ArchiveRefused("the file is truncated: it ends before its checksum line")
            value = self._decode(data)
            if isinstance(value, dict) and "sha256" in value:
                self._trailer(value)
                if self._next() is not None:
                    raise ArchiveRefused("the file has lines after its checksum line")
                break
            if not isinstance(value, dict) or set(value) != LINE_FIELDS:
                raise ArchiveRefused(f"the file is corrupt: line {self._lines + 1} is no event")
            self._digest.update(data)
            self._lines += 1
            recorded_at = parse_timestamp(value["recorded_at"])
            checker.check(value, recorded_at)
            count += 1
            if first is None:
                first = value["position"]
            yield value, recorded_at
        if count != manifest.events:
            raise ArchiveRefused(f"the manifest counts {manifest.events} events, the file {count}")
        if (first, checker.last_position if count else None) != (
            manifest.first_position,
            manifest.last_position,
        ):
            raise ArchiveRefused("the events' positions differ from the manifest's")
        if checker.last != manifest.last_hash:
            raise ArchiveRefused("the chain's last hash differs from the manifest's")

    def _trailer(self, value: dict[str, Any]) -> None:
        if value.get("lines") != self._lines:
            raise ArchiveRefused(
                f"the checksum line counts {value.get('lines')!r} lines, the file {self._lines}"
            )
        if value.get("sha256") != self._digest.hexdigest():
            raise ArchiveRefused("checksum mismatch: the file was changed after the export")
