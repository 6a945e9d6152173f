"""The account's lookup lists, so tables and filter bars show names instead of ids.

`Lookups.load(client)` fetches every small list once (users, contact types, lead statuses,
customer sources, loss reasons, pipelines with their stages, task types, activity types,
custom field definitions, tag names); a list that fails is left empty and named in `failed`
(`problem` says it for a status line) while the others load.
Companies and people are too many to load whole: `resolve(kind, ids)` fetches the unknown ids
in one search and emits `names_resolved` so views repaint. QtCore only: no widgets here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, Final, Protocol, TypeGuard

from PySide6.QtCore import QObject, Signal

from copper_desktop.api.search import SearchClient as SearchClient  # re-exported: the seam
from copper_desktop.domain.catalog import LookupKind
from copper_desktop.domain.custom_fields import (
    CustomFieldDefinition,
    definitions_by_id,
    parse_definitions,
)

log = logging.getLogger(__name__)

Json = dict[str, Any]

RESOLVABLE: Final = frozenset(
    {
        LookupKind.COMPANIES,
        LookupKind.PEOPLE,
        LookupKind.LEADS,
        LookupKind.OPPORTUNITIES,
        LookupKind.PROJECTS,
        LookupKind.TASKS,
    }
)
"""Kinds too large to load whole; their names arrive through `resolve`."""

PICKABLE: Final = frozenset(LookupKind) - RESOLVABLE
"""Kinds `load` fetches whole: small enough to offer as pick lists."""

RESOLVE_BATCH: Final = 200
"""Copper's largest page: one search resolves at most this many ids."""

_MAX_TAG_PAGES: Final = 50


class LookupClient(SearchClient, Protocol):
    """The part of `CopperClient` that `Lookups` uses (a fake at this seam is enough)."""

    async def all_users(self) -> list[Json]: ...
    async def contact_types(self) -> list[Json]: ...
    async def lead_statuses(self) -> list[Json]: ...
    async def customer_sources(self) -> list[Json]: ...
    async def loss_reasons(self) -> list[Json]: ...
    async def pipelines(self) -> list[Json]: ...
    async def custom_activity_types(self) -> list[Json]: ...
    async def activity_types(self) -> dict[str, list[Json]]: ...
    async def custom_field_definitions(self) -> list[Json]: ...
    async def tags(
        self,
        *,
        sort_by: str | None = None,
        tag_names_only: bool = False,
        last_tag_value: str | None = None,
    ) -> list[Any]: ...


