"""The Jobs window: every past and present job (date, entity, title, counts, state) with Undo,
Resume, Retry failed and Export ledger CSV, and the selected job's ledger (record, outcome,
reason, Copper's message), narrowed to one outcome if wanted.

Actions run through the ``ActionRunner`` given; the export's file dialog is opened with
``open()`` (never ``exec()``), and ``export_ledger(path)`` skips it (tests, scripts).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QIdentityProxyModel,
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from copper_desktop.jobs import Job, Reason, RowStatus
from copper_desktop.models.actions import ActionRunner, Failure
from copper_desktop.models.jobs import JobRowsModel, JobsModel, LedgerFilter
from copper_desktop.ui.common.inline_error import error_label, show_error
from copper_desktop.ui.common.naming import name_popup, named, named_button
from copper_desktop.ui.common.prompts import choose, message_box
from copper_desktop.ui.common.style import error_color, when_palette_changes
from copper_desktop.ui.jobs.panel import EXPECTED

__all__ = ["FailedInRed", "JobsWindow"]

Index = QModelIndex | QPersistentModelIndex
FILTERS: tuple[tuple[str, RowStatus | None], ...] = (
    ("All rows", None),
    ("Written", RowStatus.WRITTEN),
    ("Failed", RowStatus.FAILED),
    ("Skipped", RowStatus.SKIPPED),
    ("Not done yet", RowStatus.PENDING),
)


class FailedInRed(QIdentityProxyModel):
    """The ledger with failed rows in the palette's readable error red."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._brush = QBrush(error_color(parent.palette()))
        when_palette_changes(self, self._recolour)

    def _recolour(self) -> None:
        """A switch of theme: the new palette's red, and the views draw the rows again."""
        self._brush = QBrush(error_color(QGuiApplication.palette()))
        rows, columns = self.rowCount(), self.columnCount()
        if rows and columns:
            role = Qt.ItemDataRole.ForegroundRole
            self.dataChanged.emit(self.index(0, 0), self.index(rows - 1, columns - 1), [role])

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid():
            status = super().data(index, JobRowsModel.StatusRole)
            if status == RowStatus.FAILED.value:
                return self._brush
        return super().data(index, role)


def _table(parent: QWidget, name: str, accessible: str) -> QTableView:
    table = named(QTableView(parent), name, accessible)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    rows = table.verticalHeader()
    rows.hide()
    rows.setObjectName(f"{name}RowHeader")
    rows.setAccessibleName(f"{accessible} rows")
    columns = table.horizontalHeader()
    columns.setObjectName(f"{name}Header")
    columns.setAccessibleName(f"{accessible} columns")
    table.setCornerButtonEnabled(False)
    for button in table.findChildren(QAbstractButton):  # the corner button
        button.setObjectName(f"{name}Corner")
        button.setAccessibleName("Select all")
    return table


