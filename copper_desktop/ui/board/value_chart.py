"""The board's chart: value by stage, each bar split by status (open, won, lost, abandoned),
drawn with QPainter (no chart library) in colours taken from the palette and the style module.

A bar whose column is not added up yet is drawn hatched and its label says "≥": the chart is
as honest about partial totals as the column headers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from copper_desktop.domain.formats import format_money
from copper_desktop.models.board import BoardModel
from copper_desktop.ui.common.style import ERROR_HUE, MARK_CONTRAST, is_dark, readable

STATUSES: Final = ("Open", "Won", "Lost", "Abandoned")
WON_HUE: Final = 140 / 360


@dataclass(frozen=True, slots=True)
class Bar:
    """One stage: its name, value per status ("" when the board has no statuses), whether the
    sum is complete, and the currency."""

    name: str
    parts: tuple[tuple[str, float], ...]
    complete: bool
    currency: str

    @property
    def total(self) -> float:
        return sum(value for _, value in self.parts)


def bars_of(board: BoardModel) -> list[Bar]:
    """The chart's bars from the board's columns (what they have added up so far)."""
    bars: list[Bar] = []
    for column in board.columns:
        if board.kind.by_pipeline:
            extra = sorted(set(column.by_status) - set(STATUSES))
            parts = tuple((s, column.by_status.get(s, 0.0)) for s in (*STATUSES, *extra))
        else:
            parts = (("", column.total),)
        bars.append(Bar(column.name, parts, column.complete, column.currency))
    return bars


def short_money(value: float, currency: str) -> str:
    """ "$1.2M", "$350k": bar labels are short; exact sums are in the column headers."""
    symbol = format_money(0, currency or None).split("0")[0]
    code = "" if symbol else f" {currency}".rstrip()
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{symbol}{value / size:.1f}{suffix}{code}".replace(".0" + suffix, suffix)
    return f"{symbol}{value:,.0f}{code}"


class ValueChart(QWidget):
    """Paints `bars_of(board)`; repaints when the board's totals change."""

    def __init__(self, board: BoardModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.board = board
        self.setObjectName("boardChart")
        self.setAccessibleName("Value by stage chart")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(160)
        board.totals_changed.connect(self._changed)
        board.columns_reset.connect(self._changed)
        self._changed()

    def sizeHint(self) -> QSize:
        return QSize(800, 200)

    def colors(self) -> dict[str, QColor]:
        """Status → colour: open in the palette's highlight, won green and lost red (readable
        as marks on this palette), abandoned in the placeholder text colour."""
        pal = self.palette()
        grounds = [pal.color(QPalette.ColorRole.Window)]
        dark = is_dark(pal)
        return {
            "": pal.color(QPalette.ColorRole.Highlight),
            "Open": pal.color(QPalette.ColorRole.Highlight),
            "Won": readable(WON_HUE, 0.65, grounds, MARK_CONTRAST, dark=dark),
            "Lost": readable(ERROR_HUE, 0.75, grounds, MARK_CONTRAST, dark=dark),
            "Abandoned": pal.color(QPalette.ColorRole.PlaceholderText),
        }

    def summary(self) -> str:
        """What the chart shows, in words (its accessible description and tooltip)."""
        lines = []
        for bar in bars_of(self.board):
            mark = "" if bar.complete else "at least "
            parts = ", ".join(
                f"{status or 'value'} {format_money(round(value, 2), bar.currency or None)}"
                for status, value in bar.parts
                if value or not status
            )
            lines.append(f"{bar.name}: {mark}{parts}")
        for status in ("Won", "Lost"):
            if self.board.kind.by_pipeline:
                lines.append(f"{status} in total: {self.status_total(status)}")
        return "\n".join(lines)

    def status_total(self, status: str) -> str:
        bars = bars_of(self.board)
        value = sum(v for bar in bars for s, v in bar.parts if s == status)
        currency = next((b.currency for b in bars if b.currency), "")
        text = format_money(round(value, 2), currency or None)
        return text if all(b.complete for b in bars) else f"≥ {text}"

    def _changed(self) -> None:
        text = self.summary()
        self.setAccessibleDescription(text)
        self.setToolTip(text)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        bars = bars_of(self.board)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.WindowText)
        colors = self.colors()
        metrics = QFontMetrics(self.font())
        line = metrics.lineSpacing()
        legend_h = line + 6
        self._legend(painter, colors, line)
        if not bars:
            painter.setPen(text)
            painter.drawText(self.rect(), int(Qt.AlignmentFlag.AlignCenter), "No stages")
            return
        top, bottom = legend_h + line + 4, self.height() - 2 * line - 6
        height = max(bottom - top, 10)
        peak = max((bar.total for bar in bars), default=0.0) or 1.0
        slot = self.width() / len(bars)
        width = min(slot * 0.6, 80)
        for i, bar in enumerate(bars):
            x = i * slot + (slot - width) / 2
            y = float(bottom)
            for status, value in bar.parts:
                h = height * max(value, 0.0) / peak
                if h <= 0:
                    continue
                y -= h
                color = colors.get(status, colors["Open"])
                brush = QBrush(color, Qt.BrushStyle.SolidPattern if bar.complete
                               else Qt.BrushStyle.Dense3Pattern)  # fmt: skip
                painter.fillRect(QRectF(x, y, width, h), brush)
                painter.setPen(QPen(color, 1))
                painter.drawRect(QRectF(x, y, width, h))
            painter.setPen(text)
            label = ("" if bar.complete else "≥ ") + short_money(bar.total, bar.currency)
            painter.drawText(QRectF(i * slot, y - line - 2, slot, line),
                             int(Qt.AlignmentFlag.AlignCenter), label)  # fmt: skip
            name = metrics.elidedText(bar.name, Qt.TextElideMode.ElideRight, int(slot) - 4)
            painter.drawText(QRectF(i * slot, bottom + 4, slot, line),
                             int(Qt.AlignmentFlag.AlignCenter), name)  # fmt: skip
        painter.setPen(QPen(pal.color(QPalette.ColorRole.Mid), 1))
        painter.drawLine(0, bottom, self.width(), bottom)
        painter.end()

    def _legend(self, painter: QPainter, colors: dict[str, QColor], line: int) -> None:
        pal = self.palette()
        painter.setPen(pal.color(QPalette.ColorRole.WindowText))
        x = 4.0
        metrics = QFontMetrics(self.font())
        entries: list[tuple[str, str]] = []
        if self.board.kind.by_pipeline:
            entries = [(s, f"{s} {self.status_total(s)}") for s in STATUSES]
        else:
            entries = [("", f"Value by {self.board.kind.group_label.lower()}")]
        for status, label in entries:
            if status:
                painter.fillRect(QRectF(x, 4 + line / 4, line / 2, line / 2), colors[status])
                x += line / 2 + 4
            painter.drawText(QRectF(x, 4, metrics.horizontalAdvance(label) + 2, line),
                             int(Qt.AlignmentFlag.AlignLeft), label)  # fmt: skip
            x += metrics.horizontalAdvance(label) + 16
