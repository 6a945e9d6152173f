"""Picking a record by name: companies and people (and leads, opportunities, projects, tasks)
are too many to list, so the picker searches Copper as the user types.

The search is debounced (one request per typing pause, `DEBOUNCE_MS`), runs through the run
helper (`ActionRunner`, models/record_search.find_records), is cancelled when a newer one
starts, and its answer is dropped when the text changed meanwhile: the latest query wins. A
digits-only entry ("123" or "#123") looks the id up instead; tasks, which Copper cannot search
by name, can only be picked that way, and opportunities only by their exact name (Copper's
opportunity name filter is exact, §3.2). Names of ids already set come from `Lookups`
(resolved in the background when unknown).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QCompleter, QHBoxLayout, QLineEdit, QWidget

from copper_desktop.domain.catalog import (
    PARENT_TYPES,
    FieldSpec,
    FieldType,
    LookupKind,
    entity,
    entity_for_type,
)
from copper_desktop.models.actions import EXPECTED, ActionRunner, Failure
from copper_desktop.models.lookups import RESOLVABLE, Lookups
from copper_desktop.models.lookups import SearchClient as SearchClient  # pickers' client seam
from copper_desktop.models.record_search import find_records
from copper_desktop.ui.common.naming import clearable, name_popup
from copper_desktop.ui.fields.editor_base import NONE_LABEL, FieldEditor

DEBOUNCE_MS: Final = 300
ID_ROLE: Final = Qt.ItemDataRole.UserRole + 1
NAME_ROLE: Final = Qt.ItemDataRole.UserRole + 2


def kind_for_type(copper_type: str) -> LookupKind:
    """The lookup kind of a singular Copper type ("company" → COMPANIES)."""
    return LookupKind(entity_for_type(copper_type).key)


def _detail(kind: LookupKind, record: Mapping[str, Any]) -> str:
    """A second clue beside the name, to tell namesakes apart."""
    if kind is LookupKind.PEOPLE:
        emails = record.get("emails") or []
        first = emails[0].get("email") if emails and isinstance(emails[0], Mapping) else None
        return str(first or record.get("company_name") or "")
    if kind is LookupKind.COMPANIES:
        return str(record.get("email_domain") or "")
    if kind is LookupKind.LEADS:
        email = record.get("email")
        address = email.get("email") if isinstance(email, Mapping) else None
        return str(record.get("company_name") or address or "")
    if kind is LookupKind.OPPORTUNITIES:
        return str(record.get("company_name") or "")
    return ""


class RecordPicker(QWidget):
    """A line edit that finds records of one kind by name and shows the chosen one's name.

    Signals:
        picked(): the user chose a record from the results, or cleared the box.
        typed(): the user typed; nothing is chosen until a result is picked.
        results_ready(): a search answered and the results list was refilled.
        search_failed(str): a search failed; the message is fit to show.
    """

    picked = Signal()
    typed = Signal()
    results_ready = Signal()
    search_failed = Signal(str)

    def __init__(
        self,
        kind: LookupKind | None,
        lookups: Lookups,
        client: SearchClient | None,
        *,
        object_name: str,
        label: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setAccessibleName(label)
        self.lookups = lookups
        self.client = client
        self.label = label
        self._kind: LookupKind | None = None
        self._id: int | None = None
        self._shown = ""
        self._read_only = False
        self.runner = ActionRunner(self)
        """Runs the searches (one at a time, under the key "search") and name look-ups."""

        self.edit = QLineEdit(self)
        self.edit.setObjectName(f"{object_name}Edit")
        self.edit.setAccessibleName(label)
        clearable(self.edit)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)

        self.results = QStandardItemModel(self)
        self.completer = QCompleter(self.results, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setWidget(self.edit)
        self.completer.setMaxVisibleItems(12)
        popup = self.completer.popup()
        assert popup is not None  # QCompleter always makes one
        popup.setObjectName(f"{object_name}Results")
        popup.setAccessibleName(f"{label} search results")
        self.popup = popup

        self.debounce = QTimer(self)
        self.debounce.setObjectName(f"{object_name}Debounce")
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(DEBOUNCE_MS)
        self.debounce.timeout.connect(self.search_now)

        self.edit.textEdited.connect(self._on_text_edited)
        self.edit.returnPressed.connect(self.search_now)
        self.completer.activated[QModelIndex].connect(self._on_activated)  # type: ignore[index]
        lookups.names_resolved.connect(self._refresh_name)
        self.set_kind(kind)

    # ------------------------------------------------------------------ public API

    def kind(self) -> LookupKind | None:
        return self._kind

    def set_kind(self, kind: LookupKind | None) -> None:
        """Search another kind of record; the current choice is dropped (no signal)."""
        self._kind = kind
        self._cancel_search()
        self.results.clear()
        self._id = None
        self._show_current()
        self.edit.setEnabled(kind is not None)
        if kind is None:
            self.edit.setPlaceholderText("Choose a type first")
        elif self._searchable_by_name():
            noun = entity(kind.value).label.lower()
            self.edit.setPlaceholderText(f"Type to search {noun} names, or an id")
        else:
            self.edit.setPlaceholderText(f"Type the {entity(kind.value).label.lower()} id")

    def record_id(self) -> int | None:
        """The chosen record's id (None when cleared or nothing chosen)."""
        return self._id

    def set_record_id(self, record_id: int | None) -> None:
        """Show a record by id (its name once known); emits nothing."""
        self._cancel_search()
        self.debounce.stop()
        self._id = record_id if isinstance(record_id, int) and not isinstance(record_id, bool) \
            else None  # fmt: skip
        self._show_current()

    def pending_text(self) -> str | None:
        """Text typed since the last pick that does not name a chosen record, else None."""
        text = self.edit.text()
        if text == self._shown or not text.strip():
            return None
        return text.strip()

    def search_now(self) -> None:
        """Search for the current text at once (the debounce timer and Enter end here)."""
        self.debounce.stop()
        text = self.edit.text().strip()
        if not text or text == self._shown or self._kind is None or self.client is None:
            return
        filters = self._filters(text)
        if filters is None:
            self._fill([], f"Type the id of the {entity(self._kind.value).label.lower()}")
            return
        kind = self._kind
        self.runner.run(
            find_records(self.client, kind.value, filters),
            key="search",  # replaces the search running before: the latest query wins
            success=lambda records: self._answered(kind, text, records),
            failure=self._search_failed,
            name=f"{self.objectName()} search",
        )

    def result_names(self) -> list[str]:
        """The names in the results list, in order (placeholders excluded)."""
        return [
            str(self.results.item(r).data(NAME_ROLE))
            for r in range(self.results.rowCount())
            if self.results.item(r).data(ID_ROLE) is not None
        ]

    def pick_row(self, row: int) -> None:
        """Choose a result as a click would."""
        self._on_activated(self.results.index(row, 0))

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self.edit.setReadOnly(read_only)
        self.edit.setClearButtonEnabled(not read_only)
        if not read_only:
            clearable(self.edit)

    def is_busy(self) -> bool:
        return bool(self.runner.pending)

    async def aclose(self) -> None:
        """Stop the debounce and cancel searches and name look-ups (before the widget goes)."""
        self.debounce.stop()
        await self.runner.aclose()

    # ------------------------------------------------------------------ internals

    def _searchable_by_name(self) -> bool:
        if self._kind is None:
            return False
        return any(f.key == "name" for f in entity(self._kind.value).filters)

    def _filters(self, text: str) -> dict[str, Any] | None:
        digits = text.removeprefix("#").strip()
        if digits.isdigit():
            return {"ids": [int(digits)]}
        if self._searchable_by_name():
            return {"name": text}
        return None

    def _cancel_search(self) -> None:
        self.runner.cancel("search")

    def _on_text_edited(self, text: str) -> None:
        if self._read_only:
            return
        if not text.strip():
            self.debounce.stop()
            self._cancel_search()
            self.popup.hide()
            self._id = None
            self._shown = ""
            self.picked.emit()
            return
        self.typed.emit()
        self.debounce.start()

    def _answered(self, kind: LookupKind, text: str, records: list[Mapping[str, Any]]) -> None:
        if self.edit.text().strip() != text or self._kind is not kind:
            return  # the user typed on: a newer search follows
        noun = entity(kind.value).label.lower()
        self._fill(records, f"No {noun} matches “{text}”")

    def _search_failed(self, failure: Failure) -> None:
        self.search_failed.emit(failure.reason)

    def _fill(self, records: list[Mapping[str, Any]], empty_text: str) -> None:
        self.results.clear()
        kind = self._kind
        for record in records:
            record_id, name = record.get("id"), record.get("name")
            if not isinstance(record_id, int) or kind is None:
                continue
            shown = str(name) if name else f"#{record_id}"
            detail = _detail(kind, record)
            item = QStandardItem(f"{shown} — {detail}" if detail else shown)
            item.setData(record_id, ID_ROLE)
            item.setData(shown, NAME_ROLE)
            item.setToolTip(f"{shown} (#{record_id})")
            item.setEditable(False)
            self.results.appendRow(item)
        if self.results.rowCount() == 0:
            item = QStandardItem(empty_text)
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.results.appendRow(item)
        if self.edit.hasFocus():
            self.completer.complete()
        self.results_ready.emit()

    def _on_activated(self, index: QModelIndex) -> None:
        record_id = index.data(ID_ROLE)
        if not isinstance(record_id, int) or self._read_only:
            return
        name = str(index.data(NAME_ROLE))
        self._id = record_id
        if self._kind is not None:
            self.lookups.remember(self._kind, record_id, name)
        self._shown = name
        self.edit.setText(name)
        self.popup.hide()
        self.picked.emit()

    def _show_current(self) -> None:
        record_id, kind = self._id, self._kind
        if record_id is None or kind is None:
            text = ""
        else:
            name = self.lookups.name(kind, record_id)
            text = name or f"#{record_id}"
            if name is None and kind in RESOLVABLE and self.lookups.unknown(kind, [record_id]):
                self.runner.run(
                    self.lookups.resolve(kind, [record_id]),
                    success=lambda _: self._refresh_name(),
                    failure=lambda _: None,  # the id stays shown as "#id": nothing to tell
                    expected=(*EXPECTED, RuntimeError),  # RuntimeError: lookups without client
                    name=f"{self.objectName()} name",
                )
        self._shown = text
        self.edit.setText(text)
        self.edit.setCursorPosition(0)

    def _refresh_name(self) -> None:
        """A name arrived: show it unless the user has typed over the box meanwhile."""
        if self._id is None or self._kind is None or self.edit.text() != self._shown:
            return
        name = self.lookups.name(self._kind, self._id)
        if name and name != self._shown:
            self._shown = name
            self.edit.setText(name)
            self.edit.setCursorPosition(0)


