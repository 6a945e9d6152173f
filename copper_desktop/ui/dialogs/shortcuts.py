"""Help ▸ Keyboard shortcuts: every action that has a shortcut, read from the actions
themselves (the window's, its menus' and toolbar's, the browsers' and the open editors'), so
the list is never out of date."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

Group = tuple[str, Sequence[QAction]]
"""A heading ("Main window", "Records list", "Record editor") and its actions."""


def action_label(action: QAction) -> str:
    return action.text().replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…. ")


def shortcut_text(action: QAction) -> str:
    """All the action's shortcuts as the platform writes them ("Ctrl+W, Esc")."""
    return ", ".join(
        s.toString(QKeySequence.SequenceFormat.NativeText)
        for s in action.shortcuts()
        if not s.isEmpty()
    )


def rows(groups: Iterable[Group]) -> list[tuple[str, str, str]]:
    """(group, action, shortcuts) for each action with a shortcut, once per group and name."""
    found: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for heading, actions in groups:
        for action in actions:
            keys = shortcut_text(action)
            label = action_label(action)
            if not keys or not label or (heading, label) in seen:
                continue
            seen.add((heading, label))
            found.append((heading, label, keys))
    return found


class ShortcutsDialog(QDialog):
    def __init__(self, groups: Iterable[Group], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setAccessibleName("Keyboard shortcuts")
        self.setWindowTitle("Keyboard shortcuts")
        self.rows = rows(groups)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("shortcutsList")
        self.tree.setAccessibleName("Keyboard shortcuts")
        self.tree.setHeaderLabels(["Action", "Shortcut"])
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        headings: dict[str, QTreeWidgetItem] = {}
        for heading, label, keys in self.rows:
            parent_item = headings.get(heading)
            if parent_item is None:
                parent_item = headings[heading] = QTreeWidgetItem(self.tree, [heading, ""])
                font = parent_item.font(0)
                font.setBold(True)
                parent_item.setFont(0, font)
                parent_item.setExpanded(True)
            QTreeWidgetItem(parent_item, [label, keys])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.setObjectName("shortcutsButtons")
        for button in buttons.buttons():
            button.setObjectName("shortcutsClose")
            button.setAccessibleName("Close")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)
        self.resize(460, 520)

    def listed(self) -> dict[str, str]:
        """Action → shortcuts as listed (the first group naming an action wins)."""
        out: dict[str, str] = {}
        for _heading, label, keys in self.rows:
            out.setdefault(label, keys)
        return out
