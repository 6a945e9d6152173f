"""A fake of the search seam: synthetic records, server-side sort and paging, and knobs for
delays, gates, failures and an overstated X-PW-TOTAL."""

from __future__ import annotations

import asyncio
import copy
import functools
from dataclasses import dataclass, field
from typing import Any

from copper_desktop.models.paged import Column

Record = dict[str, Any]

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
