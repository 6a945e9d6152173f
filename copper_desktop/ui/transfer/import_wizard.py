"""The import wizard: file, entity and mode → mapping → preview → the jobs.

1. **File**: the CSV file (Choose… opens a non-native file dialog), the entity, and the mode:
   update matching records, create new ones, or both.
2. **Mapping** (`MappingPage`): which field each column writes, how its values read.
3. **Preview**: one line per row (create / update / no change / error, the changes or why),
   the counts, "Save errors CSV…" and "Import N rows", the only button that writes: it
   journals the jobs (updates as a bulk edit, creates as ``record_create``) and hands them to
   ``on_job`` (the jobs panel runs them).
4. **Running**: the jobs' progress; once they end, "Save errors CSV…" saves the rows that
   failed at the preview and Copper's refusals, ready to fix and import again as they are.

Window-modal through ``open()``: no nested loop.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Final

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from copper_desktop.domain.catalog import entity
from copper_desktop.domain.import_plan import ImportPlan, Mode
from copper_desktop.jobs import Job, JobEvent, JobState
from copper_desktop.models.import_model import IMPORT_ENTITIES, ImportModel
from copper_desktop.ui.common.inline_error import error_label, show_error
from copper_desktop.ui.common.naming import name_popup, named, named_button
from copper_desktop.ui.common.tables import preview_table
from copper_desktop.ui.transfer.mapping_page import MappingPage

__all__ = ["FILE_PAGE", "MAPPING_PAGE", "PREVIEW_PAGE", "RUN_PAGE", "ImportWizard", "import_text"]

FILE_PAGE, MAPPING_PAGE, PREVIEW_PAGE, RUN_PAGE = 0, 1, 2, 3
MODES: Final = (
    (Mode.UPDATE, "Update matching records", "importModeUpdate"),
    (Mode.CREATE, "Create new records", "importModeCreate"),
    (Mode.BOTH, "Both: update matches, create the rest", "importModeBoth"),
)


def import_text(count: int) -> str:
    """The confirm button names what it writes."""
    if count <= 0:
        return "Nothing to import"
    return f"Import {count:,} row{'s' if count != 1 else ''}"


class ImportWizard(QDialog):
    """See the module docstring; ``on_job`` runs each journaled job."""

    def __init__(
        self,
        model: ImportModel,
        on_job: Callable[[Job], object],
        *,
        entity_key: str = "people",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = model
        model.setParent(self)
        self.on_job = on_job
        self._unsubscribe: list[Callable[[], None]] = []
        named(self, "importWizard", "Import CSV")
        self.setWindowTitle("Import CSV")
        self.pages = named(QStackedWidget(self), "importPages", "Import steps")
        self.error = error_label("importError", "Import error", self)

        # 1. The file, the entity, the mode.
        first = QWidget(self.pages)
        self.path_edit = named(QLineEdit(first), "importPath", "File to import")
        self.browse_button = named_button(first, "importBrowse", "Choose…", "Choose the file")
        self.entity_combo = named(QComboBox(first), "importEntity", "Records to import")
        for key in IMPORT_ENTITIES:
            self.entity_combo.addItem(entity(key).plural_label, key)
        name_popup(self.entity_combo)
        self.entity_combo.setCurrentIndex(max(0, self.entity_combo.findData(entity_key)))
        self.modes = QButtonGroup(self)
        self.mode_buttons: dict[Mode, QRadioButton] = {}
        mode_box = QVBoxLayout()
        for mode, text, name in MODES:
            button = named(QRadioButton(text, first), name, text)
            self.modes.addButton(button)
            self.mode_buttons[mode] = button
            mode_box.addWidget(button)
        self.mode_buttons[Mode.UPDATE].setChecked(True)
        self.match_note = named(QLabel(first), "importMatchNote", "How rows match records")
        self.match_note.setWordWrap(True)
        self.match_note.setText(
            "Rows match records on an ID column; without one, people and leads match on their "
            "e-mail and companies on their name. Files may be UTF-8 (with or without a BOM) "
            "or Windows-1252, separated by commas, semicolons or tabs."
        )
        where = QHBoxLayout()
        where.addWidget(self.path_edit, 1)
        where.addWidget(self.browse_button)
        form = QFormLayout(first)
        form.addRow("File:", where)
        form.addRow("Import into:", self.entity_combo)
        form.addRow("Mode:", mode_box)
        form.addRow(self.match_note)
        self.pages.addWidget(first)

        # 2. The mapping.
        self.mapping = MappingPage(model, self.pages)
        self.pages.addWidget(self.mapping)

        # 3. The preview.
        third = QWidget(self.pages)
        self.counts = named(QLabel(third), "importCounts", "Preview counts")
        self.counts.setWordWrap(True)
        font = self.counts.font()
        font.setBold(True)
        self.counts.setFont(font)
        self.table = preview_table(model.table_model, "importPreviewTable", "What each row does",
                                   (60, 90, 220), third)  # fmt: skip
        preview_layout = QVBoxLayout(third)
        preview_layout.setContentsMargins(0, 0, 0, 0)
        preview_layout.addWidget(self.counts)
        preview_layout.addWidget(self.table, 1)
        self.pages.addWidget(third)

        # 4. Running.
        fourth = QWidget(self.pages)
        self.run_status = named(QLabel(fourth), "importRunStatus", "Import progress")
        self.run_status.setWordWrap(True)
        run_layout = QVBoxLayout(fourth)
        run_layout.addWidget(self.run_status)
        run_layout.addStretch(1)
        self.pages.addWidget(fourth)

        self.status = named(QLabel(self), "importStatus", "Import status")
        self.status.setWordWrap(True)
        self.back_button = named_button(self, "importBack", "Back", "Back a step")
        self.errors_button = named_button(self, "importSaveErrors", "Save errors CSV…",
                                          "Save the rows that failed as CSV")  # fmt: skip
        self.cancel_button = named_button(self, "importCancel", "Cancel", "Cancel the import")
        self.next_button = named_button(self, "importNext", "Next", "Next step")
        self.next_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.errors_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.resize(1000, 650)

        self.browse_button.clicked.connect(self.choose_file)
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.cancel_button.clicked.connect(self.reject)
        self.errors_button.clicked.connect(self.choose_errors_file)
        model.file_loaded.connect(self._file_loaded)
        model.progress.connect(self._progress)
        model.plan_ready.connect(self._plan_ready)
        model.job_created.connect(self._job_created)
        model.failed.connect(self._failed)
        model.busy_changed.connect(lambda _busy: self._update())
        self._update()

    # ------------------------------------------------------------------ steps
    @property
    def page(self) -> int:
        return self.pages.currentIndex()

    def mode(self) -> Mode:
        return next((m for m, b in self.mode_buttons.items() if b.isChecked()), Mode.UPDATE)

    def next(self) -> None:
        """The Next / Preview / Import / Close button of the current page."""
        show_error(self.error, None)
        page = self.page
        if page == FILE_PAGE:
            text = self.path_edit.text().strip()
            if not text:
                show_error(self.error, "Choose the file to import.")
                return
            self.status.setText("Reading the file…")
            self.model.load(Path(text).expanduser())
        elif page == MAPPING_PAGE:
            if all(k is None for k in self.model.mapping):
                show_error(self.error, "Map at least one column to a field.")
                return
            if self.model.request_plan():
                self.status.setText("Matching the rows with Copper…")
        elif page == PREVIEW_PAGE:
            if self.model.apply():
                self.status.setText("Creating the jobs…")
        else:
            self.accept()
        self._update()

    def back(self) -> None:
        if self.page in (MAPPING_PAGE, PREVIEW_PAGE):
            self.model.cancel()
            self.pages.setCurrentIndex(self.page - 1)
            self.status.clear()
            show_error(self.error, None)
        self._update()

    def _file_loaded(self, _table: object) -> None:
        key = self.entity_combo.currentData()
        self.model.set_target(str(key), self.mode())
        self.status.clear()
        self.pages.setCurrentIndex(MAPPING_PAGE)
        self._update()

    def _progress(self, done: int, total: int) -> None:
        self.status.setText(f"Matching the rows with Copper: {done:,} of {total:,}…")

    def _plan_ready(self, plan: ImportPlan) -> None:
        self.counts.setText(plan.summary() + ". Nothing has been sent to Copper yet.")
        notes = "\n".join(plan.notes)
        self.status.setText(notes)
        self.pages.setCurrentIndex(PREVIEW_PAGE)
        self._update()

    def _failed(self, message: str) -> None:
        self.status.clear()
        show_error(self.error, message)
        self._update()

    # ------------------------------------------------------------------ the jobs
    def _job_created(self, job: Job) -> None:
        self._unsubscribe.append(job.subscribe(self._job_event))
        self.on_job(job)
        self.pages.setCurrentIndex(RUN_PAGE)
        self.status.clear()
        self._show_jobs()

    def _job_event(self, _event: JobEvent) -> None:
        self._show_jobs()

    def jobs_done(self) -> bool:
        return bool(self.model.jobs) and all(j.state.final for j in self.model.jobs)

    def _show_jobs(self) -> None:
        lines = []
        for job in self.model.jobs:
            p = job.progress()
            state = "" if job.state is JobState.RUNNING else f" ({job.state.value})"
            lines.append(f"{job.title}: {p.written:,} written, {p.skipped:,} skipped, "
                         f"{p.failed:,} failed of {p.total:,}{state}")  # fmt: skip
        if self.jobs_done():
            lines.append("Done. The Jobs window (Ctrl+Shift+J) can undo the import.")
        self.run_status.setText("\n".join(lines))
        self._update()

    # ------------------------------------------------------------------ files
    def choose_file(self) -> QFileDialog:
        chooser = self._file_dialog("importFileDialog", "Import CSV", save=False)
        chooser.fileSelected.connect(self.path_edit.setText)
        chooser.open()
        return chooser

    def choose_errors_file(self) -> QFileDialog:
        chooser = self._file_dialog("importErrorsFileDialog", "Save errors CSV", save=True)
        default = self.model.default_errors_path()
        if default is not None:
            chooser.selectFile(str(default))
        chooser.fileSelected.connect(lambda path: self.save_errors(Path(path)))
        chooser.open()
        return chooser

    def _file_dialog(self, name: str, title: str, *, save: bool) -> QFileDialog:
        chooser = named(QFileDialog(self, title), name, title)
        chooser.setAcceptMode(
            QFileDialog.AcceptMode.AcceptSave if save else QFileDialog.AcceptMode.AcceptOpen
        )
        chooser.setNameFilter("CSV files (*.csv *.txt *.tsv);;All files (*)")
        chooser.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        chooser.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return chooser

    def save_errors(self, path: Path) -> bool:
        try:
            count = self.model.write_errors(path)
        except (OSError, ValueError) as error:
            show_error(self.error, f"Could not save the errors: {error}")
            return False
        show_error(self.error, None)
        self.status.setText(f"Saved {count:,} row{'s' if count != 1 else ''} to {path}.")
        return True

    # ------------------------------------------------------------------ buttons
    def _update(self) -> None:
        model, page = self.model, self.page
        busy = model.busy
        self.back_button.setVisible(page in (MAPPING_PAGE, PREVIEW_PAGE))
        self.back_button.setEnabled(not busy)
        plan = model.plan
        self.errors_button.setVisible(page >= PREVIEW_PAGE)
        errors = plan is not None and (page == PREVIEW_PAGE or self.jobs_done())
        self.errors_button.setEnabled(bool(errors and model.error_rows()))
        texts = {FILE_PAGE: "Next", MAPPING_PAGE: "Preview", RUN_PAGE: "Close"}
        text = texts.get(page) or import_text(plan.writes if plan is not None else 0)
        self.next_button.setText(text)
        self.next_button.setAccessibleName(text)
        enabled = not busy
        if page == PREVIEW_PAGE:
            enabled = enabled and plan is not None and plan.writes > 0 and not model.jobs
            self.next_button.setAutoDefault(False)  # writing takes a click, not a stray Enter
            self.next_button.setDefault(False)
        self.next_button.setEnabled(enabled)
        self.cancel_button.setVisible(page != RUN_PAGE)

    def reject(self) -> None:
        if self.model.busy and self.page == PREVIEW_PAGE:
            return  # the jobs are being journaled: they are handed on in a moment
        self.model.cancel()
        super().reject()

    def done(self, result: int) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        super().done(result)

    async def aclose(self) -> None:
        await self.model.aclose()
