"""The jobs panel (a dock) and its status-bar button: the current job's written / failed /
skipped / remaining (the Jobs window's words), records per minute, ETA and a progress bar,
with Pause, Resume and Cancel.

Both render a :class:`JobsModel` and follow its *current* job (the one added or started
last, by this panel or by anyone using the same store, e.g. the bulk edit dialog). Every
action runs through the ``ActionRunner`` given: the panel never awaits the engine itself.
When a cancel completes the panel lists what the job had written.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QListView,
    QProgressBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from copper_desktop.api.errors import CopperError
from copper_desktop.jobs import Job, JobState, RowStatus
from copper_desktop.models.actions import ActionRunner, Failure
from copper_desktop.models.jobs import (
    JOB_ERRORS,
    RESUMABLE,
    JobRowsModel,
    JobsModel,
    LedgerFilter,
    entity_label,
    format_duration,
    format_rate,
    progress_text,
    state_text,
)
from copper_desktop.ui.common.inline_error import error_label, show_error
from copper_desktop.ui.common.naming import named, named_button
from copper_desktop.ui.common.style import error_text_style, follow_palette

__all__ = ["EXPECTED", "JobStatusButton", "JobsPanel"]

EXPECTED: tuple[type[BaseException], ...] = (CopperError, *JOB_ERRORS)
"""What a job action reports in the panel (anything else is a bug for the notifier)."""


def _label(parent: QWidget, name: str, accessible: str) -> QLabel:
    label = named(QLabel(parent), name, accessible)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class JobsPanel(QDockWidget):
    """The running job at a glance. ``run_job(job)`` starts (or resumes) a job and shows it.

    Signals:
        jobs_window_requested(): "All jobs…" was clicked (the owner shows the Jobs window).
    """

    jobs_window_requested = Signal()

    def __init__(
        self, model: JobsModel, runner: ActionRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__("Jobs", parent)
        self.setObjectName("jobsPanel")
        self.setAccessibleName("Jobs panel")
        self.model = model
        self.runner = runner
        self.job: Job | None = None
        self.toggleViewAction().setObjectName("actionJobsPanel")

        body = QWidget(self)
        body.setObjectName("jobsPanelBody")
        self.title_label = _label(body, "jobTitle", "Job")
        self.title_label.setWordWrap(True)
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.state_label = _label(body, "jobState", "Job state")
        self.state_label.setWordWrap(True)
        # The Jobs window's words: "done" would hide the rows skipped (not written).
        self.written_count_label = _label(body, "jobWritten", "Written")
        self.failed_label = _label(body, "jobFailed", "Failed")
        self.skipped_label = _label(body, "jobSkipped", "Skipped")
        self.remaining_label = _label(body, "jobRemaining", "Remaining")
        self.rate_label = _label(body, "jobRate", "Records per minute")
        self.eta_label = _label(body, "jobEta", "Time left")
        self.progress = QProgressBar(body)
        self.progress.setObjectName("jobProgress")
        self.progress.setAccessibleName("Job progress")
        self.progress.setFormat("%v of %m")
        self.pause_button = named_button(body, "jobPause", "&Pause", "Pause the job")
        self.resume_button = named_button(body, "jobResume", "&Resume", "Resume the job")
        self.cancel_button = named_button(body, "jobCancel", "&Cancel", "Cancel the job")
        self.jobs_button = named_button(body, "jobsOpenWindow", "All &jobs…", "Show all jobs")
        self.message_label = error_label("jobMessage", "Job problem", body)

        self.rows = JobRowsModel(self)
        self.written = LedgerFilter(self)
        self.written.setSourceModel(self.rows)
        self.written.set_status(RowStatus.WRITTEN)
        self.written_label = _label(body, "jobWrittenTitle", "Written before the cancel")
        self.written_label.setWordWrap(True)
        self.written_view = QListView(body)
        self.written_view.setObjectName("jobWrittenList")
        self.written_view.setAccessibleName("Records written before the cancel")
        self.written_view.setModel(self.written)
        self.written_view.setModelColumn(JobRowsModel.RECORD)
        self.written_view.setEditTriggers(QListView.EditTrigger.NoEditTriggers)

        counts = QHBoxLayout()
        counts.setSpacing(18)
        for label in self._count_labels():
            counts.addWidget(label)
        counts.addStretch(1)
        buttons = QHBoxLayout()
        for button in (self.pause_button, self.resume_button, self.cancel_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.jobs_button)
        layout = QVBoxLayout(body)
        layout.addWidget(self.title_label)
        layout.addWidget(self.state_label)
        layout.addLayout(counts)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)
        layout.addWidget(self.message_label)
        layout.addWidget(self.written_label)
        layout.addWidget(self.written_view, 1)
        self.setWidget(body)

        self.pause_button.clicked.connect(self.pause)
        self.resume_button.clicked.connect(self.resume)
        self.cancel_button.clicked.connect(self.cancel)
        self.jobs_button.clicked.connect(self.jobs_window_requested)
        model.current_changed.connect(self.show_job)
        model.job_changed.connect(self._on_job_changed)
        self.show_job(model.current)

    # ------------------------------------------------------------------ showing
    def show_job(self, job: Job | None) -> None:
        """Follow ``job`` (the model's current job follows the newest; this overrides it)."""
        if job is not self.job:
            self.job = job
            self.rows.set_job(job)
            show_error(self.message_label, None)
        self.redraw()

    def _on_job_changed(self, job_id: str) -> None:
        if self.job is not None and self.job.id == job_id:
            self.redraw()

    def _count_labels(self) -> tuple[QLabel, ...]:
        return (self.written_count_label, self.failed_label, self.skipped_label,
                self.remaining_label, self.rate_label, self.eta_label)  # fmt: skip

    def redraw(self) -> None:
        job = self.job
        if job is None:
            self.title_label.setText("No job yet")
            self.state_label.setText("Bulk edits run here, and can be paused or cancelled.")
            for label in self._count_labels():
                label.setText("")
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            for button in (self.pause_button, self.resume_button, self.cancel_button):
                button.setEnabled(False)
            self.written_label.hide()
            self.written_view.hide()
            return
        progress = job.progress()
        self.title_label.setText(f"{entity_label(job.entity)}: {job.title}")
        state = state_text(job.state)
        self.state_label.setText(f"{state}: {job.message}" if job.message else state)
        self.written_count_label.setText(f"Written {progress.written:,}")
        self.failed_label.setText(f"Failed {progress.failed:,}")
        self.skipped_label.setText(f"Skipped {progress.skipped:,}")
        follow_palette(self.failed_label, error_text_style if progress.failed else None)
        self.remaining_label.setText(f"Remaining {progress.remaining:,}")
        self.rate_label.setText(format_rate(progress.rate_per_minute))
        eta = progress.eta_s if progress.remaining and job.state.active else None
        self.eta_label.setText(f"ETA {format_duration(eta)}" if eta is not None else "ETA —")
        self.progress.setRange(0, max(progress.total, 1))
        self.progress.setValue(progress.total - progress.remaining)
        self.pause_button.setEnabled(job.state is JobState.RUNNING)
        self.resume_button.setEnabled(job.state in RESUMABLE)
        self.cancel_button.setEnabled(not job.state.final and job.state is not JobState.CANCELLING)
        cancelled = job.state is JobState.CANCELLED
        if cancelled:
            written = len(job.written_rows())
            self.written_label.setText(
                f"Cancelled: {written:,} record{'s' if written != 1 else ''} "
                f"{'were' if written != 1 else 'was'} written" + (":" if written else ".")
            )
        self.written_label.setVisible(cancelled)
        self.written_view.setVisible(cancelled and self.written.rowCount() > 0)

    # ------------------------------------------------------------------ actions
    def run_job(self, job: Job) -> asyncio.Task[None]:
        """Start (or resume) ``job`` and show it here; the returned action ends when the job
        stops (finished, paused, cancelled)."""
        self.show_job(job)
        return self.runner.run(
            self.model.run(job),
            failure=self._failed,
            what="The job stopped",
            expected=EXPECTED,
        )

    def pause(self) -> None:
        if self.job is not None:
            self.model.pause(self.job)

    def resume(self) -> asyncio.Task[None] | None:
        if self.job is None:
            return None
        show_error(self.message_label, None)
        return self.run_job(self.job)

    def cancel(self) -> asyncio.Task[None] | None:
        if self.job is None:
            return None
        return self.runner.run(
            self.model.cancel(self.job),
            failure=self._failed,
            what="Could not cancel the job",
            expected=EXPECTED,
        )

    def _failed(self, failure: Failure) -> None:
        show_error(self.message_label, failure.message)


class JobStatusButton(QToolButton):
    """The status bar's line for the current job (``37/100 done · 120 records/min · ETA
    0:30``); hidden until there is one. Clicking it shows the jobs panel."""

    def __init__(self, model: JobsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("jobStatus")
        self.setAccessibleName("Job progress: show the jobs panel")
        self.setAutoRaise(True)
        self.model = model
        model.current_changed.connect(lambda _job: self.redraw())
        model.job_changed.connect(self._on_job_changed)
        self.redraw()

    def _on_job_changed(self, job_id: str) -> None:
        job = self.model.current
        if job is not None and job.id == job_id:
            self.redraw()

    def redraw(self) -> None:
        job = self.model.current
        if job is None:
            self.setText("")
            self.hide()
            return
        state = job.state
        if state is JobState.RUNNING:
            text = f"Job: {progress_text(job.progress())}"
        else:
            text = f"Job {state_text(state).lower()}: {progress_text(job.progress())}"
        self.setText(text)
        self.setToolTip(f"{job.title}\n{text}")
        self.show()
