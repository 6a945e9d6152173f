"""The bulk edit dialog: changes, then a preview (dry run), then a job.

Page one lists the changes (one `OperationRow` each; "Add change" adds one, each row's Remove
drops it). Preview refuses invalid changes under their rows and sends nothing; otherwise the
model loads the selection fresh and page two shows every change (record, field, before,
after) with the counts line, an "Export preview CSV…" button and the confirm button naming
the count ("Apply to 1,204 records"). Only that button writes: it journals the job and hands
it to ``on_job`` (the jobs panel), then the dialog closes.

Open it with :func:`open_bulk_edit`; it is window-modal through ``open()`` (no nested loop).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Final

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from copper_desktop.domain.bulk import BulkOperation, Preview
from copper_desktop.jobs import Job, JobStore
from copper_desktop.models.bulk import BULK_ENTITIES, BulkEditModel, IdSource
from copper_desktop.models.lookups import Lookups
from copper_desktop.session import Session
from copper_desktop.ui.bulk.operation_row import OperationRow
from copper_desktop.ui.common.inline_error import error_label, show_error
from copper_desktop.ui.common.tables import preview_table
from copper_desktop.ui.fields.record_picker import SearchClient

__all__ = ["BULK_ENTITIES", "SHORTCUT", "BulkEditDialog", "apply_text", "open_bulk_edit"]

SHORTCUT: Final = QKeySequence("Ctrl+Shift+E")
"""The browsers' shortcut for "Bulk edit…" (the lead wires it with the toolbar button)."""
EDIT_PAGE, PREVIEW_PAGE = 0, 1


def apply_text(count: int) -> str:
    """The confirm button: it names what will be written."""
    if count <= 0:
        return "Nothing to apply"
    return f"Apply to {count:,} record{'s' if count != 1 else ''}"


def _button(parent: QWidget, text: str, name: str, accessible: str) -> QPushButton:
    button = QPushButton(text, parent)
    button.setObjectName(name)
    button.setAccessibleName(accessible)
    return button


