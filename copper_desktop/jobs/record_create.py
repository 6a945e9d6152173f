"""The ``record_create`` row kind: records an import creates, and the undo that deletes them.

Row data: ``body`` (the create request), ``line`` and ``cells`` (the file row, for the errors
file). Creates go out with ``bulk_create`` (10 a request) where Copper has it (people,
companies, leads), single creates elsewhere, through the client's lost-create handling: a
create whose answer is lost is looked for before it is ever sent again (``api/creates.py``).

A crash (or a pause after an unknown outcome) leaves rows with ``attempts > 0`` and no outcome:
their request may have created the record. ``prepare`` looks for it before anything is sent
again, as the client would (``api/recovery.RecentLike``: same name, ids, e-mails, details,
created since the job was made, minus ten minutes for clock skew): one candidate that no other
row of this job took is this row's (written, ``recovered``); none: the row is sent again;
several: the row fails and asks the user to check (never a second record).

Undo deletes what the job created: a ``record_delete`` job (the kind's ``undo_kind``), one
row per record; ``prepare`` checks the record is still as the import left it
(``date_modified``) and leaves it alone otherwise; ``write`` journals the whole record in the
delete journal
(``copper_desktop.journal``, the folder the job's meta names) **before** the DELETE, so
File ▸ Deleted records can bring it back. A delete job itself cannot be undone (recreate from
the delete journal instead).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Protocol, cast

from copper_desktop.api import BulkItemResult, CopperError, NotFoundError, OutcomeUnknownError
from copper_desktop.api.recovery import RecentLike
from copper_desktop.domain.catalog import Operation, entity
from copper_desktop.journal import DeletionJournal

from .journal import off_loop
from .kinds import ID_SEARCH, JobClient, JobHalted, failure_outcome, fetch_records, register
from .model import Outcome, Reason, Row, RowStatus

__all__ = ["CreateClient", "RecordCreate", "RecordDelete"]

Json = dict[str, Any]
CLOCK_SLACK_S = 600.0
"""How far before the job's creation a recovered record may be dated (clocks differ)."""


class CreateClient(JobClient, Protocol):
    """What creating and deleting rows needs of :class:`CopperClient`."""

    async def create(self, entity: str, body: Json, *, computed: bool = False) -> Json: ...
    async def bulk_create(self, entity: str, items: Sequence[Json]) -> Any: ...
    async def delete(self, entity: str, record_id: int) -> Json: ...


def _id(record: Any) -> int | None:
    value = record.get("id") if isinstance(record, Mapping) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _result(record: Mapping[str, Any]) -> Json:
    return {"id": record.get("id"), "date_modified": record.get("date_modified")}


class RecordCreate:
    """See the module docstring."""

    kind: ClassVar[str] = "record_create"
    undo_kind: ClassVar[str] = "record_delete"
    undoable = True

    def __init__(self, client: JobClient, header: Json) -> None:
        self.client = cast(CreateClient, client)
        self.entity = str(header["entity"])
        self.since = float(header.get("created_at") or time.time()) - CLOCK_SLACK_S
        try:
            bulk = entity(self.entity).supports(Operation.BULK_CREATE)
        except KeyError:
            bulk = False
        self.bulk = bulk
        self.chunk_size = 50
        self.batch_size = 10 if bulk else 1
        self.concurrency = 2 if bulk else 4
        self.rows: Sequence[Row] = ()

    def loaded(self, rows: Sequence[Row]) -> None:
        """Every row of the job (outcomes kept up to date): ids other rows took."""
        self.rows = rows

    def _taken(self) -> set[int]:
        return {
            i
            for r in self.rows
            if r.status is RowStatus.WRITTEN and r.outcome and r.outcome.result
            if (i := _id(r.outcome.result)) is not None
        }

    # ------------------------------------------------------------------ checking
    async def prepare(self, rows: Sequence[Row]) -> dict[int, Outcome | None]:
        decisions: dict[int, Outcome | None] = {r.index: None for r in rows}
        for row in rows:
            if row.attempts:
                decisions[row.index] = await self._recover(row)
        return decisions

    async def _recover(self, row: Row) -> Outcome | None:
        """A create that may have happened: find its record (see the module docstring)."""
        body = dict(row.data.get("body") or {})
        look = RecentLike(cast(Any, self.client), self.entity, body, self.since)
        try:
            found = await look()
        except CopperError as err:
            failure_outcome(err)  # raises JobHalted for key and availability problems
            raise JobHalted(str(err)) from err
        taken = self._taken()
        candidates = [r for r in found if (i := _id(r)) is not None and i not in taken]
        if not candidates:
            return None  # it did not happen: send it
        if len(candidates) == 1:
            record = candidates[0]
            return Outcome.written(_result(record), recovered=True, record=record)
        ids = ", ".join(f"#{_id(r)}" for r in candidates[:5])
        return Outcome.failed(
            Reason.ERROR,
            f"The answer was lost and {len(candidates)} records look like this one ({ids}): "
            "check them before importing this row again.",
        )

    # ------------------------------------------------------------------ writing
    async def write(self, rows: Sequence[Row]) -> dict[int, Outcome]:
        if self.bulk:
            items = [dict(r.data.get("body") or {}) for r in rows]
            try:
                result = await self.client.bulk_create(self.entity, items)
            except CopperError as err:
                outcome = _failed(err)
                return {r.index: outcome for r in rows}
            return {r.index: _item(item) for r, item in zip(rows, result.items, strict=True)}
        out: dict[int, Outcome] = {}
        for row in rows:
            try:
                record = await self.client.create(self.entity, dict(row.data.get("body") or {}))
            except CopperError as err:
                out[row.index] = _failed(err)
            else:
                out[row.index] = Outcome.written(_result(record), record=record)
        return out

    # ------------------------------------------------------------------ undo and ledger
    def undo_rows(self, rows: Sequence[Row]) -> tuple[Json, list[Json]]:
        """``record_delete`` rows for every record the job created."""
        undo = []
        for r in rows:
            result = (r.outcome.result or {}) if r.outcome else {}
            if _id(result) is None:
                continue
            undo.append({"key": result["id"], "label": r.label,
                         "data": {"id": result["id"],
                                  "date_modified": result.get("date_modified")}})  # fmt: skip
        return {}, undo

    def describe(self, row: Row) -> dict[str, str]:
        result = (row.outcome.result or {}) if row.outcome else {}
        created = f"#{result['id']}" if _id(result) is not None else ""
        return {"line": str(row.data.get("line") or ""), "created": created}


