"""A page's answer changes the rows on a later loop turn than the one that decoded it, so the
table's repaint and the JSON decoding of a page are two short freezes, not one long one
(issue 14, point 8: each stall over 17 ms was a decode followed at once by a repaint)."""

from __future__ import annotations

import asyncio
from typing import Any

from pytestqt.qtbot import QtBot

from copper_desktop.models.paged import PagedSearchModel, Record
from tests.helpers.fakes import FakeSearch, columns
from tests.helpers.qt import wait_idle


def test_rows_change_on_a_later_turn_than_the_answer(qtbot: QtBot) -> None:
    fake = FakeSearch(450)
    seen: list[bool] = []
    model: PagedSearchModel | None = None

    async def fetch(body: dict[str, Any]) -> tuple[list[Record], int]:
        answer = await fake(body)
        # queued behind the step that returns the decoded answer: runs before the rows change
        asyncio.get_running_loop().call_soon(
            lambda: seen.append(model is not None and model.is_loaded(0))
        )
        return answer

    model = PagedSearchModel(fetch, columns())
    try:
        model.set_query({}, None)
        wait_idle(qtbot, model)
        assert model.is_loaded(0)
        assert seen == [False]
    finally:
        model.close()