class BulkEditDialog(QDialog):
    """A bulk edit of the selected ``entity_key`` records. ``client`` feeds the record
    pickers of reference fields (company, person) as in the record editor.

    Signals: the model's (``dialog.model``): ``job_created`` carries the job.
    """

    def __init__(
        self,
        model: BulkEditModel,
        client: SearchClient | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = model
        model.setParent(self)
        self.client = client
        spec = model.spec
        self.setObjectName("bulkEditDialog")
        title = f"Bulk edit {spec.plural_label.lower()}"
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.rows: list[OperationRow] = []
        self._serial = 0

        self.intro = QLabel(self)
        self.intro.setObjectName("bulkIntro")
        self.intro.setAccessibleName("What is being edited")
        self.intro.setWordWrap(True)
        self.pages = QStackedWidget(self)
        self.pages.setObjectName("bulkPages")

        # Page one: the changes.
        edit_page = QWidget(self.pages)
        edit_page.setObjectName("bulkEditPage")
        self.rows_widget = QWidget(edit_page)
        self.rows_widget.setObjectName("bulkChanges")
        self.rows_layout = QVBoxLayout(self.rows_widget)
        self.rows_layout.addStretch(1)
        scroll = QScrollArea(edit_page)
        scroll.setObjectName("bulkChangesScroll")
        scroll.setAccessibleName("Changes")
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.rows_widget)
        self.add_button = _button(edit_page, "Add change", "bulkAddChange", "Add a change")
        self.edit_error = error_label("bulkEditError", "Bulk edit error", edit_page)
        self.cancel_button = _button(edit_page, "Cancel", "bulkCancel", "Cancel the bulk edit")
        self.preview_button = _button(edit_page, "Preview…", "bulkPreview",
                                      "Preview the changes")  # fmt: skip
        self.preview_button.setDefault(True)
        edit_buttons = QHBoxLayout()
        edit_buttons.addWidget(self.add_button)
        edit_buttons.addStretch(1)
        edit_buttons.addWidget(self.cancel_button)
        edit_buttons.addWidget(self.preview_button)
        edit_layout = QVBoxLayout(edit_page)
        edit_layout.setContentsMargins(0, 0, 0, 0)
        edit_layout.addWidget(scroll, 1)
        edit_layout.addWidget(self.edit_error)
        edit_layout.addLayout(edit_buttons)
        self.pages.addWidget(edit_page)

        # Page two: the preview.
        preview_page = QWidget(self.pages)
        preview_page.setObjectName("bulkPreviewPage")
        self.status = QLabel(preview_page)
        self.status.setObjectName("bulkStatus")
        self.status.setAccessibleName("Preview status")
        self.counts = QLabel(preview_page)
        self.counts.setObjectName("bulkCounts")
        self.counts.setAccessibleName("Preview counts")
        self.counts.setWordWrap(True)
        counts_font = self.counts.font()
        counts_font.setBold(True)
        self.counts.setFont(counts_font)
        self.counts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = preview_table(model.table, "bulkPreviewTable", "Changes per record",
                                   (200, 160, 200), preview_page)  # fmt: skip
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.preview_error = error_label("bulkPreviewError", "Preview error", preview_page)
        self.back_button = _button(preview_page, "Back", "bulkBack", "Back to the changes")
        self.export_button = _button(preview_page, "Export preview CSV…", "bulkExportCsv",
                                     "Export the preview as CSV")  # fmt: skip
        self.apply_button = _button(preview_page, apply_text(0), "bulkApply", "Apply")
        self.apply_button.setAutoDefault(False)  # writing takes a click, never a stray Enter
        preview_buttons = QHBoxLayout()
        preview_buttons.addWidget(self.back_button)
        preview_buttons.addWidget(self.export_button)
        preview_buttons.addStretch(1)
        preview_buttons.addWidget(self.apply_button)
        preview_layout = QVBoxLayout(preview_page)
        preview_layout.setContentsMargins(0, 0, 0, 0)
        preview_layout.addWidget(self.status)
        preview_layout.addWidget(self.counts)
        preview_layout.addWidget(self.table, 1)
        preview_layout.addWidget(self.preview_error)
        preview_layout.addLayout(preview_buttons)
        self.pages.addWidget(preview_page)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.pages, 1)
        self.resize(900, 560)

        self.add_button.clicked.connect(self.add_row)
        self.cancel_button.clicked.connect(self.reject)
        self.preview_button.clicked.connect(self.request_preview)
        self.back_button.clicked.connect(self.back_to_changes)
        self.export_button.clicked.connect(self.choose_export_file)
        self.apply_button.clicked.connect(self.apply)
        model.refused.connect(self._refused)
        model.loading_changed.connect(self._update_buttons)
        model.progress.connect(self._progress)
        model.preview_ready.connect(self._preview_ready)
        model.preview_failed.connect(self._preview_failed)
        model.applying_changed.connect(self._applying)
        model.apply_failed.connect(self._apply_failed)
        model.job_created.connect(self._job_created)
        self._describe_selection()
        self.add_row()
        self._update_buttons()

    # ------------------------------------------------------------------ the changes
    def add_row(self) -> OperationRow:
        """Add a change (a "Set a field" row) at the end of the list."""
        self._serial += 1
        row = OperationRow(self.model.context, self.model.lookups, self.client, self._serial,
                           self.rows_widget)  # fmt: skip
        row.edited.connect(self._changes_edited)
        row.remove_requested.connect(self.remove_row)
        self.rows_layout.insertWidget(len(self.rows), row)
        row.show()
        self.rows.append(row)
        self._renumber()
        self._changes_edited()
        return row

    def remove_row(self, row: OperationRow) -> None:
        if row in self.rows:
            self.rows.remove(row)
            self.rows_layout.removeWidget(row)
            row.hide()
            row.deleteLater()
            self._renumber()
            self._changes_edited()

    def _renumber(self) -> None:
        for number, row in enumerate(self.rows, start=1):
            row.set_number(number)

    def _changes_edited(self) -> None:
        show_error(self.edit_error, None)

    def operations(self) -> tuple[list[BulkOperation], dict[int, str]]:
        """The rows as operations, and row index → why a row is not one yet."""
        ops: list[BulkOperation] = []
        problems: dict[int, str] = {}
        for index, row in enumerate(self.rows):
            op, problem = row.operation()
            if op is None:
                problems[index] = problem or "This change is not complete."
            else:
                ops.append(op)
        return ops, problems

    def request_preview(self) -> bool:
        """Check every change (refused ones say why under their row, nothing is sent), then
        load the selection and show the preview page."""
        ops, problems = self.operations()
        if problems:
            self._refused(problems)
            return False
        if not self.model.request_preview(ops):
            return False
        self.counts.clear()
        show_error(self.preview_error, None)
        self.pages.setCurrentIndex(PREVIEW_PAGE)
        self._update_buttons()
        return True

    def _refused(self, problems: dict[int, str]) -> None:
        """Show each problem under its row (-1: under the list); stay on the changes."""
        self.pages.setCurrentIndex(EDIT_PAGE)
        for index, row in enumerate(self.rows):
            row.show_error(problems.get(index))
        show_error(self.edit_error, problems.get(-1))
        first = min(problems) if problems else -1
        if 0 <= first < len(self.rows):
            editors = self.rows[first].editors()
            (editors[-1].focus_widget() if editors else self.rows[first].kind_combo).setFocus()
        self._update_buttons()

    def back_to_changes(self) -> None:
        self.model.cancel_preview()
        self.model.clear_preview()
        self.pages.setCurrentIndex(EDIT_PAGE)
        self._update_buttons()

    # ------------------------------------------------------------------ the preview
    def _describe_selection(self) -> None:
        spec, count = self.model.spec, self.model.selected
        if count is None:
            what = f"the {spec.plural_label.lower()} matching the current filters"
        else:
            noun = spec.label.lower() if count == 1 else spec.plural_label.lower()
            what = f"{count:,} selected {noun}"
        self.intro.setText(
            f"Changes to {what}, in order. Preview shows every change before anything is "
            "written; Copper is changed only when you apply."
        )

    def _progress(self, done: int, total: int) -> None:
        noun = self.model.spec.plural_label.lower()
        self.status.setText(f"Loading {noun}: {done:,} of {total:,}…")
        self._describe_selection()

    def _preview_ready(self, result: Preview) -> None:
        count = self.model.selected or 0
        spec = self.model.spec
        noun = (spec.label if count == 1 else spec.plural_label).lower()
        self.status.setText(f"Preview of {count:,} selected {noun}:")
        self.counts.setText(self.model.counts_line())
        refused = [f"{r.name}: {r.reason}" for r in result.refused[:20]]
        self.counts.setToolTip("\n".join(refused))
        self._update_buttons()

    def _preview_failed(self, message: str) -> None:
        self.status.setText("The preview could not be made; nothing was written.")
        show_error(self.preview_error, message)
        self._update_buttons()

    def choose_export_file(self) -> QFileDialog:
        """Ask where to save the preview CSV (window-modal, no nested loop)."""
        chooser = QFileDialog(self, "Export preview CSV")
        chooser.setObjectName("bulkExportFileDialog")
        chooser.setAccessibleName("Export preview CSV")
        chooser.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        chooser.setNameFilter("CSV files (*.csv)")
        chooser.setDefaultSuffix("csv")
        chooser.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        chooser.selectFile(f"bulk-edit-{self.model.spec.key}-preview.csv")
        chooser.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        chooser.fileSelected.connect(lambda path: self.export_csv(Path(path)))
        chooser.open()
        return chooser

    def export_csv(self, path: Path) -> bool:
        """Write the preview CSV to ``path``; a failure is shown under the table."""
        try:
            lines = self.model.export_csv(path)
        except (OSError, ValueError) as error:
            show_error(self.preview_error, f"Could not export the preview: {error}")
            return False
        show_error(self.preview_error, None)
        self.status.setText(f"Exported {lines:,} line{'s' if lines != 1 else ''} to {path.name}.")
        return True

    # ------------------------------------------------------------------ applying
    def apply(self) -> bool:
        """Journal the job and hand it on (the only step that writes)."""
        show_error(self.preview_error, None)
        started = self.model.apply()
        self._update_buttons()
        return started

    def _applying(self, applying: bool) -> None:
        if applying:
            self.status.setText("Creating the job…")
        self._update_buttons()

    def _apply_failed(self, message: str) -> None:
        show_error(self.preview_error, message)
        self._update_buttons()

    def _job_created(self, _job: Job) -> None:
        self.accept()

    def _update_buttons(self, *_: object) -> None:
        model = self.model
        result = model.preview
        count = result.will_change if result is not None else 0
        busy = model.loading or model.applying
        self.preview_button.setEnabled(not busy)
        self.add_button.setEnabled(not busy)
        self.apply_button.setText(apply_text(count))
        self.apply_button.setAccessibleName(apply_text(count))
        self.apply_button.setEnabled(bool(count) and not busy and model.job is None)
        self.export_button.setEnabled(result is not None and not busy)
        self.back_button.setEnabled(not model.applying)
        self.table.setEnabled(result is not None)

    # ------------------------------------------------------------------ closing
    def reject(self) -> None:
        if self.model.applying:
            return  # the job is being journaled: it is handed on in a moment
        self.model.cancel_preview()
        super().reject()

    async def aclose(self) -> None:
        """Stop loading and every field editor's searches (tests, and the window's shutdown)."""
        await self.model.aclose()
        for row in self.rows:
            for editor in row.editors():
                await editor.aclose()


def open_bulk_edit(
    parent: QWidget | None,
    session: Session,
    lookups: Lookups,
    store: JobStore,
    entity_key: str,
    ids: IdSource,
    on_job: Callable[[Job], object],
    *,
    start_job: bool = True,
    selected: int | None = None,
) -> BulkEditDialog:
    """Open the bulk edit of ``ids`` (or of what an async provider of ids returns: "all N
    matching the filters") over ``parent``, window-modal, without a nested loop. ``on_job``
    gets the journaled `Job` when the user applies (then it is started, unless
    ``start_job`` is False). ``selected``: how many rows a provider stands for, when known
    (the dialog names the count before the ids are found). The dialog deletes itself when
    closed."""
    if entity_key not in BULK_ENTITIES:
        raise ValueError(f"Bulk edit is not offered for {entity_key!r}.")
    model = BulkEditModel(
        store, entity_key, lookups, ids, start_job=start_job, executor=session.executor
    )
    if model.selected is None and selected is not None:
        model.selected = selected
    model.job_created.connect(on_job)
    dialog = BulkEditDialog(model, session.client, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
