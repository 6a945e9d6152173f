"""The jobs panel, the status bar's job line and the Jobs window (see ``install``)."""

from copper_desktop.ui.jobs.install import JobsUi, install_jobs_ui
from copper_desktop.ui.jobs.panel import JobsPanel, JobStatusButton
from copper_desktop.ui.jobs.window import JobsWindow

__all__ = ["JobStatusButton", "JobsPanel", "JobsUi", "JobsWindow", "install_jobs_ui"]
