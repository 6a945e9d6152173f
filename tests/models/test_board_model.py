"""BoardModel against the live sandbox: column totals added up by the background walk match the
sandbox's own sums (per status too), a total is marked partial until its column is complete,
and a card moved out of a column while it is being added up does not leave a record out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pytestqt.qtbot import QtBot

from copper_desktop.api import CopperClient
from copper_desktop.models.board import BoardModel
from copper_desktop.models.board_column import amount
from copper_desktop.models.lookups import Lookups
from tests.helpers.board import FOLLOW_UP, QUALIFIED, SALES, sandbox_sums, wait_first_pages
from tests.helpers.loop import Run
from tests.helpers.sandbox import SandboxControl


@pytest.fixture
def api(api: httpx.Client, control: SandboxControl) -> httpx.Client:
    return api


@pytest.fixture
def make_board(client: CopperClient, loaded: Lookups, run: Run) -> Iterator[Any]:
    made: list[BoardModel] = []

    def make(**kw: Any) -> BoardModel:
        board = BoardModel(client, loaded, **kw)
        made.append(board)
        return board

    yield make
    for board in made:
        run(board.aclose())


def test_the_walk_adds_up_every_column_to_the_sandbox_sums(
    qtbot: QtBot, make_board: Any, api: httpx.Client
) -> None:
    board = make_board(page_size=3, walk_pause=0)
    board.set_board(board.kind, SALES)
    qtbot.waitUntil(lambda: bool(board.columns) and board.complete, timeout=20_000)
    for column in board.columns:
        count, total, by_status = sandbox_sums(api, column.group_id)
        assert column.count == count
        assert len(column.counted) == count
        assert column.total == pytest.approx(total)
        assert {k: v for k, v in column.by_status.items() if v} == pytest.approx(
            {k: v for k, v in by_status.items() if v}
        )
        assert not column.total_text().startswith("≥")
    assert len(board.columns[0].records) == 3  # the cards still load page by page


def test_a_total_is_a_lower_bound_until_its_column_is_added_up(
    qtbot: QtBot, make_board: Any, api: httpx.Client
) -> None:
    board = make_board(page_size=3, walk=False)
    board.set_board(board.kind, SALES)
    wait_first_pages(qtbot, board)
    column = board.column_of(QUALIFIED)
    assert column is not None and (column.count or 0) > 3
    assert not column.complete
    assert column.total_text().startswith("≥ ") and column.total_text().endswith("…")
    assert f"3 of {column.count}" in column.total_tooltip()
    first_three = api.post("/opportunities/search", json={
        "pipeline_stage_ids": [QUALIFIED], "page_size": 3, "sort_by": "value",
        "sort_direction": "desc"}).json()  # fmt: skip
    assert column.total == pytest.approx(sum(amount(r)[0] for r in first_three))


def test_a_card_moved_out_while_its_column_is_added_up_leaves_nothing_out(
    qtbot: QtBot, make_board: Any, api: httpx.Client, run: Run, client: CopperClient
) -> None:
    """Moving a card out of a column shifts the server's pages under the walk by one, so one
    record would slide past it: the walk notices and adds the column up again."""
    made = [
        run(
            client.create(
                "opportunities",
                {
                    "name": f"Board walk {i}",
                    "pipeline_id": SALES,
                    "pipeline_stage_id": QUALIFIED,
                    "monetary_value": 10**11 - i,  # above every other card
                },
            )
        )
        for i in range(2)
    ]
    board = make_board(page_size=2, walk=False, walk_pause=0)
    board.set_board(board.kind, SALES)
    wait_first_pages(qtbot, board)
    column = board.column_of(QUALIFIED)
    assert column is not None
    assert [r["id"] for r in column.records] == [m["id"] for m in made]  # highest values first
    assert (column.walk_next, column.complete) == (2, False)  # page 1 counted, page 2 next
    assert board.move(made[0]["id"], FOLLOW_UP)
    qtbot.waitUntil(lambda: board.can_undo, timeout=10_000)
    assert column.walk_shifted  # page 2 on the server now starts one record later
    board.set_walking(True)
    qtbot.waitUntil(lambda: board.complete, timeout=20_000)
    count, total, _ = sandbox_sums(api, QUALIFIED)
    assert (column.count, len(column.counted)) == (count, count)
    assert column.total == pytest.approx(total)
    target = board.column_of(FOLLOW_UP)
    assert target is not None and made[0]["id"] in target.counted
    assert target.count == sandbox_sums(api, FOLLOW_UP)[0]
