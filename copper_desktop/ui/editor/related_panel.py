"""The related panel of a record editor: its activities and its related records.

Copper serves a record's activities two ways (copper-api.md §3.4): leads, people and
companies have ``POST /{entity}/{id}/activities``; activities of opportunities, projects and
tasks are found with ``POST /activities/search`` and a ``parent`` filter. Related items
(§11) exist for every record type but activities and webhooks, and only in the pairs Copper
allows (the catalog's ``EntitySpec.related``: a lead relates to tasks only). Sections that do
not apply are hidden.

Everything loads on the qasync loop; loading, empty and error states are shown in the panel
itself (with Retry), never in a modal dialog.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from copper_desktop.api import CopperClient, CopperError
from copper_desktop.domain.catalog import (
    PARENT_TYPES,
    EntitySpec,
    LookupKind,
    Operation,
    entity,
    entity_for_type,
)
from copper_desktop.domain.formats import format_datetime
from copper_desktop.models.async_support import TaskKeeper
from copper_desktop.models.lookups import RESOLVE_BATCH, Lookups

Json = dict[str, Any]

GROUPS: tuple[str, ...] = ("people", "companies", "leads", "opportunities", "tasks", "projects")
"""Related-item groups in display order (entity keys); a spec shows those it relates to."""
ACTIVITY_COLUMNS = ("Type", "Date", "Who", "Details")
RELATED_COLUMNS = ("Name", "Status")
MAX_ACTIVITIES = 200
"""One page of a record's activities (Copper's largest page), newest first."""
NOTE_TYPE_ID = 0
"""Copper's id of the built-in user activity type "Note" (§4), when lookups do not say."""
RecordRole = Qt.ItemDataRole.UserRole
"""Item data: the activity (activities list) or (entity key, id) of a related record."""
TaskRole = Qt.ItemDataRole.UserRole + 1
"""Item data of related tasks: the task record (for its status)."""


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _first_line(text: object) -> str:
    if not isinstance(text, str):
        return ""
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def _activity_when(activity: Mapping[str, Any]) -> tuple[float, int]:
    """Sort key, newest first: activity_date, else date_created; then id."""
    when = activity.get("activity_date")
    if isinstance(when, bool) or not isinstance(when, int | float):
        when = activity.get("date_created")
    if isinstance(when, bool) or not isinstance(when, int | float):
        when = 0
    ident = activity.get("id")
    return float(when), ident if isinstance(ident, int) else 0


def _name_widget(widget: QWidget, name: str, accessible: str) -> None:
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)


