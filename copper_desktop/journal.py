"""The local journal of deleted records, so that a delete can be undone.

Copper has no recycle bin reachable through the API: once ``DELETE`` answers, the record is
gone. So the full record is written here *before* the DELETE is sent, and the outcome after.
The journal is an append-only JSON-lines file (``deleted.jsonl`` under
``AppPaths.journal_dir``), created 0600 because it holds CRM data, each line fsync'd. Entries
are never rewritten: their state is folded from the events appended about them, so a crash at
any point loses at most the line being written, and such a torn line is skipped when reading.

Events (one JSON object per line, ``"v": 1``):

* ``begin``: ``id``, ``entity_key``, ``record``, ``deleted_at`` — state "pending";
* ``finish``: ``id``, ``ok`` — "deleted" (ok) or "failed" (the record still exists);
* ``recreated``: ``id``, ``recreated_id`` — "recreated" (the new record's id).

No Qt here: the helpers are plain coroutines over :class:`CopperClient`; file writes run in the
executor the journal is given (the app's one executor, shut down at quit), so the UI thread
never waits for a disk flush.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

from copper_desktop.api.errors import CopperError, NotFoundError, OutcomeUnknownError
from copper_desktop.config import make_private_dir
from copper_desktop.domain.catalog import EntitySpec, entity
from copper_desktop.domain.diff import create_body
from copper_desktop.jsonl import parse_line

__all__ = [
    "JOURNAL_FILE",
    "DeletionJournal",
    "JournalClient",
    "JournalEntry",
    "State",
    "delete_record",
    "recreate",
    "settle_pending",
]

JOURNAL_FILE = "deleted.jsonl"
VERSION = 1

State = Literal["pending", "deleted", "failed", "recreated"]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One deleted (or to-be-deleted) record and what became of it."""

    id: str
    entity_key: str
    record: dict[str, Any]
    deleted_at: float
    state: State = "pending"
    recreated_id: int | None = None

    @property
    def name(self) -> str:
        """What to call the record in a list: its name, else its title, else ``#id``."""
        for key in ("name", "title"):
            value = self.record.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
        return f"#{self.record.get('id', '?')}"

    @property
    def record_id(self) -> int | None:
        value = self.record.get("id")
        return value if isinstance(value, int) and not isinstance(value, bool) else None


class DeletionJournal:
    """Append-only journal of deletions in ``directory/deleted.jsonl``.

    Thread-safe (writes may come from an executor thread); reading never fails on a damaged
    file, it skips what it cannot parse. The helpers below run its file I/O in ``executor``
    (the app's); without one (scripts, tests) they run it in the calling thread.
    """

    def __init__(self, directory: Path, executor: Executor | None = None) -> None:
        self.directory = Path(directory)
        self.executor = executor
        self.path = self.directory / JOURNAL_FILE
        self._lock = threading.Lock()
        self._recreating: set[str] = set()

    # ------------------------------------------------------------------ writing
    def begin(self, entity_key: str, record: Mapping[str, Any]) -> JournalEntry:
        """Record a deletion about to be sent; call before the DELETE."""
        entry = JournalEntry(
            id=uuid.uuid4().hex,
            entity_key=entity_key,
            record=json.loads(json.dumps(dict(record))),  # a deep, JSON-clean copy
            deleted_at=time.time(),
        )
        self._append(
            {
                "event": "begin",
                "id": entry.id,
                "entity_key": entity_key,
                "record": entry.record,
                "deleted_at": entry.deleted_at,
            }
        )
        return entry

    def finish(self, entry_id: str, ok: bool) -> None:
        """The DELETE's outcome: ``ok`` → "deleted", else "failed" (the record still exists)."""
        self._append({"event": "finish", "id": entry_id, "ok": bool(ok), "at": time.time()})

    def mark_recreated(self, entry_id: str, new_id: int) -> None:
        self._append(
            {"event": "recreated", "id": entry_id, "recreated_id": new_id, "at": time.time()}
        )

    def _append(self, event: dict[str, Any]) -> None:
        line = json.dumps({"v": VERSION, **event}, ensure_ascii=False, separators=(",", ":"))
        data = line.encode("utf-8") + b"\n"
        with self._lock:
            make_private_dir(self.directory)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                if hasattr(os, "fchmod"):
                    os.fchmod(fd, 0o600)  # also when an older file was created wider
                size = os.fstat(fd).st_size
                if size and _last_byte(fd) != b"\n":
                    # A torn last line (crash mid-write): end it, so this event stays whole.
                    data = b"\n" + data
                view = memoryview(data)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                os.fsync(fd)
            finally:
                os.close(fd)

    # ------------------------------------------------------------------ reading
    def entries(self) -> list[JournalEntry]:
        """Every entry, newest first, with its state folded from the events."""
        try:
            with self._lock:
                raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        found: dict[str, JournalEntry] = {}
        order: list[str] = []
        for line in raw.split(b"\n"):
            event = parse_line(line, "id")
            if event is None:
                continue
            entry_id = event["id"]
            kind = event.get("event")
            if kind == "begin":
                entry = _begun(event)
                if entry is not None and entry_id not in found:
                    found[entry_id] = entry
                    order.append(entry_id)
                continue
            current = found.get(entry_id)
            if current is None:
                continue
            if kind == "finish" and current.state == "pending":
                found[entry_id] = replace(current, state="deleted" if event.get("ok") else "failed")
            elif kind == "recreated" and _is_id(event.get("recreated_id")):
                found[entry_id] = replace(
                    current, state="recreated", recreated_id=event["recreated_id"]
                )
        position = {entry_id: i for i, entry_id in enumerate(order)}
        return sorted(found.values(), key=lambda e: (e.deleted_at, position[e.id]), reverse=True)

    def entry(self, entry_id: str) -> JournalEntry | None:
        """The current state of one entry (re-read from disk)."""
        return next((e for e in self.entries() if e.id == entry_id), None)


