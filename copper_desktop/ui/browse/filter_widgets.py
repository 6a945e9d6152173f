"""The two compound widgets of the filter bar: a drop-down of checkable choices
(`ChoiceButton`) and an on/off from–to range of dates or numbers (`RangeEdit`).

They know nothing of Copper's search bodies; the filter bar turns their state into filters.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Final

from PySide6.QtCore import QDate, QSignalBlocker, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QToolButton,
    QWidget,
)

NUMBER_LIMIT: Final = 1e12
"""The largest number a range accepts either way."""

Choices = list[tuple[Any, str]]
"""(value, label) pairs, in the order offered."""


class ChoiceButton(QToolButton):
    """A drop-down of checkable choices; shows "Owner: Alice +1" when some are chosen.

    Signals:
        selection_changed(): the set of chosen values changed.
    """

    selection_changed = Signal()

    def __init__(self, label: str, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = label
        self.setObjectName(object_name)
        self.setAccessibleName(f"{label} filter")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setMenu(QMenu(self))
        self.menu().setObjectName(f"{object_name}Menu")
        self._actions: dict[Any, QAction] = {}
        self._order: list[Any] = []
        self._update_text()

    def set_choices(self, choices: Choices) -> None:
        """Replace the offered values, keeping those chosen that are still offered."""
        chosen = set(self.selected())
        menu = self.menu()
        menu.clear()
        self._actions = {}
        self._order = []
        for value, text in choices:
            action = QAction(text, menu)
            action.setObjectName(f"{self.objectName()}_{value}")
            action.setCheckable(True)
            action.setChecked(value in chosen)
            action.setData(value)
            action.toggled.connect(self._on_toggled)
            menu.addAction(action)
            self._actions[value] = action
            self._order.append(value)
        self.setEnabled(bool(choices))
        self._update_text()
        if set(self.selected()) != chosen:
            self.selection_changed.emit()

    def choices(self) -> Choices:
        return [(value, self._actions[value].text()) for value in self._order]

    def action(self, value: Any) -> QAction:
        """The menu entry of one value (tests and keyboard users trigger it)."""
        return self._actions[value]

    def selected(self) -> list[Any]:
        """Chosen values in menu order."""
        return [v for v in self._order if self._actions[v].isChecked()]

    def selected_labels(self) -> list[str]:
        return [self._actions[v].text() for v in self.selected()]

    def set_selected(self, values: Sequence[Any]) -> None:
        wanted = set(values)
        with QSignalBlocker(self):
            for value, action in self._actions.items():
                with QSignalBlocker(action):
                    action.setChecked(value in wanted)
        self._update_text()
        self.selection_changed.emit()

    def _on_toggled(self, _checked: bool) -> None:
        self._update_text()
        self.selection_changed.emit()

    def _update_text(self) -> None:
        labels = self.selected_labels()
        if not labels:
            self.setText(self.label)
        elif len(labels) == 1:
            self.setText(f"{self.label}: {labels[0]}")
        else:
            self.setText(f"{self.label}: {labels[0]} +{len(labels) - 1}")


class RangeEdit(QWidget):
    """A checkbox that enables a from/to pair of date or number edits.

    Signals:
        changed(): the enabled state or a bound changed.
    """

    changed = Signal()

    def __init__(
        self, label: str, object_name: str, *, dates: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setAccessibleName(f"{label} range")
        self.dates = dates
        self.enabled = QCheckBox(label, self)
        self.enabled.setObjectName(f"{object_name}Enabled")
        self.enabled.setAccessibleName(f"Filter on {label}")
        self.low: QDateEdit | QDoubleSpinBox
        self.high: QDateEdit | QDoubleSpinBox
        if dates:
            self.low, self.high = QDateEdit(self), QDateEdit(self)
            for edit in (self.low, self.high):
                edit.setCalendarPopup(True)
                edit.setDisplayFormat("yyyy-MM-dd")
                edit.dateChanged.connect(self._bound_changed)
        else:
            self.low, self.high = QDoubleSpinBox(self), QDoubleSpinBox(self)
            for spin in (self.low, self.high):
                spin.setRange(-NUMBER_LIMIT, NUMBER_LIMIT)
                spin.setDecimals(2)
                spin.setKeyboardTracking(False)
                spin.valueChanged.connect(self._bound_changed)
        self.low.setObjectName(f"{object_name}From")
        self.low.setAccessibleName(f"{label} from")
        self.high.setObjectName(f"{object_name}To")
        self.high.setAccessibleName(f"{label} to")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.enabled)
        layout.addWidget(self.low)
        layout.addWidget(QLabel("–", self))
        layout.addWidget(self.high)
        self.enabled.toggled.connect(self._toggled)
        self.reset()

    def reset(self) -> None:
        """Off, with the last 30 days (or 0–0) ready for when it is switched on."""
        with QSignalBlocker(self.enabled), QSignalBlocker(self.low), QSignalBlocker(self.high):
            self.enabled.setChecked(False)
            if isinstance(self.low, QDateEdit) and isinstance(self.high, QDateEdit):
                today = QDate.currentDate()
                self.low.setDate(today.addDays(-30))
                self.high.setDate(today)
            elif isinstance(self.low, QDoubleSpinBox) and isinstance(self.high, QDoubleSpinBox):
                self.low.setValue(0)
                self.high.setValue(0)
        self.low.setEnabled(False)
        self.high.setEnabled(False)

    def set_dates(self, low: date, high: date) -> None:
        assert isinstance(self.low, QDateEdit) and isinstance(self.high, QDateEdit)
        self.low.setDate(QDate(low.year, low.month, low.day))
        self.high.setDate(QDate(high.year, high.month, high.day))

    def set_numbers(self, low: float, high: float) -> None:
        assert isinstance(self.low, QDoubleSpinBox) and isinstance(self.high, QDoubleSpinBox)
        self.low.setValue(low)
        self.high.setValue(high)

    def is_active(self) -> bool:
        return self.enabled.isChecked()

    def bounds(self) -> tuple[date, date] | tuple[float, float] | None:
        """(from, to), or None while switched off; dates as `date`, numbers as floats."""
        if not self.is_active():
            return None
        if isinstance(self.low, QDateEdit) and isinstance(self.high, QDateEdit):
            return self.low.date().toPython(), self.high.date().toPython()  # type: ignore[return-value]
        assert isinstance(self.low, QDoubleSpinBox) and isinstance(self.high, QDoubleSpinBox)
        return self.low.value(), self.high.value()

    def _toggled(self, on: bool) -> None:
        self.low.setEnabled(on)
        self.high.setEnabled(on)
        self.changed.emit()

    def _bound_changed(self, *_: object) -> None:
        if self.is_active():
            self.changed.emit()
