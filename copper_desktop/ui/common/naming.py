"""Names for the widgets Qt creates inside other widgets (clear buttons, combo pop-up lists),
so that every interactive widget can be found by tests and announced by screen readers."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton, QToolButton, QWidget

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str, accessible: str) -> W:
    """`widget` with its object name (for tests) and accessible name (for screen readers)."""
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    return widget


def named_button(parent: QWidget, name: str, text: str, accessible: str) -> QPushButton:
    """A push button showing `text`, named like every interactive widget."""
    return named(QPushButton(text, parent), name, accessible)


def named_combo(parent: QWidget, name: str, accessible: str) -> QComboBox:
    """A combo box named like every interactive widget, its pop-up list too."""
    combo = named(QComboBox(parent), name, accessible)
    name_popup(combo)
    return combo


def clearable(edit: QLineEdit) -> None:
    """Give a line edit Qt's clear button, named after the edit (name the edit first)."""
    edit.setClearButtonEnabled(True)
    for button in edit.findChildren(QToolButton):
        button.setObjectName(f"{edit.objectName()}Clear")
        button.setAccessibleName("Clear text")


def name_popup(combo: QComboBox) -> None:
    """Name a combo box's pop-up list after the combo (name the combo first)."""
    view = combo.view()
    view.setObjectName(f"{combo.objectName()}List")
    view.setAccessibleName(f"{combo.accessibleName() or combo.objectName()} choices")
