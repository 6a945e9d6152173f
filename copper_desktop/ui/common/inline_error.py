"""The red line beside a field (or under a form) that says what is wrong: one look and one
behaviour for every form (hidden while empty, read by screen readers under its own name)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from copper_desktop.ui.common.style import error_text_style, follow_palette


def error_label(name: str, accessible: str, parent: QWidget | None = None) -> QLabel:
    """A hidden, word-wrapped error label named ``name``, in a red readable on its palette."""
    label = QLabel(parent)
    label.setObjectName(name)
    label.setAccessibleName(accessible)
    label.setWordWrap(True)
    follow_palette(label, error_text_style)
    label.hide()
    return label


def show_error(label: QLabel, message: str | None) -> None:
    """Shows ``message`` in ``label``; None or "" hides it."""
    label.setText(message or "")
    label.setVisible(bool(message))
