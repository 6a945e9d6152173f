"""Row kinds: what one row of a job means, how it is checked and how it is written.

The engine is generic: it journals rows, paces them and records outcomes. A kind supplies

* ``prepare(rows)``: look at Copper just before writing (one request for many rows where it
  can) and decide each row: ``None`` (go ahead) or a final :class:`Outcome` (conflict, already
  done, gone). Rows with ``attempts > 0`` may have been applied by a request whose answer was
  lost (a crash, a failed answer): the kind must recognise its own effect and call it written
  (``recovered``), never send it again;
* ``write(rows)``: send one batch (``batch_size`` rows) and return each row's outcome;
* ``undo_rows(rows)``: the rows of the job that reverses the written ones (when
  ``undoable``), and ``describe(row)``: the kind's own ledger columns;
* optionally ``loaded(rows)``: called once with the job's rows (outcomes folded from the
  journal, the same objects updated as the job runs), for kinds whose rows depend on
  earlier ones (a conversion attaching to a company an earlier row created).

Bulk edit and undo are both :class:`RecordUpdate` rows (undo guards on the values the job wrote
instead of ``date_modified``). Lead conversion and CSV import add their own kinds with
:func:`register`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Protocol

from copper_desktop.api import (
    AuthenticationError,
    BulkItemResult,
    CopperError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from copper_desktop.api.search import SearchClient
from copper_desktop.domain.bulk import same_field_value, write_body
from copper_desktop.domain.catalog import Operation, entity
from copper_desktop.domain.custom_fields import get_field_value

from .model import Outcome, Reason, Row

__all__ = [
    "KINDS",
    "JobClient",
    "JobHalted",
    "RecordUpdate",
    "RowKind",
    "failure_outcome",
    "fetch_records",
    "register",
]

Json = dict[str, Any]
ID_SEARCH = 200
"""Copper's largest page: one ``ids`` search checks this many records."""


class JobClient(SearchClient, Protocol):
    """The part of :class:`CopperClient` the built-in kinds use."""

    async def update(self, entity: str, record_id: int, changes: Json, *,
                     computed: bool = False) -> Json: ...  # fmt: skip
    async def bulk_update(self, entity: str, items: Sequence[Json]) -> Any: ...


class JobHalted(Exception):
    """Nothing can proceed (Copper refused the key, or is unreachable after the client's
    retries): the engine pauses the job with this message; rows stay pending."""


class RowKind(Protocol):
    """One kind of row (see the module docstring)."""

    kind: ClassVar[str]
    chunk_size: int
    """Rows handed to one ``prepare`` call."""
    batch_size: int
    """Rows handed to one ``write`` call."""
    concurrency: int
    """Write calls in flight at once (the client's limiter paces them further)."""
    undoable: bool

    async def prepare(self, rows: Sequence[Row]) -> dict[int, Outcome | None]: ...
    async def write(self, rows: Sequence[Row]) -> dict[int, Outcome]: ...
    def undo_rows(self, rows: Sequence[Row]) -> tuple[Json, list[Json]]: ...
    def describe(self, row: Row) -> dict[str, str]: ...


KindFactory = Callable[[JobClient, Json], RowKind]
KINDS: dict[str, KindFactory] = {}
"""Kind name → ``factory(client, job header)``."""


def register(name: str, factory: KindFactory) -> None:
    KINDS[name] = factory


def failure_outcome(err: CopperError) -> Outcome:
    """A per-row Copper error as a ledger outcome; raises JobHalted for job-wide problems."""
    if isinstance(err, AuthenticationError):
        raise JobHalted(str(err)) from err
    if isinstance(err, ValidationError):
        detail = "; ".join(str(e) for e in err.errors) or err.detail or str(err)
        return Outcome.failed(Reason.INVALID, detail)
    if isinstance(err, NotFoundError):
        return Outcome.failed(Reason.NOT_FOUND, str(err))
    if isinstance(err, PermissionDeniedError):
        return Outcome.failed(Reason.FORBIDDEN, err.detail or str(err))
    if err.retryable:
        # 5xx, network, 429 after the client's own retries: whether it applied is unknown, and
        # the next rows would meet the same wall. Pause; resuming checks these rows first.
        raise JobHalted(str(err)) from err
    return Outcome.failed(Reason.ERROR, err.detail or str(err))


async def fetch_records(
    client: JobClient, entity_path: str, ids: Sequence[int], filters: Json | None = None
) -> dict[int, Json]:
    """Records as Copper has them now, by id, with ``ids`` searches of 200 (a preview loads
    the selection this way; missing ids are deleted or not visible). ``filters`` add to each
    search (e.g. ``{"include_converted_leads": True}``)."""
    found: dict[int, Json] = {}
    for start in range(0, len(ids), ID_SEARCH):
        part = list(ids[start : start + ID_SEARCH])
        body = {**(filters or {}), "ids": part}
        page = await client.search(entity_path, body, page_size=ID_SEARCH)
        found.update({r["id"]: r for r in page.records if _is_int(r.get("id"))})
    return found


