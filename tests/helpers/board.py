"""What the board tests share: the seeded Sales pipeline's ids, the sandbox's own counts and
sums to compare the board with, and waiting for a board's first pages."""

from __future__ import annotations

from typing import Any

import httpx
from pytestqt.qtbot import QtBot

from copper_desktop.models.board import BoardModel
from copper_desktop.models.board_column import amount

SALES = 213214
QUALIFIED, FOLLOW_UP = 987790, 987791
"""The seeded Sales pipeline and its first two stages (sandbox/core/seed_tables.py)."""


def count_of(api: httpx.Client, entity: str, body: dict[str, Any]) -> int:
    """X-PW-TOTAL of a search: what the board's column count must show."""
    r = api.post(f"/{entity}/search", json={**body, "page_size": 1})
    r.raise_for_status()
    return int(r.headers["X-PW-TOTAL"])


def sandbox_sums(api: httpx.Client, stage: int) -> tuple[int, float, dict[str, float]]:
    """(count, total, total per status) of a stage, paged from the sandbox."""
    count, total = 0, 0.0
    by_status: dict[str, float] = {}
    page = 1
    while True:
        body = {"pipeline_stage_ids": [stage], "page_size": 200, "page_number": page}
        records = api.post("/opportunities/search", json=body).json()
        for record in records:
            value, _unit = amount(record)
            count += 1
            total += value
            by_status[record["status"]] = by_status.get(record["status"], 0.0) + value
        if len(records) < 200:
            return count, total, by_status
        page += 1


def wait_first_pages(qtbot: QtBot, board: BoardModel) -> None:
    """Until every column has its first page (its count) and nothing is loading."""
    qtbot.waitUntil(
        lambda: (
            bool(board.columns)
            and not board.busy
            and all(c.count is not None for c in board.columns)
        ),
        timeout=15_000,
    )
