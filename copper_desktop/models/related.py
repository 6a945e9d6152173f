"""What the related panel shows of a record: its activities and its related records, and the
two actions it offers (log a note, mark a related task complete).

Copper serves a record's activities two ways (copper-behaviour.md §3.4): leads, people and
companies have ``POST /{entity}/{id}/activities``; activities of opportunities, projects and
tasks are found with ``POST /activities/search`` and a ``parent`` filter. Related items
(§11) exist for every record type but activities and webhooks, and only in the pairs Copper
allows (the catalog's ``EntitySpec.related``: a lead relates to tasks only).

Every request goes through an `ActionRunner`, so failures are reported the one way the app
reports them; the panel only observes this model's signals.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import QObject, Signal

from copper_desktop.domain.catalog import (
    PARENT_TYPES,
    EntitySpec,
    LookupKind,
    Operation,
    entity_for_type,
)
from copper_desktop.models.actions import ActionRunner, Failure
from copper_desktop.models.lookups import RESOLVE_BATCH, Lookups

Json = dict[str, Any]
T = TypeVar("T")

GROUPS: tuple[str, ...] = ("people", "companies", "leads", "opportunities", "tasks", "projects")
"""Related-item groups in display order (entity keys); a spec shows those it relates to."""
MAX_ACTIVITIES = 200
"""One page of a record's activities (Copper's largest page), newest first."""
NOTE_TYPE_ID = 0
"""Copper's id of the built-in user activity type "Note" (§4), when lookups do not say."""


class SearchAnswer(Protocol):
    @property
    def records(self) -> Sequence[Any]: ...


class RelatedClient(Protocol):
    """The part of `CopperClient` the panel's data needs (a fake at this seam will do)."""

    async def record_activities(
        self, entity: str, record_id: int, *, page_size: int | None = None
    ) -> list[Json]: ...
    async def search(
        self, entity: str, filters: Json | None = None, *, page_size: int = ...
    ) -> SearchAnswer: ...
    async def related_items(self, entity: str, record_id: int) -> list[Json]: ...
    async def create(self, entity: str, body: Json, *, computed: bool = False) -> Json: ...
    async def update(
        self, entity: str, record_id: int, changes: Json, *, computed: bool = False
    ) -> Json: ...


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def activity_when(activity: Mapping[str, Any]) -> tuple[float, int]:
    """Sort key, newest first: activity_date, else date_created; then id."""
    when = activity.get("activity_date")
    if isinstance(when, bool) or not isinstance(when, int | float):
        when = activity.get("date_created")
    if isinstance(when, bool) or not isinstance(when, int | float):
        when = 0
    ident = activity.get("id")
    return float(when), ident if isinstance(ident, int) else 0


@dataclass
class Related:
    """A record's related records: per group (entity key) the (id, name) rows sorted by name,
    and the task records (their status is shown and changed)."""

    rows: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    tasks: dict[int, Json] = field(default_factory=dict)


def related_rows(
    groups: Sequence[str],
    ids: Mapping[str, list[int]],
    names: Mapping[str, Mapping[int, str]],
) -> dict[str, list[tuple[int, str]]]:
    """Non-empty groups only, in display order; rows sorted by name, then id."""
    rows: dict[str, list[tuple[int, str]]] = {}
    for key in groups:
        wanted = ids.get(key) or []
        if wanted:
            rows[key] = sorted(
                ((i, names.get(key, {}).get(i) or f"#{i}") for i in wanted),
                key=lambda row: (row[1].casefold(), row[0]),
            )
    return rows


