"""Putting the jobs UI into a main window: one call, one object to keep.

``install_jobs_ui(window, session)`` makes the job store under the data directory
(``<data dir>/jobs``), the model, the jobs panel (a bottom dock, shown when a job appears),
the status bar's job line and a "Jobs…" action; rows a job writes are shown in the window's
open lists. The returned :class:`JobsUi` offers unfinished jobs for resuming (``start()``),
runs jobs handed to it (``run(job)``) and pauses them, resumable, on ``aclose()``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox, QWidget

from copper_desktop.jobs import Job, JobStore
from copper_desktop.models.actions import ActionRunner
from copper_desktop.models.jobs import JobsModel, entity_label
from copper_desktop.session import Session
from copper_desktop.ui.common.prompts import choose, message_box
from copper_desktop.ui.jobs.panel import EXPECTED, JobsPanel, JobStatusButton
from copper_desktop.ui.jobs.window import JobsWindow

__all__ = ["JobsUi", "RecordsCallback", "install_jobs_ui", "update_open_lists"]

Json = Mapping[str, Any]
RecordsCallback = Callable[[str, Sequence[Json]], None]
"""Called with (entity key, records as Copper returned them) after a job wrote them."""


def update_open_lists(window: QWidget) -> RecordsCallback:
    """Show written records in the window's open list of their entity, in place: uses
    ``window.browser(key)`` and that browser's ``model.update_record(record)`` (MainWindow's
    API) when they exist, and does nothing otherwise."""

    def update(entity: str, records: Sequence[Json]) -> None:
        find = getattr(window, "browser", None)
        browser = find(entity) if callable(find) else None
        update_record = getattr(getattr(browser, "model", None), "update_record", None)
        if callable(update_record):
            for record in records:
                update_record(record)

    return update


class JobsUi:
    """The jobs UI of one main window (see the module docstring)."""

    def __init__(
        self,
        window: QMainWindow,
        store: JobStore,
        *,
        runner: ActionRunner | None = None,
        menu: QMenu | None = None,
        on_records_written: RecordsCallback | None = None,
    ) -> None:
        self.window = window
        self.store = store
        self.runner = runner if runner is not None else ActionRunner(window)
        self.model = JobsModel(store, window)
        self.panel = JobsPanel(self.model, self.runner, window)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.panel)
        self.panel.hide()
        self.status_button = JobStatusButton(self.model, window)
        window.statusBar().addPermanentWidget(self.status_button)
        self.jobs_window: JobsWindow | None = None
        self.jobs_action = QAction("&Jobs…", window)
        self.jobs_action.setObjectName("actionJobs")
        self.jobs_action.setShortcut(QKeySequence("Ctrl+Shift+J"))
        self.jobs_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        window.addAction(self.jobs_action)
        self.panel_action = self.panel.toggleViewAction()
        self.panel_action.setText("Jobs p&anel")
        if menu is not None:
            menu.addAction(self.jobs_action)
            menu.addAction(self.panel_action)
        self.resume_box: QMessageBox | None = None
        self.on_repreview: Callable[[str, list[int]], object] | None = None
        """Set by the window: a new bulk edit of the rows a job skipped as changed since its
        preview (the Jobs window's "Re-preview changed…"), with (entity key, ids)."""

        self.jobs_action.triggered.connect(self.show_jobs_window)
        self.panel.jobs_window_requested.connect(self.show_jobs_window)
        self.status_button.clicked.connect(self.show_panel)
        self.model.current_changed.connect(self._on_current)
        written = on_records_written or update_open_lists(window)
        self.model.records_written.connect(lambda entity, records: written(entity, records))

    # ------------------------------------------------------------------ showing
    def _on_current(self, job: Job | None) -> None:
        if job is not None:
            self.show_panel()

    def show_panel(self) -> JobsPanel:
        self.panel.show()
        self.panel.raise_()
        return self.panel

    def show_jobs_window(self) -> JobsWindow:
        if self.jobs_window is None:
            self.jobs_window = JobsWindow(self.model, self.runner, self.window)
            self.jobs_window.repreview_requested.connect(self._repreview)
        self.jobs_window.show()
        self.jobs_window.raise_()
        self.jobs_window.activateWindow()
        return self.jobs_window

    def _repreview(self, entity: str, ids: Sequence[int]) -> None:
        if self.on_repreview is not None:
            self.on_repreview(entity, list(ids))

    # ------------------------------------------------------------------ running
    def run(self, job: Job) -> asyncio.Task[None]:
        """Start (or resume) a job the bulk edit dialog made with ``store``, in the panel."""
        self.show_panel()
        return self.panel.run_job(job)

    def start(self) -> asyncio.Task[None]:
        """After the window has started: offer to resume the jobs a killed app left."""
        return self.runner.run(
            self.offer_resume(), what="Could not look for unfinished jobs", expected=EXPECTED
        )

    async def offer_resume(self, *, ask: bool = True) -> list[str]:
        """Ask whether to resume the unfinished jobs (if any) and resume them one after the
        other, oldest first; the ids resumed. "Later" leaves them in the Jobs window."""
        unfinished = sorted(await self.model.unfinished(), key=lambda s: s.created_at)
        if not unfinished:
            return []
        if ask:
            lines = "\n".join(
                f"• {entity_label(s.entity)}: {s.title} ({s.written + s.skipped:,} of "
                f"{s.total:,} done)"
                for s in unfinished
            )
            many = len(unfinished) != 1
            self.resume_box = message_box(
                self.window, "resumeJobsBox", "Unfinished jobs",
                f"{len(unfinished)} job{'s' if many else ''} did not finish.",
                [("resumeJobs", "&Resume now", QMessageBox.ButtonRole.AcceptRole),
                 ("resumeLater", "&Later", QMessageBox.ButtonRole.RejectRole)],
                informative=f"{lines}\n\nRows already written are not written again.",
            )  # fmt: skip
            try:
                choice = await choose(self.resume_box)
            finally:
                self.resume_box = None
            if choice != "resumeJobs":
                return []
        resumed = []
        for line in unfinished:
            self.show_panel()
            await self.model.run(line.id)
            resumed.append(line.id)
        return resumed

    async def aclose(self) -> None:
        """Stop following the jobs and pause the running ones (they stay resumable)."""
        self.model.close()
        self.panel.rows.close()
        if self.jobs_window is not None:
            self.jobs_window.rows.close()
        await self.store.close()


def install_jobs_ui(
    window: QMainWindow,
    session: Session,
    *,
    runner: ActionRunner | None = None,
    menu: QMenu | None = None,
    on_records_written: RecordsCallback | None = None,
) -> JobsUi:
    """The jobs UI for ``window``, with a store under ``session.paths.data_dir / "jobs"``
    using the session's client. Keep the result; await its ``aclose()`` on quit."""
    store = JobStore(session.paths.data_dir / "jobs", session.client)
    return JobsUi(window, store, runner=runner, menu=menu, on_records_written=on_records_written)
