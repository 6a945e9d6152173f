"""Fakes at the API seam, for fast model and widget tests (every feature still has its
end-to-end test against the sandbox).

``FakeClient`` is an in-memory Copper implementing the client protocols the app declares
(``LookupClient``, ``SearchClient``, ``RecordClient``, ``RelatedClient``, ``JournalClient``,
``JobClient``, ``WebhookClient``, ``StatusSource``, ``ActivitySource``); tests/test_fakes.py
checks that statically and on a smoke case. ``FakeSearch`` fakes the paged model's search
seam (synthetic records, server-side sort and paging, delays, gates, failures).
"""

from __future__ import annotations

import asyncio
import copy
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from copper_desktop.api import (
    SINGULAR,
    BulkItemResult,
    BulkResult,
    ClientEvent,
    ClientStatus,
    NotFoundError,
    SearchPage,
)
from copper_desktop.models.paged import Column

Json = dict[str, Any]
Record = dict[str, Any]

LOOKUP_LISTS = (
    "users",
    "contact_types",
    "lead_statuses",
    "customer_sources",
    "loss_reasons",
    "pipelines",
    "custom_activity_types",
    "custom_field_definitions",
    "tags",
)
WRITES = frozenset(
    {"create", "update", "delete", "bulk_update", "bulk_create", "create_webhook",
     "delete_webhook"}
)  # fmt: skip


class Call(NamedTuple):
    """One call the fake answered: the method's name and its arguments (``args[0]`` is the
    entity for record calls)."""

    method: str
    args: tuple[Any, ...]


def _matches(record: Record, key: str, wanted: Any) -> bool:
    if key == "ids":
        return record.get("id") in wanted
    if key == "name":
        return str(wanted).casefold() in str(record.get("name", "")).casefold()
    if key not in record:
        return True  # a filter the fake does not know narrows nothing
    value = record[key]
    if isinstance(wanted, list):
        return value in wanted
    return bool(value == wanted)


def _sort_key(sort_by: str) -> Callable[[Record], tuple[bool, str, int]]:
    def key(record: Record) -> tuple[bool, str, int]:
        value = record.get(sort_by)
        text = f"{value:020.6f}" if isinstance(value, int | float) else str(value or "").casefold()
        return value is None, text, int(record.get("id", 0))

    return key


