"""The main window: a navigation list of the seven entity browsers and the webhooks page.

Browsers are created when first shown (each runs its own search). The app builds the window
with a `Session`, awaits `start()` (first browser, account name, lookups) and `aclose()` on
quit (cancels every request, saves column layouts).

Start-up imports only what the first browser needs: the record editor, the journal dialog,
the webhooks page and the bulk edit dialog are imported when first opened (importing them all
cost a cold start about a tenth of a second). The jobs UI (``ui/jobs``: panel, status line,
View ▸ Jobs…) is installed once the first rows are painted, and then offers to resume the
jobs a killed app left.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QMainWindow,
    QMenu,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QWidget,
)

from copper_desktop.domain.catalog import ENTITIES, EntitySpec
from copper_desktop.domain.custom_fields import CustomFieldDefinition
from copper_desktop.domain.display import NameOf
from copper_desktop.journal import DeletionJournal
from copper_desktop.models.actions import ActionRunner, finished
from copper_desktop.models.async_support import import_off_loop
from copper_desktop.models.client_status import ClientStatusModel
from copper_desktop.models.lookups import Lookups
from copper_desktop.models.record_columns import column_fields, columns_for, default_column_keys
from copper_desktop.models.record_search import fetch_record
from copper_desktop.session import Session
from copper_desktop.ui.board import install_board_ui
from copper_desktop.ui.browse.browser import EntityBrowser
from copper_desktop.ui.browse.filter_bar import FilterBar
from copper_desktop.ui.browse.grid_editing import install_grid_editing
from copper_desktop.ui.browse.navigation import Navigation
from copper_desktop.ui.common.window_workspace import install_workspace
from copper_desktop.ui.convert import install_convert_ui
from copper_desktop.ui.status_bar import ClientStatusBar
from copper_desktop.ui.transfer import install_transfer_ui

if TYPE_CHECKING:  # imported when first used (see the module docstring)
    from copper_desktop.models.bulk import IdSource
    from copper_desktop.ui.bulk import BulkEditDialog
    from copper_desktop.ui.dialogs.journal_dialog import JournalDialog
    from copper_desktop.ui.editor.record_editor import RecordEditor
    from copper_desktop.ui.jobs import JobsUi
    from copper_desktop.ui.webhooks.webhooks_page import WebhooksPage

BROWSED = ("people", "companies", "leads", "opportunities", "tasks", "projects", "activities")
WEBHOOKS = "webhooks"
APP_TITLE = "Copper Desktop"
MENUS = {"file": "&File", "edit": "&Edit", "view": "&View", "tools": "&Tools", "help": "&Help"}
"""The menu bar's menus in their order (``MainWindow.menu``)."""
BULK_EDITED = ("people", "companies", "leads", "opportunities", "tasks", "projects")
"""``ui.bulk.BULK_ENTITIES``, spelt here so a start does not import the bulk edit dialog (a
test checks they agree)."""
BULK_SHORTCUT = "Ctrl+Shift+E"
"""``ui.bulk.SHORTCUT``, likewise."""


def _standard(key: QKeySequence.StandardKey, *fallback: str) -> list[QKeySequence]:
    """The platform's bindings of a standard key, then `fallback` ones it lacks."""
    found = list(QKeySequence.keyBindings(key))
    texts = {s.toString() for s in found}
    return found + [QKeySequence(f) for f in fallback if f not in texts]


class _FirstPaint(QObject):
    """Calls `done` once, right after `browser`'s table has painted its first page (rows, or
    an empty answer): the moment the user sees the start-up through."""

    def __init__(self, browser: EntityBrowser, done: Any) -> None:
        super().__init__(browser)
        self._done = done
        self._armed = False
        self._viewport = browser.table.viewport()
        self._viewport.installEventFilter(self)
        browser.model.page_loaded.connect(self._arm)

    def _arm(self, _page: int) -> None:
        if not self._armed:
            self._armed = True
            self._viewport.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._armed and event.type() == QEvent.Type.Paint:
            self._viewport.removeEventFilter(self)
            QTimer.singleShot(0, self._done)  # after this paint has been drawn
        return False


