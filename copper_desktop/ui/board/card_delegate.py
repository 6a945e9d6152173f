"""How a card is painted: a framed box with the name, company, value, owner and close date.

Painted rather than built from widgets, so a column of thousands of cards costs one view;
every colour comes from the palette the view has (light or dark theme alike).
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from copper_desktop.models.board_column import Card, CardRole, PendingRole

MARGIN: Final = 4
"""Space around a card inside its row."""
PADDING: Final = 8
"""Space between a card's frame and its text."""
LINES: Final = 5


class CardDelegate(QStyledItemDelegate):
    """Paints `CardRole` texts as a card, one per line (name, company, value, owner, close
    date); a card being saved is drawn dimmed, "Saving…" in place of its owner."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        height = QFontMetrics(option.font).lineSpacing()
        return QSize(160, LINES * height + 2 * (PADDING + MARGIN))  # as wide as the view

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        card = index.data(CardRole)
        if not isinstance(card, Card):
            return
        pal: QPalette = option.palette
        state = option.state
        rect: QRect = option.rect.adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
        selected = bool(state & QStyle.StateFlag.State_Selected)
        focused = bool(state & QStyle.StateFlag.State_HasFocus)
        pending = bool(index.data(PendingRole))
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        edge = pal.color(QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.Mid)
        painter.setPen(QPen(edge, 2 if selected or focused else 1))
        painter.setBrush(pal.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(rect, 5, 5)
        text_role = QPalette.ColorRole.PlaceholderText if pending else QPalette.ColorRole.Text
        body = rect.adjusted(PADDING, PADDING, -PADDING, -PADDING)
        font: QFont = QFont(option.font)
        line = QFontMetrics(font).lineSpacing()
        bold = QFont(font)
        bold.setBold(True)
        rows = [
            (card.title or "(no name)", bold, pal.color(text_role), Qt.AlignmentFlag.AlignLeft),
            (card.company, font, pal.color(QPalette.ColorRole.PlaceholderText if not pending
                                           else text_role), Qt.AlignmentFlag.AlignLeft),
        ]  # fmt: skip
        for i, (text, face, color, align) in enumerate(rows):
            self._line(painter, QRect(body.left(), body.top() + i * line, body.width(), line),
                       text, face, color, align)  # fmt: skip
        third = QRect(body.left(), body.top() + 2 * line, body.width(), line)
        value_face = QFont(bold)
        self._line(painter, third, card.value, value_face, pal.color(text_role),
                   Qt.AlignmentFlag.AlignLeft)  # fmt: skip
        owner = "Saving…" if pending else card.owner
        close = f"Closes {card.close}" if card.close else ""
        for i, text in ((3, owner), (4, close)):
            self._line(painter, QRect(body.left(), body.top() + i * line, body.width(), line),
                       text, font, pal.color(text_role), Qt.AlignmentFlag.AlignLeft)  # fmt: skip
        painter.restore()

    @staticmethod
    def _line(
        painter: QPainter,
        rect: QRect,
        text: str,
        font: QFont,
        color: object,
        align: Qt.AlignmentFlag,
    ) -> None:
        if not text:
            return
        painter.setFont(font)
        painter.setPen(color)
        elided = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, int(align | Qt.AlignmentFlag.AlignVCenter), elided)
