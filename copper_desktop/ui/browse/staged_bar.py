"""The bar under a grid that says what is staged: "12 changes in 7 records", the cells that
cannot be saved, and Review…, Save and Discard.

It only shows and signals; the grid (``grid_editing.GridEditing``) decides. Hidden while
nothing is staged and there is nothing to say.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from copper_desktop.ui.common.inline_error import error_label, show_error
from copper_desktop.ui.common.naming import named, named_button

__all__ = ["StagedBar"]


class StagedBar(QFrame):
    """Signals: review_requested(), save_requested(), discard_requested()."""

    review_requested = Signal()
    save_requested = Signal()
    discard_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "stagedBar", "Unsaved grid changes")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.summary = named(QLabel(self), "stagedSummary", "Unsaved changes")
        font = self.summary.font()
        font.setBold(True)
        self.summary.setFont(font)
        self.problem = error_label("stagedProblem", "Cells that cannot be saved", self)
        self.message = named(QLabel(self), "stagedMessage", "Grid message")
        self.message.setWordWrap(True)
        self.review_button = named_button(self, "stagedReview", "Review…",
                                          "Review the unsaved changes")  # fmt: skip
        self.save_button = named_button(self, "stagedSave", "Save", "Save the changes to Copper")
        self.discard_button = named_button(self, "stagedDiscard", "Discard",
                                           "Discard the unsaved changes")  # fmt: skip
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 3, 6, 3)
        layout.addWidget(self.summary)
        layout.addWidget(self.problem)
        layout.addWidget(self.message, 1)
        for button in (self.review_button, self.save_button, self.discard_button):
            layout.addWidget(button)
        self.review_button.clicked.connect(self.review_requested)
        self.save_button.clicked.connect(self.save_requested)
        self.discard_button.clicked.connect(self.discard_requested)
        self.hide()

    def show_state(self, summary: str, invalid: int, *, busy: bool = False) -> None:
        """What is staged ("" for nothing), how many cells cannot be read, and whether a
        save is being prepared (Save waits)."""
        self.summary.setText(summary)
        self.summary.setVisible(bool(summary))
        cells = f"{invalid:,} cell{'s' if invalid != 1 else ''}"
        show_error(
            self.problem, f"{cells} cannot be saved: fix or discard them." if invalid else None
        )
        for button in (self.review_button, self.discard_button):
            button.setEnabled(bool(summary))
        self.save_button.setEnabled(bool(summary) and not invalid and not busy)
        self.save_button.setToolTip("Fix or discard the marked cells first" if invalid else "")
        self._update_visible()

    def show_message(self, text: str) -> None:
        """A line about the last copy, paste or save ("" clears it)."""
        self.message.setText(text)
        self._update_visible()

    def _update_visible(self) -> None:
        self.setVisible(bool(self.summary.text() or self.message.text()))
