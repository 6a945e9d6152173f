"""Features install their actions into the main window separately (grid editing, conversion,
CSV, the board, workspace): nothing else notices when two of them take the same key. These
tests look at the window as built, with every feature in."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from copper_desktop.ui.browse.browser import EntityBrowser
from copper_desktop.ui.main_window import MainWindow
from tests.helpers.qt import MakeWindow

PAGES = ("people", "leads", "opportunities", "board")


def _mnemonic(text: str) -> str | None:
    at = text.replace("&&", "").find("&")
    return text.replace("&&", "")[at + 1].casefold() if at >= 0 else None


def _menus(window: MainWindow) -> list[QMenu]:
    menus = [m for m in window.findChildren(QMenu) if m.objectName()]
    return menus + [b.selection.menu for b in window.browsers()]


def _keys(actions: list[QAction]) -> dict[str, set[str]]:
    """Key → the names of the enabled actions it triggers."""
    found: dict[str, set[str]] = {}
    for action in actions:
        for key in action.shortcuts():
            found.setdefault(key.toString(), set()).add(action.objectName() or action.text())
    return found


def test_no_two_items_of_a_menu_share_a_mnemonic(make_window: MakeWindow) -> None:
    window = make_window()
    for key in PAGES:
        window.show_page(key)
    for menu in _menus(window):
        letters = [m for a in menu.actions() if (m := _mnemonic(a.text())) is not None]
        clashes = {m for m in letters if letters.count(m) > 1}
        shown = [a.text() for a in menu.actions() if a.text()]
        assert not clashes, f"{menu.objectName()}: {shown}"


def test_no_key_triggers_two_actions_where_both_apply(make_window: MakeWindow) -> None:
    """A widget's own actions, its ancestors' widget-with-children actions and the window's
    actions all answer a key pressed in it: each key must name one action there."""
    window = make_window()
    for key in PAGES:
        window.show_page(key)
    pages: list[QWidget] = [*window.browsers(), window.show_page("board")]
    window_wide = [a for a in window.actions() if a.isEnabled()]
    for page in pages:
        inner = [page, *(b.table for b in [page] if isinstance(b, EntityBrowser))]
        actions = {id(a): a for w in inner for a in w.actions()}
        actions.update({id(a): a for a in window_wide})
        clashes = {k: names for k, names in _keys(list(actions.values())).items() if len(names) > 1}
        assert not clashes, f"{page.objectName()}: {clashes}"
