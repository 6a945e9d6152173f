"""The related panel of a record editor: its activities and its related records.

It observes a `RelatedModel` (models/related.py), which loads the data and runs the two
actions (log a note, mark a task complete) through the app's run helper; the panel never
talks to the client. Sections that do not apply to the record's type are hidden. Loading,
empty and error states are shown in the panel itself (with Retry), never in a modal dialog.
"""

from __future__ import annotations

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

from copper_desktop.domain.catalog import EntitySpec, LookupKind, entity
from copper_desktop.domain.formats import format_datetime
from copper_desktop.models.related import NOTE_TYPE_ID, RelatedModel
from copper_desktop.ui.common.inline_error import error_label, show_error

Json = dict[str, Any]

ACTIVITY_COLUMNS = ("Type", "Date", "Who", "Details")
RELATED_COLUMNS = ("Name", "Status")
RecordRole = Qt.ItemDataRole.UserRole
"""Item data: the activity (activities list) or (entity key, id) of a related record."""
TaskRole = Qt.ItemDataRole.UserRole + 1
"""Item data of related tasks: the task record (for its status)."""


def _first_line(text: object) -> str:
    if not isinstance(text, str):
        return ""
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def _name_widget(widget: QWidget, name: str, accessible: str) -> None:
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)


class RelatedPanel(QWidget):
    """A record's activities (with "Log a note") and related records (with "Mark complete").

    The panel adopts `model` (it becomes the model's parent when it has none), so the model's
    requests end with the panel.

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

    def __init__(self, model: RelatedModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        if model.parent() is None:
            model.setParent(self)
        self.spec: EntitySpec = model.spec
        self._lookups = model.lookups
        _name_widget(self, "relatedPanel", f"{self.spec.label} activities and related records")
        self._note_sent: str | None = None

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
        model.load_started.connect(self._on_load_started)
        model.loaded.connect(self._on_loaded)
        model.activities_changed.connect(self._show_activities)
        model.activity_added.connect(self._on_activity_added)
        model.related_changed.connect(self._show_related)
        model.busy_changed.connect(self._update_buttons)
        model.note_failed.connect(self._note_failed)
        model.note_logged.connect(self._on_note_logged)
        model.task_failed.connect(self._task_failed)
        model.task_completed.connect(self._on_task_completed)
        model.error_occurred.connect(self.error_occurred)
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
        self.note_error = error_label("noteError", "Note error", box)
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
        self.related_error = error_label("relatedError", "Related records error", box)
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
        return box

    # ------------------------------------------------------------------ state
    @property
    def record(self) -> dict[str, Any]:
        return self.model.record

    @property
    def record_id(self) -> int | None:
        return self.model.record_id

    @property
    def has_activities(self) -> bool:
        return self.model.has_activities

    @property
    def has_related(self) -> bool:
        return self.model.has_related

    @property
    def groups(self) -> tuple[str, ...]:
        return self.model.groups

    @property
    def loading(self) -> bool:
        return self.model.loading

    @property
    def activities(self) -> list[Json]:
        return self.model.activities

    @property
    def related(self) -> dict[str, list[tuple[int, str]]]:
        return self.model.related.rows

    def _show_idle(self) -> None:
        if self.record_id is None:
            self.status.setText("Save the record to see its activities and related records.")
        elif not (self.has_activities or self.has_related):
            self.status.setText(f"{self.spec.plural_label} have no activities or related records.")
        else:
            self.status.setText("")
        self._update_buttons()

    def set_record(self, record: Mapping[str, Any]) -> None:
        """Show another version of the record (after a save); reloads when the id changed."""
        self.model.set_record(record)
        if not self.model.loading:
            self._show_idle()

    # ------------------------------------------------------------------ loading
    def reload(self) -> None:
        """Load again (a load already running is replaced)."""
        self.model.reload()

    def _on_load_started(self) -> None:
        self.status.setText("Loading…")
        self.retry_button.hide()

    def _on_loaded(self) -> None:
        if self.model.error:
            self.status.setText(self.model.error)
            self.retry_button.show()
        else:
            self._show_idle()
            self.retry_button.hide()
        self.loaded.emit()

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
        date = format_datetime(when) if isinstance(when, int | float) else ""
        details = activity.get("details")
        item = QTreeWidgetItem(
            [self._activity_type_name(activity), date, who, _first_line(details)]
        )
        if isinstance(details, str) and details.strip():
            item.setToolTip(3, details)
        item.setData(0, RecordRole, dict(activity))
        return item

    def _show_activities(self) -> None:
        self.activity_list.clear()
        self.activity_list.addTopLevelItems([self._activity_item(a) for a in self.activities])
        self._update_activities_empty()

    def _on_activity_added(self, activity: Json) -> None:
        self.activity_list.insertTopLevelItem(0, self._activity_item(activity))
        self._update_activities_empty()

    def _update_activities_empty(self) -> None:
        self.activities_empty.setVisible(not self.activities)
        self.activity_list.setVisible(bool(self.activities))

    def log_note(self) -> None:
        """Create a Note activity from the text box; empty text is refused, nothing sent."""
        text = self.note_edit.toPlainText()
        self.note_error.hide()
        if self.model.log_note(text):
            self._note_sent = text.strip()

    def _note_failed(self, message: str) -> None:
        show_error(self.note_error, message)

    def _on_note_logged(self, created: Json) -> None:
        if self.note_edit.toPlainText().strip() == self._note_sent:
            self.note_edit.clear()
        self._note_sent = None
        self.note_logged.emit(created)

    # ------------------------------------------------------------------ related
    def _show_related(self) -> None:
        """One top-level row per non-empty group, a child row per record (sorted by name)."""
        self.related_list.clear()
        for key, rows in self.related.items():
            group = QTreeWidgetItem([f"{entity_label(key)} ({len(rows)})", ""])
            group.setFlags(group.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            group.setData(0, RecordRole, None)
            for record_id, name in rows:
                task = self.model.related.tasks.get(record_id) if key == "tasks" else None
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

    def _selected_open_task(self) -> int | None:
        target = self._target(self.related_list.currentItem())
        if target is None or target[0] != "tasks" or not self.model.can_complete(target[1]):
            return None
        return target[1]

    def _update_buttons(self, *_: object) -> None:
        self.note_button.setEnabled(self.record_id is not None and not self.model.logging_note)
        self.open_button.setEnabled(self._target(self.related_list.currentItem()) is not None)
        self.complete_button.setEnabled(
            not self.model.completing and self._selected_open_task() is not None
        )

    def complete_selected_task(self) -> None:
        """Mark the selected related task complete (through the model)."""
        task_id = self._selected_open_task()
        if task_id is not None:
            self.related_error.hide()
            self.model.complete_task(task_id)

    def _task_failed(self, message: str) -> None:
        show_error(self.related_error, message)

    def _on_task_completed(self, task: Json) -> None:
        task_id = task.get("id")
        item = self.related_item("tasks", task_id) if isinstance(task_id, int) else None
        if item is not None:
            item.setText(1, str(task.get("status") or ""))
            item.setText(0, str(task.get("name") or item.text(0)))
            item.setData(0, TaskRole, dict(task))
        self._update_buttons()
        self.task_completed.emit(task)

    # ------------------------------------------------------------------ shutdown
    async def aclose(self) -> None:
        """Cancel every request the panel's model started and wait for them to end."""
        await self.model.aclose()


def entity_label(key: str, *, singular: bool = False) -> str:
    """ "People", "Companies"… (or the singular) for a group key."""
    spec = entity(key)
    return spec.label if singular else spec.plural_label