def _failed(err: CopperError) -> Outcome:
    if isinstance(err, OutcomeUnknownError):
        # Maybe created: pause; resuming looks for it before anything is sent again.
        raise JobHalted(str(err)) from err
    return failure_outcome(err)


def _item(item: BulkItemResult) -> Outcome:
    if item.record is not None:
        return Outcome.written(_result(item.record), recovered=item.recovered, record=item.record)
    if item.error is not None and not item.errors:
        return _failed(item.error)
    return Outcome.failed(Reason.INVALID, item.message)


class RecordDelete:
    """The undo of an import's creates: delete each record the import made, unless someone
    changed it since (its ``date_modified``), journaled in the delete journal first."""

    kind: ClassVar[str] = "record_delete"
    undoable = False
    chunk_size = ID_SEARCH
    batch_size = 1
    concurrency = 4

    def __init__(self, client: JobClient, header: Json) -> None:
        meta = header.get("meta") or {}
        self.client = cast(CreateClient, client)
        self.entity = str(header["entity"])
        folder = meta.get("journal_dir")
        self.journal = DeletionJournal(Path(folder)) if isinstance(folder, str) else None
        self._current: dict[int, Json] = {}

    async def prepare(self, rows: Sequence[Row]) -> dict[int, Outcome | None]:
        ids = [int(r.data["id"]) for r in rows]
        try:
            current = await fetch_records(self.client, self.entity, ids)
        except CopperError as err:
            failure_outcome(err)
            raise JobHalted(str(err)) from err
        decisions: dict[int, Outcome | None] = {}
        for row in rows:
            record = current.get(int(row.data["id"]))
            if record is None:
                if row.attempts:
                    decisions[row.index] = Outcome.written({"id": row.data["id"]}, recovered=True)
                else:
                    decisions[row.index] = Outcome.skipped(Reason.NO_CHANGE, "Deleted already.")
            elif record.get("date_modified") != row.data.get("date_modified"):
                decisions[row.index] = Outcome.skipped(
                    Reason.CONFLICT, "Changed in Copper since the import created it: kept."
                )
            else:
                self._current[row.index] = record
                decisions[row.index] = None
        return decisions

    async def write(self, rows: Sequence[Row]) -> dict[int, Outcome]:
        return {r.index: await self._delete(r) for r in rows}

    async def _delete(self, row: Row) -> Outcome:
        record = self._current.pop(row.index, None) or {"id": row.data["id"]}
        journal = self.journal
        entry = await off_loop(journal.begin, self.entity, record) if journal else None
        try:
            await self.client.delete(self.entity, int(row.data["id"]))
        except NotFoundError:
            pass
        except OutcomeUnknownError as err:
            raise JobHalted(str(err)) from err  # the entry stays pending; resuming checks
        except CopperError as err:
            if entry is not None and journal is not None:
                await off_loop(journal.finish, entry.id, False)
            return failure_outcome(err)
        if entry is not None and journal is not None:
            await off_loop(journal.finish, entry.id, True)
        return Outcome.written({"id": row.data["id"], "deleted": True})

    def undo_rows(self, rows: Sequence[Row]) -> tuple[Json, list[Json]]:
        raise NotImplementedError("deletes are brought back from the delete journal")

    def describe(self, row: Row) -> dict[str, str]:
        return {"record": f"#{row.data.get('id')}"}


register(RecordCreate.kind, RecordCreate)
register(RecordDelete.kind, RecordDelete)