def _is_id(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _applied(apply: Callable[[Any], None], answer: Any) -> Exception | None:
    """Apply one list's answer; the error instead when its shape is wrong."""
    try:
        apply(answer)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        return exc
    return None


def _items(answer: Any) -> list[Any]:
    """The entries of a list answer ([] for None, what a failed list is reset with); any
    other shape is an error of that list alone."""
    if answer is None:
        return []
    if not isinstance(answer, list):
        raise ValueError(f"expected a list, got {type(answer).__name__}")
    return answer


def _entries(value: Any) -> list[Any]:
    """A nested list (a pipeline's stages): anything else counts as none."""
    return value if isinstance(value, list) else []


def _named(items: Iterable[Any], name_key: str = "name") -> dict[int, str]:
    """id → name for the well-formed items of a lookup list (others are skipped, not fatal)."""
    result: dict[int, str] = {}
    for item in items:
        if isinstance(item, Mapping):
            item_id = item.get("id")
            name = item.get(name_key)
            if _is_id(item_id) and name is not None:
                result[item_id] = str(name)
    return result


def _user_name(user: Mapping[str, Any]) -> str:
    name = user.get("name")
    return str(name) if name else str(user.get("email") or f"#{user.get('id')}")


class Lookups(QObject):
    """Names of everything a record refers to by id, for one account.

    Signals:
        loaded(): `load` finished; every list is replaced.
        names_resolved(): `resolve` learned new company/person/... names.
    """

    loaded = Signal()
    names_resolved = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._names: dict[LookupKind, dict[int, str]] = {kind: {} for kind in LookupKind}
        self._stage_pipeline: dict[int, int] = {}
        self._project_pipelines: set[int] = set()
        """Pipelines of `type` "project": named in cells, never offered for opportunities."""
        self._stages_by_pipeline: dict[int, list[tuple[int, str]]] = {}
        self._activity_categories: dict[int, str] = {}
        self._definitions: tuple[CustomFieldDefinition, ...] = ()
        self._definitions_by_id: dict[int, CustomFieldDefinition] = {}
        self._tags: tuple[str, ...] = ()
        self._inflight: dict[tuple[LookupKind, int], asyncio.Future[None]] = {}
        self._missing: set[tuple[LookupKind, int]] = set()
        self._client: LookupClient | None = None
        self._failures: dict[str, Exception] = {}
        self.is_loaded = False

    # ------------------------------------------------------------------ loading

    async def load(self, client: LookupClient) -> None:
        """Fetch every lookup list concurrently, then emit `loaded`.

        Each list stands alone: one that fails (an HTTP error, an answer of the wrong shape)
        is left empty and named in `failed`, and the others load, so a broken `/tags` hides
        tag names only, not owners or stages. Cancelling `load` cancels every request. The
        client is kept for later `resolve` calls.
        """
        self._client = client
        steps: dict[str, tuple[Awaitable[Any], Callable[[Any], None]]] = {
            "users": (client.all_users(), self._set_users),
            "contact types": (client.contact_types(), self._setter(LookupKind.CONTACT_TYPES)),
            "lead statuses": (client.lead_statuses(), self._setter(LookupKind.LEAD_STATUSES)),
            "customer sources": (
                client.customer_sources(),
                self._setter(LookupKind.CUSTOMER_SOURCES),
            ),
            "loss reasons": (client.loss_reasons(), self._setter(LookupKind.LOSS_REASONS)),
            "pipelines": (client.pipelines(), self._set_pipelines),
            "task types": (
                client.custom_activity_types(),
                self._setter(LookupKind.CUSTOM_ACTIVITY_TYPES),
            ),
            "activity types": (client.activity_types(), self._set_activity_types),
            "custom fields": (client.custom_field_definitions(), self._set_definitions),
            "tags": (self._load_tags(client), self._set_tags),
        }
        # Cancelling load cancels the gather, and the gather every request still running.
        answers = await asyncio.gather(
            *(fetch for fetch, _ in steps.values()), return_exceptions=True
        )
        failures: dict[str, Exception] = {}
        for (label, (_, apply)), answer in zip(steps.items(), answers, strict=True):
            if isinstance(answer, BaseException) and not isinstance(answer, Exception):
                raise answer
            error = answer if isinstance(answer, Exception) else _applied(apply, answer)
            if error is not None:
                failures[label] = error
                log.warning("Lookup list %s unavailable: %s", label, error)
                apply(None)
        self._failures = failures
        self.is_loaded = True
        self.loaded.emit()

    @property
    def failed(self) -> tuple[str, ...]:
        """Names of the lists the last `load` could not get ("tags", "users", ...)."""
        return tuple(self._failures)

    @property
    def problem(self) -> str | None:
        """What the last `load` missed, for a status line; None when everything loaded."""
        if not self._failures:
            return None
        first = next(iter(self._failures.values()))
        detail = str(first) or type(first).__name__
        return f"Could not load {', '.join(self._failures)} ({detail}); the rest loaded."

    def _setter(self, kind: LookupKind) -> Callable[[Any], None]:
        def apply(items: Any) -> None:
            self._names[kind] = _named(_items(items))

        return apply

    def _set_users(self, users: Any) -> None:
        self._names[LookupKind.USERS] = {
            u["id"]: _user_name(u)
            for u in _items(users)
            if isinstance(u, Mapping) and _is_id(u.get("id"))
        }

    def _set_definitions(self, definitions: Any) -> None:
        parsed = parse_definitions(d for d in _items(definitions) if isinstance(d, Mapping))
        self._definitions = parsed
        self._definitions_by_id = definitions_by_id(parsed)

    def _set_tags(self, tags: Any) -> None:
        self._tags = tuple(str(t) for t in _items(tags))

    @staticmethod
    async def _load_tags(client: LookupClient) -> list[str]:
        """Every tag name, following `last_tag_value` until a page adds nothing new."""
        names: list[str] = []
        seen: set[str] = set()
        last: str | None = None
        for _ in range(_MAX_TAG_PAGES):
            batch = await client.tags(sort_by="name", tag_names_only=True, last_tag_value=last)
            fresh = [
                str(t.get("name") if isinstance(t, Mapping) else t)
                for t in batch
                if (t.get("name") if isinstance(t, Mapping) else t) is not None
            ]
            fresh = [t for t in fresh if t not in seen]
            if not fresh:
                break
            names.extend(fresh)
            seen.update(fresh)
            last = fresh[-1]
        return sorted(names, key=str.casefold)

    def _set_pipelines(self, pipelines: Any) -> None:
        """Pipeline names, and each pipeline's stages in order."""
        stages: dict[int, str] = {}
        self._stage_pipeline = {}
        self._stages_by_pipeline = {}
        self._project_pipelines = set()
        items = [p for p in _items(pipelines) if isinstance(p, Mapping) and _is_id(p.get("id"))]
        for pipeline in items:
            pipeline_id = pipeline["id"]
            if pipeline.get("type") == "project":
                self._project_pipelines.add(pipeline_id)
            own = _named(_entries(pipeline.get("stages")))
            stages.update(own)
            self._stages_by_pipeline[pipeline_id] = list(own.items())
            self._stage_pipeline.update({stage_id: pipeline_id for stage_id in own})
        self._names[LookupKind.PIPELINES] = _named(items)
        self._names[LookupKind.PIPELINE_STAGES] = stages

    def _set_activity_types(self, grouped: Any) -> None:
        """Activity types by category ("user", "system"); the category is kept per id."""
        names: dict[int, str] = {}
        self._activity_categories = {}
        if grouped is not None and not isinstance(grouped, Mapping):
            raise ValueError(f"expected an object, got {type(grouped).__name__}")
        for category, items in (grouped or {}).items():
            for type_id, name in _named(_entries(items)).items():
                names[type_id] = name
                self._activity_categories[type_id] = str(category)
        self._names[LookupKind.ACTIVITY_TYPES] = names

    # ------------------------------------------------------------------ reading

    def name(self, kind: LookupKind, item_id: object) -> str | None:
        """The name behind an id, or None when it is unknown (not loaded or not resolved)."""
        if isinstance(item_id, bool) or not isinstance(item_id, int):
            return None
        return self._names[kind].get(item_id)

    def choices(self, kind: LookupKind) -> list[tuple[int, str]]:
        """(id, name) pairs for pickers: sorted by name, except stages (pipeline order)."""
        items = list(self._names[kind].items())
        if kind is LookupKind.PIPELINES:  # only opportunities pick a pipeline
            return [item for item in items if item[0] not in self._project_pipelines]
        if kind is LookupKind.PIPELINE_STAGES:
            return items
        return sorted(items, key=lambda item: item[1].casefold())

    def stages(self, pipeline_id: int | None = None) -> list[tuple[int, str]]:
        """Stages of one pipeline in its order; every stage when `pipeline_id` is None."""
        if pipeline_id is None:
            return list(self._names[LookupKind.PIPELINE_STAGES].items())
        return list(self._stages_by_pipeline.get(pipeline_id, ()))

    def pipeline_of_stage(self, stage_id: int) -> int | None:
        return self._stage_pipeline.get(stage_id)

    def activity_category(self, type_id: int) -> str | None:
        """ "user" or "system" for an activity type id (the activity_types filter needs it)."""
        return self._activity_categories.get(type_id)

    @property
    def definitions(self) -> tuple[CustomFieldDefinition, ...]:
        """Parsed custom field definitions of the account, in the server's order."""
        return self._definitions

    def definition(self, definition_id: int) -> CustomFieldDefinition | None:
        return self._definitions_by_id.get(definition_id)

    @property
    def tags(self) -> tuple[str, ...]:
        """Every tag name in the account, case-insensitively sorted."""
        return self._tags

    # ------------------------------------------------------------------ records by id

    def remember(self, kind: LookupKind, item_id: int, name: str) -> None:
        """Record a name learned elsewhere (a record just loaded or saved)."""
        self._names[kind][item_id] = name
        self._missing.discard((kind, item_id))

    def unknown(self, kind: LookupKind, ids: Iterable[object]) -> list[int]:
        """The ids among `ids` whose name is neither known, pending nor known to be missing."""
        names = self._names[kind]
        result: list[int] = []
        for item_id in ids:
            if isinstance(item_id, bool) or not isinstance(item_id, int) or item_id in result:
                continue
            key = (kind, item_id)
            if item_id not in names and key not in self._inflight and key not in self._missing:
                result.append(item_id)
        return result

    async def resolve(self, kind: LookupKind, ids: Iterable[object]) -> None:
        """Learn the names of unknown ids of a record kind (companies, people, ...) with one
        `ids` search per 200; ids already being fetched are awaited, not fetched twice.

        Needs a client from an earlier `load` or `set_client`. Emits `names_resolved` when
        anything new was learned; errors propagate (the pending ids may be asked again).
        """
        if kind not in RESOLVABLE:
            raise ValueError(f"{kind} names are loaded by load(), not resolved")
        client = self._client
        if client is None:
            raise RuntimeError("Lookups.resolve needs a client: call set_client() or load()")
        wanted = list(ids)
        waits = [
            self._inflight[(kind, i)]
            for i in dict.fromkeys(wanted)
            if isinstance(i, int) and (kind, i) in self._inflight
        ]
        fresh = self.unknown(kind, wanted)
        for start in range(0, len(fresh), RESOLVE_BATCH):
            await self._fetch_names(client, kind, fresh[start : start + RESOLVE_BATCH])
        if waits:
            # Shielded: cancelling this caller must not cancel another caller's fetch.
            await asyncio.gather(*(asyncio.shield(w) for w in waits), return_exceptions=True)

    def set_client(self, client: LookupClient | None) -> None:
        """The client `resolve` searches with (`load` sets it too)."""
        self._client = client

    async def _fetch_names(self, client: LookupClient, kind: LookupKind, ids: list[int]) -> None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        keys = [(kind, i) for i in ids]
        for key in keys:
            self._inflight[key] = future
        try:
            page: Any = await client.search(  # a page, or a bare list of records
                kind.value, {"ids": ids}, page_size=RESOLVE_BATCH, sort_by=None
            )
        except BaseException:
            if not future.done():
                future.set_result(None)
            raise
        finally:
            for key in keys:
                self._inflight.pop(key, None)
        records = getattr(page, "records", page)
        found = _named(records)
        self._names[kind].update(found)
        self._missing.update((kind, i) for i in ids if i not in found)
        if not future.done():
            future.set_result(None)
        if found:
            self.names_resolved.emit()
