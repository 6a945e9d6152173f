"""Saved views: a browser's filters, sort and columns under a name, listed under the entity in
the navigation. Choosing one applies it to the entity's browser.

Stored in the app's settings (``models/workspace.py``); the actions come from the navigation's
context menu (Save current view as… on an entity, Rename… and Delete on a view) and from
View ▸ Save current view as….
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMenu, QWidget

from copper_desktop.models import workspace
from copper_desktop.session import Session
from copper_desktop.ui.browse.navigation import Navigation

if TYPE_CHECKING:
    from copper_desktop.ui.browse.browser import EntityBrowser


class SavedViews(QObject):
    """The saved views of every entity, in the navigation and the settings.

    ``browser_of(key)`` gives the entity's browser (made and shown if needed), or None for a
    page that is no browser.
    """

    def __init__(
        self,
        nav: Navigation,
        session: Session,
        browser_of: Callable[[str], EntityBrowser | None],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("savedViews")
        self.nav = nav
        self.session = session
        self.browser_of = browser_of
        self._parent = parent
        self.dialog: QInputDialog | None = None
        self.menu = QMenu(parent)
        self.menu.setObjectName("navMenu")
        self.menu.setAccessibleName("Navigation actions")
        self.save_action = self._action("actionSaveView", "&Save current view as…")
        self.rename_action = self._action("actionRenameView", "&Rename view…")
        self.delete_action = self._action("actionDeleteView", "&Delete view")
        self._target: tuple[str, str] = ("", "")
        self.save_action.triggered.connect(lambda: self.ask_name(self._target[0]))
        self.rename_action.triggered.connect(lambda: self.ask_name(*self._target))
        self.delete_action.triggered.connect(lambda: self.delete(*self._target))
        nav.menu_requested.connect(self.show_menu)

    def _action(self, name: str, text: str) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        return action

    @property
    def settings(self) -> dict[str, object]:
        return self.session.settings

    def load(self, keys: list[str]) -> None:
        """List the saved views of these pages in the navigation."""
        for key in keys:
            self.nav.set_views(key, workspace.view_names(self.settings, key))

    # ------------------------------------------------------------------ actions

    def save(self, key: str, name: str) -> str | None:
        """Save the browser of `key` as it is now as the view `name`, and show it selected."""
        browser = self.browser_of(key)
        if browser is None or not workspace.clean_name(name):
            return None
        saved = workspace.save_view(self.settings, key, name, browser.view_state())
        self._changed(key)
        self.nav.select_view(key, saved)
        return saved

    def rename(self, key: str, old: str, new: str) -> str | None:
        renamed = workspace.rename_view(self.settings, key, old, new)
        if renamed is not None:
            self._changed(key)
        return renamed

    def delete(self, key: str, name: str) -> bool:
        gone = workspace.delete_view(self.settings, key, name)
        if gone:
            self._changed(key)
        return gone

    def apply(self, key: str, name: str) -> bool:
        """Show the browser of `key` with the view `name`."""
        view = workspace.find_view(self.settings, key, name)
        browser = self.browser_of(key)
        if view is None or browser is None:
            return False
        browser.apply_view(view)
        return True

    def _changed(self, key: str) -> None:
        self.nav.set_views(key, workspace.view_names(self.settings, key))
        self.session.save_settings()

    # ------------------------------------------------------------------ asking

    def ask_name(self, key: str, old: str = "") -> QInputDialog | None:
        """A name for a new view (`old` empty) or a new name for the view `old` (no nested
        loop: the dialog's answer saves or renames)."""
        if self.browser_of(key) is None:
            return None
        if self.dialog is not None:
            self.dialog.reject()
        dialog = QInputDialog(self._parent)
        dialog.setObjectName("viewNameDialog")
        dialog.setAccessibleName("View name")
        dialog.setWindowTitle("Rename view" if old else "Save view")
        dialog.setLabelText("New name of the view:" if old else "Save the current view as:")
        dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
        dialog.setTextValue(old or workspace.free_name(self.settings, key))
        for edit in dialog.findChildren(QLineEdit):
            edit.setObjectName("viewNameEdit")
            edit.setAccessibleName("View name")

        def answer(text: str) -> None:
            if old:
                self.rename(key, old, text)
            else:
                self.save(key, text)

        dialog.textValueSelected.connect(answer)
        dialog.finished.connect(lambda _code: self._forget(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _forget(self, dialog: QInputDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def show_menu(self, key: str, name: str, pos: QPoint) -> QMenu | None:
        """The navigation's context menu for a page (`name` empty) or a saved view."""
        if self.browser_of is None or key not in self.nav.page_keys():
            return None
        self._target = (key, name)
        self.menu.clear()
        if name:
            self.menu.addAction(self.rename_action)
            self.menu.addAction(self.delete_action)
        else:
            self.menu.addAction(self.save_action)
            self.save_action.setEnabled(self._is_browser(key))
        if not self.menu.actions() or not any(a.isEnabled() for a in self.menu.actions()):
            return None
        self.menu.popup(pos)
        return self.menu

    def _is_browser(self, key: str) -> bool:
        from copper_desktop.domain.catalog import ENTITIES

        return key in ENTITIES
