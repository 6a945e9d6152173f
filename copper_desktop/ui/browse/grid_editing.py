"""Editing a browser like a spreadsheet: cells edited in place and staged, copy and paste of
tab-separated blocks, fill down, undo and redo, and a save through the bulk edit's preview.

``install_grid_editing(window, entities)`` gives every browser of those entities (the ones the
bulk edit supports) a `GridEditing`, as browsers are created (``window.browser_created``):

- the table selects cells rather than rows (a row counts as selected when any of its cells is,
  so the bulk edit and other row actions keep working); double-click, F2 or typing edits a
  cell of a field the grid edits (``domain.cell_input.grid_editable``) with the record
  editor's own widget (``grid_delegates``); Enter still opens the record, as before;
- nothing is written while editing: values are staged (``models.staged_edits``) and shown
  marked; the bar says "12 changes in 7 records" with Review…, Save and Discard;
- Ctrl+C copies the selected cells as the texts shown, tab-separated (Ctrl+Shift+C with the
  column headers); Ctrl+V pastes a block from a spreadsheet from the selection's top-left
  cell (one value fills the whole selection), reading each cell per its column's type and
  names of owners, stages, statuses and options as ids; Ctrl+D fills the top selected cell of
  each column down; Ctrl+Z / Ctrl+Shift+Z undo and redo; Ctrl+S saves;
- Save loads the edited records fresh, shows the preview (``transfer.grid_save_dialog``) and
  runs the job in the window's jobs panel; rows written are unstaged (the list shows Copper's
  values), rows a save could not write stay staged with the reason.

Editing actions are in each browser's row menu and, for the current browser, the Edit menu.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QWidget

from copper_desktop.domain.catalog import FieldSpec
from copper_desktop.domain.cell_input import Names, check_cell, grid_editable, parse_cell
from copper_desktop.domain.custom_fields import entity_fields, set_field_value
from copper_desktop.domain.formats import FormatError
from copper_desktop.domain.tsv import read_tsv, write_tsv
from copper_desktop.models.lookups import PICKABLE
from copper_desktop.models.paged import StagedRole
from copper_desktop.models.staged_edits import Entry, StagedEdits, StagedOverlay
from copper_desktop.ui.browse.grid_delegates import GridDelegate, Index, MarkingDelegate
from copper_desktop.ui.browse.staged_bar import StagedBar

if TYPE_CHECKING:
    from copper_desktop.jobs import Job, JobEvent
    from copper_desktop.ui.browse.browser import EntityBrowser
    from copper_desktop.ui.main_window import MainWindow
    from copper_desktop.ui.transfer.grid_save_dialog import GridSaveDialog

__all__ = ["GridEditing", "GridEditingUi", "install_grid_editing"]

Record = dict[str, Any]
_REPAINT = [int(Qt.ItemDataRole.DisplayRole), StagedRole, int(Qt.ItemDataRole.ToolTipRole)]


class GridEditing(QObject):
    """The in-place editing of one browser (see the module docstring)."""

    def __init__(self, window: MainWindow, browser: EntityBrowser) -> None:
        super().__init__(browser)
        self.setObjectName(f"gridEditing_{browser.spec.key}")
        self.window = window
        self.browser = browser
        self.table = browser.table
        self.model = browser.model
        self.lookups = browser.lookups or window.lookups
        self.staged = StagedEdits(self)
        self.overlay = StagedOverlay(self.staged)
        self.dialog: GridSaveDialog | None = None
        self._fields: dict[int, FieldSpec] = {}
        self._unsubscribe: list[Callable[[], None]] = []

        self.plain_delegate = GridDelegate(self, self.table)
        self.marking_delegate = MarkingDelegate(self, self.table)
        self.delegate: GridDelegate = self.plain_delegate
        self.table.setItemDelegate(self.delegate)
        for delegate in (self.plain_delegate, self.marking_delegate):
            delegate.closeEditor.connect(lambda *_: QTimer.singleShot(0, self._sync_delegate))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        triggers = QAbstractItemView.EditTrigger
        self.table.setEditTriggers(
            triggers.DoubleClicked | triggers.EditKeyPressed | triggers.AnyKeyPressed
        )
        self.bar = StagedBar(browser)
        layout = browser.layout()
        assert layout is not None
        layout.insertWidget(layout.indexOf(self.table) + 1, self.bar)  # type: ignore[attr-defined]

        act = self._action
        self.undo_action = act("actionGridUndo", "&Undo", self.undo, QKeySequence.StandardKey.Undo)
        self.redo_action = act("actionGridRedo", "&Redo", self.redo, "Ctrl+Shift+Z", "Ctrl+Y")
        self.copy_action = act("actionGridCopy", "&Copy", self.copy, QKeySequence.StandardKey.Copy)
        self.copy_headers_action = act("actionGridCopyHeaders", "Copy with &headers",
                                       lambda: self.copy(headers=True), "Ctrl+Shift+C")  # fmt: skip
        self.paste_action = act("actionGridPaste", "&Paste", self.paste,
                                QKeySequence.StandardKey.Paste)  # fmt: skip
        self.fill_action = act("actionGridFillDown", "Fill do&wn", self.fill_down, "Ctrl+D")
        self.save_action = act("actionGridSave", "&Save changes…", self.save, "Ctrl+S")
        self.discard_action = act("actionGridDiscard", "D&iscard changes", self.discard)
        self.actions = [self.undo_action, self.redo_action, self.copy_action,
                        self.copy_headers_action, self.paste_action, self.fill_action,
                        self.save_action, self.discard_action]  # fmt: skip
        rows_copy = getattr(browser, "copy_action", None)
        if isinstance(rows_copy, QAction):  # the browser's own row copy: the cells' replaces it
            rows_copy.setShortcuts([])
        for action in self.actions[:6]:
            browser.selection.add_row_action(action)
        for action in self.actions[6:]:
            browser.addAction(action)

        self._refresh_fields()
        self.model.columnsInserted.connect(lambda *_: self._refresh_fields())
        self.lookups.loaded.connect(self._refresh_fields)
        self.staged.changed.connect(self._on_staged)
        self.staged.cells_changed.connect(self._repaint)
        self.bar.review_requested.connect(self.review)
        self.bar.save_requested.connect(self.save)
        self.bar.discard_requested.connect(self.discard)
        self._on_staged()

    def _action(
        self, name: str, text: str, slot: Callable[[], object],
        *keys: QKeySequence.StandardKey | str,
    ) -> QAction:  # fmt: skip
        action = QAction(text, self.browser)
        action.setObjectName(name)
        action.setShortcuts([QKeySequence(key) for key in keys])
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    # ------------------------------------------------------------------ fields and cells
    def _refresh_fields(self) -> None:
        """The field each column edits in place (custom field columns arrive later)."""
        fields = {f.key: f for f in entity_fields(self.browser.spec, self.lookups.definitions)}
        self._fields = {
            column: spec
            for column, col in enumerate(self.model.columns)
            if (spec := fields.get(col.key)) is not None and grid_editable(spec)
        }
        self.model.editable_columns = frozenset(self._fields)

    def field_at(self, column: int) -> FieldSpec | None:
        return self._fields.get(column)

    def _names(self) -> Names:
        """The account's pick lists now, to read names in cells back into ids."""
        return Names.of(self.lookups, PICKABLE)

    def _entry(self, record: Record, spec: FieldSpec, *, text: str | None = None,
               value: Any = None, names: Names | None = None) -> Entry:  # fmt: skip
        """What to stage in one cell: ``text`` read as the field's value, or ``value``;
        invalid (with the reason) when it cannot be read or written to this record."""
        names = names if names is not None else self._names()
        if text is not None:
            try:
                value = parse_cell(spec, text, names, record)
            except FormatError as error:
                return Entry(record, spec.key, spec.type.value, None, str(error), text)
        from copper_desktop.domain.bulk import BulkContext

        context = BulkContext(self.browser.spec, self.lookups.definitions)
        problem = check_cell(context, names, spec.key, value, record)
        if problem is None:
            return Entry(record, spec.key, spec.type.value, value)
        if text is None:
            column = next(c for c in self.model.columns if c.key == spec.key)
            text = str(column.value(set_field_value(record, spec.key, value)) or "")
        return Entry(record, spec.key, spec.type.value, None, problem, text)

    def commit_cell(self, index: Index, value: Any, error: str | None, text: str) -> None:
        """The delegate's editor finished: stage what it holds."""
        record, spec = self.model.record(index.row()), self.field_at(index.column())
        if record is None or spec is None:
            return
        if error is not None:
            entry = Entry(record, spec.key, spec.type.value, None, error, text)
        else:
            entry = self._entry(record, spec, value=value)
        self.staged.stage([entry], f"Edit {spec.label}")

    # ------------------------------------------------------------------ selection helpers
    def visible_columns(self) -> list[int]:
        """Logical columns shown, in the order shown."""
        header = self.table.horizontalHeader()
        logical = [header.logicalIndex(v) for v in range(header.count())]
        return [c for c in logical if not header.isSectionHidden(c)]

    def selected_cells(self) -> list[tuple[int, int]]:
        """(row, logical column) of the selected cells (the current cell when none)."""
        chosen = {(i.row(), i.column()) for i in self.table.selectionModel().selectedIndexes()}
        if not chosen and self.table.currentIndex().isValid():
            current = self.table.currentIndex()
            chosen = {(current.row(), current.column())}
        shown = set(self.visible_columns())
        return sorted(cell for cell in chosen if cell[1] in shown)

    # ------------------------------------------------------------------ copy, paste, fill
    def copy(self, *, headers: bool = False) -> str:
        """The selected cells as tab-separated text on the clipboard (texts as shown; only
        loaded rows); returns the text."""
        cells = self.selected_cells()
        if not cells:
            return ""
        order = self.visible_columns()
        columns = sorted({c for _r, c in cells}, key=order.index)
        chosen = set(cells)
        rows = sorted({r for r, _c in cells})
        loaded = [r for r in rows if self.model.is_loaded(r)]
        lines: list[list[str]] = []
        if headers:
            lines.append([self.model.columns[c].header for c in columns])
        for row in loaded:
            lines.append([str(self.model.index(row, c).data() or "") if (row, c) in chosen
                          else "" for c in columns])  # fmt: skip
        text = write_tsv(lines)
        QGuiApplication.clipboard().setText(text)
        left = len(rows) - len(loaded)
        note = f"; {left:,} rows not loaded yet were left out" if left else ""
        self.bar.show_message(f"Copied {len(loaded):,} × {len(columns):,} cells{note}.")
        return text

    def paste(self, text: str | None = None) -> int:
        """Paste a tab-separated block (the clipboard's by default) from the selection's
        top-left cell; a single value fills every selected cell. Returns the cells staged."""
        try:
            block = read_tsv(QGuiApplication.clipboard().text() if text is None else text)
        except ValueError as error:
            self.bar.show_message(f"Nothing pasted. {error}")
            return 0
        cells = self.selected_cells()
        if not block or not cells:
            self.bar.show_message("Nothing to paste." if cells else "Select where to paste.")
            return 0
        order = self.visible_columns()
        names = self._names()
        entries: list[Entry] = []
        refused: dict[str, None] = {}
        outside = 0
        targets: list[tuple[int, int, str]]
        if len(block) == 1 and len(block[0]) == 1 and len(cells) > 1:
            targets = [(row, column, block[0][0]) for row, column in cells]
        else:
            top = min(r for r, _c in cells)
            left = min(order.index(c) for _r, c in cells)
            targets = []
            for r, line in enumerate(block):
                for c, value in enumerate(line):
                    if left + c >= len(order) or top + r >= self.model.rowCount():
                        outside += 1
                        continue
                    targets.append((top + r, order[left + c], value))
        for row, column, value in targets:
            record, spec = self.model.record(row), self.field_at(column)
            if spec is None:
                refused[self.model.columns[column].header] = None
            elif record is None:
                outside += 1
            else:
                entries.append(self._entry(record, spec, text=value, names=names))
        staged = self.staged.stage(entries, "Paste")
        self._select(targets)
        parts = [f"Pasted {len(entries):,} cell{'s' if len(entries) != 1 else ''}"]
        if refused:
            parts.append(f"{', '.join(refused)} cannot be changed in the grid")
        if outside:
            parts.append(f"{outside:,} cells fell outside the loaded rows")
        self.bar.show_message("; ".join(parts) + ".")
        return staged

    def fill_down(self) -> int:
        """Ctrl+D: each selected column's top selected cell into the selected cells below
        (a single selected row takes the row above). Returns the cells staged."""
        cells = self.selected_cells()
        by_column: dict[int, list[int]] = {}
        for row, column in cells:
            by_column.setdefault(column, []).append(row)
        names = self._names()
        entries: list[Entry] = []
        for column, rows in by_column.items():
            spec = self.field_at(column)
            sources = rows if len(rows) > 1 else [rows[0] - 1, rows[0]]
            source = self.model.record(sources[0]) if sources[0] >= 0 else None
            if spec is None or source is None:
                continue
            cell = self.staged.cell(source.get("id"), spec.key)
            for row in sources[1:]:
                record = self.model.record(row)
                if record is None:
                    continue
                if cell is not None and cell.error:
                    entries.append(self._entry(record, spec, text=cell.text or "", names=names))
                else:
                    value = self.staged.value(source, spec.key)
                    entries.append(self._entry(record, spec, value=value, names=names))
        staged = self.staged.stage(entries, "Fill down")
        self.bar.show_message(f"Filled {len(entries):,} cell{'s' if len(entries) != 1 else ''}.")
        return staged

    def _select(self, targets: Iterable[tuple[int, int, str]]) -> None:
        selection = QItemSelection()
        for row, column, _text in targets:
            index = self.model.index(row, column)
            selection.select(index, index)
        if not selection.isEmpty():
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
            self.table.selectionModel().select(selection, flags)

    # ------------------------------------------------------------------ undo, save, discard
    def undo(self) -> None:
        self.staged.undo()

    def redo(self) -> None:
        self.staged.redo()

    def discard(self) -> None:
        count = self.staged.discard()
        if count:
            self.bar.show_message(f"Discarded {count:,} changes (Ctrl+Z brings them back).")

    def close_editor(self) -> None:
        """Stage what an open cell editor holds and close it (before saving or reviewing)."""
        if self.table.state() != QAbstractItemView.State.EditingState:
            return
        viewport = self.table.viewport()
        editor: QWidget | None = viewport.focusWidget()
        while editor is not None and editor.parentWidget() is not viewport:
            editor = editor.parentWidget()
        if editor is not None:
            self.delegate.commitData.emit(editor)
            self.delegate.closeEditor.emit(editor)

    def review(self) -> GridSaveDialog | None:
        """Review…: the staged changes as the grid holds them; nothing is sent."""
        return self._open(check=False)

    def save(self) -> GridSaveDialog | None:
        """Save: the preview against fresh records, then (on confirmation) the job."""
        self.close_editor()
        if self.staged.invalid():
            self.bar.show_message("Fix or discard the marked cells first.")
            return None
        return self._open(check=True)

    def _open(self, *, check: bool) -> GridSaveDialog | None:
        if not len(self.staged):
            return None
        if self.dialog is not None:
            self.dialog.raise_()
            return self.dialog
        from copper_desktop.ui.transfer.grid_save_dialog import GridSaveDialog

        held = {rid: r for rid in self.staged.records()
                if (r := self.model.record(self.model.row_of(rid))) is not None}  # fmt: skip
        store = self.window.ensure_jobs().store
        dialog = GridSaveDialog(store, self.browser.spec.key, self.lookups, self.staged, held,
                                self.window.session.executor, self.browser)  # fmt: skip
        dialog.model.preview_ready.connect(lambda _result: self._checked(dialog))
        dialog.model.job_created.connect(self._run)
        dialog.destroyed.connect(lambda: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        if check:
            dialog.check()
        return dialog

    def _checked(self, dialog: GridSaveDialog) -> None:
        """A preview against fresh records: what cannot be saved keeps its reason, and cells
        of records changed in Copper since now count from Copper's values (shown)."""
        model = dialog.model
        if not model.checked or model.preview is None:
            return
        failed = {r.record_id: r.reason for r in model.preview.refused if r.record_id is not None}
        types = dict(model.preview.types)
        self.staged.settle(failed=failed, rebased=model.conflicts, types=types)
        for record in model.conflicts:
            self.model.update_record(record)

    def _run(self, job: Job) -> None:
        """Run the save's job in the jobs panel and settle the cells as its rows end."""
        from copper_desktop.jobs import Reason, RowsChanged, RowStatus, StateChanged

        types = dict((job.meta or {}).get("types") or {})

        def follow(event: JobEvent) -> None:
            if isinstance(event, RowsChanged):
                written: dict[int, dict[str, Any]] = {}
                failed: dict[int, str] = {}
                for i in event.indices:
                    row = job.rows[i]
                    holds = row.status is RowStatus.SKIPPED and row.reason is Reason.NO_CHANGE
                    if row.status is RowStatus.WRITTEN or holds:
                        written[row.data["id"]] = row.data.get("after") or {}
                    elif row.status is not RowStatus.PENDING:
                        failed[row.data["id"]] = row.message or str(row.reason or "")
                if written or failed:
                    self.staged.settle(written=written, failed=failed, types=types)
            elif isinstance(event, StateChanged) and event.state.final:
                counts = job.counts()
                self.bar.show_message(
                    f"Saved {counts[RowStatus.WRITTEN]:,} records"
                    + (f"; {counts[RowStatus.SKIPPED] + counts[RowStatus.FAILED]:,} not written "
                       "(marked)" if counts[RowStatus.SKIPPED] + counts[RowStatus.FAILED] else "")
                    + "."
                )  # fmt: skip

        self._unsubscribe.append(job.subscribe(follow))
        self.window.ensure_jobs().run(job)

    # ------------------------------------------------------------------ showing
    def _sync_delegate(self) -> None:
        """The marking delegate while cells are staged, Qt's painting otherwise; never swapped
        under an open editor (retried when it closes)."""
        wanted = self.marking_delegate if len(self.staged) else self.plain_delegate
        if wanted is self.delegate or self.table.state() == QAbstractItemView.State.EditingState:
            return
        self.delegate = wanted
        self.table.setItemDelegate(wanted)
        self.table.viewport().update()

    def _on_staged(self) -> None:
        staged = self.staged
        self.model.overlay = self.overlay if len(staged) else None
        self._sync_delegate()
        invalid = len(staged.invalid())
        busy = self.dialog is not None and self.dialog.model.loading
        self.bar.show_state(staged.summary(), invalid, busy=busy)
        self.undo_action.setEnabled(staged.can_undo)
        self.redo_action.setEnabled(staged.can_redo)
        self.undo_action.setText(f"&Undo {staged.undo_text().lower()}".rstrip())
        self.redo_action.setText(f"&Redo {staged.redo_text().lower()}".rstrip())
        self.save_action.setEnabled(bool(len(staged)) and not invalid)
        self.discard_action.setEnabled(bool(len(staged)))

    def _repaint(self, keys: Sequence[tuple[int, str]]) -> None:
        rows = sorted({row for rid, _key in keys if (row := self.model.row_of(rid)) >= 0})
        last = self.model.columnCount() - 1
        for row in rows:
            self.model.dataChanged.emit(self.model.index(row, 0), self.model.index(row, last),
                                        _REPAINT)  # fmt: skip

    def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()


class GridEditingUi(QObject):
    """Grid editing on a window's browsers of ``entities``; the Edit menu shows the current
    browser's editing actions."""

    def __init__(self, window: MainWindow, entities: Sequence[str]) -> None:
        super().__init__(window)
        self.setObjectName("gridEditingUi")
        self.window = window
        self.entities = tuple(entities)
        self.grids: dict[str, GridEditing] = {}
        self.menu = window.menu("edit")
        self._shown: list[QAction] = []
        window.browser_created.connect(self._created)
        for browser in window.browsers():
            self._created(browser.spec.key, browser)
        self.menu.aboutToShow.connect(self.fill_menu)
        window.stack.currentChanged.connect(lambda _index: self.fill_menu())

    def grid(self, key: str) -> GridEditing | None:
        return self.grids.get(key)

    def _created(self, key: str, browser: EntityBrowser) -> None:
        if key in self.entities and key not in self.grids:
            self.grids[key] = GridEditing(self.window, browser)
            self.fill_menu()

    def fill_menu(self) -> None:
        """The Edit menu lists the current browser's editing actions (none elsewhere)."""
        for action in self._shown:
            self.menu.removeAction(action)
        self._shown = []
        browser = self.window.current_browser()
        grid = self.grids.get(browser.spec.key) if browser is not None else None
        if grid is None:
            return
        first = self.menu.actions()[0] if self.menu.actions() else None
        separator = QAction(self.menu)
        separator.setSeparator(True)
        self._shown = [*grid.actions, separator]
        self.menu.insertActions(first, self._shown)  # type: ignore[arg-type]


def install_grid_editing(window: MainWindow, entities: Sequence[str]) -> GridEditingUi:
    """Grid editing for the browsers of ``entities`` (made now and later) in ``window``."""
    return GridEditingUi(window, entities)