class RelatedPanel(QWidget):
    """A record's activities (with "Log a note") and related records (with "Mark complete").

    Signals:
        open_requested(str, int): the user activated a related record (entity key, id).
        loaded(): a load finished, whether or not it succeeded.
        error_occurred(str): a load or an action failed (the panel shows it too).
        note_logged(dict): a note was created on this record.
        task_completed(dict): a related task was marked complete (the updated task).
    """

    open_requested = Signal(str, object)  # a Python int: Qt's int is 32 bits, ids are not
    loaded = Signal()
    error_occurred = Signal(str)
    note_logged = Signal(dict)
    task_completed = Signal(dict)

    def __init__(
        self,
        client: CopperClient,
        lookups: Lookups,
        spec: EntitySpec,
        record: Mapping[str, Any],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        _name_widget(self, "relatedPanel", f"{spec.label} activities and related records")
        self._client = client
        self._lookups = lookups
        self.spec = spec
        self.record: dict[str, Any] = dict(record)
        self._tasks = TaskKeeper()
        self._load_task: asyncio.Task[None] | None = None
        self._note_task: asyncio.Task[None] | None = None
        self._complete_task: asyncio.Task[None] | None = None
        self.activities: list[Json] = []
        self.related: dict[str, list[tuple[int, str]]] = {}

        self.status = QLabel(self)
        _name_widget(self.status, "relatedStatus", "Related panel status")
        self.status.setWordWrap(True)
        self.retry_button = QPushButton("Retry", self)
        _name_widget(self.retry_button, "relatedRetry", "Retry loading activities and related")
        self.retry_button.hide()
        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addWidget(self.retry_button)

        self.activities_box = self._build_activities()
        self.related_box = self._build_related()
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        _name_widget(self.splitter, "relatedSplitter", "Activities and related records")
        self.splitter.addWidget(self.activities_box)
        self.splitter.addWidget(self.related_box)
        self.splitter.setChildrenCollapsible(False)
        for index in range(self.splitter.count()):
            handle = self.splitter.handle(index)
            _name_widget(handle, f"relatedSplitterHandle{index}", "Resize sections")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

        self.activities_box.setVisible(self.has_activities)
        self.related_box.setVisible(self.has_related)
        self.retry_button.clicked.connect(self.reload)
        self._show_idle()

    # ------------------------------------------------------------------ building
    def _build_activities(self) -> QGroupBox:
        box = QGroupBox("Activities", self)
        _name_widget(box, "activitiesSection", "Activities")
        self.activity_list = QTreeWidget(box)
        _name_widget(self.activity_list, "activitiesList", "Activities, newest first")
        self.activity_list.setColumnCount(len(ACTIVITY_COLUMNS))
        self.activity_list.setHeaderLabels(list(ACTIVITY_COLUMNS))
        self.activity_list.setRootIsDecorated(False)
        self.activity_list.setUniformRowHeights(True)
        self.activity_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        _name_widget(self.activity_list.header(), "activitiesHeader", "Activity columns")
        self.activities_empty = QLabel("No activities yet.", box)
        _name_widget(self.activities_empty, "activitiesEmpty", "No activities")
        self.activities_empty.hide()

        self.note_edit = QPlainTextEdit(box)
        _name_widget(self.note_edit, "noteText", "New note")
        self.note_edit.setPlaceholderText("Write a note about this record…")
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setFixedHeight(self.note_edit.fontMetrics().lineSpacing() * 4 + 12)
        self.note_button = QPushButton("Log note", box)
        _name_widget(self.note_button, "logNote", "Log a note")
        self.note_error = QLabel(box)
        _name_widget(self.note_error, "noteError", "Note error")
        self.note_error.setWordWrap(True)
        self.note_error.setStyleSheet("color: #b00020;")
        self.note_error.hide()
        note_row = QHBoxLayout()
        note_row.addWidget(self.note_edit, 1)
        note_row.addWidget(self.note_button, 0, Qt.AlignmentFlag.AlignTop)

        layout = QVBoxLayout(box)
        layout.addWidget(self.activity_list, 1)
        layout.addWidget(self.activities_empty)
        layout.addLayout(note_row)
        layout.addWidget(self.note_error)
        self.note_button.clicked.connect(self.log_note)
        self.note_edit.textChanged.connect(self.note_error.hide)
        return box

    def _build_related(self) -> QGroupBox:
        box = QGroupBox("Related", self)
        _name_widget(box, "relatedSection", "Related records")
        self.related_list = QTreeWidget(box)
        _name_widget(self.related_list, "relatedList", "Related records by type")
        self.related_list.setColumnCount(len(RELATED_COLUMNS))
        self.related_list.setHeaderLabels(list(RELATED_COLUMNS))
        self.related_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        _name_widget(self.related_list.header(), "relatedHeader", "Related record columns")
        self.related_empty = QLabel("No related records.", box)
        _name_widget(self.related_empty, "relatedEmpty", "No related records")
        self.related_empty.hide()
        self.open_button = QPushButton("Open", box)
        _name_widget(self.open_button, "openRelated", "Open the selected related record")
        self.complete_button = QPushButton("Mark complete", box)
        _name_widget(self.complete_button, "markTaskComplete", "Mark the selected task complete")
        self.related_error = QLabel(box)
        _name_widget(self.related_error, "relatedError", "Related records error")
        self.related_error.setWordWrap(True)
        self.related_error.setStyleSheet("color: #b00020;")
        self.related_error.hide()
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.complete_button)

        layout = QVBoxLayout(box)
        layout.addWidget(self.related_list, 1)
        layout.addWidget(self.related_empty)
        layout.addLayout(buttons)
        layout.addWidget(self.related_error)
        self.related_list.itemActivated.connect(self._on_activated)
        self.related_list.currentItemChanged.connect(self._update_buttons)
        self.open_button.clicked.connect(self._open_current)
        self.complete_button.clicked.connect(self.complete_selected_task)
        self._update_buttons()
        return box

    # ------------------------------------------------------------------ state
    @property
    def record_id(self) -> int | None:
        value = self.record.get("id")
        return value if _is_id(value) else None

    @property
    def has_activities(self) -> bool:
        """Activities can have this record as parent (every record type but activities and
        webhooks)."""
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
        return self._load_task is not None and not self._load_task.done()

    def _show_idle(self) -> None:
        if self.record_id is None:
            self.status.setText("Save the record to see its activities and related records.")
        elif not (self.has_activities or self.has_related):
            self.status.setText(f"{self.spec.plural_label} have no activities or related records.")
        else:
            self.status.setText("")
        self.note_button.setEnabled(self.record_id is not None)

    def set_record(self, record: Mapping[str, Any]) -> None:
        """Show another version of the record (after a save); reloads when the id changed."""
        previous = self.record_id
        self.record = dict(record)
        self._show_idle()
        if self.record_id is not None and self.record_id != previous:
            self.reload()

    # ------------------------------------------------------------------ loading
    def reload(self) -> None:
        """Load again (a load already running is replaced)."""
        if self._load_task is not None:
            self._load_task.cancel()
        self._load_task = self._tasks.spawn(self.load(), name="RelatedPanel.load")

    async def load(self) -> None:
        """Fetch the activities and related records; errors are shown in the panel."""
        record_id = self.record_id
        if record_id is None or not (self.has_activities or self.has_related):
            self._show_idle()
            self.loaded.emit()
            return
        self.status.setText("Loading…")
        self.retry_button.hide()
        parts: list[tuple[str, Any]] = []
        if self.has_activities:
            parts.append(("activities", self._fetch_activities(record_id)))
        if self.has_related:
            parts.append(("related records", self._fetch_related(record_id)))
        answers = await asyncio.gather(*(p[1] for p in parts), return_exceptions=True)
        problems: list[str] = []
        for (what, _), answer in zip(parts, answers, strict=True):
            if isinstance(answer, CopperError):
                problems.append(f"Could not load {what}: {answer}")
            elif isinstance(answer, BaseException):
                raise answer
        if problems:
            message = "\n".join(problems)
            self.status.setText(message)
            self.retry_button.show()
            self.error_occurred.emit(message)
        else:
            self.status.setText("")
        self.loaded.emit()

    async def _fetch_activities(self, record_id: int) -> None:
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
            found = page.records
        activities = [a for a in found if isinstance(a, dict)]
        activities.sort(key=_activity_when, reverse=True)
        self.show_activities(activities)

    async def _fetch_related(self, record_id: int) -> None:
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
        self.show_related(ids, names, tasks)

    async def _fetch_records(self, key: str, ids: list[int]) -> dict[int, Json]:
        found: dict[int, Json] = {}
        for start in range(0, len(ids), RESOLVE_BATCH):
            chunk = ids[start : start + RESOLVE_BATCH]
            page = await self._client.search(key, {"ids": chunk}, page_size=RESOLVE_BATCH)
            for record in page.records:
                if isinstance(record, dict) and _is_id(record.get("id")):
                    found[record["id"]] = record
                    if isinstance(record.get("name"), str):
                        self._lookups.remember(LookupKind(key), record["id"], record["name"])
        return found

    async def _names(self, key: str, ids: list[int]) -> dict[int, str]:
        """Names through the shared lookups (cached across editors), else a search."""
        kind = LookupKind(key)
        try:
            await self._lookups.resolve(kind, ids)
        except RuntimeError:  # lookups without a client (not loaded yet)
            await self._fetch_records(key, ids)
        return {i: self._lookups.name(kind, i) or f"#{i}" for i in ids}

    # ------------------------------------------------------------------ activities
    def _activity_type_name(self, activity: Mapping[str, Any]) -> str:
        kind = activity.get("type")
        if not isinstance(kind, Mapping):
            return "Activity"
        name = self._lookups.name(LookupKind.ACTIVITY_TYPES, kind.get("id"))
        if name:
            return name
        if kind.get("category") == "user" and kind.get("id") == NOTE_TYPE_ID:
            return "Note"
        return str(kind.get("category") or "activity").capitalize()

    def _activity_item(self, activity: Mapping[str, Any]) -> QTreeWidgetItem:
        user = activity.get("user_id")
        who = self._lookups.name(LookupKind.USERS, user) or (f"User #{user}" if user else "")
        when = activity.get("activity_date")
        date = format_datetime(int(when)) if isinstance(when, int | float) else ""
        details = activity.get("details")
        item = QTreeWidgetItem(
            [self._activity_type_name(activity), date, who, _first_line(details)]
        )
        if isinstance(details, str) and details.strip():
            item.setToolTip(3, details)
        item.setData(0, RecordRole, dict(activity))
        return item

    def show_activities(self, activities: list[Json]) -> None:
        """Replace the list (already newest first)."""
        self.activities = list(activities)
        self.activity_list.clear()
        self.activity_list.addTopLevelItems([self._activity_item(a) for a in self.activities])
        self._update_activities_empty()

    def _update_activities_empty(self) -> None:
        self.activities_empty.setVisible(not self.activities)
        self.activity_list.setVisible(bool(self.activities))

    def note_type_id(self) -> int:
        """The id of the "Note" user activity type, from the account's lookups."""
        for type_id, name in self._lookups.choices(LookupKind.ACTIVITY_TYPES):
            if (
                name.strip().casefold() == "note"
                and self._lookups.activity_category(type_id) == "user"
            ):
                return type_id
        return NOTE_TYPE_ID

    def log_note(self) -> None:
        """Create a Note activity from the text box; empty text is refused, nothing sent."""
        text = self.note_edit.toPlainText().strip()
        if self.record_id is None:
            self._note_failed("Save the record before logging a note.")
            return
        if not text:
            self._note_failed("Write the note first.")
            return
        if self._note_task is not None and not self._note_task.done():
            return
        self.note_error.hide()
        self.note_button.setEnabled(False)
        self._note_task = self._tasks.spawn(self._create_note(text), name="RelatedPanel.note")

    def _note_failed(self, message: str) -> None:
        self.note_error.setText(message)
        self.note_error.show()

    async def _create_note(self, text: str) -> None:
        record_id = self.record_id
        assert record_id is not None
        body = {
            "parent": {"id": record_id, "type": self.spec.type},
            "type": {"category": "user", "id": self.note_type_id()},
            "details": text,
        }
        try:
            created = await self._client.create("activities", body)
        except CopperError as exc:
            self._note_failed(f"The note was not saved: {exc}")
            self.error_occurred.emit(str(exc))
            return
        finally:
            self.note_button.setEnabled(self.record_id is not None)
        self.activities.insert(0, created)
        self.activity_list.insertTopLevelItem(0, self._activity_item(created))
        self._update_activities_empty()
        if self.note_edit.toPlainText().strip() == text:
            self.note_edit.clear()
        self.note_logged.emit(created)

    # ------------------------------------------------------------------ related
    def show_related(
        self,
        ids: Mapping[str, list[int]],
        names: Mapping[str, Mapping[int, str]],
        tasks: Mapping[int, Json] | None = None,
    ) -> None:
        """One top-level row per non-empty group, a child row per record (sorted by name)."""
        tasks = tasks or {}
        self.related = {}
        self.related_list.clear()
        for key in self.groups:
            wanted = ids.get(key) or []
            if not wanted:
                continue
            rows = sorted(
                ((i, names.get(key, {}).get(i) or f"#{i}") for i in wanted),
                key=lambda row: (row[1].casefold(), row[0]),
            )
            self.related[key] = rows
            group = QTreeWidgetItem([f"{entity_label(key)} ({len(rows)})", ""])
            group.setFlags(group.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            group.setData(0, RecordRole, None)
            for record_id, name in rows:
                task = tasks.get(record_id)
                status = str(task.get("status") or "") if task else ""
                child = QTreeWidgetItem([name, status])
                child.setData(0, RecordRole, (key, record_id))
                if task is not None:
                    child.setData(0, TaskRole, dict(task))
                child.setToolTip(0, f"{entity_label(key, singular=True)} #{record_id}")
                group.addChild(child)
            self.related_list.addTopLevelItem(group)
            group.setExpanded(True)
        self.related_list.resizeColumnToContents(0)
        empty = not self.related
        self.related_empty.setVisible(empty)
        self.related_list.setVisible(not empty)
        self._update_buttons()

    def related_item(self, key: str, record_id: int) -> QTreeWidgetItem | None:
        """The row of one related record, if listed."""
        for g in range(self.related_list.topLevelItemCount()):
            group = self.related_list.topLevelItem(g)
            for c in range(group.childCount() if group is not None else 0):
                child = group.child(c) if group is not None else None
                if self._target(child) == (key, record_id):
                    return child
        return None

    @staticmethod
    def _target(item: QTreeWidgetItem | None) -> tuple[str, int] | None:
        if item is None:
            return None
        data = item.data(0, RecordRole)
        if isinstance(data, tuple | list) and len(data) == 2:
            return str(data[0]), int(data[1])
        return None

    def _on_activated(self, item: QTreeWidgetItem | None, _column: int = 0) -> None:
        target = self._target(item)
        if target is not None:
            self.open_requested.emit(*target)

    def _open_current(self) -> None:
        self._on_activated(self.related_list.currentItem())

    def _selected_open_task(self) -> tuple[QTreeWidgetItem, int] | None:
        item = self.related_list.currentItem()
        target = self._target(item)
        if item is None or target is None or target[0] != "tasks":
            return None
        task = item.data(0, TaskRole)
        if isinstance(task, Mapping) and task.get("status") == "Completed":
            return None
        return item, target[1]

    def _update_buttons(self, *_: object) -> None:
        busy = self._complete_task is not None and not self._complete_task.done()
        self.open_button.setEnabled(self._target(self.related_list.currentItem()) is not None)
        self.complete_button.setEnabled(not busy and self._selected_open_task() is not None)

    def complete_selected_task(self) -> None:
        """PUT ``{"status": "Completed"}`` on the selected related task."""
        selected = self._selected_open_task()
        if selected is None or (self._complete_task is not None and not self._complete_task.done()):
            return
        self.related_error.hide()
        self._complete_task = self._tasks.spawn(
            self._complete(selected[1]), name="RelatedPanel.complete"
        )
        self._update_buttons()

    async def _complete(self, task_id: int) -> None:
        try:
            task = await self._client.update("tasks", task_id, {"status": "Completed"})
        except CopperError as exc:
            self.related_error.setText(f"The task was not marked complete: {exc}")
            self.related_error.show()
            self.error_occurred.emit(str(exc))
            return
        finally:
            self._complete_task = None
            self._update_buttons()
        item = self.related_item("tasks", task_id)
        if item is not None:
            item.setText(1, str(task.get("status") or ""))
            item.setText(0, str(task.get("name") or item.text(0)))
            item.setData(0, TaskRole, dict(task))
        self._update_buttons()
        self.task_completed.emit(task)

    # ------------------------------------------------------------------ shutdown
    async def aclose(self) -> None:
        """Cancel every request the panel started and wait for them to end."""
        await self._tasks.aclose()


def entity_label(key: str, *, singular: bool = False) -> str:
    """ "People", "Companies"… (or the singular) for a group key."""
    spec = entity(key)
    return spec.label if singular else spec.plural_label
