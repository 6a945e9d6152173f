"""Putting CSV import and export into the main window: one call, one object to keep.

``install_transfer_ui(window)`` adds File ▸ Import CSV… (``actionImport``) and File ▸ Export
CSV… (``actionExport``), both on the toolbar too, and "Export selected…"
(``actionExportSelected``) to every browser's row menu (through ``browser_created`` and
``RowSelection.add_row_action``). The dialogs are imported when first opened, so a start
pays for none of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction

if TYPE_CHECKING:
    from copper_desktop.ui.browse.browser import EntityBrowser
    from copper_desktop.ui.main_window import MainWindow
    from copper_desktop.ui.transfer.export_dialog import ExportDialog
    from copper_desktop.ui.transfer.import_wizard import ImportWizard

__all__ = ["TransferUi", "install_transfer_ui"]


class TransferUi:
    """The import and export actions of one main window."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.export_dialog: ExportDialog | None = None
        self.import_wizard: ImportWizard | None = None
        self.import_action = self._action("actionImport", "&Import CSV…", self.import_csv)
        self.export_action = self._action("actionExport", "&Export CSV…", lambda: self.export())
        menu = window.menu("file")
        first_separator = next((a for a in menu.actions() if a.isSeparator()), None)
        for action in (self.import_action, self.export_action):
            if first_separator is not None:
                menu.insertAction(first_separator, action)
            else:
                menu.addAction(action)
            window.toolbar.addAction(action)
            button = window.toolbar.widgetForAction(action)
            if button is not None:
                button.setObjectName(f"{action.objectName()}Button")
                button.setAccessibleName(action.text().replace("&", "").rstrip("…"))
        window.browser_created.connect(self._browser_created)
        for browser in window.browsers():
            self._browser_created(browser.spec.key, browser)

    def _action(self, name: str, text: str, slot: Any) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(name)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _browser_created(self, _key: str, browser: EntityBrowser) -> None:
        action = QAction("E&xport selected…", browser)
        action.setObjectName("actionExportSelected")
        action.triggered.connect(lambda _checked=False, b=browser: self.export(b))
        browser.selection.add_row_action(action)

    # ------------------------------------------------------------------ export
    def export(self, browser: EntityBrowser | None = None) -> ExportDialog | None:
        """The export dialog for ``browser`` (the current list by default)."""
        from copper_desktop.ui.transfer.export_dialog import ExportDialog

        window = self.window
        browser = browser or window.current_browser()
        if browser is None:
            window.status.show_error("Open a list to export its records.")
            return None
        if self.export_dialog is not None:
            self.export_dialog.close()
        session = window.session
        dialog = ExportDialog(browser, session.client, window.lookups, executor=session.executor,
                              parent=window)  # fmt: skip
        dialog.finished.connect(lambda _code, d=dialog: self._forget_export(d))
        self.export_dialog = dialog
        dialog.open()
        return dialog

    def _forget_export(self, dialog: ExportDialog) -> None:
        if self.export_dialog is dialog:
            self.export_dialog = None
        dialog.deleteLater()

    # ------------------------------------------------------------------ import
    def import_csv(self) -> ImportWizard:
        """The import wizard (its jobs run in the jobs panel)."""
        from copper_desktop.models.import_model import IMPORT_ENTITIES, ImportModel
        from copper_desktop.ui.transfer.import_wizard import ImportWizard

        window = self.window
        if self.import_wizard is not None:
            self.import_wizard.raise_()
            return self.import_wizard
        jobs = window.ensure_jobs()
        session = window.session
        model = ImportModel(session.client, jobs.store, window.lookups, session.paths.config_dir,
                            journal_dir=session.paths.journal_dir,
                            executor=session.executor)  # fmt: skip
        key = window.current_key if window.current_key in IMPORT_ENTITIES else "people"
        wizard = ImportWizard(model, jobs.run, entity_key=str(key), parent=window)
        wizard.finished.connect(lambda _code, w=wizard: self._forget_import(w))
        self.import_wizard = wizard
        wizard.open()
        return wizard

    def _forget_import(self, wizard: ImportWizard) -> None:
        if self.import_wizard is wizard:
            self.import_wizard = None
        wizard.deleteLater()

    async def aclose(self) -> None:
        """Stop an export or a preview in progress (jobs belong to the jobs UI)."""
        for dialog in (self.export_dialog, self.import_wizard):
            if dialog is not None:
                await dialog.aclose()


def install_transfer_ui(window: MainWindow) -> TransferUi:
    """Import and export for ``window``; keep the result (``window.transfer``)."""
    return TransferUi(window)