class MainWindow(QMainWindow):
    """Signals:
    settings_requested(): File ▸ Settings… was chosen (the app opens the dialog).
    quit_requested(): File ▸ Quit was chosen (the window closes too).
    rows_shown(): the first browser painted its first page (once; `--exit-when-ready` and
    the start-up benchmark wait for it).
    browser_created(key, browser): a browser was made (browsers are made when first shown);
    features that add row actions to browsers (``add_row_action``) listen to it.
    editor_opened(editor): a record editor was shown; features add their actions to it
    (``RecordEditor.add_action``).
    jobs_installed(jobs): the jobs UI (``JobsUi``) was installed; features follow its store's
    job events (lead conversion refreshes the leads list when a conversion job ends).

    Features install themselves through ``menu(name)``, ``toolbar``, ``add_page`` and
    ``browser_created`` rather than by editing this class.
    """

    settings_requested = Signal()
    quit_requested = Signal()
    rows_shown = Signal()
    browser_created = Signal(str, object)
    editor_opened = Signal(object)
    jobs_installed = Signal(object)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("mainWindow")
        self.setAccessibleName(APP_TITLE)
        self.lookups = Lookups(self)
        self.name_of: NameOf = self.lookups.name
        self.account_name: str | None = None
        self.user_id: int | None = None
        """The signed-in user: the owner of new records."""
        self.journal = DeletionJournal(session.paths.journal_dir, session.executor)
        self.editors: list[RecordEditor] = []
        self.journal_dialog: JournalDialog | None = None
        self.runner = ActionRunner(self)
        """Runs the window's own requests (account, lookups, opening a record by id)."""
        self._started = False
        """Pages are created only once start() (or show_page) was called."""
        self._first_paint: _FirstPaint | None = None
        self.rows_were_shown = False
        self.webhooks_page: WebhooksPage | None = None
        self.jobs: JobsUi | None = None
        """The jobs UI, installed once the first rows are painted (or when first needed)."""
        self.jobs_runner = ActionRunner(self)
        """Runs the jobs UI's actions (the resume offer, jobs run from the panel)."""
        self.jobs_offer: asyncio.Task[None] | None = None
        self.bulk_dialog: BulkEditDialog | None = None
        self._closing = False
        self._pages: dict[str, QWidget] = {}
        self._keys: list[str] = [k for k in BROWSED if k in ENTITIES] + [WEBHOOKS]
        self._page_factories: dict[str, Callable[[], QWidget]] = {}
        self._menus: dict[str, QMenu] = {}

        self.nav = Navigation(self)
        for key in self._keys:
            self.nav.add_page(key, ENTITIES[key].plural_label if key in ENTITIES else "Webhooks")
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("pageStack")
        self.stack.setAccessibleName("Current page")
        splitter = self.splitter = QSplitter(self)
        splitter.setObjectName("mainSplitter")
        splitter.addWidget(self.nav)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([Navigation.DEFAULT_WIDTH, 1100 - Navigation.DEFAULT_WIDTH])
        self.setCentralWidget(splitter)

        self.status = ClientStatusBar(ClientStatusModel(session.client, self), self)
        self.setStatusBar(self.status)
        self.runner.failed.connect(lambda failure: self.status.show_error(failure.message))
        self._build_actions()
        self.lookups.loaded.connect(self._on_lookups_loaded)
        self.nav.page_chosen.connect(self._on_nav)
        self._update_title()
        self.resize(1100, 700)
        self.workspace = install_workspace(self)
        self.convert_ui = install_convert_ui(self)
        self.transfer = install_transfer_ui(self)
        self.grid_editing = install_grid_editing(self, BULK_EDITED)
        install_board_ui(self)

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
        if self.quit_action.shortcut().isEmpty():  # no platform binding (offscreen, some X11)
            self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.refresh_action = self._action(
            "actionRefresh", "&Refresh", *_standard(QKeySequence.StandardKey.Refresh, "F5")
        )
        self.find_action = self._action("actionFind", "&Find…", QKeySequence.StandardKey.Find)
        self.next_action = self._action(
            "actionNextPage", "&Next page", *_standard(QKeySequence.StandardKey.NextChild)
        )
        self.prev_action = self._action(
            "actionPreviousPage", "&Previous page",
            *_standard(QKeySequence.StandardKey.PreviousChild, "Ctrl+Shift+Tab"),
        )  # fmt: skip
        self.open_action = self._action(
            "actionOpenRecord", "&Open record", QKeySequence.StandardKey.Open
        )
        self.new_action = self._action(
            "actionNewRecord", "&New record", QKeySequence.StandardKey.New
        )
        self.journal_action = self._action("actionDeletedRecords", "&Deleted records…")
        bar = self.menuBar()
        bar.setObjectName("menuBar")
        bar.setAccessibleName("Menu bar")
        for button in bar.findChildren(QToolButton):  # the overflow ("more menus") button
            button.setAccessibleName("More menus")
        self.toolbar = QToolBar("Main toolbar", self)
        self.toolbar.setObjectName("mainToolBar")
        self.toolbar.setAccessibleName("Main toolbar")
        self.addToolBar(self.toolbar)
        for button in self.toolbar.findChildren(QToolButton):  # the overflow button
            button.setAccessibleName("More tools")
        file_menu = self.menu("file")
        file_menu.addAction(self.new_action)
        file_menu.addAction(self.journal_action)
        file_menu.addSeparator()
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view_menu = self.view_menu = self.menu("view")
        for action in (self.refresh_action, self.find_action, self.next_action, self.prev_action):
            view_menu.addAction(action)
        view_menu.addSeparator()
        view_menu.aboutToShow.connect(self.ensure_jobs)  # Jobs… and Jobs panel, even this early
        self.settings_action.triggered.connect(self.settings_requested)
        self.quit_action.triggered.connect(self._quit)
        self.refresh_action.triggered.connect(self.refresh)
        self.find_action.triggered.connect(self.focus_search)
        self.next_action.triggered.connect(lambda: self.cycle(1))
        self.prev_action.triggered.connect(lambda: self.cycle(-1))
        self.open_action.triggered.connect(self._open_current)
        self.new_action.triggered.connect(lambda: self.new_record())
        self.journal_action.triggered.connect(self.show_journal)

    def menu(self, name: str) -> QMenu:
        """The menu bar's menu ``name`` (one of ``MENUS``), made on first use and placed in
        the standard order, so an empty menu never shows."""
        found = self._menus.get(name)
        if found is not None:
            return found
        title = MENUS[name]
        made = QMenu(title, self)
        made.setObjectName("menu" + name.capitalize())
        made.setAccessibleName(title.replace("&", ""))
        order = list(MENUS)
        later = [self._menus[n] for n in order[order.index(name) + 1 :] if n in self._menus]
        bar = self.menuBar()
        if later:
            bar.insertMenu(later[0].menuAction(), made)
        else:
            bar.addMenu(made)
        self._menus[name] = made
        return made

    def add_page(self, key: str, label: str, factory: Callable[[], QWidget]) -> None:
        """A page besides the entity browsers (the pipeline board, say): listed in the
        navigation after them, made by ``factory`` when first shown."""
        if key in self._keys:
            raise ValueError(f"page {key!r} exists already")
        self._keys.append(key)
        self._page_factories[key] = factory
        self.nav.add_page(key, label)

    def current_browser(self) -> EntityBrowser | None:
        page = self.current_page()
        return page if isinstance(page, EntityBrowser) else None

    # ------------------------------------------------------------------ public API

    async def start(self) -> None:
        """Show the first browser at once; its first page is requested before, and travels
        alongside, the account, the signed-in user and the lookups, so none of them holds up
        the rows. Names fill in (a repaint) and custom field columns are added when the
        lookups arrive; a list that fails is named in the status bar and shows ids."""
        client = self.session.client
        self.lookups.set_client(client)
        self._started = True
        # The page shown last time (or the first); focus alone may have made a page current
        # before start(), and its page was held back until now.
        self.nav.select_page(self.workspace.first_page())
        await finished(
            self.runner.run(
                client.account(), success=self._set_account, what="Could not read the account"
            ),
            self.runner.run(
                client.me(), success=self._set_user, what="Could not read the signed-in user"
            ),
            self.runner.run(self.lookups.load(client), what="Names and custom fields unavailable"),
        )
        if self.lookups.problem:
            self.status.show_error(self.lookups.problem)

    def _on_lookups_loaded(self) -> None:
        """Custom field columns for the browsers made before the definitions came, and a
        repaint of every browser so ids turn into names."""
        for browser in self.browsers():
            known = set(browser.column_keys())
            fresh = [c for c in columns_for(browser.spec, self.lookups) if c.key not in known]
            if fresh:
                browser.add_columns(fresh)
            browser.model.refresh_display()

    def _set_account(self, account: Mapping[str, Any]) -> None:
        name = account.get("name")
        self.account_name = str(name) if name else None
        self._update_title()

    def _set_user(self, me: Mapping[str, Any]) -> None:
        user_id = me.get("id")
        self.user_id = user_id if isinstance(user_id, int) else None

    @property
    def definitions(self) -> tuple[CustomFieldDefinition, ...]:
        return self.lookups.definitions

    async def aclose(self) -> None:
        """Stop polling, cancel every request, pause running jobs (resumable; before the
        client closes) and save each browser's layout."""
        self._closing = True
        self.workspace.save()
        self.status.close_source()
        await self.runner.aclose()
        await self.workspace.aclose()
        dialog = self.bulk_dialog
        if dialog is not None:
            self.bulk_dialog = None
            await dialog.aclose()
            dialog.close()
        await self.convert_ui.aclose()
        if self.jobs is not None:
            await self.jobs.aclose()
        await self.jobs_runner.aclose()
        for editor in list(self.editors):
            await self._forget_editor(editor)
        closers = [browser.aclose() for browser in self.browsers()]
        if self.webhooks_page is not None:
            closers.append(self.webhooks_page.aclose())
        # pages added by features (the board) stop their requests too, before the client closes
        added = [self._pages[k] for k in self._page_factories if k in self._pages]
        closers += [page.aclose() for page in added if hasattr(page, "aclose")]
        if closers:
            await asyncio.gather(*closers, return_exceptions=True)

    @property
    def current_key(self) -> str | None:
        return self.nav.current_key()

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

    def browsers(self) -> list[EntityBrowser]:
        """The browsers created so far."""
        return [page for page in self._pages.values() if isinstance(page, EntityBrowser)]

    def show_page(self, key: str) -> QWidget:
        """Select `key` in the navigation (creating its page on first use)."""
        self._started = True
        if self.nav.current_key() == key and key in self._pages:
            self.stack.setCurrentWidget(self._pages[key])
        else:
            self.nav.select_page(key)
        return self._pages[key]

    def cycle(self, step: int) -> None:
        """Ctrl+Tab / Ctrl+Shift+Tab: the next or previous page, wrapping around."""
        self.nav.cycle(step)

    def refresh(self) -> None:
        page = self.current_page()
        if isinstance(page, EntityBrowser):
            page.refresh()
        elif page is not None and page is self.webhooks_page:
            self.webhooks_page.refresh()

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
        browser.opener = self.open_record
        if spec.key in BULK_EDITED:
            browser.selection.enable_bulk_edit(lambda: self.bulk_edit(spec.key), BULK_SHORTCUT)
        return browser

    def _create(self, key: str) -> QWidget:
        page: QWidget
        if key in self._page_factories:
            page = self._page_factories[key]()
        elif key == WEBHOOKS:
            from copper_desktop.models.webhook_subscriptions import WebhookSubscriptions
            from copper_desktop.ui.webhooks.webhooks_page import WebhooksPage

            hooks = WebhooksPage(
                WebhookSubscriptions.of(self.session.client),
                parent=self.stack,
                allow_loopback_http=self.session.sandbox_url is not None,
            )
            hooks.error_occurred.connect(self.status.show_error)
            hooks.refresh()
            page = self.webhooks_page = hooks
        else:
            browser = self.make_browser(ENTITIES[key])
            browser.error_occurred.connect(self.status.show_error)
            if self._first_paint is None:
                self._first_paint = _FirstPaint(browser, self._rows_shown)
            browser.start()
            page = browser
        self._pages[key] = page
        self.stack.addWidget(page)
        if isinstance(page, EntityBrowser):
            self.browser_created.emit(key, page)
        return page

    def _on_nav(self, key: str) -> None:
        if not self._started or key not in self._keys:
            return
        page = self._pages.get(key) or self._create(key)
        self.stack.setCurrentWidget(page)
        if isinstance(page, EntityBrowser):
            page.table.setFocus()
        elif self._first_paint is None and not self.rows_were_shown:
            QTimer.singleShot(0, self._rows_shown)  # the first page shown is no browser

    def _open_current(self) -> None:
        page = self.current_page()
        if isinstance(page, EntityBrowser):
            page.open_detail()

    def _rows_shown(self) -> None:
        if not self.rows_were_shown:
            self.rows_were_shown = True
            self.rows_shown.emit()
            # After the rows, never before them; the jobs UI's modules are imported off the
            # loop thread first (a tenth of a second that would freeze the fresh window).
            self.jobs_runner.run(
                import_off_loop("copper_desktop.ui.jobs.install"),
                success=lambda _module: self._start_jobs(),
                what="Loading the jobs panel",
                expected=(ImportError,),
                key="preload jobs",
            )

    def _update_title(self) -> None:
        title = APP_TITLE
        if self.account_name:
            title = f"{self.account_name} — {APP_TITLE}"
        if self.session.sandbox_url:
            title += " (sandbox)"
        self.setWindowTitle(title)

    def _quit(self) -> None:
        if self.close():
            self.quit_requested.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Editors with unsaved changes ask first; the window stays open until they are
        saved or discarded (then closing again goes through)."""
        dirty = [e for e in self.editors if e.is_dirty]
        if not dirty:
            for editor in list(self.editors):
                editor.hide()
            super().closeEvent(event)
            return
        event.ignore()
        for editor in dirty:
            editor.show()
            editor.raise_()
            editor.close()  # asks Save / Discard / Cancel

    # ------------------------------------------------------------------ jobs, bulk edit

    def ensure_jobs(self) -> JobsUi:
        """The jobs UI (the panel, the status line, View ▸ Jobs… Ctrl+Shift+J and Jobs panel),
        installed on first use; rows a job writes then show in the open lists."""
        if self.jobs is None:
            from copper_desktop.ui.jobs import install_jobs_ui

            self.jobs = install_jobs_ui(
                self, self.session, runner=self.jobs_runner, menu=self.view_menu
            )
            self.jobs.on_repreview = self.bulk_edit_ids
            self.restoreDockWidget(self.jobs.panel)  # where the last run left it
            self.jobs_installed.emit(self.jobs)
        return self.jobs

    def _start_jobs(self) -> None:
        """Once the first rows are painted: the jobs UI, and the offer to resume the jobs a
        killed app left (not awaited: it waits for the user)."""
        if self._closing or self.jobs_offer is not None:
            return
        self.jobs_offer = self.ensure_jobs().start()

    def bulk_edit(self, key: str | None = None) -> BulkEditDialog | None:
        """Ctrl+Shift+E, a browser's "Bulk edit…": the bulk edit of the selected rows of
        ``key`` (the current page), whose job runs in the jobs panel."""
        key = key or self.current_key
        browser = self.browser(key) if key in BULK_EDITED else None
        if key is None or browser is None or not browser.selection.count():
            return None
        noun = browser.spec.plural_label.lower()
        shown: list[BulkEditDialog] = []

        def progress(found: int, expected: int | None) -> None:
            if shown:
                of = f" of {expected:,}" if expected is not None else ""
                shown[0].status.setText(f"Finding the selected {noun}: {found:,}{of}…")

        ids, count = browser.selection.selection_source(progress)
        dialog = self._open_bulk_edit(key, ids, None if browser.selection.all_matching else count)
        shown.append(dialog)
        dialog.destroyed.connect(shown.clear)
        return dialog

    def bulk_edit_ids(self, key: str, ids: list[int]) -> BulkEditDialog | None:
        """A bulk edit of these records (the Jobs window's "Re-preview changed…")."""
        if key not in BULK_EDITED or not ids:
            return None
        return self._open_bulk_edit(key, ids, len(ids))

    def _open_bulk_edit(self, key: str, ids: IdSource, selected: int | None) -> BulkEditDialog:
        from copper_desktop.ui.bulk import open_bulk_edit

        jobs = self.ensure_jobs()
        # The job starts once, in the panel (jobs.run), not in the dialog's model too.
        dialog = open_bulk_edit(self, self.session, self.lookups, jobs.store, key, ids,
                                jobs.run, start_job=False, selected=selected)  # fmt: skip
        dialog.destroyed.connect(lambda: self._forget_bulk_dialog(dialog))
        self.bulk_dialog = dialog
        return dialog

    def _forget_bulk_dialog(self, dialog: BulkEditDialog) -> None:
        if self.bulk_dialog is dialog:
            self.bulk_dialog = None

    # ------------------------------------------------------------------ editors

    def editor(self, key: str, record_id: int | None) -> RecordEditor | None:
        """The open editor of a record, if any."""
        return next(
            (e for e in self.editors if e.spec.key == key and e.record_id == record_id), None
        )

    def open_record(self, key: str, record: Mapping[str, Any]) -> RecordEditor:
        """Open `record` in its editor (raising the one already open for it)."""
        existing = self.editor(key, record.get("id"))
        if existing is not None:
            existing.show()
            existing.raise_()
            existing.activateWindow()
            return existing
        from copper_desktop.ui.editor.record_editor import RecordEditor

        return self._show_editor(
            RecordEditor(
                self.session, self.lookups, self.journal, ENTITIES[key], record, parent=self
            )
        )

    def open_record_id(self, key: str, record_id: int) -> None:
        """Open a record known only by id (a related item): fetched first."""
        existing = self.editor(key, record_id)
        if existing is not None:
            self.open_record(key, {"id": record_id})
            return
        self.runner.run(
            fetch_record(self.session.client, ENTITIES[key].path, record_id),
            success=lambda record: self.open_record(key, record),
            what=f"Could not open the {ENTITIES[key].label.lower()}",
        )

    def new_record(self, key: str | None = None) -> RecordEditor | None:
        """Ctrl+N: an editor for a new record of `key` (the current page's entity)."""
        key = key or self.current_key
        if key is None or key not in ENTITIES or key == WEBHOOKS:
            return None
        from copper_desktop.ui.editor.record_editor import RecordEditor, new_record_defaults

        spec = ENTITIES[key]
        defaults = new_record_defaults(spec, self.lookups, self.user_id)
        return self._show_editor(
            RecordEditor(
                self.session, self.lookups, self.journal, spec, None, defaults=defaults, parent=self
            )
        )

    def show_journal(self) -> JournalDialog:
        """File ▸ Deleted records: the journal, from where deleted records are re-created."""
        if self.journal_dialog is None:
            from copper_desktop.ui.dialogs.journal_dialog import JournalDialog

            dialog = JournalDialog(self.journal, self.session.client, parent=self)
            dialog.recreated.connect(self._on_recreated)
            self.journal_dialog = dialog
        self.journal_dialog.show()
        self.journal_dialog.raise_()
        return self.journal_dialog

    def _show_editor(self, editor: RecordEditor) -> RecordEditor:
        editor.saved.connect(self._on_saved)
        editor.deleted.connect(self._on_deleted)
        editor.open_requested.connect(self.open_record_id)
        editor.closed.connect(lambda: self.runner.run(self._forget_editor(editor)))
        self.editors.append(editor)
        self.editor_opened.emit(editor)
        editor.show()
        editor.raise_()
        return editor

    async def _forget_editor(self, editor: RecordEditor) -> None:
        if editor in self.editors:
            self.editors.remove(editor)
            await editor.aclose()
            editor.hide()
            editor.deleteLater()

    def _on_saved(self, key: str, record: dict[str, Any]) -> None:
        """Show the saved values in the list: the row in place, or a refresh for a new one."""
        browser = self.browser(key)
        if browser is not None and not browser.model.update_record(record):
            browser.refresh()

    def _on_deleted(self, key: str, _record_id: object) -> None:
        browser = self.browser(key)
        if browser is not None:
            browser.refresh()

    def _on_recreated(self, key: str, _record: dict[str, Any]) -> None:
        browser = self.browser(key)
        if browser is not None:
            browser.refresh()