@dataclass
class FakeClient:
    """An in-memory Copper: ``records`` by entity path (``"people"``) and id.

    ``search`` serves ``ids``, ``name`` (a case-insensitive substring) and equality filters
    on keys the records have, sorted and paged like Copper; ``create``/``update``/``delete``
    change the records (ids and ``date_modified`` from a counter), and a created activity is
    listed by ``record_activities`` of its parent. ``related`` holds each record's related
    items (``(entity, id)`` → ``[{id, type}]``); ``lookups`` the account's lists (keys of
    ``LOOKUP_LISTS``, and ``"activity_types"``).

    Knobs: every call is logged in ``calls``, then waits for ``gate`` when set (only the
    methods in ``gated`` when that is set), then raises ``fail[method]`` when set.
    """

    records: dict[str, dict[int, Record]] = field(default_factory=dict)
    related: dict[tuple[str, int], list[Json]] = field(default_factory=dict)
    lookups: dict[str, Any] = field(default_factory=dict)
    fail: dict[str, BaseException] = field(default_factory=dict)
    gate: asyncio.Event | None = None
    gated: frozenset[str] | None = None
    calls: list[Call] = field(default_factory=list)
    current_status: ClientStatus = field(
        default_factory=lambda: ClientStatus(0, 0, 170, 170, 60.0, 0.0)
    )
    observers: list[Callable[[ClientEvent], None]] = field(default_factory=list)
    clock: int = 1_700_000_000
    """The last ``date_modified`` given; each write moves it on by one."""
    last_id: int = 0
    """The last id taken (by a created record, or held at the start)."""

    def __post_init__(self) -> None:
        self._take_held_ids()

    # ------------------------------------------------------------------ the knobs
    async def _enter(self, method: str, *args: Any) -> None:
        self.calls.append(Call(method, args))
        if self.gate is not None and (self.gated is None or method in self.gated):
            await self.gate.wait()
        if method in self.fail:
            raise self.fail[method]

    def called(self, method: str) -> list[tuple[Any, ...]]:
        """The arguments of each call of ``method``, in order."""
        return [c.args for c in self.calls if c.method == method]

    @property
    def searches(self) -> list[tuple[str, Json]]:
        """``(entity, filters)`` of each search."""
        return [(args[0], args[1]) for args in self.called("search")]

    @property
    def writes(self) -> list[Call]:
        return [c for c in self.calls if c.method in WRITES]

    # ------------------------------------------------------------------ records
    def table(self, entity: str) -> dict[int, Record]:
        return self.records.setdefault(entity, {})

    def _tick(self) -> int:
        self.clock += 1
        return self.clock

    def _take_held_ids(self) -> None:
        self.last_id = max([self.last_id, *(i for table in self.records.values() for i in table)])

    def _new_id(self) -> int:
        """Above every id given or held so far: Copper never reuses one."""
        self._take_held_ids()
        self.last_id += 1
        return self.last_id

    def _find(self, entity: str, record_id: int) -> Record:
        record = self.table(entity).get(record_id)
        if record is None:
            raise NotFoundError()
        return record

    async def get(self, entity: str, record_id: int, *, computed: bool = False) -> Json:
        await self._enter("get", entity, record_id)
        return copy.deepcopy(self._find(entity, record_id))

    async def create(self, entity: str, body: Json, *, computed: bool = False) -> Json:
        await self._enter("create", entity, copy.deepcopy(body))
        return self._create(entity, body)

    def _create(self, entity: str, body: Json) -> Json:
        now = self._tick()
        record = {"id": self._new_id(), **copy.deepcopy(body)}
        record.setdefault("date_created", now)
        record["date_modified"] = now
        self.table(entity)[record["id"]] = record
        return copy.deepcopy(record)

    async def update(
        self, entity: str, record_id: int, changes: Json, *, computed: bool = False
    ) -> Json:
        await self._enter("update", entity, record_id, copy.deepcopy(changes))
        return self._update(entity, record_id, changes)

    def _update(self, entity: str, record_id: int, changes: Json) -> Json:
        record = self._find(entity, record_id)
        record.update(copy.deepcopy(changes))
        record["date_modified"] = self._tick()
        return copy.deepcopy(record)

    async def delete(self, entity: str, record_id: int) -> Json:
        await self._enter("delete", entity, record_id)
        self._find(entity, record_id)
        del self.table(entity)[record_id]
        return {"id": record_id, "is_deleted": True}

    async def bulk_update(self, entity: str, items: Sequence[Json]) -> BulkResult:
        await self._enter("bulk_update", entity, copy.deepcopy(list(items)))
        results = []
        for index, item in enumerate(items):
            result = BulkItemResult(index, dict(item))
            changes = {k: v for k, v in item.items() if k != "id"}
            try:
                result.record = self._update(entity, item["id"], changes)
            except NotFoundError as err:
                result.error = err
            results.append(result)
        return BulkResult(results)

    async def bulk_create(self, entity: str, items: Sequence[Json]) -> BulkResult:
        await self._enter("bulk_create", entity, copy.deepcopy(list(items)))
        made = [self._create(entity, item) for item in items]
        return BulkResult([BulkItemResult(i, dict(it), made[i]) for i, it in enumerate(items)])

    # ------------------------------------------------------------------ search
    async def search(
        self,
        entity: str,
        filters: Json | None = None,
        *,
        page_number: int = 1,
        page_size: int = 200,
        sort_by: str | None = None,
        sort_direction: str | None = None,
        computed: bool = False,
    ) -> SearchPage:
        wanted = dict(filters or {})
        await self._enter("search", entity, copy.deepcopy(wanted))
        found = [
            r
            for r in self.table(entity).values()
            if all(_matches(r, key, value) for key, value in wanted.items())
        ]
        if sort_by is not None:
            found.sort(key=_sort_key(sort_by), reverse=sort_direction == "desc")
        start = (page_number - 1) * page_size
        page = [copy.deepcopy(r) for r in found[start : start + page_size]]
        return SearchPage(page, len(found), page_number, page_size)

    # ------------------------------------------------------------------ related records
    async def record_activities(
        self,
        entity: str,
        record_id: int,
        activity_types: Sequence[Json] | None = None,
        *,
        page_number: int | None = None,
        page_size: int | None = None,
    ) -> list[Json]:
        await self._enter("record_activities", entity, record_id)
        parent = {"type": SINGULAR.get(entity, entity), "id": record_id}
        return [
            copy.deepcopy(a) for a in self.table("activities").values() if a.get("parent") == parent
        ]

    async def related_items(
        self, entity: str, record_id: int, other: str | None = None
    ) -> list[Json]:
        await self._enter("related_items", entity, record_id)
        items = self.related.get((entity, record_id), [])
        kind = SINGULAR.get(other, other) if other else None
        return [dict(i) for i in items if kind is None or i.get("type") == kind]

    # ------------------------------------------------------------------ the account's lists
    async def _list(self, method: str, name: str) -> list[Json]:
        await self._enter(method)
        return copy.deepcopy(list(self.lookups.get(name, [])))

    async def all_users(self) -> list[Json]:
        return await self._list("all_users", "users")

    async def contact_types(self) -> list[Json]:
        return await self._list("contact_types", "contact_types")

    async def lead_statuses(self) -> list[Json]:
        return await self._list("lead_statuses", "lead_statuses")

    async def customer_sources(self) -> list[Json]:
        return await self._list("customer_sources", "customer_sources")

    async def loss_reasons(self) -> list[Json]:
        return await self._list("loss_reasons", "loss_reasons")

    async def pipelines(self) -> list[Json]:
        return await self._list("pipelines", "pipelines")

    async def custom_activity_types(self) -> list[Json]:
        return await self._list("custom_activity_types", "custom_activity_types")

    async def custom_field_definitions(self) -> list[Json]:
        return await self._list("custom_field_definitions", "custom_field_definitions")

    async def activity_types(self) -> dict[str, list[Json]]:
        await self._enter("activity_types")
        grouped: dict[str, list[Json]] = self.lookups.get("activity_types", {})
        return {"user": [], "system": [], **copy.deepcopy(grouped)}

    async def tags(
        self,
        *,
        sort_by: str | None = None,
        tag_names_only: bool = False,
        last_tag_value: str | None = None,
    ) -> list[Any]:
        await self._enter("tags")
        tags = sorted(self.lookups.get("tags", []), key=lambda t: str(t.get("name", "")))
        if last_tag_value is not None:
            tags = [t for t in tags if str(t.get("name", "")) > last_tag_value]
        return [t["name"] for t in tags] if tag_names_only else copy.deepcopy(tags)

    # ------------------------------------------------------------------ webhooks
    async def create_webhook(self, body: Json) -> Json:
        await self._enter("create_webhook", copy.deepcopy(body))
        return self._create("webhooks", body)

    async def delete_webhook(self, webhook_id: int) -> Json:
        await self._enter("delete_webhook", webhook_id)
        self._find("webhooks", webhook_id)
        del self.table("webhooks")[webhook_id]
        return {"id": webhook_id, "is_deleted": True}

    # ------------------------------------------------------------------ status and events
    def subscribe(self, observer: Callable[[ClientEvent], None]) -> Callable[[], None]:
        self.observers.append(observer)
        return lambda: self.observers.remove(observer)

    def status(self) -> ClientStatus:
        return self.current_status

    def emit(self, event: ClientEvent) -> None:
        """Tell the observers, as the client does when a request changes state."""
        for observer in list(self.observers):
            observer(event)


