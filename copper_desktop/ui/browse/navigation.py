"""The main window's navigation: a page per entity (and the webhooks and feature pages), each
with its icon and its record count, and the entity's saved views listed under it.

Top-level items are pages (``KEY`` role: the page key); children are saved views (``VIEW``
role: the view's name). Counts sit in a second, right-aligned column; a view has none, so its
name spans both columns, and a name still too long is cut in the middle (its tooltip holds it
whole): "Open deals … quarter" tells views apart where "Open deals o…" would not. A
right-click offers "Save current view as…" on an entity and Rename / Delete on a view
(``menu_requested``).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from copper_desktop.ui.common.icons import icon

KEY = Qt.ItemDataRole.UserRole
VIEW = Qt.ItemDataRole.UserRole + 1


class Navigation(QTreeWidget):
    """The main window's list of pages and saved views (see the module docstring).

    Signals:
    page_chosen(str): a page's item became current.
    view_chosen(str, str): a saved view's item became current (page key, view name).
    menu_requested(str, str, QPoint): a right-click on a page (view name "") or a view, at a
        global position.
    currentRowChanged(int): the page's row (a view counts as its page's), as the list this
        once was said it; ``currentRow``/``setCurrentRow`` count pages likewise.
    """

    page_chosen = Signal(str)
    view_chosen = Signal(str, str)
    menu_requested = Signal(str, str, QPoint)
    currentRowChanged = Signal(int)

    DEFAULT_WIDTH = 200
    """The main window's first width: a 20-letter view name shows whole beside a page's
    five-figure count."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("entityNav")
        self.setAccessibleName("Entities")
        self.setColumnCount(2)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIndentation(14)
        self.setUniformRowHeights(True)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.header()
        header.setObjectName("entityNavHeader")
        header.setAccessibleName("Pages and record counts")
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        self.currentItemChanged.connect(self._current_changed)
        self._pages: dict[str, QTreeWidgetItem] = {}

    # ------------------------------------------------------------------ pages

    def add_page(self, key: str, label: str, page_icon: QIcon | None = None) -> QTreeWidgetItem:
        item = QTreeWidgetItem([label, ""])
        item.setData(0, KEY, key)
        item.setData(0, VIEW, "")
        item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        item.setIcon(0, page_icon if page_icon is not None else _icon_for(key))
        item.setToolTip(0, label)
        self.addTopLevelItem(item)
        self._pages[key] = item
        return item

    def page_keys(self) -> list[str]:
        return list(self._pages)

    def page_item(self, key: str) -> QTreeWidgetItem:
        return self._pages[key]

    def set_count(self, key: str, count: int | None) -> None:
        """Show `count` beside the page (None: nothing)."""
        item = self._pages.get(key)
        if item is not None:
            item.setText(1, f"{count:,}" if count is not None else "")
            label = item.text(0)
            item.setToolTip(0, f"{label}: {count:,} records" if count is not None else label)

    def count_text(self, key: str) -> str:
        return self._pages[key].text(1)

    # ------------------------------------------------------------------ views

    def set_views(self, key: str, names: list[str]) -> None:
        """List these saved views under the page `key` (replacing those listed)."""
        parent = self._pages.get(key)
        if parent is None:
            return
        current = self.currentItem()
        keep = current.data(0, VIEW) if current is not None and current.parent() is parent else None
        blocked = self.blockSignals(True)
        try:
            parent.takeChildren()
            for name in names:
                child = QTreeWidgetItem([name, ""])
                child.setData(0, KEY, key)
                child.setData(0, VIEW, name)
                child.setIcon(0, icon("view"))
                child.setToolTip(0, f"Saved view: {name}")
                parent.addChild(child)
                child.setFirstColumnSpanned(True)  # no count: the name has the whole row
                if name == keep:
                    self.setCurrentItem(child)
            parent.setExpanded(True)
            if keep is not None and keep not in names:
                self.setCurrentItem(parent)
        finally:
            self.blockSignals(blocked)

    def view_names(self, key: str) -> list[str]:
        parent = self._pages[key]
        return [str(item.data(0, VIEW)) for item in self._children(parent)]

    def view_item(self, key: str, name: str) -> QTreeWidgetItem | None:
        parent = self._pages.get(key)
        if parent is None:
            return None
        return next((c for c in self._children(parent) if c.data(0, VIEW) == name), None)

    @staticmethod
    def _children(parent: QTreeWidgetItem) -> list[QTreeWidgetItem]:
        found = (parent.child(i) for i in range(parent.childCount()))
        return [child for child in found if child is not None]

    # ------------------------------------------------------------------ what is current

    def current_key(self) -> str | None:
        item = self.currentItem()
        return item.data(0, KEY) if item is not None else None

    def current_view(self) -> str | None:
        item = self.currentItem()
        name = item.data(0, VIEW) if item is not None else None
        return name or None

    def select_page(self, key: str) -> None:
        """Make the page current (its signal is emitted even when it was current already)."""
        item = self._pages[key]
        if self.currentItem() is item:
            self.page_chosen.emit(key)
        else:
            self.setCurrentItem(item)

    def select_view(self, key: str, name: str) -> None:
        item = self.view_item(key, name)
        if item is None:
            return
        if self.currentItem() is item:
            self.view_chosen.emit(key, name)
        else:
            self.setCurrentItem(item)

    def currentRow(self) -> int:
        key = self.current_key()
        return self.page_keys().index(key) if key in self._pages else -1

    def setCurrentRow(self, row: int) -> None:
        keys = self.page_keys()
        if 0 <= row < len(keys):
            self.setCurrentItem(self._pages[keys[row]])

    def cycle(self, step: int) -> None:
        """The next or previous page (views are skipped), wrapping around."""
        keys = self.page_keys()
        if not keys:
            return
        current = self.current_key()
        index = keys.index(current) if current in keys else 0
        self.setCurrentItem(self._pages[keys[(index + step) % len(keys)]])

    def _current_changed(self, item: QTreeWidgetItem | None, _old: object) -> None:
        if item is None:
            return
        key, name = item.data(0, KEY), item.data(0, VIEW)
        if name:
            self.view_chosen.emit(key, name)
        else:
            self.page_chosen.emit(key)
        self.currentRowChanged.emit(self.currentRow())

    def _menu(self, pos: QPoint) -> None:
        item = self.itemAt(pos)
        if item is not None:
            self.menu_requested.emit(
                item.data(0, KEY), item.data(0, VIEW) or "", self.viewport().mapToGlobal(pos)
            )


def _icon_for(key: str) -> QIcon:
    try:
        return icon(key)
    except KeyError:
        return QIcon()