class RelatedModel(QObject):
    """A record's activities and related records, loaded and changed through the run helper.

    Signals:
        load_started(): a load began (the previous one, if any, was cancelled).
        loaded(): a load finished, whether or not every part succeeded (see `error`).
        load_failed(str): some part of a load failed; the text says which (user-fit).
        activities_changed(): `activities` was replaced.
        activity_added(dict): a new activity (a logged note) is now first in `activities`.
        related_changed(): `related` was replaced.
        busy_changed(): a note or a task completion started or ended.
        note_logged(dict): a note was created on this record.
        note_failed(str): a note was refused (empty, unsaved record) or not saved.
        task_completed(dict): a related task was marked complete (the updated task).
        task_failed(str): marking a task complete failed.
        error_occurred(str): any request failed (user-fit text).
    """

    load_started = Signal()
    loaded = Signal()
    load_failed = Signal(str)
    activities_changed = Signal()
    activity_added = Signal(dict)
    related_changed = Signal()
    busy_changed = Signal()
    note_logged = Signal(dict)
    note_failed = Signal(str)
    task_completed = Signal(dict)
    task_failed = Signal(str)
    error_occurred = Signal(str)

    def __init__(
        self,
        client: RelatedClient,
        lookups: Lookups,
        spec: EntitySpec,
        record: Mapping[str, Any],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"related_{spec.key}")
        self._client = client
        self.lookups = lookups
        self.spec = spec
        self.record: Json = dict(record)
        self.runner = ActionRunner(self)
        self.runner.failed.connect(lambda failure: self.error_occurred.emit(failure.message))
        self.activities: list[Json] = []
        self.related = Related()
        self.error = ""
        """The last load's problems, one line per failed part ("" when all loaded)."""
        self._generation = 0
        self._waiting = 0
        self._problems: list[str] = []

    # ------------------------------------------------------------------ state
    @property
    def record_id(self) -> int | None:
        value = self.record.get("id")
        return value if _is_id(value) else None

    @property
    def has_activities(self) -> bool:
        """Activities can have this record as parent (every type but activities, webhooks)."""
        return self.spec.type in PARENT_TYPES

    @property
    def has_related(self) -> bool:
        return bool(self.spec.supports(Operation.RELATED) and self.groups)

    @property
    def groups(self) -> tuple[str, ...]:
        """The related-item groups this kind of record can have, in display order."""
        return tuple(g for g in GROUPS if g in self.spec.related)

    @property
    def loading(self) -> bool:
        return self._waiting > 0

    @property
    def logging_note(self) -> bool:
        return self.runner.running("note")

    @property
    def completing(self) -> bool:
        return self.runner.running("complete")

    def set_record(self, record: Mapping[str, Any]) -> None:
        """Another version of the record (after a save); reloads when the id changed."""
        previous = self.record_id
        self.record = dict(record)
        if self.record_id is not None and self.record_id != previous:
            self.reload()

    # ------------------------------------------------------------------ loading
    def reload(self) -> None:
        """Load activities and related records (a load already running is replaced)."""
        self._generation += 1
        generation = self._generation
        self.runner.cancel("activities")
        self.runner.cancel("related")
        record_id = self.record_id
        activities = record_id is not None and self.has_activities
        related = record_id is not None and self.has_related
        self._problems = []
        self._waiting = int(activities) + int(related)
        if not self._waiting:
            self.error = ""
            self.loaded.emit()
            return
        assert record_id is not None
        self.load_started.emit()

        def failed(failure: Failure) -> None:
            self._part_failed(generation, failure)

        def show_activities(found: list[Json]) -> None:
            if self._current(generation):
                self.set_activities(found)

        def show_related(found: Related) -> None:
            if self._current(generation):
                self.set_related(found)

        def done() -> None:
            self._part_done(generation)

        def load(call: Awaitable[T], key: str, show: Callable[[T], None], what: str) -> None:
            self.runner.run(call, key=key, success=show, failure=failed, done=done, what=what)

        if activities:
            load(self._fetch_activities(record_id), "activities", show_activities,
                 "Could not load activities")  # fmt: skip
        if related:
            load(self._fetch_related(record_id), "related", show_related,
                 "Could not load related records")  # fmt: skip

    def _current(self, generation: int) -> bool:
        return generation == self._generation

    def _part_failed(self, generation: int, failure: Failure) -> None:
        if self._current(generation):
            self._problems.append(failure.message)

    def _part_done(self, generation: int) -> None:
        if not self._current(generation) or self._waiting == 0:
            return
        self._waiting -= 1
        if self._waiting:
            return
        self.error = "\n".join(self._problems)
        if self.error:
            self.load_failed.emit(self.error)
        self.loaded.emit()

    async def _fetch_activities(self, record_id: int) -> list[Json]:
        if self.spec.supports(Operation.ACTIVITIES):
            found = await self._client.record_activities(
                self.spec.path, record_id, page_size=MAX_ACTIVITIES
            )
        else:
            page = await self._client.search(
                "activities",
                {"parent": {"id": record_id, "type": self.spec.type}},
                page_size=MAX_ACTIVITIES,
            )
            found = list(page.records)
        activities = [a for a in found if isinstance(a, dict)]
        activities.sort(key=activity_when, reverse=True)
        return activities

    async def _fetch_related(self, record_id: int) -> Related:
        items = await self._client.related_items(self.spec.path, record_id)
        ids: dict[str, list[int]] = {g: [] for g in self.groups}
        for item in items:
            if not isinstance(item, Mapping) or not _is_id(item.get("id")):
                continue
            try:
                key = entity_for_type(str(item.get("type"))).key
            except KeyError:
                continue
            if key in ids and item["id"] not in ids[key]:
                ids[key].append(item["id"])
        tasks: dict[int, Json] = {}
        names: dict[str, dict[int, str]] = {}
        for key, wanted in ids.items():
            if not wanted:
                continue
            if key == "tasks":
                tasks = await self._fetch_records("tasks", wanted)
                names[key] = {i: str(tasks[i].get("name") or f"#{i}") for i in wanted if i in tasks}
            else:
                names[key] = await self._names(key, wanted)
        return Related(related_rows(self.groups, ids, names), tasks)

    async def _fetch_records(self, key: str, ids: list[int]) -> dict[int, Json]:
        found: dict[int, Json] = {}
        for start in range(0, len(ids), RESOLVE_BATCH):
            chunk = ids[start : start + RESOLVE_BATCH]
            page = await self._client.search(key, {"ids": chunk}, page_size=RESOLVE_BATCH)
            for record in page.records:
                if isinstance(record, dict) and _is_id(record.get("id")):
                    found[record["id"]] = record
                    if isinstance(record.get("name"), str):
                        self.lookups.remember(LookupKind(key), record["id"], record["name"])
        return found

    async def _names(self, key: str, ids: list[int]) -> dict[int, str]:
        """Names through the shared lookups (cached across editors), else a search."""
        kind = LookupKind(key)
        try:
            await self.lookups.resolve(kind, ids)
        except RuntimeError:  # lookups without a client (not loaded yet)
            await self._fetch_records(key, ids)
        return {i: self.lookups.name(kind, i) or f"#{i}" for i in ids}

    def set_activities(self, activities: list[Json]) -> None:
        """Replace the activities (already newest first)."""
        self.activities = list(activities)
        self.activities_changed.emit()

    def set_related(self, related: Related) -> None:
        self.related = related
        self.related_changed.emit()

    # ------------------------------------------------------------------ notes
    def note_type_id(self) -> int:
        """The id of the "Note" user activity type, from the account's lookups."""
        for type_id, name in self.lookups.choices(LookupKind.ACTIVITY_TYPES):
            if (
                name.strip().casefold() == "note"
                and self.lookups.activity_category(type_id) == "user"
            ):
                return type_id
        return NOTE_TYPE_ID

    def log_note(self, text: str) -> bool:
        """Create a Note activity; empty text or an unsaved record is refused (`note_failed`)
        and nothing is sent. True when a request was started."""
        text = text.strip()
        record_id = self.record_id
        if record_id is None:
            self.note_failed.emit("Save the record before logging a note.")
            return False
        if not text:
            self.note_failed.emit("Write the note first.")
            return False
        if self.logging_note:
            return False
        body = {
            "parent": {"id": record_id, "type": self.spec.type},
            "type": {"category": "user", "id": self.note_type_id()},
            "details": text,
        }
        self._write(
            self._client.create("activities", body),
            key="note",
            success=self._note_created,
            failed=self.note_failed.emit,
            what="The note was not saved",
        )
        return True

    def _note_created(self, created: Json) -> None:
        self.activities.insert(0, created)
        self.activity_added.emit(created)
        self.note_logged.emit(created)

    # ------------------------------------------------------------------ tasks
    def task(self, task_id: int) -> Json | None:
        return self.related.tasks.get(task_id)

    def can_complete(self, task_id: int) -> bool:
        task = self.task(task_id)
        return not (task is not None and task.get("status") == "Completed")

    def complete_task(self, task_id: int) -> bool:
        """PUT ``{"status": "Completed"}`` on a related task; True when a request started."""
        if self.completing or not self.can_complete(task_id):
            return False
        self._write(
            self._client.update("tasks", task_id, {"status": "Completed"}),
            key="complete",
            success=self._task_updated,
            failed=self.task_failed.emit,
            what="The task was not marked complete",
        )
        return True

    def _write(
        self,
        call: Awaitable[Json],
        *,
        key: str,
        success: Callable[[Json], object],
        failed: Callable[[str], object],
        what: str,
    ) -> None:
        """Start one write (a note, a task's completion) under `key`: busy until it answers,
        its failure's message handed to `failed`."""
        self.runner.run(
            call,
            key=key,
            success=success,
            failure=lambda failure: failed(failure.message),
            done=self.busy_changed.emit,
            what=what,
        )
        self.busy_changed.emit()

    def _task_updated(self, task: Json) -> None:
        task_id = task.get("id")
        if isinstance(task_id, int) and _is_id(task_id):
            self.related.tasks[task_id] = dict(task)
            rows = self.related.rows.get("tasks", [])
            name = task.get("name")
            if isinstance(name, str) and name:
                self.related.rows["tasks"] = [(i, name if i == task_id else n) for i, n in rows]
        self.task_completed.emit(task)

    # ------------------------------------------------------------------ shutdown
    async def aclose(self) -> None:
        """Cancel every request and wait for them to end."""
        await self.runner.aclose()
        if self._waiting:
            self._waiting = 0
            self._generation += 1
