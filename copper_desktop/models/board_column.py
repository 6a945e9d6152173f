"""The pipeline board's columns: which entities a board shows and how (`BoardKind`), a card's
texts, and `BoardColumn`, the list model of one column's cards with its count and total.

The board (`models.board.BoardModel`) loads pages into the columns and saves moves; a column
is what one column view shows, and where a dragged card is dropped (`dropMimeData`). QtCore
only.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from copper_desktop.domain.catalog import ENTITIES, EntitySpec
from copper_desktop.domain.formats import format_money

if TYPE_CHECKING:
    from copper_desktop.models.board import BoardModel

Record = dict[str, Any]
ModelIndex = QModelIndex | QPersistentModelIndex

MIME_TYPE: Final = "application/x-copper-board-card"
"""What a dragged card carries: {"entity", "id", "group"} as JSON."""

_USER: Final = int(Qt.ItemDataRole.UserRole)
RecordRole: Final = _USER + 1
"""The whole record."""
CardRole: Final = _USER + 2
"""The card's texts (`Card`)."""
PendingRole: Final = _USER + 3
"""True while the card's move is being saved."""
_DISPLAY: Final = int(Qt.ItemDataRole.DisplayRole)
_ACCESSIBLE: Final = int(Qt.ItemDataRole.AccessibleTextRole)
_ROOT: Final = QModelIndex()


@dataclass(frozen=True, slots=True)
class BoardKind:
    """An entity on a board: the field its columns group by and the search filter for one
    column; `filter_keys` are the filter bar's filters; `sorts` (sort_by, direction, label)."""

    key: str
    group_field: str
    group_filter: str
    group_label: str
    filter_keys: tuple[str, ...]
    sorts: tuple[tuple[str, str, str], ...]

    @property
    def spec(self) -> EntitySpec:
        return ENTITIES[self.key]

    @property
    def by_pipeline(self) -> bool:
        """Opportunities are grouped per pipeline; leads have one set of statuses."""
        return self.key == "opportunities"


OPPORTUNITY_BOARD: Final = BoardKind(
    "opportunities",
    "pipeline_stage_id",
    "pipeline_stage_ids",
    "Stage",
    ("name", "assignee_ids", "status_ids", "tags"),
    (
        ("value", "desc", "Value, highest first"),
        ("close_date", "asc", "Close date"),
        ("name", "asc", "Name"),
        ("date_modified", "desc", "Recently changed"),
    ),
)
LEAD_BOARD: Final = BoardKind(
    "leads",
    "status_id",
    "status_ids",
    "Status",
    ("name", "assignee_ids", "tags"),
    (
        ("value", "desc", "Value, highest first"),
        ("name", "asc", "Name"),
        ("date_modified", "desc", "Recently changed"),
    ),
)
BOARD_KINDS: Final = (OPPORTUNITY_BOARD, LEAD_BOARD)


def board_spec(kind: BoardKind) -> EntitySpec:
    """The entity's spec with only the board's filters (what its filter bar offers)."""
    spec = kind.spec
    return dataclasses.replace(spec, filters=tuple(spec.filter(k) for k in kind.filter_keys))


@dataclass(frozen=True, slots=True)
class Card:
    """What a card shows, and its accessible name."""

    title: str
    company: str
    value: str
    owner: str
    close: str

    @property
    def accessible(self) -> str:
        parts = [self.title or "(no name)"]
        parts += [p for p in (self.company, self.value, self.owner) if p]
        if self.close:
            parts.append(f"closes {self.close}")
        return ", ".join(parts)


def amount(record: Mapping[str, Any]) -> tuple[float, str]:
    """A record's value in the account's currency (Copper's `converted_value` when the record
    is in another currency), and that currency."""
    converted, unit = _number(record.get("converted_value")), record.get("converted_unit")
    if converted is not None and isinstance(unit, str) and unit:
        return converted, unit
    own = record.get("monetary_unit")
    return _number(record.get("monetary_value")) or 0.0, (own if isinstance(own, str) else "")


