"""Row ranges of a selection (models/selection.py): merged once, counted, mapped to pages; and
the ids of picked rows from held pages and fetched ones (a fake page fetcher at the seam)."""

from __future__ import annotations

import asyncio
from typing import Any

from pytestqt.qtbot import QtBot

from copper_desktop.models.selection import count_rows, merge_ranges, pages_of, row_ids


def test_overlapping_and_touching_ranges_count_once() -> None:
    ranges = merge_ranges([(5, 9), (0, 2), (3, 3), (8, 12), (20, 20), (7, 6)])
    assert ranges == [(0, 3), (5, 12), (20, 20)]
    assert count_rows(ranges) == 4 + 8 + 1
    assert pages_of(ranges, 5) == [0, 1, 2, 4]


def test_row_ids_fetch_only_pages_not_held_with_the_query(
    qtbot: QtBot, running_loop: asyncio.AbstractEventLoop
) -> None:
    asked: list[dict[str, Any]] = []

    async def fetch(body: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
        asked.append(body)
        first = (body["page_number"] - 1) * body["page_size"]
        return [{"id": 1000 + i} for i in range(first, min(first + body["page_size"], 23))], 23

    held = {0: [{"id": 1000 + i} for i in range(5)]}
    reported: list[tuple[int, int | None]] = []
    task = running_loop.create_task(
        row_ids(
            fetch,
            {"name": "x", "sort_by": "name"},
            5,
            [(3, 6), (21, 30)],
            held,
            lambda *p: reported.append(p),
        )
    )
    qtbot.waitUntil(task.done)
    assert task.result() == [1003, 1004, 1005, 1006, 1021, 1022]  # rows past the end left out
    assert [(b["page_number"], b["name"], b["sort_by"]) for b in asked] == [
        (2, "x", "name"), (5, "x", "name"), (6, "x", "name"), (7, "x", "name")]  # fmt: skip
    assert reported[-1][1] == 14