# --------------------------------------------------------------------------- the search seam

SORT_KEYS = ("name", "value", "date_modified")


class FakeSearchError(Exception):
    """What a failing page raises."""


@functools.cache
def synthetic_records(n: int) -> tuple[Record, ...]:
    """Records with ids 1..n; `name` is a permutation of the ids, so name order differs from
    id order. Shared between tests: never mutate them."""
    return tuple(
        {
            "id": i,
            "name": f"Name {(i * 7919) % n:06d}",
            "value": (i * 31) % 1000,
            "date_modified": 1_700_000_000 + i,
        }
        for i in range(1, n + 1)
    )


@functools.cache
def _ordered(n: int, sort_by: str | None, direction: str) -> tuple[Record, ...]:
    records = synthetic_records(n)
    if sort_by is None:
        return records
    ordered = sorted(records, key=lambda r: (r[sort_by], r["id"]))
    return tuple(reversed(ordered)) if direction == "desc" else tuple(ordered)


def columns() -> list[Column]:
    """Id is not sortable on the server; name and value are."""
    return [
        Column("id", "ID", lambda r: r["id"]),
        Column("name", "Name", lambda r: r["name"], sort_key="name"),
        Column("value", "Value", lambda r: f"${r['value']}", "value", lambda r: r["value"]),
    ]


@dataclass
class FakeSearch:
    """Serves `n` synthetic records the way Copper search pages them."""

    n: int
    cap: int = 100_000
    overstate: int = 0
    delay: float = 0.0
    gate: asyncio.Event | None = None
    swallow_cancel: bool = False
    fail_pages: set[int] = field(default_factory=set)  # 1-based page_number
    overrides: dict[int, Record] = field(default_factory=dict)  # id -> replacement record
    calls: list[dict[str, Any]] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    cancelled: int = 0

    def page_numbers(self) -> list[int]:
        return [call["page_number"] for call in self.calls]

    def matching(self, body: dict[str, Any]) -> list[Record]:
        records = _ordered(self.n, body.get("sort_by"), body.get("sort_direction", "asc"))
        name = body.get("name")
        if name is not None:
            return [r for r in records if name in r["name"]]
        return list(records)

    async def _wait(self) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        while self.gate is not None and not self.gate.is_set():
            try:
                await self.gate.wait()
            except asyncio.CancelledError:
                self.cancelled += 1
                if not self.swallow_cancel:
                    raise

    async def __call__(self, body: dict[str, Any]) -> tuple[list[Record], int]:
        self.calls.append(copy.deepcopy(body))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await self._wait()
        except asyncio.CancelledError:
            if self.gate is None:
                self.cancelled += 1
            raise
        finally:
            self.in_flight -= 1
        page_number, page_size = body["page_number"], body["page_size"]
        if page_number in self.fail_pages:
            raise FakeSearchError(f"page {page_number} failed")
        matching = self.matching(body)
        start = (page_number - 1) * page_size
        end = min(start + page_size, self.cap, len(matching))
        page = [self.overrides.get(r["id"], r) for r in matching[start:end]]
        return [dict(r) for r in page], len(matching) + self.overstate
