"""The main window: a navigation list of the seven entity browsers and the webhooks page.

Browsers are created when first shown (each runs its own search). The app builds the window
with a `Session`, awaits `start()` (account name, lookups, first browser) and `aclose()` on
quit (cancels every request, saves column layouts).
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QWidget,
)

from copper_desktop.api import CopperError
from copper_desktop.domain.catalog import ENTITIES, EntitySpec
from copper_desktop.domain.custom_fields import CustomFieldDefinition
from copper_desktop.models.lookups import Lookups
from copper_desktop.models.record_columns import column_fields, columns_for, default_column_keys
from copper_desktop.session import Session
from copper_desktop.ui.browser import EntityBrowser
from copper_desktop.ui.detail_view import NameOf
from copper_desktop.ui.filter_bar import FilterBar
from copper_desktop.ui.status_bar import ClientStatusBar
from copper_desktop.ui.webhooks_page import WebhooksPage

BROWSED = ("people", "companies", "leads", "opportunities", "tasks", "projects", "activities")
WEBHOOKS = "webhooks"
APP_TITLE = "Copper Desktop"


class MainWindow(QMainWindow):
    """Signals:
    settings_requested(): File ▸ Settings… was chosen (the app opens the dialog).
    quit_requested(): File ▸ Quit was chosen (the window closes too).
    """

    settings_requested = Signal()
    quit_requested = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("mainWindow")
        self.setAccessibleName(APP_TITLE)
        self.lookups = Lookups(self)
        self.name_of: NameOf = self.lookups.name
        self.account_name: str | None = None
        self._started = False
        """Pages are created only once start() has the custom fields (or show_page asks)."""
        self._pages: dict[str, QWidget] = {}
        self._keys: list[str] = [k for k in BROWSED if k in ENTITIES] + [WEBHOOKS]

        self.nav = QListWidget(self)
        self.nav.setObjectName("entityNav")
        self.nav.setAccessibleName("Entities")
        for key in self._keys:
            label = ENTITIES[key].plural_label if key in ENTITIES else "Webhooks"
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.nav.addItem(item)
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("pageStack")
        self.stack.setAccessibleName("Current page")
        splitter = QSplitter(self)
        splitter.setObjectName("mainSplitter")
        splitter.addWidget(self.nav)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([170, 930])
        self.setCentralWidget(splitter)

        self.status = ClientStatusBar(session.client, self)
        self.setStatusBar(self.status)
        self._build_actions()
        self.nav.currentRowChanged.connect(self._on_nav)
        self._update_title()
        self.resize(1100, 700)

    # ------------------------------------------------------------------ actions

    def _action(
        self, name: str, text: str, *shortcuts: QKeySequence | QKeySequence.StandardKey | str
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcuts:
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.settings_action = self._action("actionSettings", "&Settings…")
        self.quit_action = self._action("actionQuit", "&Quit", QKeySequence.StandardKey.Quit)
        self.refresh_action = self._action("actionRefresh", "&Refresh", "F5")
        self.find_action = self._action("actionFind", "&Find…", "Ctrl+F")
        self.next_action = self._action("actionNextPage", "&Next page", "Ctrl+Tab")
        self.prev_action = self._action(
            "actionPreviousPage", "&Previous page", "Ctrl+Shift+Tab", "Ctrl+Shift+Backtab"
        )
        self.open_action = self._action("actionOpenRecord", "&Open record")
        bar = self.menuBar()
        bar.setObjectName("menuBar")
        bar.setAccessibleName("Menu bar")
        for button in bar.findChildren(QToolButton):  # the overflow ("more menus") button
            button.setAccessibleName("More menus")
        file_menu = bar.addMenu("&File")
        file_menu.setObjectName("menuFile")
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view_menu = bar.addMenu("&View")
        view_menu.setObjectName("menuView")
        for action in (self.refresh_action, self.find_action, self.next_action, self.prev_action):
            view_menu.addAction(action)
        self.settings_action.triggered.connect(self.settings_requested)
        self.quit_action.triggered.connect(self._quit)
        self.refresh_action.triggered.connect(self.refresh)
        self.find_action.triggered.connect(self.focus_search)
        self.next_action.triggered.connect(lambda: self.cycle(1))
        self.prev_action.triggered.connect(lambda: self.cycle(-1))
        self.open_action.triggered.connect(self._open_current)

    # ------------------------------------------------------------------ public API

    async def start(self) -> None:
        """Learn the account's name, load lookups, then show the first browser."""
        try:
            account = await self.session.client.account()
            name = account.get("name")
            self.account_name = str(name) if name else None
        except CopperError as exc:
            self.status.show_error(str(exc))
        self._update_title()
        await self._load_lookups()
        self._started = True
        if self.nav.currentRow() < 0:
            self.nav.setCurrentRow(0)
        else:  # focus alone selected a row before start(): its page was held back until now
            self._on_nav(self.nav.currentRow())

    async def _load_lookups(self) -> None:
        """Custom field definitions and the account's lookup lists (users, pipelines, ...);
        a failure leaves built-in fields and ids, never a broken window."""
        self.lookups.set_client(self.session.client)
        try:
            await self.lookups.load(self.session.client)
        except CopperError as exc:
            self.status.show_error(f"Names and custom fields unavailable: {exc}")

    @property
    def definitions(self) -> tuple[CustomFieldDefinition, ...]:
        return self.lookups.definitions

    async def aclose(self) -> None:
        """Stop polling, cancel every request and save each browser's layout."""
        self.status.close_source()
        closers = [
            page.aclose()
            for page in self._pages.values()
            if isinstance(page, EntityBrowser | WebhooksPage)
        ]
        if closers:
            await asyncio.gather(*closers, return_exceptions=True)

    @property
    def current_key(self) -> str | None:
        row = self.nav.currentRow()
        return self._keys[row] if 0 <= row < len(self._keys) else None

    def page_keys(self) -> list[str]:
        return list(self._keys)

    def page(self, key: str) -> QWidget | None:
        """The page for `key` if it was created already."""
        return self._pages.get(key)

    def current_page(self) -> QWidget | None:
        key = self.current_key
        return self._pages.get(key) if key else None

    def browser(self, key: str) -> EntityBrowser | None:
        page = self._pages.get(key)
        return page if isinstance(page, EntityBrowser) else None

    def show_page(self, key: str) -> QWidget:
        """Select `key` in the navigation (creating its page on first use)."""
        self._started = True
        row = self._keys.index(key)
        if self.nav.currentRow() == row:
            self._on_nav(row)
        self.nav.setCurrentRow(row)
        return self._pages[key]

    def cycle(self, step: int) -> None:
        """Ctrl+Tab / Ctrl+Shift+Tab: the next or previous page, wrapping around."""
        row = max(self.nav.currentRow(), 0)
        self.nav.setCurrentRow((row + step) % len(self._keys))

    def refresh(self) -> None:
        page = self.current_page()
        if isinstance(page, EntityBrowser | WebhooksPage):
            page.refresh()

    def focus_search(self) -> None:
        page = self.current_page()
        if isinstance(page, EntityBrowser):
            page.focus_search()

    # ------------------------------------------------------------------ internals

    def make_browser(self, spec: EntitySpec) -> EntityBrowser:
        """A browser for `spec` with its custom fields as (hidden by default) columns and a
        filter bar built from the catalog and the account's lookups."""
        browser = EntityBrowser(
            self.session,
            spec,
            self.lookups,
            columns=columns_for(spec, self.lookups),
            default_visible=default_column_keys(spec),
            detail_fields=column_fields(spec, self.lookups),
            name_of=self.name_of,
            parent=self.stack,
        )
        browser.set_filter_bar(FilterBar(spec, self.lookups))
        return browser

    def _create(self, key: str) -> QWidget:
        page: QWidget
        if key == WEBHOOKS:
            hooks = WebhooksPage(self.session.client.list_webhooks, parent=self.stack)
            hooks.error_occurred.connect(self.status.show_error)
            hooks.refresh()
            page = hooks
        else:
            browser = self.make_browser(ENTITIES[key])
            browser.error_occurred.connect(self.status.show_error)
            browser.start()
            page = browser
        self._pages[key] = page
        self.stack.addWidget(page)
        return page

    def _on_nav(self, row: int) -> None:
        if not self._started or not 0 <= row < len(self._keys):
            return
        key = self._keys[row]
        page = self._pages.get(key) or self._create(key)
        self.stack.setCurrentWidget(page)
        if isinstance(page, EntityBrowser):
            page.table.setFocus()

    def _open_current(self) -> None:
        page = self.current_page()
        if isinstance(page, EntityBrowser):
            page.open_detail()

    def _update_title(self) -> None:
        title = APP_TITLE
        if self.account_name:
            title = f"{self.account_name} — {APP_TITLE}"
        if self.session.sandbox_url:
            title += " (sandbox)"
        self.setWindowTitle(title)

    def _quit(self) -> None:
        self.quit_requested.emit()
        self.close()
