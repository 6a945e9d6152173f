"""PagedSearchModel against a fake search seam: paging, guards, eviction, errors, shutdown."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from copper_desktop.models.paged import (
    Column,
    IdRole,
    LoadingRole,
    PagedSearchModel,
    RecordRole,
    SortKeyRole,
    SortRole,
)
from tests.helpers.fakes import FakeSearch, FakeSearchError, columns, synthetic_records
from tests.helpers.loop import drain, pending_tasks
from tests.helpers.qt import display, wait_idle

BIG = 120_000  # more than the 100,000 search cap
MakeModel = Callable[..., PagedSearchModel]


@pytest.fixture
def make_model(qtbot: QtBot) -> Iterator[MakeModel]:
    """`make_model(fake, **options)`; every model is closed after the test."""
    models: list[PagedSearchModel] = []

    def make(fake: FakeSearch, **options: Any) -> PagedSearchModel:
        model = PagedSearchModel(fake, columns(), **options)
        models.append(model)
        return model

    yield make
    for model in models:
        model.close()


def loaded(qtbot: QtBot, model: PagedSearchModel, **query: Any) -> PagedSearchModel:
    """Start a query (by id unless told) and wait for its first page."""
    query.setdefault("sort_by", None)
    model.set_query(query.pop("filters", {}), **query)
    wait_idle(qtbot, model)
    return model


# ------------------------------------------------------------------ first page, count


def test_first_page_shows_and_sets_the_row_count(qtbot: QtBot, make_model: MakeModel) -> None:
    fake = FakeSearch(450)
    model = make_model(fake)
    states: list[bool] = []
    totals: list[int] = []
    model.loading_changed.connect(states.append)
    model.total_changed.connect(totals.append)

    model.set_query({"name": "Name"}, "date_modified", "desc")
    assert model.rowCount() == 0
    wait_idle(qtbot, model)

    assert fake.calls == [
        {
            "name": "Name",
            "page_number": 1,
            "page_size": 200,
            "sort_by": "date_modified",
            "sort_direction": "desc",
        }
    ]
    assert model.rowCount() == 450
    assert totals == [450]
    assert states == [True, False]
    assert display(model, 0) == "450"  # newest first
    assert model.is_loaded(199)
    assert not model.is_loaded(200)
    assert display(model, 200) == "…"
    assert model.data(model.index(200, 0), LoadingRole) is True
    assert model.data(model.index(200, 0), RecordRole) is None


def test_row_count_is_capped_at_the_search_cap(qtbot: QtBot, make_model: MakeModel) -> None:
    model = loaded(qtbot, make_model(FakeSearch(BIG)))
    assert model.rowCount() == 100_000
    assert model.server_total == BIG
    assert model.is_capped


def test_cap_is_a_parameter(qtbot: QtBot, make_model: MakeModel) -> None:
    model = loaded(qtbot, make_model(FakeSearch(450), max_rows=300))
    assert model.rowCount() == 300
    assert model.is_capped


def test_empty_result_has_no_rows_and_nothing_more_to_fetch(
    qtbot: QtBot, make_model: MakeModel
) -> None:
    fake = FakeSearch(450)
    model = loaded(qtbot, make_model(fake), filters={"name": "no such name"})
    assert model.rowCount() == 0
    assert not model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    model.ensure_rows(0, 50)
    drain(qtbot, asyncio.get_running_loop())
    assert len(fake.calls) == 1


def test_invalid_queries_are_rejected(make_model: MakeModel) -> None:
    model = make_model(FakeSearch(10))
    with pytest.raises(ValueError, match="sort_direction"):
        model.set_query({}, "name", "down")
    with pytest.raises(ValueError, match="paging keys"):
        model.set_query({"page_size": 5})
    with pytest.raises(ValueError, match="page_size"):
        make_model(FakeSearch(10), page_size=201)


# ------------------------------------------------------------------ paging on demand


def test_jump_to_the_end_fetches_only_the_last_pages(qtbot: QtBot, make_model: MakeModel) -> None:
    fake = FakeSearch(BIG)
    model = loaded(qtbot, make_model(fake))

    model.ensure_rows(99_950, 99_999)
    wait_idle(qtbot, model)
    assert fake.page_numbers() == [1, 500]
    assert model.is_loaded(99_999)
    assert display(model, 99_999) == "100000"
    assert not model.is_loaded(99_799)

    model.ensure_rows(99_780, 99_820)  # straddles pages 499 and 500
    wait_idle(qtbot, model)
    assert fake.page_numbers() == [1, 500, 499]
    assert sorted(model.loaded_pages()) == [0, 498, 499]


def test_one_request_per_page_however_often_it_is_asked_for(
    qtbot: QtBot, make_model: MakeModel
) -> None:
    fake = FakeSearch(1000)
    model = loaded(qtbot, make_model(fake))
    fake.gate = asyncio.Event()

    model.ensure_rows(300, 310)
    model.ensure_rows(300, 399)
    assert display(model, 305) == "…"  # asks too, on the next loop turn
    model.fetchMore(QModelIndex())  # the bottom page: a different one
    drain(qtbot, asyncio.get_running_loop())
    assert fake.page_numbers() == [1, 2, 5]
    assert model.loading

    fake.gate.set()
    wait_idle(qtbot, model)
    assert fake.page_numbers() == [1, 2, 5]
    assert model.is_loaded(305) and model.is_loaded(999)


def test_at_most_max_concurrent_requests(qtbot: QtBot, make_model: MakeModel) -> None:
    fake = FakeSearch(5000)
    model = loaded(qtbot, make_model(fake, max_concurrent=3))
    fake.gate = asyncio.Event()

    model.ensure_rows(0, 1999)  # pages 1-10, page 1 already held
    drain(qtbot, asyncio.get_running_loop())
    assert fake.in_flight == 3

    fake.gate.set()
    qtbot.waitUntil(lambda: all(model.is_loaded(row) for row in range(0, 2000, 200)))
    assert fake.max_in_flight == 3
    assert sorted(fake.page_numbers()) == list(range(1, 11))


def test_data_of_a_placeholder_fetches_its_page(qtbot: QtBot, make_model: MakeModel) -> None:
    """Plain views never call ensure_rows: painting a row is enough."""
    fake = FakeSearch(BIG)
    model = loaded(qtbot, make_model(fake))
    assert display(model, 50_000) == "…"
    assert len(fake.calls) == 1  # deferred: Qt may be painting
    qtbot.waitUntil(lambda: model.is_loaded(50_000))
    assert fake.page_numbers() == [1, 251]


def test_data_does_not_fetch_when_told_not_to(qtbot: QtBot, make_model: MakeModel) -> None:
    fake = FakeSearch(1000)
    model = loaded(qtbot, make_model(fake, fetch_on_data=False))
    assert display(model, 500) == "…"
    drain(qtbot, asyncio.get_running_loop())
    assert fake.page_numbers() == [1]


def test_roles_the_model_does_not_serve_are_answered_without_work(
    qtbot: QtBot, make_model: MakeModel
) -> None:
    """A view asks for fonts, colours, alignment... of every cell on every paint: those get
    None at once, and only the roles the model serves touch its pages."""
    fake = FakeSearch(1000)
    model = loaded(qtbot, make_model(fake))
    model.ensure_rows(400, 420)
    wait_idle(qtbot, model)
    assert model.loaded_pages() == [0, 2]
    for role in (Qt.ItemDataRole.FontRole, Qt.ItemDataRole.BackgroundRole):
        assert model.data(model.index(0, 1), int(role)) is None  # page 0: no longer recent
        assert model.data(model.index(700, 1), int(role)) is None  # a placeholder
    drain(qtbot, asyncio.get_running_loop())
    assert fake.page_numbers() == [1, 3]  # the placeholder's page was not requested
    assert model.loaded_pages() == [0, 2]  # nor did page 0 become the most recent


def test_can_fetch_more_asks_for_the_bottom_page(qtbot: QtBot, make_model: MakeModel) -> None:
    fake = FakeSearch(450)
    model = make_model(fake)
    assert not model.canFetchMore(QModelIndex())  # no query yet
    model.set_query({})
    assert not model.canFetchMore(QModelIndex())  # page 1 already in flight
    wait_idle(qtbot, model)
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    qtbot.waitUntil(lambda: model.is_loaded(449))
    assert not model.canFetchMore(QModelIndex())
    assert fake.page_numbers() == [1, 3]


# ------------------------------------------------------------------ superseded queries


def test_a_new_query_cancels_the_old_requests(qtbot: QtBot, make_model: MakeModel) -> None:
    gate = asyncio.Event()
    fake = FakeSearch(450, gate=gate)
    model = make_model(fake)
    model.set_query({"name": "Name 0000"})
    qtbot.waitUntil(lambda: fake.in_flight == 1)

    model.set_query({})
    qtbot.waitUntil(lambda: fake.cancelled == 1)
    gate.set()
    wait_idle(qtbot, model)
    assert model.rowCount() == 450


def test_answers_to_a_superseded_query_are_dropped(qtbot: QtBot, make_model: MakeModel) -> None:
    """Even when the transport ignores the cancellation and answers anyway."""
    gate = asyncio.Event()
    fake = FakeSearch(450, gate=gate, swallow_cancel=True)
    model = make_model(fake)
    model.set_query({"name": "Name 0000"}, "name")  # matches 100 records
    qtbot.waitUntil(lambda: fake.in_flight == 1)
    model.set_query({}, "name", "desc")
    qtbot.waitUntil(lambda: fake.in_flight == 2)
    pages: list[int] = []
    model.page_loaded.connect(pages.append)

    gate.set()
    qtbot.waitUntil(lambda: fake.in_flight == 0 and not model.loading)
    drain(qtbot, asyncio.get_running_loop())

    assert fake.cancelled == 1
    assert pages == [0]
    assert model.rowCount() == 450
    assert model.server_total == 450
    assert display(model, 0, 1) == "Name 000449"


# ------------------------------------------------------------------ sorting


def test_sort_requeries_with_the_columns_sort_key(qtbot: QtBot, make_model: MakeModel) -> None:
    fake = FakeSearch(450)
    model = loaded(qtbot, make_model(fake))
    with qtbot.waitSignal(model.modelReset):
        model.sort(1, Qt.SortOrder.DescendingOrder)
    wait_idle(qtbot, model)

    assert fake.calls[-1]["sort_by"] == "name"
    assert fake.calls[-1]["sort_direction"] == "desc"
    assert display(model, 0, 1) == "Name 000449"
    assert model.sort_column == 1
    assert model.sort_order == Qt.SortOrder.DescendingOrder

    model.sort(2, Qt.SortOrder.AscendingOrder)
    wait_idle(qtbot, model)
    assert (fake.calls[-1]["sort_by"], fake.calls[-1]["sort_direction"]) == ("value", "asc")
    values = [model.data(model.index(row, 2), SortRole) for row in range(200)]
    assert values == sorted(values)
    assert display(model, 0, 2) == f"${values[0]}"


def test_columns_without_a_sort_key_are_not_sortable(qtbot: QtBot, make_model: MakeModel) -> None:
    fake = FakeSearch(450)
    model = loaded(qtbot, make_model(fake), sort_by="name")
    assert not model.is_sortable(0)
    assert model.is_sortable(1)
    assert model.headerData(0, Qt.Orientation.Horizontal, SortKeyRole) is None
    assert model.headerData(1, Qt.Orientation.Horizontal, SortKeyRole) == "name"
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Name"

    model.sort(0, Qt.SortOrder.DescendingOrder)  # not sortable
    model.sort(1, Qt.SortOrder.AscendingOrder)  # already sorted so
    model.sort(7, Qt.SortOrder.AscendingOrder)  # no such column
    drain(qtbot, asyncio.get_running_loop())
    assert len(fake.calls) == 1
    assert model.rowCount() == 450


# ------------------------------------------------------------------ memory bound


def test_eviction_keeps_memory_bounded(qtbot: QtBot, make_model: MakeModel) -> None:
    fake = FakeSearch(BIG)
    model = loaded(qtbot, make_model(fake, max_pages=20))
    evicted_rows: list[int] = []

    def placeholders_back(top: QModelIndex, _bottom: QModelIndex, _roles: list[int]) -> None:
        if not model.is_loaded(top.row()):
            evicted_rows.append(top.row())

    model.dataChanged.connect(placeholders_back)

    for top in range(0, 50_001, 500):  # scroll 50,000 rows, a viewport of 40 at a time
        model.ensure_rows(top, top + 39)
        qtbot.waitUntil(lambda: model.is_loaded(top) and model.is_loaded(top + 39))  # noqa: B023
        assert len(model.loaded_pages()) <= 20

    held = model.loaded_pages()
    assert len(held) == 20
    assert 250 in held  # the visible page
    assert min(held) > 190  # the ones kept are the nearest to it
    assert not model.is_loaded(0)
    assert display(model, 0, 0) == "…"
    assert 0 in evicted_rows  # views were told page 1 went back to placeholders

    model.ensure_rows(0, 39)  # scrolling back fetches page 1 again
    qtbot.waitUntil(lambda: model.is_loaded(0))
    assert fake.page_numbers().count(1) == 2
    assert len(model.loaded_pages()) == 20


def test_the_visible_range_is_clipped_to_the_page_budget(
    qtbot: QtBot, make_model: MakeModel
) -> None:
    fake = FakeSearch(2000)
    model = loaded(qtbot, make_model(fake, max_pages=2))
    model.ensure_rows(0, 599)  # three pages visible, more than max_pages
    wait_idle(qtbot, model)
    assert fake.page_numbers() == [1, 2]  # not a third page that would evict a visible one
    assert sorted(model.loaded_pages()) == [0, 1]

    model.ensure_rows(1000, 1100)
    wait_idle(qtbot, model)
    assert sorted(model.loaded_pages()) == [1, 5]  # page 1 was the farthest


# ------------------------------------------------------------------ upper-bound totals


def test_short_page_shrinks_the_rows(qtbot: QtBot, make_model: MakeModel) -> None:
    fake = FakeSearch(450, overstate=300)  # X-PW-TOTAL says 750
    model = loaded(qtbot, make_model(fake, max_pages=1))
    assert model.rowCount() == 750
    totals: list[int] = []
    removed: list[tuple[int, int]] = []
    model.total_changed.connect(totals.append)
    model.rowsRemoved.connect(lambda _parent, first, last: removed.append((first, last)))

    model.ensure_rows(740, 749)  # page 4 is empty
    wait_idle(qtbot, model)
    assert model.rowCount() == 600

    model.ensure_rows(590, 599)  # page 3 is short: 50 records
    wait_idle(qtbot, model)
    assert model.rowCount() == 450
    assert totals == [600, 450]
    assert removed == [(600, 749), (450, 599)]
    assert display(model, 449) == "450"

    model.ensure_rows(0, 10)  # page 1 again (evicted), with the same overstated total
    wait_idle(qtbot, model)
    assert model.rowCount() == 450  # the end a short page found still holds


def test_short_first_page_sets_the_rows_at_once(qtbot: QtBot, make_model: MakeModel) -> None:
    model = make_model(FakeSearch(150, overstate=100))
    totals: list[int] = []
    model.total_changed.connect(totals.append)
    loaded(qtbot, model)
    assert model.rowCount() == 150
    assert totals == [150]


# ------------------------------------------------------------------ errors


def test_failed_page_signals_error_and_retry_loads_it(qtbot: QtBot, make_model: MakeModel) -> None:
    fake = FakeSearch(1000)
    model = loaded(qtbot, make_model(fake))
    fake.fail_pages = {3}

    with qtbot.waitSignal(model.error) as blocker:
        model.ensure_rows(400, 450)
    assert isinstance(blocker.args[0], FakeSearchError)
    wait_idle(qtbot, model)
    assert display(model, 420) == "…"
    assert model.data(model.index(420, 0), LoadingRole) is True

    model.ensure_rows(400, 450)  # a failed page is not hammered
    display(model, 420)
    drain(qtbot, asyncio.get_running_loop())
    assert fake.page_numbers() == [1, 3]

    fake.fail_pages.clear()
    model.retry()
    qtbot.waitUntil(lambda: model.is_loaded(420))
    assert fake.page_numbers() == [1, 3, 3]


def test_failed_first_page_is_retried(qtbot: QtBot, make_model: MakeModel) -> None:
    fake = FakeSearch(450, fail_pages={1})
    model = make_model(fake)
    with qtbot.waitSignal(model.error):
        model.set_query({})
    assert model.rowCount() == 0
    fake.fail_pages.clear()
    model.retry()
    wait_idle(qtbot, model)
    assert model.rowCount() == 450


def test_a_malformed_answer_is_an_error_not_a_crash(qtbot: QtBot, make_model: MakeModel) -> None:
    async def broken(body: dict[str, Any]) -> Any:
        return {"records": []}

    model = PagedSearchModel(broken, columns())
    try:
        with qtbot.waitSignal(model.error) as blocker:
            model.set_query({})
        assert isinstance(blocker.args[0], TypeError)
        assert model.rowCount() == 0
    finally:
        model.close()


# ------------------------------------------------------------------ edits and refresh


def test_update_record_replaces_it_by_id(qtbot: QtBot, make_model: MakeModel) -> None:
    model = loaded(qtbot, make_model(FakeSearch(450)))
    changes: list[tuple[int, int, int, int, list[int]]] = []
    model.dataChanged.connect(
        lambda top, bottom, roles: changes.append(
            (top.row(), top.column(), bottom.row(), bottom.column(), list(roles))
        )
    )

    assert model.update_record({"id": 5, "name": "Renamed", "value": 1, "date_modified": 0})
    assert display(model, 4, 1) == "Renamed"
    assert model.data(model.index(4, 0), IdRole) == 5
    assert model.data(model.index(4, 0), RecordRole)["name"] == "Renamed"
    assert len(changes) == 1
    assert changes[0][:4] == (4, 0, 4, 2)
    assert set(changes[0][4]) >= {int(Qt.ItemDataRole.DisplayRole), RecordRole}

    assert not model.update_record({"id": 300, "name": "not loaded"})
    assert not model.update_record({"name": "no id"})
    assert len(changes) == 1


def test_refresh_keeps_the_scroll_position(qtbot: QtBot, make_model: MakeModel) -> None:
    fake = FakeSearch(BIG)
    model = loaded(qtbot, make_model(fake))
    model.ensure_rows(50_000, 50_030)
    wait_idle(qtbot, model)
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    fake.overrides = {
        50_001: {"id": 50_001, "name": "Fresh", "value": 0, "date_modified": 0},
        1: {"id": 1, "name": "Fresh top", "value": 0, "date_modified": 0},
    }

    model.refresh()
    assert display(model, 50_000, 1) == synthetic_records(BIG)[50_000]["name"]  # old, until
    wait_idle(qtbot, model)
    assert display(model, 50_000, 1) == "Fresh"
    assert fake.page_numbers() == [1, 251, 251]
    assert resets == []
    assert model.rowCount() == 100_000

    assert display(model, 0, 1) == "Name 007919"  # stale until it is visible again
    model.ensure_rows(0, 30)
    wait_idle(qtbot, model)
    assert display(model, 0, 1) == "Fresh top"


# ------------------------------------------------------------------ model contract


def test_qtmodeltester_on_a_loaded_model(
    qtbot: QtBot, make_model: MakeModel, qtmodeltester: Any
) -> None:
    model = loaded(qtbot, make_model(FakeSearch(450)))
    model.ensure_rows(0, 449)
    wait_idle(qtbot, model)
    qtmodeltester.check(model)
    qtmodeltester.check(model, force_py=True)
    wait_idle(qtbot, model)


def test_qtmodeltester_on_a_partly_loaded_model(
    qtbot: QtBot, make_model: MakeModel, qtmodeltester: Any
) -> None:
    model = loaded(qtbot, make_model(FakeSearch(1000)))
    qtmodeltester.check(model, force_py=True)
    wait_idle(qtbot, model)


def test_qtmodeltester_before_any_query(make_model: MakeModel, qtmodeltester: Any) -> None:
    qtmodeltester.check(make_model(FakeSearch(10)))


def test_roles(qtbot: QtBot, make_model: MakeModel) -> None:
    model = loaded(qtbot, make_model(FakeSearch(450)))
    index = model.index(2, 2)
    record = synthetic_records(450)[2]
    assert model.data(index) == f"${record['value']}"
    assert model.data(index, SortRole) == record["value"]
    assert model.data(model.index(2, 1), SortRole) == record["name"]  # falls back to value
    assert model.data(index, IdRole) == 3
    assert model.data(index, RecordRole) == record
    assert model.data(index, LoadingRole) is False
    assert model.data(index, Qt.ItemDataRole.ToolTipRole) is None
    assert model.data(model.index(400, 2), IdRole) is None
    assert model.data(QModelIndex()) is None
    assert model.headerData(0, Qt.Orientation.Vertical) == 1


# ------------------------------------------------------------------ shutdown


def model_tasks() -> set[asyncio.Task[Any]]:
    return {
        t
        for t in pending_tasks(asyncio.get_running_loop())
        if t.get_name().startswith("PagedSearchModel")
    }


def test_close_cancels_everything_in_flight(qtbot: QtBot, make_model: MakeModel) -> None:
    fake = FakeSearch(2000)
    model = loaded(qtbot, make_model(fake))
    fake.gate = asyncio.Event()
    model.ensure_rows(200, 1199)
    drain(qtbot, asyncio.get_running_loop())
    assert fake.in_flight == 4
    signals: list[object] = []
    for signal in (model.loading_changed, model.page_loaded, model.error, model.total_changed):
        signal.connect(signals.append)

    model.close()
    qtbot.waitUntil(lambda: not model_tasks())
    assert fake.cancelled == 4
    assert fake.in_flight == 0
    assert signals == []
    model.ensure_rows(0, 1999)
    model.refresh()
    model.retry()
    display(model, 1500)
    drain(qtbot, asyncio.get_running_loop())
    assert len(fake.calls) == 5
    with pytest.raises(RuntimeError, match="closed"):
        model.set_query({})


def test_aclose_waits_for_the_tasks(qtbot: QtBot, make_model: MakeModel) -> None:
    fake = FakeSearch(2000, gate=asyncio.Event())
    model = make_model(fake)
    model.set_query({})
    qtbot.waitUntil(lambda: fake.in_flight == 1)
    closing = asyncio.get_running_loop().create_task(model.aclose())
    qtbot.waitUntil(closing.done)
    assert closing.result() is None
    assert not model_tasks()
    assert fake.cancelled == 1


def test_a_slot_may_start_a_new_query_while_a_page_arrives(
    qtbot: QtBot, make_model: MakeModel, qtmodeltester: Any
) -> None:
    fake = FakeSearch(450)
    model = make_model(fake)
    qtmodeltester.check(model, force_py=True)  # keeps checking on every signal
    started: list[int] = []

    def requery(rows: int) -> None:
        if not started:
            started.append(rows)
            model.set_query({}, "name", "desc")

    model.total_changed.connect(requery)
    model.set_query({})
    qtbot.waitUntil(lambda: model.is_loaded(0) and not model.loading)
    assert started == [450]
    assert [call.get("sort_direction") for call in fake.calls][:2] == [None, "desc"]
    assert model.rowCount() == 450
    assert display(model, 0, 1) == "Name 000449"


def test_a_failing_column_costs_one_log_line_not_a_crash_per_repaint(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    """The model's last resort, for columns made elsewhere (the catalog's never raise)."""

    def broken(record: Any) -> str:
        raise ValueError("cannot show this")

    model = PagedSearchModel(FakeSearch(30), [Column("name", "Name", broken)], page_size=10)
    try:
        loaded(qtbot, model)
        with caplog.at_level(logging.ERROR, logger="copper_desktop.models.paged"):
            for row in range(5):
                assert display(model, row) is None
                assert model.data(model.index(row, 0), SortRole) is None
        assert [r.getMessage() for r in caplog.records] == ["Column 'name' cannot show record 1"]
    finally:
        model.close()


# ------------------------------------------------------- columns and names arriving later


def test_columns_added_later_show_for_the_rows_already_loaded(
    qtbot: QtBot, make_model: MakeModel
) -> None:
    fake = FakeSearch(450)
    model = loaded(qtbot, make_model(fake))
    inserted: list[tuple[int, int]] = []
    model.columnsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    width = model.columnCount()

    model.add_columns([Column("double", "Double", lambda r: r["value"] * 2)])

    assert inserted == [(width, width)]
    assert model.columnCount() == width + 1
    assert model.headerData(width, Qt.Orientation.Horizontal) == "Double"
    record = model.record(0)
    assert record is not None
    assert model.index(0, width).data() == str(record["value"] * 2)
    assert model.rowCount() == 450 and len(fake.calls) == 1  # nothing was fetched again


def test_refresh_display_repaints_every_row_held_with_what_it_shows_now(
    qtbot: QtBot, make_model: MakeModel
) -> None:
    names: dict[int, str] = {}
    fake = FakeSearch(450)
    model = PagedSearchModel(
        fake, [Column("owner", "Owner", lambda r: names.get(r["id"], f"#{r['id']}"))]
    )
    try:
        loaded(qtbot, model)
        model.ensure_rows(400, 449)
        wait_idle(qtbot, model)
        assert model.loaded_pages() == [0, 2]
        changed: list[tuple[int, int]] = []
        model.dataChanged.connect(
            lambda first, last, _roles: changed.append((first.row(), last.row()))
        )
        names.update({r["id"]: f"Owner {r['id']}" for r in synthetic_records(450)})

        model.refresh_display()

        assert changed == [(0, 449)]
        record = model.record(420)
        assert record is not None and display(model, 420) == f"Owner {record['id']}"
    finally:
        model.close()
