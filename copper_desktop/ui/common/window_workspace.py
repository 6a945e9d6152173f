"""The main window's workspace and conventions, installed by ``MainWindow`` in one call:

* remembered across runs (the app's settings): geometry and state, the splitter, the last
  page (each browser keeps its own sort, filters and columns); saved views in the navigation;
* the toolbar (New, Open, Delete, Bulk edit, then the features' Convert, Import and Export,
  then Refresh), every action with its icon, the Delete key and the row menu's Delete;
* Edit ▸ Delete / Copy rows, View ▸ Theme (system, light, dark) and Save current view as…,
  Help ▸ Keyboard shortcuts and Help ▸ About;
* record counts beside the navigation's pages, fetched after the first rows are shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QByteArray, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from copper_desktop.domain.catalog import ENTITIES
from copper_desktop.models.actions import ActionRunner
from copper_desktop.models.workspace import WindowState
from copper_desktop.ui.browse.browser import EntityBrowser
from copper_desktop.ui.browse.page_counts import PageCounts
from copper_desktop.ui.browse.saved_views import SavedViews
from copper_desktop.ui.common import theme
from copper_desktop.ui.common.icons import app_icon, apply_action_icons, icon

if TYPE_CHECKING:
    from copper_desktop.ui.browse.row_delete import DeleteOutcome
    from copper_desktop.ui.dialogs.about import AboutDialog
    from copper_desktop.ui.dialogs.shortcuts import ShortcutsDialog
    from copper_desktop.ui.main_window import MainWindow

TOOLBAR_ORDER: Final = (
    "actionNewRecord",
    "actionOpenRecord",
    "actionDeleteRecords",
    "actionBulkEditSelection",
    "actionConvertLead",
    "actionImport",
    "actionExport",
    "actionRefresh",
)
"""The toolbar's actions in this order (features add theirs after); Refresh stands apart."""
THEME_LABELS: Final = {"system": "&System", "light": "&Light", "dark": "&Dark"}