def _first_copper_error(group: BaseExceptionGroup[Any]) -> CopperError | None:
    for err in group.exceptions:
        if isinstance(err, CopperError):
            return err
        if isinstance(err, BaseExceptionGroup):
            found = _first_copper_error(err)
            if found is not None:
                return found
    return None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class RecordUpdate:
    """Partial updates of existing records: bulk edit, grid save, import updates, undo.

    Row data: ``id``, ``date_modified`` (as previewed), ``before`` and ``after`` (catalog key
    → value, only the fields that change). Header meta: ``entity`` (path), ``guard``:
    ``"date_modified"`` (bulk edit: a record modified since the preview is left alone) or
    ``"values"`` (undo: left alone unless the fields still hold ``before``, what the job
    wrote), and ``types`` (key → catalog field type, for comparing values).
    """

    kind: ClassVar[str] = "record_update"
    undoable = True

    def __init__(self, client: JobClient, header: Json) -> None:
        meta = header.get("meta") or {}
        self.client = client
        self.entity = str(header["entity"])
        self.guard = str(meta.get("guard") or "date_modified")
        self.types: Mapping[str, str] = meta.get("types") or {}
        try:
            bulk = entity(self.entity).supports(Operation.BULK_UPDATE)
        except KeyError:
            bulk = False
        self.bulk = bulk
        self.chunk_size = ID_SEARCH
        self.batch_size = 10 if bulk else 1
        self.concurrency = 4 if bulk else 8

    # ------------------------------------------------------------------ checking
    def holds(self, record: Json, values: Mapping[str, Any]) -> bool:
        return all(
            same_field_value(self.types.get(k), get_field_value(record, k), v)
            for k, v in values.items()
        )

    async def fetch(self, ids: Sequence[int]) -> dict[int, Json]:
        try:
            return await fetch_records(self.client, self.entity, ids)
        except CopperError as err:
            failure_outcome(err)  # raises JobHalted for key and availability problems
            raise JobHalted(str(err)) from err

    async def prepare(self, rows: Sequence[Row]) -> dict[int, Outcome | None]:
        current = await self.fetch([r.data["id"] for r in rows])
        decisions: dict[int, Outcome | None] = {}
        for row in rows:
            decisions[row.index] = self._decide(row, current.get(row.data["id"]))
        return decisions

    def _decide(self, row: Row, record: Json | None) -> Outcome | None:
        if record is None:
            return Outcome.failed(
                Reason.NOT_FOUND, "The record was deleted, or is not visible to this user."
            )
        after = row.data.get("after") or {}
        if self.holds(record, after):
            if row.attempts:
                # Our own request applied it; its answer was lost (crash, dropped connection).
                return Outcome.written(self._result(record), recovered=True, record=record)
            return Outcome.skipped(Reason.NO_CHANGE, "Already holds the new values.")
        if self.guard == "values":
            if not self.holds(record, row.data.get("before") or {}):
                return Outcome.skipped(Reason.CONFLICT, "Changed in Copper since the job wrote it.")
        elif record.get("date_modified") != row.data.get("date_modified"):
            return Outcome.skipped(Reason.CONFLICT, "Changed in Copper since the preview.")
        return None

    @staticmethod
    def _result(record: Json) -> Json:
        return {"date_modified": record.get("date_modified")}

    # ------------------------------------------------------------------ writing
    async def write(self, rows: Sequence[Row]) -> dict[int, Outcome]:
        if self.bulk:
            items = [{"id": r.data["id"], **write_body(r.data["after"])} for r in rows]
            try:
                result = await self.client.bulk_update(self.entity, items)
            except CopperError as err:
                outcome = failure_outcome(err)
                return {r.index: outcome for r in rows}
            except ExceptionGroup as group:
                # CopperClient.bulk_update runs its chunks in a TaskGroup, so a 401/403 comes
                # wrapped in an ExceptionGroup.
                first = _first_copper_error(group)
                if first is None:
                    raise
                outcome = failure_outcome(first)
                return {r.index: outcome for r in rows}
            return {r.index: self._item(item) for r, item in zip(rows, result.items, strict=True)}
        out: dict[int, Outcome] = {}
        for row in rows:
            try:
                record = await self.client.update(
                    self.entity, row.data["id"], write_body(row.data["after"])
                )
            except CopperError as err:
                out[row.index] = failure_outcome(err)
            else:
                out[row.index] = Outcome.written(self._result(record), record=record)
        return out

    def _item(self, item: BulkItemResult) -> Outcome:
        if item.record is not None:
            return Outcome.written(self._result(item.record), record=item.record)
        if item.error is not None and not item.errors:
            return failure_outcome(item.error)
        message = item.message
        if any(e.field == "id" and "not found" in e.message.lower() for e in item.errors):
            return Outcome.failed(Reason.NOT_FOUND, message)
        return Outcome.failed(Reason.INVALID, message)

    # ------------------------------------------------------------------ undo and ledger
    def undo_rows(self, rows: Sequence[Row]) -> tuple[Json, list[Json]]:
        """Rows that write the before-values back where the fields still hold what the job
        wrote; meta for the undo job's header."""
        undo = [
            {
                "key": r.key,
                "label": r.label,
                "data": {
                    "id": r.data["id"],
                    "date_modified": (r.outcome.result or {}).get("date_modified")
                    if r.outcome
                    else None,
                    "before": r.data.get("after") or {},
                    "after": r.data.get("before") or {},
                },
            }
            for r in rows
        ]
        return {"guard": "values", "types": dict(self.types)}, undo

    def describe(self, row: Row) -> dict[str, str]:
        def show(values: Mapping[str, Any]) -> str:
            return json.dumps(values, ensure_ascii=False, sort_keys=True)

        return {
            "before": show(row.data.get("before") or {}),
            "after": show(row.data.get("after") or {}),
        }


register(RecordUpdate.kind, RecordUpdate)