def _number(value: object) -> float | None:
    """A finite JSON number as a float; None for anything else (null, text, NaN)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value == value:
        return float(value) if abs(value) != float("inf") else None
    return None


def record_id_of(record: Mapping[str, Any]) -> int | None:
    value = record.get("id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def total_text(value: float, currency: str, *, complete: bool) -> str:
    """ "$12,000.00 USD", or "≥ $12,000.00 USD…" while only part of a column was added up."""
    money = format_money(round(value, 2), currency or None)
    return money if complete else f"≥ {money}…"


class BoardColumn(QAbstractListModel):
    """One stage's cards (a list model a view shows) and its count and total.

    Signals:
        header_changed(): count, total, loading or error changed.
    """

    header_changed = Signal()

    def __init__(self, board: BoardModel, group_id: int, name: str) -> None:
        super().__init__(board)
        self.board = board
        self.group_id = group_id
        self.name = name
        self.records: list[Record] = []
        self._cards: list[Card | None] = []
        self._ids: set[int] = set()
        self.pending: set[int] = set()
        self.count: int | None = None
        self.next_page = 1
        self.exhausted = False
        self.loading = False
        self.error: str | None = None
        # the totals: every record id counted, with its amount and status
        self.counted: dict[int, tuple[float, str | None]] = {}
        self.total = 0.0
        self.by_status: dict[str, float] = {}
        self.currency = ""
        self.walk_next = 1
        self.walk_done = False
        self.walk_shifted = False

    # ------------------------------------------------------------------ state

    @property
    def complete(self) -> bool:
        """Whether `total` is the sum of every record of the column (not a lower bound)."""
        return self.walk_done or (self.exhausted and len(self.counted) >= (self.count or 0))

    def total_text(self) -> str:
        return total_text(self.total, self.currency, complete=self.complete)

    def total_tooltip(self) -> str:
        noun = self.board.kind.spec.plural_label.lower()
        if self.complete:
            return f"Sum of all {len(self.counted):,} {noun} in {self.name}."
        return (
            f"Sum of the {len(self.counted):,} of {self.count or 0:,} {noun} added up so far; "
            "the rest is being added up in the background."
        )

    def row_of(self, record_id: int) -> int:
        for row, record in enumerate(self.records):
            if record.get("id") == record_id:
                return row
        return -1

    def record(self, row: int) -> Record | None:
        return self.records[row] if 0 <= row < len(self.records) else None

    def card(self, row: int) -> Card:
        card = self._cards[row]
        if card is None:
            card = self._cards[row] = self.board.card_of(self.records[row])
        return card

    # ------------------------------------------------------------------ changes

    def append(self, records: Sequence[Record]) -> None:
        """Cards of a page (ids already shown are skipped: pages shift when records move)."""
        fresh = [r for r in records if (i := record_id_of(r)) is not None and i not in self._ids]
        if not fresh:
            return
        first = len(self.records)
        self.beginInsertRows(_ROOT, first, first + len(fresh) - 1)
        self.records.extend(fresh)
        self._cards.extend([None] * len(fresh))
        self._ids.update(i for r in fresh if (i := record_id_of(r)) is not None)
        self.endInsertRows()

    def insert(self, row: int, record: Record) -> None:
        row = max(0, min(row, len(self.records)))
        self.beginInsertRows(_ROOT, row, row)
        self.records.insert(row, record)
        self._cards.insert(row, None)
        if (record_id := record_id_of(record)) is not None:
            self._ids.add(record_id)
        self.endInsertRows()

    def take(self, record_id: int) -> tuple[int, Record] | None:
        row = self.row_of(record_id)
        if row < 0:
            return None
        self.beginRemoveRows(_ROOT, row, row)
        record = self.records.pop(row)
        del self._cards[row]
        self._ids.discard(record_id)
        self.endRemoveRows()
        return row, record

    def replace(self, record: Record) -> None:
        row = self.row_of(record_id_of(record) or -1)
        if row >= 0:
            self.records[row] = record
            self._cards[row] = None
            self.dataChanged.emit(self.index(row), self.index(row))

    def set_pending(self, record_id: int, pending: bool) -> None:
        (self.pending.add if pending else self.pending.discard)(record_id)
        row = self.row_of(record_id)
        if row >= 0:
            self.dataChanged.emit(self.index(row), self.index(row), [PendingRole])

    def repaint(self) -> None:
        """Names arrived: card texts are made again."""
        self._cards = [None] * len(self.records)
        if self.records:
            self.dataChanged.emit(self.index(0), self.index(len(self.records) - 1))

    def add_up(self, records: Sequence[Record]) -> None:
        """Count records into the total (each id once)."""
        status_of = self.board.kind.by_pipeline
        for record in records:
            record_id = record_id_of(record)
            if record_id is None or record_id in self.counted:
                continue
            value, unit = amount(record)
            status = record.get("status") if status_of else None
            self.add_counted(record_id, value, status if isinstance(status, str) else None)
            self.currency = self.currency or unit

    def add_counted(self, record_id: int, value: float, status: str | None) -> None:
        self.counted[record_id] = (value, status)
        self.total += value
        if status is not None:
            self.by_status[status] = self.by_status.get(status, 0.0) + value

    def remove_counted(self, record_id: int) -> tuple[float, str | None] | None:
        entry = self.counted.pop(record_id, None)
        if entry is not None:
            value, status = entry
            self.total -= value
            if status is not None:
                self.by_status[status] = self.by_status.get(status, 0.0) - value
        return entry

    def reset_totals(self) -> None:
        self.counted.clear()
        self.total = 0.0
        self.by_status = {}
        self.walk_next = 1
        self.walk_done = False
        self.walk_shifted = False

    # ------------------------------------------------------------------ Qt model API

    def rowCount(self, parent: ModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.records)

    def data(self, index: ModelIndex, role: int = _DISPLAY) -> Any:
        row = index.row()
        if not index.isValid() or not 0 <= row < len(self.records):
            return None
        if role == _DISPLAY:
            return self.card(row).title
        if role == _ACCESSIBLE:
            return self.card(row).accessible
        if role == CardRole:
            return self.card(row)
        if role == RecordRole:
            return self.records[row]
        if role == PendingRole:
            return self.records[row].get("id") in self.pending
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        # Drop-enabled too: a card dropped on another card lands in the column all the same.
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        flags |= Qt.ItemFlag.ItemIsDropEnabled
        if self.records[index.row()].get("id") not in self.pending:
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        return flags | Qt.ItemFlag.ItemNeverHasChildren

    def canFetchMore(self, parent: ModelIndex) -> bool:
        """More cards wait on the server: the view asks this when scrolled to its end."""
        return (
            not parent.isValid()
            and not self.loading
            and not self.exhausted
            and self.error is None
            and self.count is not None
            and self.next_page > 1
        )

    def fetchMore(self, parent: ModelIndex) -> None:
        if self.canFetchMore(parent):
            self.board.load_more(self)

    # --- drag and drop ---

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        data = QMimeData()
        rows = [i.row() for i in indexes if i.isValid() and 0 <= i.row() < len(self.records)]
        if rows:
            payload = {"entity": self.board.kind.key, "id": self.records[rows[0]].get("id"),
                       "group": self.group_id}  # fmt: skip
            data.setData(MIME_TYPE, QByteArray(json.dumps(payload).encode()))
        return data

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: ModelIndex
    ) -> bool:
        card = self.board.dropped_card(data)
        return card is not None and card[1] != self.group_id

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: ModelIndex
    ) -> bool:
        """A card dropped here: the board saves its move (the view's drop lands here)."""
        card = self.board.dropped_card(data)
        if card is None or card[1] == self.group_id:
            return False
        return self.board.move(card[0], self.group_id)