class _PickerEditor(FieldEditor):
    """What the record-reference editors share: a `RecordPicker` whose picks and typing are
    edits of the field, and whose search failures show under it until a search answers."""

    def __init__(
        self,
        field: FieldSpec,
        lookups: Lookups,
        client: SearchClient | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(field, parent)
        self.lookups = lookups
        self.picker = RecordPicker(
            field.lookup,
            lookups,
            client,
            object_name=f"{self.objectName()}Picker",
            label=field.label,
            parent=self,
        )
        self.content.addWidget(self.picker, 1)
        self.picker.picked.connect(self._user_edited)
        self.picker.typed.connect(self._user_edited)
        self.picker.edit.editingFinished.connect(self._commit)
        self.picker.search_failed.connect(self._search_failed)
        self.picker.results_ready.connect(self._search_answered)
        self._search_error: str | None = None
        self._build()

    def _build(self) -> None:
        """Adds a subclass's own widgets, once the picker exists."""

    def is_busy(self) -> bool:
        return self.picker.is_busy()

    async def aclose(self) -> None:
        await self.picker.aclose()

    def _search_failed(self, message: str) -> None:
        self._search_error = f"Search failed: {message}"
        self.set_error(self._search_error)

    def _search_answered(self) -> None:
        if self._search_error is not None and self.error() == self._search_error:
            self.set_error(None)
        self._search_error = None


class RecordRefEditor(_PickerEditor):
    """REF to companies, people, leads, opportunities, projects or tasks: a `RecordPicker`.

    The value is the chosen id or null (cleared). Typed text not yet picked is an input error.
    """

    @property
    def noun(self) -> str:
        assert self.field.lookup is not None
        return entity(self.field.lookup.value).label.lower()

    def focus_widget(self) -> QWidget:
        return self.picker.edit

    def _show(self, value: Any) -> None:
        self.picker.set_record_id(value)

    def _read(self) -> tuple[Any, str | None]:
        pending = self.picker.pending_text()
        if pending is not None:
            return None, f"Pick a {self.noun} from the list for “{pending}”, or clear the box."
        record_id = self.picker.record_id()
        if record_id == self._original:
            return self._original, None
        return record_id, None

    def _apply_read_only(self, read_only: bool) -> None:
        self.picker.set_read_only(read_only)


class ResourceEditor(_PickerEditor):
    """RELATED_RESOURCE (tasks, projects) and PARENT (activities): a type and a record.

    The value is `{"id", "type"}` (other keys of the original kept); a related resource may
    be "— none —" (null). A type without a picked record is an input error.
    """

    def _build(self) -> None:
        field = self.field
        self.type_combo = QComboBox(self)
        self.type_combo.setObjectName(f"{self.objectName()}Type")
        self.type_combo.setAccessibleName(f"{field.label} type")
        self._types: list[str | None] = []
        if field.type is FieldType.RELATED_RESOURCE:
            self._types.append(None)
        self._types.extend(PARENT_TYPES)
        for copper_type in self._types:
            self.type_combo.addItem(self._type_label(copper_type))
        name_popup(self.type_combo)
        self.content.insertWidget(0, self.type_combo)
        self.type_combo.activated.connect(self._type_chosen)
        self.type_combo.setCurrentIndex(0)
        self._sync_picker_kind()

    @staticmethod
    def _type_label(copper_type: str | None) -> str:
        if copper_type is None:
            return NONE_LABEL
        try:
            return entity_for_type(copper_type).label
        except KeyError:
            return copper_type

    def focus_widget(self) -> QWidget:
        return self.type_combo

    def focus_widgets(self) -> list[QWidget]:
        return [self.type_combo, self.picker.edit]

    def current_type(self) -> str | None:
        index = self.type_combo.currentIndex()
        return self._types[index] if 0 <= index < len(self._types) else None

    def choose_type(self, copper_type: str | None) -> None:
        """Choose a type as the user would (the record choice is cleared)."""
        self.type_combo.setCurrentIndex(self._types.index(copper_type))
        self._type_chosen()

    def _sync_picker_kind(self) -> None:
        copper_type = self.current_type()
        try:
            kind = kind_for_type(copper_type) if copper_type else None
        except (KeyError, ValueError):
            kind = None
        self.picker.set_kind(kind)

    def _type_chosen(self, *_: object) -> None:
        self._sync_picker_kind()
        self._user_edited()
        if self.current_type() is not None:
            self.picker.edit.setFocus()

    def _show(self, value: Any) -> None:
        resource = value if isinstance(value, Mapping) else {}
        copper_type = resource.get("type")
        if copper_type is not None and copper_type not in self._types:
            self._types.append(str(copper_type))
            self.type_combo.addItem(self._type_label(str(copper_type)))
        if copper_type is None and None not in self._types:
            self._types.insert(0, None)
            self.type_combo.insertItem(0, NONE_LABEL)
        self.type_combo.setCurrentIndex(self._types.index(copper_type))
        self._sync_picker_kind()
        self.picker.set_record_id(resource.get("id"))

    def _read(self) -> tuple[Any, str | None]:
        original = self._original if isinstance(self._original, Mapping) else None
        copper_type = self.current_type()
        if copper_type is None:
            if self._original is None or (original is not None and original.get("type") is None):
                return self._original, None
            return None, None
        noun = self._type_label(copper_type).lower()
        pending = self.picker.pending_text()
        if pending is not None:
            return None, f"Pick a {noun} from the list for “{pending}”, or clear the box."
        record_id = self.picker.record_id()
        if record_id is None:
            return None, f"Pick the {noun} this belongs to."
        if original is not None and original.get("type") == copper_type \
                and original.get("id") == record_id:  # fmt: skip
            return self._original, None
        resource = dict(original or {})
        resource.update({"id": record_id, "type": copper_type})
        return resource, None

    def _apply_read_only(self, read_only: bool) -> None:
        self.type_combo.setEnabled(not read_only)
        self.picker.set_read_only(read_only)