class JobsWindow(QWidget):
    """A top-level window over a :class:`JobsModel`.

    Signals:
        repreview_requested(str, object): the user wants the rows skipped as "changed since
            preview" previewed again (entity key, list of record ids); the bulk edit dialog's
            owner connects it.
    """

    repreview_requested = Signal(str, object)

    def __init__(
        self, model: JobsModel, runner: ActionRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("jobsWindow")
        self.setAccessibleName("Jobs")
        self.setWindowTitle("Jobs")
        self.model = model
        self.runner = runner
        self.shown_job: Job | None = None
        self.confirm_box: QMessageBox | None = None

        self.table = _table(self, "jobsTable", "Jobs")
        self.table.setModel(model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(JobsModel.TITLE, QHeaderView.ResizeMode.Stretch)

        self.refresh_button = named_button(self, "jobsRefresh", "Re&fresh", "Refresh the job list")
        self.resume_button = named_button(self, "jobsResume", "&Resume", "Resume the selected job")
        self.undo_button = named_button(self, "jobsUndo", "&Undo…", "Undo the selected job")
        self.retry_button = named_button(
            self, "jobsRetryFailed", "Retry &failed", "Retry the selected job's failed rows"
        )
        self.export_button = named_button(
            self, "jobsExportLedger", "&Export ledger CSV…", "Export the selected job's ledger"
        )
        self.repreview_button = named_button(
            self, "jobsRepreview", "Re-&preview changed…",
            "Preview again the records changed since the preview",
        )  # fmt: skip
        self.message_label = error_label("jobsMessage", "Jobs problem", self)
        self.info_label = QLabel(self)
        self.info_label.setObjectName("jobsInfo")
        self.info_label.setAccessibleName("Jobs information")
        self.info_label.setWordWrap(True)

        self.rows = JobRowsModel(self)
        self.filter = LedgerFilter(self)
        self.filter.setSourceModel(self.rows)
        self.tinted = FailedInRed(self)
        self.tinted.setSourceModel(self.filter)
        self.filter_combo = QComboBox(self)
        self.filter_combo.setObjectName("ledgerFilter")
        self.filter_combo.setAccessibleName("Show ledger rows")
        for text, status in FILTERS:
            self.filter_combo.addItem(text, status)
        name_popup(self.filter_combo)
        self.ledger_title = QLabel("Ledger", self)
        self.ledger_title.setObjectName("ledgerTitle")
        self.ledger = _table(self, "ledgerTable", "Ledger of the selected job")
        self.ledger.setModel(self.tinted)
        ledger_header = self.ledger.horizontalHeader()
        ledger_header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        ledger_header.setStretchLastSection(True)
        for column, width in ((JobRowsModel.NUMBER, 50), (JobRowsModel.RECORD, 220),
                              (JobRowsModel.KEY, 90), (JobRowsModel.OUTCOME, 80),
                              (JobRowsModel.REASON, 150)):  # fmt: skip
            self.ledger.setColumnWidth(column, width)

        buttons = QHBoxLayout()
        for button in (self.resume_button, self.undo_button, self.retry_button,
                       self.export_button, self.repreview_button):  # fmt: skip
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        top = QWidget(self)
        top.setObjectName("jobsTop")
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.table)
        top_layout.addLayout(buttons)
        top_layout.addWidget(self.message_label)
        top_layout.addWidget(self.info_label)
        bottom = QWidget(self)
        bottom.setObjectName("jobsBottom")
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        filter_row = QHBoxLayout()
        filter_row.addWidget(self.ledger_title, 1)
        filter_row.addWidget(self.filter_combo)
        bottom_layout.addLayout(filter_row)
        bottom_layout.addWidget(self.ledger)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setObjectName("jobsSplitter")
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.resize(980, 620)

        self.refresh_button.clicked.connect(self.refresh)
        self.resume_button.clicked.connect(self.resume_selected)
        self.undo_button.clicked.connect(lambda: self.undo_selected())
        self.retry_button.clicked.connect(self.retry_selected)
        self.export_button.clicked.connect(lambda: self.export_ledger())
        self.repreview_button.clicked.connect(self.repreview_selected)
        self.filter_combo.currentIndexChanged.connect(self._on_filter)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        for signal in (model.dataChanged, model.rowsInserted, model.rowsRemoved,
                       model.modelReset):  # fmt: skip
            signal.connect(self._update_buttons)
        self.rows.dataChanged.connect(self._update_buttons)
        self._update_buttons()

    # ------------------------------------------------------------------ selection
    def selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.job_id(rows[0].row()) if rows else None

    def select(self, job_id: str) -> None:
        """Select a job in the list (its ledger is shown below)."""
        row = self.model.row_of(job_id)
        if row >= 0:
            self.table.selectRow(row)

    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        job_id = self.selected_id()
        show_error(self.message_label, None)
        self.info_label.clear()
        if job_id is None:
            self._show_rows(None)
            return
        self.runner.run(
            self.model.open(job_id),
            success=self._show_rows,
            failure=self._failed,
            what="Could not read the job",
            expected=EXPECTED,
            key="jobs-window-open",
        )
        self._update_buttons()

    def _show_rows(self, job: Job | None) -> None:
        self.shown_job = job
        self.rows.set_job(job)
        self.ledger_title.setText(f"Ledger: {job.title}" if job is not None else "Ledger")
        self._update_buttons()

    def _on_filter(self, index: int) -> None:
        self.filter.set_status(FILTERS[index][1] if 0 <= index < len(FILTERS) else None)

    def _update_buttons(self, *_: object) -> None:
        job_id = self.selected_id()
        have = job_id is not None
        self.resume_button.setEnabled(have and self.model.can_resume(job_id or ""))
        self.undo_button.setEnabled(
            have and self.model.can_undo(job_id or "") and not self.runner.running("undo")
        )
        self.retry_button.setEnabled(have and self.model.can_retry(job_id or ""))
        self.export_button.setEnabled(have)
        self.repreview_button.setEnabled(bool(self._conflict_ids()))

    def _conflict_ids(self) -> list[int]:
        job = self.shown_job
        if job is None or job.id != self.selected_id():
            return []
        rows = job.rows_with(RowStatus.SKIPPED, Reason.CONFLICT)
        return [r.data.get("id", r.key) for r in rows if job.kind_name == "record_update"]

    # ------------------------------------------------------------------ actions
    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> asyncio.Task[None]:
        return self.runner.run(
            self.model.reload(),
            failure=self._failed,
            what="Could not list the jobs",
            expected=EXPECTED,
            key="jobs-window-reload",
        )

    def resume_selected(self) -> asyncio.Task[None] | None:
        job_id = self.selected_id()
        if job_id is None:
            return None
        show_error(self.message_label, None)
        return self.runner.run(
            self.model.run(job_id), failure=self._failed, what="The job stopped",
            expected=EXPECTED,
        )  # fmt: skip

    def retry_selected(self) -> asyncio.Task[None] | None:
        job_id = self.selected_id()
        if job_id is None:
            return None
        show_error(self.message_label, None)
        return self.runner.run(
            self.model.retry_failed(job_id), failure=self._failed,
            what="Could not retry the failed rows", expected=EXPECTED,
        )  # fmt: skip

    def undo_selected(self, *, confirm: bool = True) -> asyncio.Task[None] | None:
        """Undo the selected job (after a question, unless ``confirm`` is False): a job that
        writes the before-values back where the records still hold what the job wrote."""
        job_id = self.selected_id()
        if job_id is None:
            return None
        show_error(self.message_label, None)
        task = self.runner.run(
            self._undo(job_id, confirm),
            failure=self._failed,
            what="Could not undo the job",
            expected=EXPECTED,
            key="undo",
            done=self._update_buttons,
        )
        self._update_buttons()
        return task

    async def _undo(self, job_id: str, confirm: bool) -> None:
        line = self.model.summary(job_id)
        if line is None:
            return
        if confirm:
            count = f"{line.written:,} record{'s' if line.written != 1 else ''}"
            self.confirm_box = message_box(
                self, "undoConfirmBox", "Undo job",
                f"Write the previous values back to {count}?",
                [("undoConfirm", f"&Undo {count}", QMessageBox.ButtonRole.AcceptRole),
                 ("undoKeep", "&Keep the changes", QMessageBox.ButtonRole.RejectRole)],
                informative="Records changed in Copper since the job wrote them are left "
                "alone and listed as conflicts.",
            )  # fmt: skip
            try:
                choice = await choose(self.confirm_box)
            finally:
                self.confirm_box = None
            if choice != "undoConfirm":
                return
        undo = await self.model.undo(job_id)
        counts = undo.counts()
        conflicts = len(undo.rows_with(RowStatus.SKIPPED, Reason.CONFLICT))
        self.info_label.setText(
            f"Undo {undo.state.value}: {counts[RowStatus.WRITTEN]:,} restored, "
            f"{conflicts:,} changed since and left alone, {counts[RowStatus.FAILED]:,} failed."
        )

    def export_ledger(self, path: Path | None = None) -> asyncio.Task[None] | None:
        """Export the selected job's ledger to ``path``, or ask where (a save dialog, opened
        without a nested loop). Returns the export's action when it starts at once."""
        job_id = self.selected_id()
        if job_id is None:
            return None
        if path is not None:
            return self._export(job_id, path)
        dialog = QFileDialog(self, "Export ledger", f"{job_id}-ledger.csv", "CSV files (*.csv)")
        dialog.setObjectName("ledgerExportDialog")
        dialog.setAccessibleName("Export ledger")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("csv")
        dialog.fileSelected.connect(lambda chosen: self._export(job_id, Path(chosen)))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return None

    def _export(self, job_id: str, path: Path) -> asyncio.Task[None]:
        def exported(count: int) -> None:
            self.info_label.setText(f"Exported {count:,} rows to {path}.")

        return self.runner.run(
            self.model.export_ledger(job_id, path),
            success=exported,
            failure=self._failed,
            what="Could not export the ledger",
            expected=EXPECTED,
        )

    def repreview_selected(self) -> None:
        job = self.shown_job
        ids = self._conflict_ids()
        if job is not None and ids:
            self.repreview_requested.emit(job.entity, ids)

    def _failed(self, failure: Failure) -> None:
        show_error(self.message_label, failure.message)
