"""Lead conversion in the window (issue #10): "Convert lead…" (one lead, the convert dialog) and
"Convert leads…" (the planner), installed by :func:`install_convert_ui`.

Both actions sit in the main toolbar while the leads page is current, in the leads browser's
row menu (with their shortcuts while the browser has focus), and "Convert lead…" in a lead's
record editor. The dialog and the planner are imported on first use (a start stays light);
their jobs run in the window's jobs UI. The leads list is refreshed whenever a conversion or a
revert job of the window's job store stops, wherever it was started (the dialog, the planner,
or resumed from the Jobs window or the offer at start): converted leads leave it ("Include
converted leads" still finds them) and reverted ones come back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from copper_desktop.ui.browse.browser import EntityBrowser
    from copper_desktop.ui.convert.convert_dialog import ConvertDialog
    from copper_desktop.ui.convert.planner import PlannerDialog
    from copper_desktop.ui.editor.record_editor import RecordEditor
    from copper_desktop.ui.jobs import JobsUi
    from copper_desktop.ui.main_window import MainWindow

__all__ = ["CONVERT_SHORTCUT", "PLAN_SHORTCUT", "ConvertUi", "install_convert_ui"]

CONVERT_SHORTCUT: Final = "Ctrl+Shift+K"
PLAN_SHORTCUT: Final = "Ctrl+Shift+L"
LEADS: Final = "leads"


def _action(parent: QObject, name: str, text: str, tip: str, shortcut: str) -> QAction:
    action = QAction(text, parent)
    action.setObjectName(name)
    action.setToolTip(f"{tip} ({shortcut})")
    action.setStatusTip(tip)
    action.setShortcut(QKeySequence(shortcut))
    return action


class ConvertUi(QObject):
    """The conversion actions of one main window and the dialog or planner open in it."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("convertUi")
        self.window = window
        self.dialog: ConvertDialog | None = None
        self.planner: PlannerDialog | None = None
        self.convert_action = _action(window, "actionConvertLead", "Con&vert lead…",
                                      "Convert the current lead", CONVERT_SHORTCUT)  # fmt: skip
        self.plan_action = _action(window, "actionConvertLeads", "Convert lead&s…",
                                   "Plan converting the selected leads", PLAN_SHORTCUT)  # fmt: skip
        self.convert_action.triggered.connect(lambda _checked=False: self.convert_lead())
        self.plan_action.triggered.connect(lambda _checked=False: self.plan())
        for action, name, accessible in (
            (self.convert_action, "convertLeadButton", "Convert the current lead"),
            (self.plan_action, "convertLeadsButton", "Plan the conversion of the selected leads"),
        ):
            window.toolbar.addAction(action)
            button = window.toolbar.widgetForAction(action)
            if button is not None:
                button.setObjectName(name)
                button.setAccessibleName(accessible)
        window.browser_created.connect(self._browser_created)
        window.stack.currentChanged.connect(self.update)  # the page shown changed
        window.editor_opened.connect(self._editor_opened)
        self._unsubscribe: Callable[[], None] | None = None
        window.jobs_installed.connect(self._jobs_installed)
        if window.jobs is not None:
            self._jobs_installed(window.jobs)
        self.update()

    # ------------------------------------------------------------------ hooks
    def _browser_created(self, key: str, browser: EntityBrowser) -> None:
        if key != LEADS:
            return
        browser.selection.add_row_action(self.convert_action)
        browser.selection.add_row_action(self.plan_action)
        browser.selection.changed.connect(self.update)
        self.update()

    def _editor_opened(self, editor: RecordEditor) -> None:
        if editor.spec.key != LEADS or editor.record_id is None:
            return
        action = _action(editor, "actionConvertLead", "Con&vert…", "Convert this lead",
                         CONVERT_SHORTCUT)  # fmt: skip
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(
            lambda _checked=False: self.convert_lead(editor.model.original_record())
        )
        editor.add_action(action, "editorConvert", "Convert this lead")

    def _jobs_installed(self, jobs: JobsUi) -> None:
        """Follow the store's jobs: a conversion or revert that stops refreshes the leads."""
        from copper_desktop.jobs import JobState, StateChanged
        from copper_desktop.jobs.conversion import CONVERSION, REVERT

        stops = (JobState.FINISHED, JobState.CANCELLED, JobState.PAUSED, JobState.INTERRUPTED)

        def observe(event: object) -> None:
            if (isinstance(event, StateChanged) and event.state in stops
                    and event.job.kind_name in (CONVERSION, REVERT)):  # fmt: skip
                self.refresh_leads()

        if self._unsubscribe is None:
            self._unsubscribe = jobs.store.subscribe(observe)

    def leads_browser(self) -> EntityBrowser | None:
        return self.window.browser(LEADS)

    def current_lead(self) -> dict[str, Any] | None:
        """The lead the browser points at: the one selected row, else the current row."""
        browser = self.leads_browser()
        if browser is None:
            return None
        ranges = browser.selection.ranges()
        row = ranges[0][0] if browser.selection.count() == 1 and ranges else browser.selected_row()
        record = browser.model.record(row) if row >= 0 else None
        return dict(record) if record is not None else None

    def update(self, *_: object) -> None:
        """Shown on the leads page; enabled when there is a lead (leads) to convert."""
        on_leads = self.window.current_key == LEADS
        browser = self.leads_browser()
        for action in (self.convert_action, self.plan_action):
            action.setVisible(on_leads)
        self.convert_action.setEnabled(on_leads and self.current_lead() is not None)
        self.plan_action.setEnabled(
            on_leads and browser is not None and browser.selection.count() > 0
        )

    # ------------------------------------------------------------------ opening
    def convert_lead(self, lead: Mapping[str, Any] | None = None) -> ConvertDialog | None:
        """The convert dialog for ``lead`` (default: the current lead of the leads browser)."""
        from copper_desktop.models.convert import ConvertLeadModel
        from copper_desktop.ui.convert.convert_dialog import ConvertDialog

        lead = lead if lead is not None else self.current_lead()
        if not lead or not isinstance(lead.get("id"), int):
            return None
        if self.dialog is not None:
            self.dialog.close()
        window = self.window
        jobs = window.ensure_jobs()
        model = ConvertLeadModel(jobs.store, window.lookups, lead)
        dialog = ConvertDialog(model, jobs.run, window.open_record_id, window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda: self._forget(dialog))
        self.dialog = dialog
        dialog.open()
        model.load()
        return dialog

    def plan(self) -> PlannerDialog | None:
        """The planner for the leads browser's selection (or every lead matching its filters)."""
        from copper_desktop.models.convert_plan import ConversionPlanModel
        from copper_desktop.ui.convert.planner import PlannerDialog

        browser = self.leads_browser()
        if browser is None or not browser.selection.count():
            return None
        if self.planner is not None:
            self.planner.close()
        window = self.window
        jobs = window.ensure_jobs()
        shown: list[PlannerDialog] = []

        def progress(found: int, expected: int | None) -> None:
            if shown:
                of = f" of {expected:,}" if expected is not None else ""
                shown[0].status.setText(f"Finding the selected leads: {found:,}{of}…")

        ids, count = browser.selection.selection_source(progress)
        model = ConversionPlanModel(jobs.store, window.lookups, executor=window.session.executor)
        planner = PlannerDialog(model, jobs.run, window)
        planner.describe(None if browser.selection.all_matching else count)
        planner.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        planner.destroyed.connect(lambda: self._forget(planner))
        shown.append(planner)
        self.planner = planner
        planner.open()
        model.load(ids)
        return planner

    def _forget(self, widget: QWidget) -> None:
        if self.dialog is widget:
            self.dialog = None
        if self.planner is widget:
            self.planner = None

    def refresh_leads(self) -> None:
        """Converted leads leave the list (they stay found with "Include converted leads")."""
        browser = self.leads_browser()
        if browser is not None:
            browser.refresh()

    async def aclose(self) -> None:
        """Stop following the jobs and the open dialog's and planner's loading (the window's
        shutdown, tests)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        for widget in (self.dialog, self.planner):
            if widget is not None:
                await widget.aclose()


def install_convert_ui(window: MainWindow) -> ConvertUi:
    """Lead conversion for ``window`` (see the module docstring); keep the result."""
    return ConvertUi(window)
