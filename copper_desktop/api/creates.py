"""Creates and bulk calls: the operations that must never run twice by accident.

Every create takes a ticket first (one look for look-alike records that already exist), so a
lost answer can be settled by looking again without taking a record that was there before or
that another call got (``recovery`` module). Bulk calls go in chunks of ten.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from contextlib import aclosing
from typing import Any

from .base import ClientBase, Json, segment
from .errors import (
    AuthenticationError,
    CopperError,
    MalformedResponseError,
    OutcomeUnknownError,
    PermissionDeniedError,
    ValidationError,
    field_errors_from_item,
)
from .events import RetryReason
from .recovery import RecentLike, Ticket, activity_filters, matches, recent
from .results import BulkItemResult, BulkResult
from .transport import lost_to_timeout

__all__ = ["BULK_CHUNK", "CreatingClient"]

BULK_CHUNK = 10


class CreatingClient(ClientBase):
    """Single creates, creates of things without a created date, bulk create and update."""

    async def create(self, entity: str, body: Json, *, computed: bool = False) -> Json:
        """Create one record; a lost answer is looked for, never blindly re-sent."""
        entity = segment(entity)
        look = RecentLike(self, entity, body, 0.0)

        async def before(since: float) -> frozenset[int]:
            look.since = since
            return _ids(await look())

        since, seen = await self._looked_before(before)
        look.since = since
        ticket = self._claims.opened(Ticket(entity, look, _like(body, since), seen))
        return await self._create(ticket, entity, body, self._computed(computed))  # type: ignore[no-any-return]

    async def _create(
        self, ticket: Ticket, path: str, body: Json, params: dict[str, Any] | None = None
    ) -> Any:
        record: Any = None

        async def recover(_: float) -> Json | None:
            return await self._claims.find(ticket)

        try:
            answer = await self._t.call(
                "POST", path, body=body, params=params, safe=False, recover=recover, expect=dict
            )
            record = answer.data
        finally:
            self._claims.close(ticket, record)
        return record

    async def _looked_before(
        self, look: Callable[[float], Awaitable[frozenset[int]]]
    ) -> tuple[float, frozenset[int]]:
        """Run ``look`` (ids of what exists since a time) just before sending; return the time
        the create's own record can be looked for from, and what the look found."""
        since = self._since(self._t.server_now())
        seen = await look(since)
        later = self._since(self._t.server_now())  # the look taught Copper's clock
        if later < since:  # Copper's clock is behind the first guess: cover the gap
            seen = await look(later)
        return later, seen

    async def _create_listed(
        self,
        path: str,
        body: Json,
        listing: Callable[[], Awaitable[list[Json]]],
        match: Callable[[Json], bool],
    ) -> Json:
        """Create something without a created date: the list before sending is the reference."""

        async def lookup() -> list[Json]:
            return [r for r in await listing() if match(r)]

        ticket = await self._claims.open(path, lookup, match)
        data = await self._create(ticket, path, body)
        return self._expect(data, dict, "the created item")  # type: ignore[no-any-return]

    # ------------------------------------------------------------------ bulk
    async def bulk_update(self, entity: str, items: Sequence[Json]) -> BulkResult:
        """``POST /{entity}/bulk_update`` in chunks of 10 (each item has its ``id``); results
        map back to ``items`` by index. Safe to retry: an update applied twice is one update."""
        entity = segment(entity)

        async def chunk(start: int, part: list[Json]) -> list[BulkItemResult]:
            try:
                answer = await self._t.call(
                    "POST", f"{entity}/bulk_update", body={entity: part}, bulk=True
                )
            except (AuthenticationError, PermissionDeniedError):
                raise
            except CopperError as err:
                return _failed(start, part, err)
            return _map_bulk(start, part, answer.data)

        return await self._chunks(items, chunk)

    async def bulk_create(self, entity: str, items: Sequence[Json]) -> BulkResult:
        """``POST /{entity}/bulk_create`` in chunks of 10; results map back to ``items``.

        When a chunk's answer is lost, each of its items is looked for (as for ``create``);
        found ones are reported ``recovered`` and only the others are sent again (never after
        a timeout: those are reported with OutcomeUnknownError)."""
        entity = segment(entity)

        async def chunk(start: int, part: list[Json]) -> list[BulkItemResult]:
            results = [BulkItemResult(start + i, it) for i, it in enumerate(part)]
            tickets = await self._bulk_tickets(entity, part)
            try:
                await self._bulk_send(entity, part, results, tickets)
            finally:
                for ticket, result in zip(tickets, results, strict=True):
                    self._claims.close(ticket, result.record)
            return results

        return await self._chunks(items, chunk)

    async def _bulk_tickets(self, entity: str, part: list[Json]) -> list[Ticket]:
        """One look for the whole chunk (what was created lately, whatever it is called)."""
        floor = 0.0

        async def before(since: float) -> frozenset[int]:
            nonlocal floor
            if entity == "activities":
                found = [
                    r
                    for item in part
                    for r in await self.search_all("activities", activity_filters(item, since))
                ]
                return _ids(found)
            records, floor = await recent(
                self, entity, {"minimum_created_date": max(0, int(since))}, 0.0
            )
            return _ids(records)

        since, seen = await self._looked_before(before)
        tickets = []
        for item in part:
            look = RecentLike(self, entity, item, since, floor)
            ticket = Ticket(entity, look, _like(item, since), seen)
            tickets.append(self._claims.opened(ticket))
        return tickets

    async def _bulk_send(
        self, entity: str, part: list[Json], results: list[BulkItemResult], tickets: list[Ticket]
    ) -> None:
        policy = self._t.retry.transient
        path = f"{entity}/bulk_create"
        pending = list(range(len(part)))
        for retry in range(policy.max_retries + 1):
            try:
                answer = await self._t.call(
                    "POST",
                    path,
                    body={entity: [part[i] for i in pending]},
                    bulk=True,
                    safe=False,
                    expect=list,
                )
            except (AuthenticationError, PermissionDeniedError):
                raise
            except OutcomeUnknownError as err:
                lost: CopperError = err
            except CopperError as err:
                for i in pending:
                    _fail(results[i], err)
                return
            else:
                mapped = _map_bulk(0, [part[i] for i in pending], answer.data)
                for i, m in zip(pending, mapped, strict=True):
                    m.index, m.item = results[i].index, part[i]
                    results[i] = m
                return
            timed_out = lost_to_timeout(lost)
            reason: RetryReason = "timeout" if timed_out else "network"
            delay = policy.delay(retry)
            async with aclosing(self._t.looks(reason, delay, retry + 1, ("POST", path))) as looks:
                async for _ in looks:
                    pending = await self._found(pending, results, tickets)
                    if not pending:
                        return
            if timed_out:  # Copper may still be saving them: never send them again
                for i in pending:
                    _fail(results[i], lost)
                return
        cause = lost.__cause__
        for i in pending:  # looked for after the last try too: they did not happen
            _fail(results[i], cause if isinstance(cause, CopperError) else lost)

    async def _found(
        self, pending: list[int], results: list[BulkItemResult], tickets: list[Ticket]
    ) -> list[int]:
        """Look for each pending item of a lost chunk; returns those still not found."""
        for i in pending:  # none of them will answer now: no need to wait for each other
            tickets[i].looking = True
        still: list[int] = []
        for i in pending:
            try:
                found = await self._claims.find(tickets[i])
            except OutcomeUnknownError as unknown:
                _fail(results[i], unknown)
                continue
            except CopperError as check:
                _fail(results[i], OutcomeUnknownError(detail=check.message))
                continue
            if found is None:
                still.append(i)
            else:
                results[i].record, results[i].recovered = found, True
        return still

    async def _chunks(
        self,
        items: Sequence[Json],
        run: Callable[[int, list[Json]], Coroutine[Any, Any, list[BulkItemResult]]],
    ) -> BulkResult:
        async with asyncio.TaskGroup() as tg:
            tasks = [
                tg.create_task(run(start, list(items[start : start + BULK_CHUNK])))
                for start in range(0, len(items), BULK_CHUNK)
            ]
        return BulkResult([r for t in tasks for r in t.result()])


