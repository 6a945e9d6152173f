"""The record editor: one window per record, to view, edit, create and delete it.

A `RecordModel` holds the original and the edits; the `RecordForm` shows them with a widget per
field; `record_save.save` sends only what changed, after checking that nobody changed the
record meanwhile. Nothing the user typed is lost: a refused or failed save keeps the edits, and
closing with unsaved changes asks first. Deleting writes the record to the local journal before
the DELETE is sent, so it can be re-created.
"""

from __future__ import annotations

import logging
from collections.abc import Coroutine, Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from copper_desktop.domain.catalog import EntitySpec, FieldType, LookupKind
from copper_desktop.journal import DeletionJournal, delete_record
from copper_desktop.models.actions import ActionRunner, Failure, finished
from copper_desktop.models.lookups import Lookups
from copper_desktop.models.record_columns import column_fields
from copper_desktop.models.record_model import RecordModel
from copper_desktop.models.record_save import SaveOutcome, resolve_conflict, save
from copper_desktop.models.related import RelatedModel
from copper_desktop.session import Session
from copper_desktop.ui.common.banner import Banner
from copper_desktop.ui.common.prompts import choose, message_box, result_of
from copper_desktop.ui.editor.conflict_dialog import ConflictDialog
from copper_desktop.ui.editor.record_form import RecordForm
from copper_desktop.ui.editor.related_panel import RelatedPanel

log = logging.getLogger(__name__)

RELATED_ENTITIES = frozenset({"people", "companies", "leads", "opportunities", "tasks", "projects"})
"""Entities whose records have activities and related items worth a side panel."""


def record_title(spec: EntitySpec, record: Mapping[str, Any] | None) -> str:
    """ "Acme Corp — Company"; "New company" for a record not created yet."""
    if not record or record.get("id") is None:
        return f"New {spec.label.lower()}"
    name = record.get("name") or record.get("title") or record.get("details")
    text = str(name).splitlines()[0][:80] if name else f"#{record['id']}"
    return f"{text} — {spec.label}"


def new_record_defaults(spec: EntitySpec, lookups: Lookups, user_id: int | None) -> dict[str, Any]:
    """Starting values of a new record, as Copper's web app offers them: owned by the current
    user, open, in the first pipeline's first stage, a new lead, a note."""
    defaults: dict[str, Any] = {}
    keys = {f.key for f in spec.fields if f.creatable}
    if "assignee_id" in keys and user_id is not None:
        defaults["assignee_id"] = user_id
    if "status" in keys:
        status = next((f for f in spec.fields if f.key == "status"), None)
        if status is not None and status.type is FieldType.ENUM and status.choices:
            defaults["status"] = status.choices[0].value
    if "priority" in keys:
        priority = next((f for f in spec.fields if f.key == "priority"), None)
        if priority is not None and priority.choices:
            defaults["priority"] = priority.choices[0].value
    if "pipeline_id" in keys:
        pipelines = lookups.choices(LookupKind.PIPELINES)
        if pipelines:
            defaults["pipeline_id"] = pipelines[0][0]
            stages = lookups.stages(pipelines[0][0])
            if stages and "pipeline_stage_id" in keys:
                defaults["pipeline_stage_id"] = stages[0][0]
    if "status_id" in keys:
        statuses = lookups.choices(LookupKind.LEAD_STATUSES)
        new = [i for i, name in statuses if name.casefold() == "new"]
        if new or statuses:
            defaults["status_id"] = (new or [statuses[0][0]])[0]
    if "type" in keys and spec.key == "activities":
        notes = [
            i
            for i, name in lookups.choices(LookupKind.ACTIVITY_TYPES)
            if name.casefold() == "note" and lookups.activity_category(i) == "user"
        ]
        if notes:
            defaults["type"] = {"category": "user", "id": notes[0]}
    return defaults


def editor_actions(owner: QWidget) -> tuple[QAction, QAction]:
    """The editor's keyboard actions: Save (Ctrl+S) and Close (Ctrl+W, Esc; unsaved changes
    are asked about first). Help ▸ Keyboard shortcuts lists them from here too."""
    save_action = QAction("Save", owner)
    save_action.setObjectName("actionEditorSave")
    save_action.setShortcut(QKeySequence.StandardKey.Save)
    close_action = QAction("Close editor", owner)
    close_action.setObjectName("actionEditorClose")
    close_action.setShortcuts(
        [*QKeySequence.keyBindings(QKeySequence.StandardKey.Close), QKeySequence("Esc")]
    )
    for action in (save_action, close_action):
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    return save_action, close_action