def _last_byte(fd: int) -> bytes:
    os.lseek(fd, -1, os.SEEK_END)
    return os.read(fd, 1)


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _begun(event: Mapping[str, Any]) -> JournalEntry | None:
    record, key, at = event.get("record"), event.get("entity_key"), event.get("deleted_at")
    if not isinstance(record, dict) or not isinstance(key, str):
        return None
    if isinstance(at, bool) or not isinstance(at, int | float):
        return None
    return JournalEntry(id=event["id"], entity_key=key, record=record, deleted_at=float(at))


# --------------------------------------------------------------------------- with Copper


class JournalClient(Protocol):
    """The part of ``CopperClient`` the journal helpers use."""

    async def get(self, entity: str, record_id: int, *, computed: bool = False) -> Any: ...
    async def create(self, entity: str, body: dict[str, Any], *, computed: bool = False) -> Any: ...
    async def delete(self, entity: str, record_id: int) -> Any: ...


async def _off_loop(journal: DeletionJournal, func: Callable[..., T], *args: Any) -> T:
    """Run blocking journal I/O (fsync) in the journal's executor, off the UI thread (never
    the loop's default one: qasync's is made of QThreads, which abort the process when they
    are still alive at exit)."""
    if journal.executor is None:
        return func(*args)
    return await asyncio.get_running_loop().run_in_executor(journal.executor, func, *args)


async def delete_record(
    journal: DeletionJournal, client: JournalClient, spec: EntitySpec, record: Mapping[str, Any]
) -> JournalEntry:
    """Journal ``record``, DELETE it, and journal the outcome; returns the settled entry.

    404 means someone else deleted it already: "deleted". Any other Copper error: "failed" and
    re-raised, except ``OutcomeUnknownError`` (the delete may or may not have happened), which
    leaves the entry "pending" for :func:`settle_pending` to decide later.
    """
    record_id = record.get("id")
    if not _is_id(record_id):
        raise ValueError("only a saved record (one with an id) can be deleted")
    assert isinstance(record_id, int)
    entry = await _off_loop(journal, journal.begin, spec.key, record)
    try:
        await client.delete(spec.path, record_id)
    except NotFoundError:
        pass
    except OutcomeUnknownError:
        raise
    except CopperError:
        await _off_loop(journal, journal.finish, entry.id, False)
        raise
    await _off_loop(journal, journal.finish, entry.id, True)
    return replace(entry, state="deleted")


async def recreate(
    journal: DeletionJournal, client: JournalClient, entry: JournalEntry
) -> dict[str, Any]:
    """Create the journaled record again and journal the new id; returns the new record.

    The new record gets a new id; related items and activities are not restored. Refused
    (ValueError) unless the entry is "deleted" on disk right now and not already being
    re-created, so it cannot happen twice.
    """
    current = await _off_loop(journal, journal.entry, entry.id)
    if current is None:
        raise ValueError("This journal entry no longer exists.")
    if current.state == "recreated":
        raise ValueError(f"{current.name} was already re-created (#{current.recreated_id}).")
    if current.state != "deleted":
        raise ValueError(f"{current.name} was not deleted ({current.state}); nothing to re-create.")
    if current.id in journal._recreating:
        raise ValueError(f"{current.name} is being re-created already.")
    try:
        spec = entity(current.entity_key)
    except KeyError:
        raise ValueError(f"Unknown record type {current.entity_key!r}.") from None
    journal._recreating.add(current.id)
    try:
        created = await client.create(spec.path, create_body(current.record, spec))
        if not isinstance(created, dict) or not _is_id(created.get("id")):
            raise CopperError("Copper did not return the re-created record.")
        await _off_loop(journal, journal.mark_recreated, current.id, created["id"])
    finally:
        journal._recreating.discard(current.id)
    return created


async def settle_pending(journal: DeletionJournal, client: JournalClient) -> int:
    """Decide entries left "pending" (a crash or a lost answer): 404 → "deleted", a record
    still there → "failed". Returns how many were settled; errors leave them pending."""
    settled = 0
    for entry in await _off_loop(journal, journal.entries):
        if entry.state != "pending" or entry.record_id is None:
            continue
        try:
            path = entity(entry.entity_key).path
        except KeyError:
            continue
        try:
            await client.get(path, entry.record_id)
        except NotFoundError:
            await _off_loop(journal, journal.finish, entry.id, True)
        except CopperError:
            continue
        else:
            await _off_loop(journal, journal.finish, entry.id, False)
        settled += 1
    return settled
