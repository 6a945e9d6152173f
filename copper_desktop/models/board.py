"""The pipeline board's data: one column per stage (or lead status), loaded lazily, with counts,
totals and moves saved through the editor's conflict-checked save.

Why it is built this way:

- A pipeline may hold 50,000 opportunities, so nothing loads them all up front. Each column
  asks for its first page (`pipeline_stage_ids: [stage]`, 200 records) at most
  `max_concurrent` columns at a time, stage by stage; X-PW-TOTAL gives its count. Further
  pages load when the column's view scrolls to its end (Qt's `canFetchMore`/`fetchMore`).
- Copper has no sum endpoint, so a column's total is exact only once every record was seen.
  Columns whose first page is short are exact at once. Bigger ones are added up by a single
  background walk (one request at a time, `walk_pause` seconds apart so the 180 per minute
  budget stays mostly the user's, paused while cards load or the board is hidden). Until a
  column's walk ends its total is a lower bound, and says so (`BoardColumn.complete`).
- A move is optimistic: the card goes to its new column at once and comes back if the save
  fails. The save is `models.record_save.save` on a one-field `RecordModel`: it re-reads the
  record, refuses on a changed `date_modified` (conflict) and PUTs only the grouping field.
  Undo moves it back the same way.

QtCore only: the board's widgets (``ui/board``) observe this model.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, Protocol

from PySide6.QtCore import QMimeData, QObject, Signal

from copper_desktop.api.search import SearchClient
from copper_desktop.domain.catalog import LookupKind
from copper_desktop.domain.display import format_field
from copper_desktop.models.actions import ActionRunner, Failure
from copper_desktop.models.board_column import (
    LEAD_BOARD,
    MIME_TYPE,
    OPPORTUNITY_BOARD,
    BoardColumn,
    BoardKind,
    Card,
    Record,
    amount,
    record_id_of,
)
from copper_desktop.models.lookups import Lookups
from copper_desktop.models.record_model import RecordModel
from copper_desktop.models.record_save import RecordClient, SaveOutcome, save


def _short_date(text: str) -> str:
    """ "2019-08-27" (the display's form) as "27 Aug 2019": a card is narrow."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return text
    return f"{day.day} {day:%b %Y}"


__all__ = ["LEAD_BOARD", "OPPORTUNITY_BOARD", "BoardColumn", "BoardKind", "BoardModel", "Card"]

PAGE_SIZE: Final = 200
"""Copper's largest page: a column's cards come 200 at a time."""
WALK_PAUSE_S: Final = 0.5
"""Between two pages of the totals walk: at most 120 of the 180 requests a minute."""


class BoardClient(SearchClient, RecordClient, Protocol):
    """The part of `CopperClient` the board uses (a fake at this seam is enough)."""

    async def lead_statuses(self) -> list[dict[str, Any]]: ...


@dataclass(frozen=True, slots=True)
class Move:
    """One saved move, for undo: the record went from one group to another."""

    record_id: int
    from_group: int
    to_group: int


class BoardModel(QObject):
    """A board over an entity: its columns, their loading, totals, moves and undo.

    Signals:
        columns_reset(): the columns were rebuilt (another pipeline, filters, sort).
        message(str, bool): a result to show (text, is_error): a move saved or refused.
        busy_changed(bool): whether any column page is loading.
        totals_changed(): a count or total changed (the chart repaints).
        undo_changed(bool): whether there is a move to undo.
    """

    columns_reset = Signal()
    message = Signal(str, bool)
    busy_changed = Signal(bool)
    totals_changed = Signal()
    undo_changed = Signal(bool)

    def __init__(
        self,
        client: BoardClient,
        lookups: Lookups,
        *,
        page_size: int = PAGE_SIZE,
        max_concurrent: int = 2,
        walk: bool = True,
        walk_pause: float = WALK_PAUSE_S,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("boardModel")
        self.client = client
        self.lookups = lookups
        self.page_size = page_size
        self.max_concurrent = max_concurrent
        self.walk_enabled = walk
        self.walk_pause = walk_pause
        self.runner = ActionRunner(self)
        self.kind = OPPORTUNITY_BOARD
        self.pipeline_id: int | None = None
        self.filters: dict[str, Any] = {}
        self.sort: tuple[str, str] = OPPORTUNITY_BOARD.sorts[0][:2]
        self.columns: list[BoardColumn] = []
        self.requests = 0
        """Searches this board sent (figures for the report and tests)."""
        self.active = True
        """Whether the board is shown: the totals walk waits while it is not."""
        self._generation = 0
        self._queue: list[BoardColumn] = []
        self._inflight = 0
        self._busy = False
        self._undo: list[Move] = []
        self._lead_statuses: list[tuple[int, str]] | None = None
        self._wake = asyncio.Event()
        lookups.names_resolved.connect(self._repaint)
        lookups.loaded.connect(self._on_lookups_loaded)

    # ------------------------------------------------------------------ choosing

    def pipelines(self) -> list[tuple[int, str]]:
        """Opportunity pipelines (project pipelines left out)."""
        return self.lookups.choices(LookupKind.PIPELINES)

    def groups(self) -> list[tuple[int, str]]:
        """The columns' (id, name) in order: the pipeline's stages, or the lead statuses."""
        if self.kind.by_pipeline:
            return self.lookups.stages(self.pipeline_id) if self.pipeline_id is not None else []
        return list(self._lead_statuses or [])

    def set_board(
        self,
        kind: BoardKind,
        pipeline_id: int | None = None,
        *,
        sort: tuple[str, str] | None = None,
        filters: Mapping[str, Any] | None = None,
    ) -> None:
        """Show `kind` (for opportunities: one pipeline, the first when None or when the
        loaded lookups no longer know it), loaded once; `sort` (one of the kind's, else its
        first) and `filters` set with it (a remembered board), else kept for the same kind."""
        if kind != self.kind:
            self.sort = kind.sorts[0][:2]
            self.filters = {}
        if sort is not None:
            self.sort = sort if sort in [s[:2] for s in kind.sorts] else kind.sorts[0][:2]
        if filters is not None:
            self.filters = dict(filters)
        self.kind = kind
        if kind.by_pipeline:
            known = [p for p, _name in self.pipelines()]
            if pipeline_id is None or (self.lookups.is_loaded and pipeline_id not in known):
                pipeline_id = known[0] if known else None
        self.pipeline_id = pipeline_id if kind.by_pipeline else None
        self.reload()

    def set_filters(self, filters: Mapping[str, Any]) -> None:
        self.filters = dict(filters)
        self.reload()

    def set_sort(self, sort_by: str, direction: str) -> None:
        self.sort = (sort_by, direction)
        self.reload()

    def set_walking(self, on: bool) -> None:
        """Whether totals are added up in the background (off: they stay lower bounds)."""
        self.walk_enabled = on
        if on:
            self._maybe_walk()
        else:
            self.runner.cancel("walk")

    def set_active(self, active: bool) -> None:
        self.active = active
        if active:
            self._wake.set()

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        """Rebuild the columns and load each one's first page, stage by stage."""
        self._generation += 1
        for key in ("walk", "statuses"):
            self.runner.cancel(key)
        for column in self.columns:
            self.runner.cancel(f"page {column.group_id}")
            column.deleteLater()
        self._inflight = 0
        self._undo.clear()
        self.undo_changed.emit(False)
        if not self.kind.by_pipeline and self._lead_statuses is None:
            self.columns = []
            self.columns_reset.emit()
            self.runner.run(
                self.client.lead_statuses(),
                success=self._set_statuses,
                failure=lambda f: self.message.emit(f.message, True),
                what="Could not load the lead statuses",
                key="statuses",
            )
            return
        self.columns = [BoardColumn(self, gid, name) for gid, name in self.groups()]
        self._queue = list(self.columns)
        self.columns_reset.emit()
        self.totals_changed.emit()
        self._pump()

    def _set_statuses(self, statuses: list[dict[str, Any]]) -> None:
        ordered = sorted(
            (s for s in statuses if isinstance(s, Mapping) and record_id_of(s) is not None),
            key=lambda s: (s.get("order") if isinstance(s.get("order"), int) else 0, s["id"]),
        )
        self._lead_statuses = [(s["id"], str(s.get("name") or s["id"])) for s in ordered]
        self.reload()

    def _on_lookups_loaded(self) -> None:
        if self.kind.by_pipeline and not self.columns:
            self.set_board(self.kind, self.pipeline_id)
        else:
            self._repaint()

    def _repaint(self) -> None:
        for column in self.columns:
            column.repaint()

    def _body(self, column: BoardColumn) -> dict[str, Any]:
        body = dict(self.filters)
        body[self.kind.group_filter] = [column.group_id]
        return body

    async def _page(self, column: BoardColumn, page: int) -> tuple[list[Record], int | None]:
        self.requests += 1
        sort_by, direction = self.sort
        answer = await self.client.search(
            self.kind.key,
            self._body(column),
            page_number=page,
            page_size=self.page_size,
            sort_by=sort_by,
            sort_direction=direction,
        )
        records = [r for r in answer.records if isinstance(r, dict)]
        return records, answer.total

    def _pump(self) -> None:
        while self._queue and self._inflight < self.max_concurrent:
            self._start(self._queue.pop(0))
        self._update_busy()

    def load_more(self, column: BoardColumn) -> None:
        """The column's view reached its end: its next page (before other columns' first)."""
        if column in self.columns and not column.loading and not column.exhausted:
            self._start(column)
            self._update_busy()

    def retry(self, column: BoardColumn) -> None:
        column.error = None
        self.load_more(column)

    def _start(self, column: BoardColumn) -> None:
        page = column.next_page
        generation = self._generation
        column.loading = True
        column.header_changed.emit()
        self._inflight += 1

        def arrived(answer: tuple[list[Record], int | None]) -> None:
            self._arrived(column, page, *answer)

        def failed(failure: Failure) -> None:
            column.error = failure.message

        def done() -> None:
            if generation != self._generation:
                return
            self._inflight -= 1
            column.loading = False
            column.header_changed.emit()
            self._pump()
            self._maybe_walk()

        self.runner.run(
            self._page(column, page),
            success=arrived,
            failure=failed,
            done=done,
            what=f"Could not load {column.name}",
            key=f"page {column.group_id}",
        )

    def _arrived(
        self, column: BoardColumn, page: int, records: list[Record], total: int | None
    ) -> None:
        column.next_page = page + 1
        if page == 1:
            column.count = total if total is not None else len(records)
        short = len(records) < self.page_size
        if short:
            column.exhausted = True
            column.count = (page - 1) * self.page_size + len(records)
        column.append(records)
        column.add_up(records)
        if column.walk_next == page:
            column.walk_next = page + 1
            column.walk_done = short
        self._resolve_companies(records)
        column.header_changed.emit()
        self.totals_changed.emit()

    def _resolve_companies(self, records: Sequence[Record]) -> None:
        """Company names the records do not carry themselves (cards show them when known)."""
        ids = [r.get("company_id") for r in records if not r.get("company_name")]
        if self.lookups.unknown(LookupKind.COMPANIES, ids):
            self.runner.run(
                self.lookups.resolve(LookupKind.COMPANIES, ids),
                failure=lambda _failure: None,  # the cards show no company name, nothing worse
                what="Company names",
            )

    def _update_busy(self) -> None:
        busy = self._inflight > 0
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)

    @property
    def busy(self) -> bool:
        return self._busy

    # ------------------------------------------------------------------ totals walk

    @property
    def complete(self) -> bool:
        """Whether every column's total is exact."""
        return all(c.complete for c in self.columns)

    def _maybe_walk(self) -> None:
        if (
            self.walk_enabled
            and not self._queue
            and self._inflight == 0
            and not self.runner.running("walk")
            and not self.complete
        ):
            self.runner.run(
                self._walk(self._generation),
                failure=lambda f: self.message.emit(f"{f.message} (totals stay partial)", True),
                what="Could not add up the totals",
                key="walk",
            )
        self._wake.set()

    async def _walk(self, generation: int) -> None:
        """Add up every column not yet complete, smallest first, one page at a time."""
        while generation == self._generation:
            todo = [c for c in self.columns if not c.complete and c.error is None]
            if not todo:
                return
            column = min(todo, key=lambda c: c.count or 0)
            while not self.active or self._inflight:
                self._wake.clear()
                await self._wake.wait()
                if generation != self._generation:
                    return
            page = column.walk_next
            records, _total = await self._page(column, page)
            if generation != self._generation:
                return
            column.add_up(records)
            column.walk_next = page + 1
            if len(records) < self.page_size:
                if column.walk_shifted:  # a record left while we walked: a page slid past
                    column.reset_totals()
                    column.add_up(column.records)
                else:
                    column.walk_done = True
                    column.count = len(column.counted)
            column.header_changed.emit()
            self.totals_changed.emit()
            if self.walk_pause:
                await asyncio.sleep(self.walk_pause)

    # ------------------------------------------------------------------ cards

    def card_of(self, record: Mapping[str, Any]) -> Card:
        spec = self.kind.spec
        name_of = self.lookups.name

        def text(key: str) -> str:
            if not spec.has_field(key):
                return ""
            return format_field(spec.field(key), record, name_of, compact=True)

        company = text("company_id") if self.kind.by_pipeline else text("company_name")
        return Card(
            title=str(record.get("name") or ""),
            company=company,
            value=text("monetary_value"),
            owner=text("assignee_id"),
            close=_short_date(text("close_date")),
        )

    def column_of(self, group_id: int) -> BoardColumn | None:
        return next((c for c in self.columns if c.group_id == group_id), None)

    def find(self, record_id: int) -> BoardColumn | None:
        return next((c for c in self.columns if c.row_of(record_id) >= 0), None)

    def dropped_card(self, data: QMimeData) -> tuple[int, int] | None:
        """(record id, group) of a card dragged from this board, None for anything else."""
        if not data.hasFormat(MIME_TYPE):
            return None
        try:
            payload = json.loads(bytes(data.data(MIME_TYPE).data()).decode())
        except (ValueError, UnicodeDecodeError):
            return None
        record_id, group = payload.get("id"), payload.get("group")
        if payload.get("entity") != self.kind.key or not isinstance(record_id, int):
            return None
        return (record_id, group) if isinstance(group, int) else None

    # ------------------------------------------------------------------ moves

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    def move(self, record_id: int, to_group: int, *, undoing: Move | None = None) -> bool:
        """Move a card to another column and save it; False when it cannot move now."""
        source, target = self.find(record_id), self.column_of(to_group)
        if source is None or target is None or source is target or record_id in source.pending:
            return False
        taken = source.take(record_id)
        assert taken is not None
        row, record = taken
        target.insert(0, record)
        target.set_pending(record_id, True)
        self._shift_totals(record_id, record, source, target)
        generation = self._generation

        def outcome(result: SaveOutcome) -> None:
            if generation != self._generation:  # the board was reloaded meanwhile
                if result.ok:
                    self.message.emit(f"Moved “{record.get('name')}” to {target.name}.", False)
                else:
                    self.message.emit(self._refusal(result, record, source), True)
                return
            target.set_pending(record_id, False)
            if result.ok and result.record is not None:
                target.replace(dict(result.record))
                if undoing is None:
                    self._undo.append(Move(record_id, source.group_id, target.group_id))
                self.undo_changed.emit(bool(self._undo))
                verb = "Moved back" if undoing else "Moved"
                self.message.emit(f"{verb} “{record.get('name')}” to {target.name}.", False)
                return
            self._put_back(record_id, row, source, target)
            self.message.emit(self._refusal(result, record, source), True)

        def failed(failure: Failure) -> None:
            if generation == self._generation:
                target.set_pending(record_id, False)
                self._put_back(record_id, row, source, target)
                self.message.emit(f"{failure.message} The card is back in {source.name}.", True)

        self.runner.run(
            self._save_group(record, to_group),
            success=outcome,
            failure=failed,
            what=f"Could not move “{record.get('name')}”",
        )
        return True

    def undo(self) -> bool:
        """Ctrl+Z: move the last moved card back (saved the same way); False if none."""
        while self._undo:
            last = self._undo.pop()
            self.undo_changed.emit(bool(self._undo))
            if self.move(last.record_id, last.from_group, undoing=last):
                return True
        return False

    async def _save_group(self, record: Record, group_id: int) -> SaveOutcome:
        spec = self.kind.spec
        model = RecordModel(
            spec, (spec.field(self.kind.group_field),), record, self.lookups.definitions
        )
        model.set_value(self.kind.group_field, group_id)
        return await save(model, self.client)

    def _put_back(self, record_id: int, row: int, source: BoardColumn, target: BoardColumn) -> None:
        taken = target.take(record_id)
        if taken is not None:
            source.insert(row, taken[1])
            self._shift_totals(record_id, taken[1], target, source)

    def _shift_totals(
        self, record_id: int, record: Record, source: BoardColumn, target: BoardColumn
    ) -> None:
        entry = source.remove_counted(record_id)
        if entry is None:
            value, _unit = amount(record)
            status = record.get("status") if self.kind.by_pipeline else None
            entry = (value, status if isinstance(status, str) else None)
        elif not source.complete:
            source.walk_shifted = True
        target.add_counted(record_id, *entry)
        for column, step in ((source, -1), (target, 1)):
            if column.count is not None:
                column.count = max(0, column.count + step)
            column.header_changed.emit()
        self.totals_changed.emit()

    def _refusal(self, result: SaveOutcome, record: Mapping[str, Any], source: BoardColumn) -> str:
        name = record.get("name") or "This card"
        back = f"The card is back in {source.name}."
        if result.kind == "conflict":
            return (
                f"“{name}” was changed in Copper since the board loaded it, so it was not "
                f"moved. {back} Refresh to see the change."
            )
        detail = "; ".join(result.errors.values()) or result.message
        return f"Copper refused to move “{name}”: {detail.rstrip('.')}. {back}"

    async def aclose(self) -> None:
        """Cancel every request (the window's shutdown)."""
        self._generation += 1
        await self.runner.aclose()