def _like(body: Json, since: float) -> Callable[[Json], bool]:
    return lambda record: matches(body, record, since)


def _ids(records: list[Json]) -> frozenset[int]:
    return frozenset(r["id"] for r in records if isinstance(r.get("id"), int))


def _fail(result: BulkItemResult, err: CopperError) -> None:
    result.error = err
    if isinstance(err, ValidationError):
        result.errors = list(err.errors)


def _failed(start: int, part: list[Json], err: CopperError) -> list[BulkItemResult]:
    out = [BulkItemResult(start + i, it) for i, it in enumerate(part)]
    for r in out:
        _fail(r, err)
    return out


def _map_bulk(start: int, part: list[Json], data: Any) -> list[BulkItemResult]:
    """Per-item results are in request order: a record (numeric ``id``, no ``success: false``)
    or ``{"success": false, "message": ...}``."""
    if not isinstance(data, list):
        raise MalformedResponseError(detail="expected a list of per-item results")
    out = []
    for i, item in enumerate(part):
        result = BulkItemResult(start + i, item)
        got = data[i] if i < len(data) else None
        if (
            isinstance(got, dict)
            and got.get("success") is not False
            and isinstance(got.get("id"), int)
        ):
            result.record = got
        elif isinstance(got, dict):
            result.errors = field_errors_from_item(got.get("message", got.get("error")))
        else:
            result.error = MalformedResponseError(detail="no result for this item")
        out.append(result)
    return out
