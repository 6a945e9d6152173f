"""The export dialog: which records (the selection, the current view, every record), how
(names or raw values, a BOM for Excel, the ID column), where; then progress and Cancel.

The columns are the browser's visible ones in their order. The work is
``models.transfer_export.export_csv`` run through the dialog's ActionRunner: pages stream to a
temporary file next to the target, renamed at the end; Cancel (or closing the dialog) stops
it and removes the partial file. Window-modal through ``open()``: no nested loop.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from copper_desktop.api.errors import CopperError
from copper_desktop.models.actions import ActionRunner, Failure
from copper_desktop.models.lookups import Lookups
from copper_desktop.models.record_columns import column_fields
from copper_desktop.models.transfer_export import (
    ExportClient,
    ExportRequest,
    Scope,
    export_csv,
    export_fields,
)
from copper_desktop.ui.common.inline_error import error_label, show_error
from copper_desktop.ui.common.naming import named, named_button

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from copper_desktop.ui.browse.browser import EntityBrowser

__all__ = ["ExportDialog"]


class ExportDialog(QDialog):
    """Export the records of ``browser``'s entity to CSV (see the module docstring)."""

    def __init__(
        self,
        browser: EntityBrowser,
        client: ExportClient,
        lookups: Lookups,
        *,
        executor: Executor | None = None,
        default_dir: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.browser = browser
        self.client = client
        self.lookups = lookups
        self.executor = executor
        self.runner = ActionRunner(self)
        self.written = 0
        spec = self.spec = browser.spec
        title = f"Export {spec.plural_label.lower()} to CSV"
        named(self, "exportDialog", title)
        self.setWindowTitle(title)

        selected = browser.selection.count()
        self.scope_selection = named(
            QRadioButton(f"The {selected:,} selected rows", self),
            "exportScopeSelection", "Export the selected rows",
        )  # fmt: skip
        self.scope_view = named(
            QRadioButton("The current view: its filters and its order", self),
            "exportScopeView", "Export the current view",
        )  # fmt: skip
        every = spec.plural_label.lower()
        self.scope_all = named(QRadioButton(f"All {every}", self), "exportScopeAll",
                               f"Export all {every}")  # fmt: skip
        self.scopes = QButtonGroup(self)
        for button in (self.scope_selection, self.scope_view, self.scope_all):
            self.scopes.addButton(button)
        self.scope_selection.setEnabled(selected > 0)
        (self.scope_selection if selected else self.scope_view).setChecked(True)

        self.names_box = named(QCheckBox("Names instead of ids (owners, stages, options)", self),
                               "exportNames", "Write names instead of ids")  # fmt: skip
        self.names_box.setChecked(True)
        self.bom_box = named(QCheckBox("Byte-order mark, for Excel", self), "exportBom",
                             "Start the file with a byte-order mark for Excel")  # fmt: skip
        self.id_box = named(QCheckBox("Include the record ID (to import changes back)", self),
                            "exportIncludeId", "Include the record ID column")  # fmt: skip
        self.id_box.setChecked(True)
        folder = default_dir or Path.home()
        self.path_edit = named(QLineEdit(str(folder / f"{spec.key}.csv"), self),
                               "exportPath", "File to export to")  # fmt: skip
        self.browse_button = named_button(self, "exportBrowse", "Choose…", "Choose the file")
        self.progress = named(QProgressBar(self), "exportProgress", "Export progress")
        self.progress.setRange(0, 0)
        self.progress.hide()
        self.status = named(QLabel(self), "exportStatus", "Export status")
        self.status.setWordWrap(True)
        self.error = error_label("exportError", "Export error", self)
        self.start_button = named_button(self, "exportStart", "Export", "Start the export")
        self.start_button.setDefault(True)
        self.close_button = named_button(self, "exportClose", "Close", "Close or cancel")

        where = QHBoxLayout()
        where.addWidget(self.path_edit, 1)
        where.addWidget(self.browse_button)
        form = QFormLayout()
        scope = QVBoxLayout()
        for button in (self.scope_selection, self.scope_view, self.scope_all):
            scope.addWidget(button)
        form.addRow("Records:", scope)
        options = QVBoxLayout()
        for box in (self.names_box, self.bom_box, self.id_box):
            options.addWidget(box)
        form.addRow("Options:", options)
        form.addRow("File:", where)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.start_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.resize(560, 320)

        self.browse_button.clicked.connect(self.choose_file)
        self.start_button.clicked.connect(self.start)
        self.close_button.clicked.connect(self.close_or_cancel)

    # ------------------------------------------------------------------ choosing
    def scope(self) -> Scope:
        if self.scope_selection.isChecked():
            return Scope.SELECTION
        return Scope.ALL if self.scope_all.isChecked() else Scope.VIEW

    def request(self) -> ExportRequest:
        browser, spec = self.browser, self.spec
        by_key = {f.key: f for f in column_fields(spec, self.lookups)}
        shown = [by_key[k] for k in browser.visible_column_keys() if k in by_key]
        fields = export_fields(spec, shown, include_id=self.id_box.isChecked())
        scope = self.scope()
        sort_by, direction = browser.current_sort()
        ids = browser.selection.selection_source()[0] if scope is Scope.SELECTION else ()
        return ExportRequest(spec.key, fields, scope, browser.filters(), sort_by, direction, ids,
                             raw=not self.names_box.isChecked(),
                             bom=self.bom_box.isChecked())  # fmt: skip

    def choose_file(self) -> QFileDialog:
        """Where to save (window-modal, non-native, no nested loop)."""
        chooser = QFileDialog(self, "Export to CSV")
        named(chooser, "exportFileDialog", "Export to CSV")
        chooser.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        chooser.setNameFilter("CSV files (*.csv)")
        chooser.setDefaultSuffix("csv")
        chooser.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        chooser.selectFile(self.path_edit.text())
        chooser.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        chooser.fileSelected.connect(self.path_edit.setText)
        chooser.open()
        return chooser

    # ------------------------------------------------------------------ running
    @property
    def running(self) -> bool:
        return self.runner.running("export")

    def start(self) -> bool:
        """Begin the export (False when one runs or no file is named)."""
        text = self.path_edit.text().strip()
        if self.running or not text:
            show_error(self.error, None if text else "Name the file to export to.")
            return False
        target = Path(text).expanduser()
        show_error(self.error, None)
        self.written = 0
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status.setText("Exporting…")
        self.runner.run(
            export_csv(self.client, self.request(), target, lookups=self.lookups,
                       executor=self.executor, progress=self._progress),
            success=lambda count: self._done(target, count), failure=self._failed,
            done=self._update, what="The export failed", expected=(CopperError, OSError),
            key="export",
        )  # fmt: skip
        self._update()
        return True

    def _progress(self, written: int, expected: int | None) -> None:
        self.written = written
        if expected:
            self.progress.setRange(0, expected)
            self.progress.setValue(min(written, expected))
            self.status.setText(f"Exporting: {written:,} of {expected:,} records…")
        else:
            self.status.setText(f"Exporting: {written:,} records…")

    def _done(self, target: Path, count: int) -> None:
        self.progress.setRange(0, max(1, count))
        self.progress.setValue(max(1, count))
        self.status.setText(f"Exported {count:,} record{'s' if count != 1 else ''} to {target}.")

    def _failed(self, failure: Failure) -> None:
        self.progress.hide()
        self.status.setText("Nothing was exported; any partial file was removed.")
        show_error(self.error, failure.message)

    def cancel(self) -> None:
        """Stop the export; the partial file is removed."""
        if self.running:
            self.runner.cancel("export")
            self.progress.hide()
            self.status.setText("Export cancelled; the partial file was removed.")
        self._update()

    def close_or_cancel(self) -> None:
        if self.running:
            self.cancel()
        else:
            self.accept()

    def _update(self) -> None:
        running = self.running
        self.start_button.setEnabled(not running)
        self.close_button.setText("Cancel" if running else "Close")
        for widget in (self.path_edit, self.browse_button, self.names_box, self.bom_box,
                       self.id_box, self.scope_view, self.scope_all):  # fmt: skip
            widget.setEnabled(not running)
        self.scope_selection.setEnabled(not running and self.browser.selection.count() > 0)

    def reject(self) -> None:
        self.cancel()
        super().reject()

    async def aclose(self) -> None:
        await self.runner.aclose()
