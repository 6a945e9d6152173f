"""The app's icons: a few Lucide SVGs (resources/icons/lucide/, ISC licence) drawn in the
palette's text colour, so they read on a light and on a dark theme alike.

``icon(name)`` takes a name from ``NAMES`` (what an action or a page is, not the file's name):
the eight toolbar actions, the navigation's pages and the menus' other entries. Icons are
drawn when first painted, at the size asked for, in the colour of the palette *then* (a theme
switch repaints them in the new colour); nothing is loaded at import.

Bundled files rather than an icon-font library: qtawesome (+ QtPy) costs 140-290 ms to import
and 40 ms for its first icon, which a cold start cannot afford, for the twenty-odd icons used.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Final

from PySide6.QtCore import QByteArray, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

import copper_desktop

NAMES: Final[dict[str, str]] = {
    # the toolbar's actions
    "new": "plus",
    "open": "folder-open",
    "delete": "trash-2",
    "bulk_edit": "list-checks",
    "convert": "arrow-right-left",
    "import": "file-input",
    "export": "file-output",
    "refresh": "refresh-cw",
    # the navigation's pages
    "people": "users",
    "companies": "building-2",
    "leads": "user-plus",
    "opportunities": "handshake",
    "tasks": "square-check",
    "projects": "folder-kanban",
    "activities": "activity",
    "webhooks": "webhook",
    "board": "square-kanban",
    "view": "bookmark",
    # menus
    "settings": "settings",
    "about": "info",
    "shortcuts": "keyboard",
    "find": "search",
    "theme": "sun-moon",
    "jobs": "list-todo",
    "deleted": "archive-restore",
    "quit": "log-out",
    "copy": "copy",
    "close": "x",
}
"""Icon name → Lucide file name (without .svg)."""

ACTION_ICONS: Final[dict[str, str]] = {
    "actionNewRecord": "new",
    "actionOpenRecord": "open",
    "actionDeleteRecords": "delete",
    "actionBulkEditSelection": "bulk_edit",
    "actionConvertLead": "convert",
    "actionConvertLeads": "convert",
    "actionImport": "import",
    "actionExport": "export",
    "actionRefresh": "refresh",
    "actionSettings": "settings",
    "actionAbout": "about",
    "actionShortcuts": "shortcuts",
    "actionFind": "find",
    "actionDeletedRecords": "deleted",
    "actionQuit": "quit",
    "actionCopyRows": "copy",
    "actionJobs": "jobs",
}
"""Icons of actions by objectName, also those other features add (``apply_action_icons``)."""

APP_ICON: Final = "copper-desktop.svg"


def resources_dir() -> Path:
    """resources/: inside the package when installed (wheel, bundle), beside it in a checkout."""
    package = Path(copper_desktop.__file__).resolve().parent
    inside = package / "resources"
    return inside if inside.is_dir() else package.parent / "resources"


@functools.cache
def _svg(file_name: str) -> bytes:
    return (resources_dir() / "icons" / "lucide" / f"{file_name}.svg").read_bytes()


def _role_for(mode: QIcon.Mode) -> tuple[QPalette.ColorGroup, QPalette.ColorRole]:
    if mode == QIcon.Mode.Disabled:
        return QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText
    if mode == QIcon.Mode.Selected:
        return QPalette.ColorGroup.Active, QPalette.ColorRole.HighlightedText
    return QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText


_ENGINES: list[QIconEngine] = []
"""Python engines live as long as the app (QIcon holds them from C++)."""


class _TintedSvg(QIconEngine):
    """Draws one SVG with ``currentColor`` replaced by the palette's text colour."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self._data = data
        self._cache: dict[tuple[int, int, str], QPixmap] = {}
        _ENGINES.append(self)

    def _render(self, size: QSize, mode: QIcon.Mode) -> QPixmap:
        group, role = _role_for(mode)
        color = QGuiApplication.palette().color(group, role).name()
        key = (size.width(), size.height(), color)
        found = self._cache.get(key)
        if found is not None:
            return found
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        data = self._data.replace(b"currentColor", color.encode())
        renderer = QSvgRenderer(QByteArray(data))
        side = min(size.width(), size.height())
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRect(QPoint(0, 0), QSize(side, side)))
        painter.end()
        if len(self._cache) > 32:
            self._cache.clear()
        self._cache[key] = pixmap
        return pixmap

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self._render(size, mode)

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        painter.drawPixmap(rect, self._render(rect.size(), mode))

    def clone(self) -> QIconEngine:
        return _TintedSvg(self._data)


@functools.cache
def icon(name: str) -> QIcon:
    """The icon called `name` (a key of ``NAMES``); raises KeyError for another name."""
    return QIcon(_TintedSvg(_svg(NAMES[name])))


def app_icon() -> QIcon:
    """The app's own icon (the window's, the task bar's)."""
    return QIcon(str(resources_dir() / "icons" / APP_ICON))


def apply_action_icons(actions: object) -> None:
    """Give the actions in `actions` (an iterable of QAction) that have none the icon their
    objectName calls for (features add Convert, Import and Export without one)."""
    for action in actions:  # type: ignore[attr-defined]
        name = ACTION_ICONS.get(action.objectName())
        if name is not None and action.icon().isNull():
            action.setIcon(icon(name))