class RecordEditor(QWidget):
    """A window editing one record (or creating one).

    Signals:
        saved(str, dict): the record as Copper now holds it (entity key, record).
        deleted(str, object): the record was deleted (entity key, id).
        open_requested(str, object): the related panel asks to open another record.
        closed(): the window closed (after any unsaved-changes question).
    """

    saved = Signal(str, dict)
    deleted = Signal(str, object)
    open_requested = Signal(str, object)
    closed = Signal()

    def __init__(
        self,
        session: Session,
        lookups: Lookups,
        journal: DeletionJournal,
        spec: EntitySpec,
        record: Mapping[str, Any] | None,
        *,
        defaults: Mapping[str, Any] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.session = session
        self.lookups = lookups
        self.journal = journal
        self.spec = spec
        self.setObjectName(f"editor_{spec.key}")
        self.runner = ActionRunner(self)
        """Runs the editor's saves, deletes and questions; they end with the window."""
        self._closing = False
        """True once the user has decided (saved or discarded): the next close goes through."""
        self._busy = False
        fields = column_fields(spec, lookups)
        self.model = RecordModel(
            spec, fields, record, lookups.definitions, parent=self, defaults=defaults
        )

        self.banner = Banner(self)
        self.banner.retry_requested.connect(self.save)
        self.status = QLabel(self)
        self.status.setObjectName("editorStatus")
        self.status.setAccessibleName("Editor status")
        self.status.setWordWrap(True)

        self.save_button = self._button("editorSave", "&Save", "Save changes (Ctrl+S)")
        self.revert_button = self._button("editorRevert", "&Revert", "Undo every unsaved change")
        self.delete_button = self._button("editorDelete", "&Delete…", "Delete this record")
        self.close_button = self._button("editorClose", "&Close", "Close this window")
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.revert)
        self.delete_button.clicked.connect(self.delete)
        self.close_button.clicked.connect(self.close)
        save_action, close_action = editor_actions(self)
        save_action.triggered.connect(self.save)
        close_action.triggered.connect(self.close)
        self.addActions([save_action, close_action])

        self.conflict_dialog: ConflictDialog | None = None
        self.related: RelatedPanel | None = None
        self.splitter = QSplitter(self)
        self.splitter.setObjectName("editorSplitter")
        self.splitter.setAccessibleName("Record and related items")
        self.form = self._make_form()
        self._form_creating = self.model.is_new

        buttons = self.button_row = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        for button in (self.delete_button, self.revert_button, self.save_button, self.close_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(buttons)

        self.model.dirty_changed.connect(lambda _: self._update_state())
        self.model.value_changed.connect(lambda _: self.form.set_changed(self.model.changed_keys()))
        self.model.errors_changed.connect(lambda: self.form.set_errors(self.model.errors()))
        self.model.loaded.connect(self._on_loaded)
        self.form.set_record(self.model.edited_record())
        self._add_related()
        self._update_state()
        self.resize(1000 if self.related is not None else 640, 720)

    # ------------------------------------------------------------------ public API

    @property
    def record_id(self) -> int | None:
        return self.model.record_id

    @property
    def is_dirty(self) -> bool:
        return self.model.is_dirty

    @property
    def busy(self) -> bool:
        return self._busy

    def save(self) -> None:
        """Ctrl+S / Save: validate, then send only the changed fields."""
        if not self._busy and not self.runner.running("save"):  # a double click saves once
            self.runner.run(self.asave(), key="save")

    def add_action(self, action: QAction, name: str, accessible: str) -> QPushButton:
        """A feature's action on this record (Convert… on a lead): a button before Delete,
        and its shortcut in this window."""
        button = QPushButton(action.text(), self)
        button.setObjectName(name)
        button.setAccessibleName(accessible)
        button.setToolTip(action.toolTip())
        button.clicked.connect(lambda _checked=False: action.trigger())
        self.button_row.insertWidget(1, button)
        self.addAction(action)
        return button

    def revert(self) -> None:
        """Put every field back as it was loaded."""
        self.model.revert()
        self.model.set_errors({})
        self.form.set_record(self.model.edited_record())
        self.form.set_changed([])
        self.banner.clear()
        self._set_status("Changes reverted.")

    def delete(self) -> None:
        """Ask, then delete (the record goes into the local journal first)."""
        if not self._busy and not self.model.is_new:
            self.runner.run(self.adelete(), key="delete")

    async def asave(self) -> SaveOutcome | None:
        """Save and show the outcome; None when the user's typing could not be read."""
        input_errors = self.form.input_errors()
        if input_errors:
            self.model.set_errors({**self.model.errors(), **input_errors})
            self.form.focus_field(next(iter(input_errors)))
            self._set_status("Fix the marked fields; nothing was sent.")
            return None
        self._set_busy(True, "Saving…")
        try:
            outcome = await save(self.model, self.session.client)
            while outcome.kind == "conflict":
                choice = await self._ask_conflict(outcome)
                if choice is None:
                    self._set_status(
                        "Not saved: the record changed in Copper. Your edits are kept."
                    )
                    return outcome
                outcome = await resolve_conflict(
                    self.model, self.session.client, outcome.theirs or {}, choice
                )
        finally:
            self._set_busy(False)
        self._show_outcome(outcome)
        return outcome

    async def adelete(self) -> bool:
        """Confirm and delete; True when the record is gone."""
        record = self.model.original_record()
        name = record_title(self.spec, record).rsplit(" — ", 1)[0]
        box = message_box(
            self,
            "confirmDelete",
            f"Delete {self.spec.label.lower()}",
            f"Delete the {self.spec.label.lower()} “{name}”?",
            [
                ("confirmDeleteCancel", "Cancel", QMessageBox.ButtonRole.RejectRole),
                ("confirmDeleteOk", "Delete", QMessageBox.ButtonRole.DestructiveRole),
            ],
            icon=QMessageBox.Icon.Warning,
            informative="A copy is kept in File ▸ Deleted records, from where it can be "
            "re-created (with a new id; its activities and links are not restored).",
        )
        if await choose(box) != "confirmDeleteOk":
            return False
        self._set_busy(True, "Deleting…")
        gone: list[bool] = []
        await finished(
            self.runner.run(
                delete_record(self.journal, self.session.client, self.spec, record),
                success=lambda _entry: gone.append(True),
                failure=self._delete_failed,
                done=lambda: self._set_busy(False),
                what="Could not delete",
                key="deleting",
            )
        )
        if not gone:
            return False
        self.deleted.emit(self.spec.key, record.get("id"))
        self._closing = True
        self.close()
        return True

    def _delete_failed(self, failure: Failure) -> None:
        self.banner.show_failure(failure, retry=False)
        self._set_status("Not deleted.")

    async def aclose(self) -> None:
        """Cancel requests of the editor, its form and its panel."""
        await self.runner.aclose()
        closers: list[Coroutine[Any, Any, None]] = []
        for part in (self.form, self.related):
            aclose = getattr(part, "aclose", None)
            if aclose is not None:
                closers.append(aclose())
        for closer in closers:
            await closer

    # ------------------------------------------------------------------ closing

    def closeEvent(self, event: QCloseEvent) -> None:
        """Unsaved changes: ask Save / Discard / Cancel first (non-modal to the app)."""
        if self._closing or not self.model.is_dirty:
            super().closeEvent(event)
            self.closed.emit()
            return
        event.ignore()
        if not self._busy and not self.runner.running("ask"):
            self.runner.run(self._ask_unsaved(), key="ask")

    async def _ask_unsaved(self) -> None:
        box = message_box(
            self,
            "unsavedChanges",
            "Unsaved changes",
            f"Save the changes to “{record_title(self.spec, self.model.original_record())}”?",
            [
                ("unsavedSave", "&Save", QMessageBox.ButtonRole.AcceptRole),
                ("unsavedDiscard", "&Discard", QMessageBox.ButtonRole.DestructiveRole),
                ("unsavedCancel", "Cancel", QMessageBox.ButtonRole.RejectRole),
            ],
            informative=", ".join(self._changed_labels()),
        )
        answer = await choose(box)
        if answer == "unsavedDiscard":
            self._closing = True
            self.close()
        elif answer == "unsavedSave":
            outcome = await self.asave()
            if outcome is not None and outcome.ok:
                self._closing = True
                self.close()

    # ------------------------------------------------------------------ internals

    def _button(self, name: str, text: str, tip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAccessibleName(text.replace("&", "").rstrip("…"))
        button.setToolTip(tip)
        return button

    def _changed_labels(self) -> list[str]:
        return [self.model.field(k).label for k in self.model.changed_keys()]

    def _add_related(self) -> None:
        if self.related is not None or self.model.is_new or self.spec.key not in RELATED_ENTITIES:
            return
        model = RelatedModel(
            self.session.client, self.lookups, self.spec, self.model.original_record()
        )
        panel = RelatedPanel(model, parent=self)
        panel.open_requested.connect(self.open_requested)
        self.related = panel
        self.splitter.addWidget(panel)
        self.splitter.setSizes([600, 400])
        panel.reload()

    def _make_form(self) -> RecordForm:
        """The form, in create mode while the record does not exist yet; it goes first in
        the splitter."""
        form = RecordForm(
            self.spec,
            self.model.fields,
            self.lookups,
            self.session.client,
            creating=self.model.is_new,
            parent=self,
        )
        form.field_edited.connect(self._on_field_edited)
        self.splitter.insertWidget(0, form)
        return form

    def _on_field_edited(self, key: str, value: Any) -> None:
        try:
            self.model.set_value(key, value)
        except ValueError as exc:  # a read-only field: the form should not have let it change
            log.warning("edit of %s refused: %s", key, exc)
            return
        if self.model.error(key):
            self.model.set_error(key, None)

    def _on_loaded(self) -> None:
        """A new original (after a save, or keeping theirs): show it, leave create mode."""
        if self._form_creating and not self.model.is_new:  # created: create-only fields lock
            old = self.form
            self.form = self._make_form()
            self._form_creating = False
            self.runner.run(self._dispose(old))
        self.form.set_record(self.model.edited_record())
        self.form.set_changed(self.model.changed_keys())
        if self.related is not None:
            self.related.set_record(self.model.original_record())
        self._add_related()
        self._update_state()

    async def _dispose(self, form: RecordForm) -> None:
        form.hide()
        aclose = getattr(form, "aclose", None)
        if aclose is not None:
            await aclose()
        form.deleteLater()

    async def _ask_conflict(self, outcome: SaveOutcome) -> Any:
        assert outcome.conflict is not None and outcome.theirs is not None
        dialog = ConflictDialog(
            self.spec,
            self.model.fields,
            outcome.conflict,
            self.model.original_record(),
            self.model.edited_record(),
            outcome.theirs,
            self.lookups.name,
            parent=self,
        )
        self.conflict_dialog = dialog
        try:
            await result_of(dialog)
            return dialog.choice()
        finally:
            self.conflict_dialog = None
            dialog.deleteLater()

    def _show_outcome(self, outcome: SaveOutcome) -> None:
        if outcome.kind in ("saved", "unchanged"):
            self.banner.clear()
            self._set_status(outcome.message or "Saved.")
            if outcome.kind == "saved" and outcome.record is not None:
                self.saved.emit(self.spec.key, dict(outcome.record))
        elif outcome.kind == "invalid":
            self._set_status(outcome.message or "Copper refused the change; see the marked fields.")
            errors = outcome.errors or self.model.errors()
            if errors:
                self.form.focus_field(next(iter(errors)))
            elif outcome.message:
                self.banner.show_error(outcome.message, retry=False)
        elif outcome.kind == "failed":
            self.banner.show_error(f"Could not save: {outcome.message} Your edits are kept.")
            self._set_status("Not saved.")

    def _set_busy(self, busy: bool, message: str | None = None) -> None:
        self._busy = busy
        if message:
            self._set_status(message)
        self._update_state()

    def _set_status(self, text: str) -> None:
        self.status.setText(text)

    def _update_state(self) -> None:
        dirty = self.model.is_dirty
        new = self.model.is_new
        self.save_button.setEnabled(not self._busy and (dirty or new))
        self.revert_button.setEnabled(not self._busy and dirty)
        self.delete_button.setVisible(not new)
        self.delete_button.setEnabled(not self._busy)
        self.form.setEnabled(not self._busy)
        title = record_title(self.spec, None if new else self.model.original_record())
        self.setWindowTitle(f"{'* ' if dirty else ''}{title}")
        self.setAccessibleName(title)