class WindowWorkspace(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("windowWorkspace")
        self.window = window
        self.session = window.session
        self.runner = ActionRunner(self)
        """Runs the deletes of selected rows (their confirmation first)."""
        self.about_dialog: AboutDialog | None = None
        self.shortcuts_dialog: ShortcutsDialog | None = None
        self._tidy_pending = False
        window.setWindowIcon(app_icon())
        self._build_actions()
        self.views = SavedViews(window.nav, self.session, self._browser_for, window)
        self.views.load([k for k in window.page_keys() if k in ENTITIES])
        window.nav.view_chosen.connect(self._on_view)
        self.counts = PageCounts(window.nav, self.session, self)
        window.rows_shown.connect(self._after_first_rows)
        window.browser_created.connect(self._on_browser)
        window.nav.page_chosen.connect(lambda _key: QTimer.singleShot(0, self.update_actions))
        window.toolbar.installEventFilter(self)
        self._tidy_toolbar()
        self.restore()

    # ------------------------------------------------------------------ actions

    def _action(self, name: str, text: str, icon_name: str | None = None) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(name)
        if icon_name:
            action.setIcon(icon(icon_name))
        return action

    def _build_actions(self) -> None:
        window = self.window
        self.delete_action = self._action("actionDeleteRecords", "&Delete…", "delete")
        self.delete_action.setShortcut(QKeySequence.StandardKey.Delete)
        # Only where rows are: each browser's table gets the action (Delete in a text box
        # deletes text, not records).
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.delete_action.setToolTip("Delete the selected records (Del)")
        self.delete_action.triggered.connect(self.delete_selected)
        self.bulk_action = self._action("actionBulkEditSelection", "&Bulk edit…", "bulk_edit")
        self.bulk_action.setToolTip("Bulk edit the selected records (Ctrl+Shift+E)")
        self.bulk_action.triggered.connect(lambda: window.bulk_edit())
        self.about_action = self._action("actionAbout", "&About Copper Desktop", "about")
        self.about_action.triggered.connect(self.show_about)
        self.shortcuts_action = self._action("actionShortcuts", "&Keyboard shortcuts", "shortcuts")
        self.shortcuts_action.setShortcut(QKeySequence.StandardKey.HelpContents)
        self.shortcuts_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        window.addAction(self.shortcuts_action)
        for action, name in (
            (window.new_action, "new"),
            (window.open_action, "open"),
            (window.refresh_action, "refresh"),
        ):
            action.setIcon(icon(name))
        window.open_action.setToolTip("Open the selected record (Enter, Ctrl+O)")
        window.new_action.setToolTip("A new record of this page's kind (Ctrl+N)")
        window.refresh_action.setToolTip("Load the rows again (F5)")
        toolbar = window.toolbar
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        for action in (window.new_action, window.open_action, self.delete_action, self.bulk_action):
            toolbar.addAction(action)
        toolbar.addAction(window.refresh_action)

        edit = window.menu("edit")
        edit.addAction(self.delete_action)
        edit.addAction(self.bulk_action)
        view = window.view_menu
        self.theme_menu = view.addMenu(icon("theme"), "&Theme")
        self.theme_menu.setObjectName("menuTheme")
        self.theme_group = QActionGroup(self)
        self.theme_group.setExclusive(True)
        mode = theme.theme_of(self.session.settings)
        self.theme_actions: dict[str, QAction] = {}
        for key, label in THEME_LABELS.items():
            choice = self._action(f"actionTheme{key.capitalize()}", label)
            choice.setCheckable(True)
            choice.setChecked(key == mode)
            choice.triggered.connect(lambda _checked=False, key=key: self.set_theme(key))
            self.theme_group.addAction(choice)
            self.theme_menu.addAction(choice)
            self.theme_actions[key] = choice
        self.save_view_action = self._action(
            "actionSaveCurrentView", "Save current &view as…", "view"
        )
        self.save_view_action.triggered.connect(self.save_current_view)
        view.addAction(self.save_view_action)
        view.addSeparator()
        help_menu = window.menu("help")
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(self.about_action)
        apply_action_icons(window.actions())

    def set_theme(self, mode: str) -> None:
        """View ▸ Theme: follow the system, or stay light or dark; remembered."""
        self.session.settings[theme.SETTING] = mode
        self.session.save_settings()
        self.theme_actions[mode].setChecked(True)
        follower = theme.follower()
        if follower is not None:
            follower.set_mode(mode)

    def update_actions(self) -> None:
        """Open, Delete and Bulk edit act on the current browser's selection."""
        browser = self.window.current_browser()
        count = browser.selection.count() if browser is not None else 0
        self.delete_action.setEnabled(count > 0)
        self.window.open_action.setEnabled(browser is not None and browser.selected_row() >= 0)
        bulk = browser is not None and browser.selection.bulk_action.isVisible()
        self.bulk_action.setEnabled(bulk and count > 0)
        self.window.new_action.setEnabled(self.window.current_key in ENTITIES)

    # ------------------------------------------------------------------ browsers

    def _on_browser(self, key: str, browser: EntityBrowser) -> None:
        browser.table.addAction(self.delete_action)
        browser.selection.menu.addSeparator()
        browser.selection.menu.addAction(self.delete_action)
        browser.selection.changed.connect(lambda _text: self.update_actions())
        browser.table.selectionModel().currentChanged.connect(lambda *_: self.update_actions())
        self.counts.watch(key, browser)
        apply_action_icons(browser.selection.menu.actions())
        self.update_actions()

    def _browser_for(self, key: str) -> EntityBrowser | None:
        """The browser of `key`, made and shown if it was not (None for other pages)."""
        if key not in ENTITIES or key not in self.window.page_keys():
            return None
        if self.window.browser(key) is None:
            self.window.show_page(key)
        return self.window.browser(key)

    def _on_view(self, key: str, name: str) -> None:
        self.window._on_nav(key)
        self.views.apply(key, name)

    def save_current_view(self) -> None:
        key = self.window.current_key
        if key is not None and key in ENTITIES:
            self.views.ask_name(key)

    def delete_selected(self) -> None:
        """Delete (the key, the toolbar, the row menu): the current browser's selected rows,
        after the confirmation, each journaled before its DELETE."""
        browser = self.window.current_browser()
        if browser is None or self.runner.running("delete"):
            return
        from copper_desktop.ui.browse.row_delete import delete_selected

        self.runner.run(
            delete_selected(
                browser, self.window.journal, self.window, self.window.status.showMessage
            ),
            success=lambda outcome: self._deleted(browser, outcome),
            what="Could not delete",
            key="delete",
        )

    def _deleted(self, browser: EntityBrowser, outcome: DeleteOutcome) -> None:
        noun = (
            browser.spec.plural_label.lower()
            if len(outcome.deleted) != 1
            else browser.spec.label.lower()
        )
        if outcome.deleted:
            self.window.status.showMessage(f"Deleted {len(outcome.deleted):,} {noun}.", 8000)
            browser.refresh()
        if outcome.failed:
            self.window.status.show_error("Not deleted: " + "; ".join(outcome.failed))

    # ------------------------------------------------------------------ toolbar

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        added = event.type() == QEvent.Type.ActionAdded
        if watched is self.window.toolbar and added and not self._tidy_pending:
            self._tidy_pending = True
            QTimer.singleShot(0, self._tidy_toolbar)
        return False

    def _tidy_toolbar(self) -> None:
        """Features' actions in their place (before Refresh), with their icons, and every
        button named for screen readers and tests."""
        self._tidy_pending = False
        toolbar = self.window.toolbar
        actions = [a for a in toolbar.actions() if not a.isSeparator()]
        rank = {name: index for index, name in enumerate(TOOLBAR_ORDER)}
        ordered = sorted(actions, key=lambda a: rank.get(a.objectName(), len(rank)))
        current = toolbar.actions()
        refresh = self.window.refresh_action
        wanted = [a for a in ordered if a is not refresh]
        layout: list[QAction | None] = [*wanted, None, refresh]
        names = {}
        for action in actions:  # names a feature gave its button survive the move
            button = toolbar.widgetForAction(action)
            if button is not None and button.objectName():
                names[action.objectName()] = (button.objectName(), button.accessibleName())
        if [a if not a.isSeparator() else None for a in current] != layout:
            blocked = toolbar.blockSignals(True)
            toolbar.removeEventFilter(self)
            try:
                toolbar.clear()
                for action in wanted:
                    toolbar.addAction(action)
                toolbar.addSeparator()
                toolbar.addAction(refresh)
            finally:
                toolbar.installEventFilter(self)
                toolbar.blockSignals(blocked)
        apply_action_icons(toolbar.actions())
        for action in toolbar.actions():
            button = toolbar.widgetForAction(action)
            if button is not None and not action.isSeparator():
                name, accessible = names.get(action.objectName(), ("", ""))
                button.setObjectName(name or f"toolButton_{action.objectName()}")
                button.setAccessibleName(accessible or action.text().replace("&", "").rstrip("…"))

    # ------------------------------------------------------------------ dialogs

    def show_about(self) -> AboutDialog:
        from copper_desktop.ui.dialogs.about import AboutDialog

        if self.about_dialog is None:
            self.about_dialog = AboutDialog(self.window)
        self.about_dialog.show()
        self.about_dialog.raise_()
        return self.about_dialog

    def show_shortcuts(self) -> ShortcutsDialog:
        """Help ▸ Keyboard shortcuts, listed from the actions as they are now."""
        from copper_desktop.ui.dialogs.shortcuts import ShortcutsDialog
        from copper_desktop.ui.editor.record_editor import editor_actions

        window = self.window
        if self.shortcuts_dialog is not None:
            self.shortcuts_dialog.close()
            self.shortcuts_dialog.deleteLater()
        menus = [a for m in window.menuBar().actions() if m.menu() for a in _menu_actions(m)]
        browser = window.current_browser() or next(iter(window.browsers()), None)
        rows = [*browser.actions(), *browser.table.actions()] if browser is not None else []
        holder = QWidget()
        editor = list(editor_actions(holder))
        dialog = ShortcutsDialog(
            [
                ("Main window", [*menus, *window.actions()]),
                ("Records list", [*rows, *window.toolbar.actions()]),
                ("Record editor", editor),
            ],
            window,
        )
        holder.deleteLater()
        self.shortcuts_dialog = dialog
        dialog.show()
        return dialog

    # ------------------------------------------------------------------ remembering

    def first_page(self) -> str:
        """The page to show at start: the last one shown, else the first."""
        keys = self.window.page_keys()
        page = WindowState.load(self.session.settings).page
        return page if page in keys else keys[0]

    def restore(self) -> None:
        saved = WindowState.load(self.session.settings)
        window = self.window
        if saved.geometry:
            window.restoreGeometry(QByteArray(saved.geometry))
        if saved.state:
            window.restoreState(QByteArray(saved.state))
        if len(saved.splitter) == window.splitter.count() and any(saved.splitter):
            window.splitter.setSizes(saved.splitter)

    def save(self) -> None:
        """Write the window's state and every browser's query into the settings file."""
        window = self.window
        for browser in window.browsers():
            browser.save_query()
            browser.save_layout()
        WindowState(
            geometry=bytes(window.saveGeometry().data()),
            state=bytes(window.saveState().data()),
            splitter=window.splitter.sizes(),
            page=window.current_key,
        ).store(self.session.settings)
        self.session.save_settings()

    def _after_first_rows(self) -> None:
        self.counts.start(self.window.page_keys())
        apply_action_icons(self.window.findChildren(QAction))

    async def aclose(self) -> None:
        await self.runner.aclose()
        await self.counts.aclose()
        for dialog in (self.about_dialog, self.shortcuts_dialog, self.views.dialog):
            if dialog is not None:
                dialog.close()


def _menu_actions(menu_action: QAction) -> list[QAction]:
    menu = menu_action.menu()
    found: list[QAction] = []
    for action in menu.actions() if isinstance(menu, QMenu) else []:
        if action.menu():
            found += _menu_actions(action)
        elif not action.isSeparator():
            found.append(action)
    return found


def install_workspace(window: MainWindow) -> WindowWorkspace:
    return WindowWorkspace(window)


__all__ = ["WindowWorkspace", "install_workspace"]
