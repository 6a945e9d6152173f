"""The pipeline board end to end against the live sandbox: columns and counts, lazy pages,
moves through the conflict-checked save and their undo, conflicts and refusals, filters, the
leads board and the keyboard alternative to dragging."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, ClassVar

import httpx
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QAction, QDrag, QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QProgressBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from copper_desktop.domain.catalog import LookupKind
from copper_desktop.models.board import BoardModel
from copper_desktop.models.board_column import MIME_TYPE, BoardColumn
from copper_desktop.ui.board import column_view
from copper_desktop.ui.board.board_page import BoardPage
from copper_desktop.ui.board.column_view import ColumnView
from copper_desktop.ui.browse.filter_widgets import ChoiceButton
from copper_desktop.ui.main_window import MainWindow
from tests.helpers.board import FOLLOW_UP, QUALIFIED, SALES, count_of, wait_first_pages
from tests.helpers.editor import make_record
from tests.helpers.loop import Run
from tests.helpers.qt import MakeWindow
from tests.helpers.sandbox import SandboxControl


@pytest.fixture
def api(api: httpx.Client, control: SandboxControl) -> httpx.Client:
    """The admin's client, with the control API reset around the test (log, faults)."""
    return api


@pytest.fixture
def window(make_window: MakeWindow, run: Run) -> Iterator[MainWindow]:
    made = make_window()
    yield made
    page = made.page("board")
    if isinstance(page, BoardPage):
        run(page.aclose())


def logged(control: SandboxControl) -> list[dict[str, Any]]:
    return control.requests(1000)


def searches(control: SandboxControl) -> list[dict[str, Any]]:
    """The board's searches (by stage) in the log; the navigation's record counts and other
    pages search too."""
    return [
        r["body"]
        for r in logged(control)
        if r["method"] == "POST"
        and r["path"].endswith("/opportunities/search")
        and "pipeline_stage_ids" in (r["body"] or {})
    ]


def writes_of(control: SandboxControl, entity: str, record_id: int) -> list[tuple[str, Any]]:
    """GETs and PUTs of one record, in order, with the PUT bodies."""
    path = f"/{entity}/{record_id}"
    return [
        (r["method"], r["body"] if r["method"] == "PUT" else None)
        for r in logged(control)
        if r["path"].endswith(path) and r["method"] in ("GET", "PUT")
    ]


def board_page(qtbot: QtBot, window: MainWindow) -> BoardPage:
    page = window.show_page("board")
    assert isinstance(page, BoardPage)
    wait_first_pages(qtbot, page.model)
    return page


def view_of(page: BoardPage, group_id: int) -> ColumnView:
    view = page.view(group_id)
    assert view is not None
    return view


def column_ids(column: BoardColumn) -> list[int]:
    return [r["id"] for r in column.records]


def stage_of(api: httpx.Client, record_id: int) -> Any:
    return api.get(f"/opportunities/{record_id}").json()["pipeline_stage_id"]


class DeliveringDrag(QDrag):
    """The platform's part of a drag, which the offscreen platform lacks (its QDrag.exec
    returns at once): carries the drag's own mime data over `target` at `pos` as the
    window system would: drag enter, drag move, drop."""

    drop_target: ClassVar[QWidget]
    pos: ClassVar[QPoint]
    carried: ClassVar[list[bytes]] = []

    def exec(self, *_args: Any, **_kw: Any) -> Qt.DropAction:
        data = self.mimeData()
        DeliveringDrag.carried.append(bytes(data.data(MIME_TYPE).data()))
        move, button, none = (
            Qt.DropAction.MoveAction,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        viewport = self.drop_target
        QApplication.sendEvent(viewport, QDragEnterEvent(self.pos, move, data, button, none))
        moved = QDragMoveEvent(self.pos, move, data, button, none)
        QApplication.sendEvent(viewport, moved)
        if not moved.isAccepted():
            return Qt.DropAction.IgnoreAction
        drop = QDropEvent(QPointF(self.pos), move, data, button, none)
        QApplication.sendEvent(viewport, drop)
        return drop.dropAction() if drop.isAccepted() else Qt.DropAction.IgnoreAction


def drag(monkeypatch: pytest.MonkeyPatch, source: ColumnView, row: int, target: ColumnView) -> None:
    """Drag a card with the mouse: press on it and move past the drag distance, so the view
    starts its QDrag; the drag's events then reach the target column's view (see
    `DeliveringDrag`), whose drop event calls the column model's drop handler."""
    monkeypatch.setattr(column_view, "QDrag", DeliveringDrag)
    DeliveringDrag.drop_target = target.cards.viewport()
    DeliveringDrag.pos = target.cards.viewport().rect().center()
    DeliveringDrag.carried = []
    cards = source.cards
    start = cards.visualRect(cards.model().index(row, 0)).center()
    QTest.mousePress(cards.viewport(), Qt.MouseButton.LeftButton, pos=start)
    QTest.mouseMove(cards.viewport(), start + QPoint(0, 40))
    QTest.mouseMove(cards.viewport(), start + QPoint(0, 80))
    QTest.mouseRelease(cards.viewport(), Qt.MouseButton.LeftButton, pos=start + QPoint(0, 80))
    assert len(DeliveringDrag.carried) == 1  # the mouse started one drag


# --------------------------------------------------------------------------- columns


def test_board_shows_the_pipeline_stages_with_sandbox_counts(
    qtbot: QtBot, window: MainWindow, api: httpx.Client
) -> None:
    page = board_page(qtbot, window)
    model = page.model
    assert [c.name for c in model.columns] == [
        "Qualified",
        "Follow-up",
        "Presentation",
        "Contract Sent",
        "Negotiation",
    ]
    assert page.pipeline_combo.currentText() == "Sales"
    assert [page.pipeline_combo.itemText(i) for i in range(page.pipeline_combo.count())] == [
        "Sales",
        "Partnerships",
        "Renewals",
    ]  # the project pipeline is not offered
    for column in model.columns:
        assert column.count == count_of(
            api, "opportunities", {"pipeline_stage_ids": [column.group_id]}
        )
        assert view_of(page, column.group_id).count.text() == f"{column.count:,}"
    page.show_pipeline(213216)
    wait_first_pages(qtbot, page.model)
    assert [c.name for c in model.columns] == ["Upcoming", "In Discussion", "Verbal Yes"]
    assert [c.count for c in model.columns] == [
        count_of(api, "opportunities", {"pipeline_stage_ids": [c.group_id]}) for c in model.columns
    ]


def test_columns_load_their_first_page_then_more_as_they_scroll(
    qtbot: QtBot, window: MainWindow, api: httpx.Client, control: SandboxControl
) -> None:
    """Page size 6 stands in for 200 (the small sandbox has no column past 200)."""
    model = BoardModel(window.session.client, window.lookups, page_size=6, walk=False)
    page = BoardPage(window.session.client, window.lookups, window.open_record, model=model)
    page.resize(1100, 700)
    page.show()
    qtbot.addWidget(page)
    control.reset()
    wait_first_pages(qtbot, page.model)
    qualified = model.column_of(QUALIFIED)
    assert qualified is not None
    assert (qualified.count or 0) > 6  # a column with a second page
    first = searches(control)
    assert sorted(b["pipeline_stage_ids"][0] for b in first) == sorted(
        c.group_id for c in model.columns
    )  # one search per stage,
    assert {b["page_number"] for b in first} == {1}  # the first page each,
    assert {b["page_size"] for b in first} == {6}
    assert {(b["sort_by"], b["sort_direction"]) for b in first} == {("value", "desc")}
    cards = view_of(page, QUALIFIED).cards
    last = cards.visualRect(qualified.index(qualified.rowCount() - 1))
    assert not cards.viewport().rect().contains(last)  # nothing asked for more yet
    assert len(qualified.records) == 6

    control.reset()
    cards.verticalScrollBar().setValue(cards.verticalScrollBar().maximum())
    qtbot.waitUntil(lambda: len(qualified.records) > 6 and not model.busy)
    more = searches(control)
    assert more[0]["pipeline_stage_ids"] == [QUALIFIED]
    assert more[0]["page_number"] == 2
    assert {b["pipeline_stage_ids"][0] for b in more} == {QUALIFIED}
    run_aclose = page.model.runner.cancel_all
    run_aclose()


# --------------------------------------------------------------------------- moves


def test_a_drag_saves_the_stage_through_the_conflict_check_and_ctrl_z_moves_it_back(
    qtbot: QtBot,
    window: MainWindow,
    api: httpx.Client,
    control: SandboxControl,
    run: Run,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    deal = make_record(
        window,
        run,
        "opportunities",
        pipeline_id=SALES,
        pipeline_stage_id=QUALIFIED,
        monetary_value=9_900_000,
    )
    page = board_page(qtbot, window)
    model = page.model
    source, target = view_of(page, QUALIFIED), view_of(page, FOLLOW_UP)
    row = source.column.row_of(deal["id"])
    assert row >= 0
    counts = (source.column.count or 0, target.column.count or 0)
    control.reset()

    drag(monkeypatch, source, row, target)
    assert json.loads(DeliveringDrag.carried[0]) == {
        "entity": "opportunities",
        "id": deal["id"],
        "group": QUALIFIED,
    }

    qtbot.waitUntil(lambda: model.can_undo, timeout=10_000)
    assert deal["id"] in column_ids(target.column)
    assert deal["id"] not in column_ids(source.column)
    assert (source.column.count, target.column.count) == (counts[0] - 1, counts[1] + 1)
    assert writes_of(control, "opportunities", deal["id"]) == [
        ("GET", None),
        ("PUT", {"pipeline_stage_id": FOLLOW_UP}),
    ]
    assert stage_of(api, deal["id"]) == FOLLOW_UP
    assert "Moved" in page.message.text()

    control.reset()
    target.cards.setFocus()
    QTest.keyClick(target.cards, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: deal["id"] in column_ids(source.column) and not source.column.pending,
        timeout=10_000,
    )
    assert writes_of(control, "opportunities", deal["id"]) == [
        ("GET", None),
        ("PUT", {"pipeline_stage_id": QUALIFIED}),
    ]
    assert stage_of(api, deal["id"]) == QUALIFIED
    assert (source.column.count, target.column.count) == counts
    assert not model.can_undo


def test_a_card_changed_on_the_server_is_not_moved_and_returns(
    qtbot: QtBot, window: MainWindow, api: httpx.Client, control: SandboxControl, run: Run
) -> None:
    deal = make_record(
        window,
        run,
        "opportunities",
        pipeline_id=SALES,
        pipeline_stage_id=QUALIFIED,
        monetary_value=9_800_000,
    )
    page = board_page(qtbot, window)
    source, target = view_of(page, QUALIFIED), view_of(page, FOLLOW_UP)
    api.put(
        f"/opportunities/{deal['id']}", json={"details": "changed elsewhere"}
    ).raise_for_status()
    control.reset()

    assert page.model.move(deal["id"], FOLLOW_UP)  # what the drop calls (see the drag test)

    qtbot.waitUntil(lambda: "changed in Copper" in page.message.text(), timeout=10_000)
    assert deal["id"] in column_ids(source.column)
    assert deal["id"] not in column_ids(target.column)
    assert [m for m, _ in writes_of(control, "opportunities", deal["id"])] == ["GET"]
    record = api.get(f"/opportunities/{deal['id']}").json()
    assert (record["pipeline_stage_id"], record["details"]) == (QUALIFIED, "changed elsewhere")
    assert "back in Qualified" in page.message.text()
    assert not page.model.can_undo


def test_a_refused_move_shows_why_and_returns(
    qtbot: QtBot, window: MainWindow, api: httpx.Client, control: SandboxControl, run: Run
) -> None:
    deal = make_record(
        window,
        run,
        "opportunities",
        pipeline_id=SALES,
        pipeline_stage_id=QUALIFIED,
        monetary_value=9_700_000,
    )
    page = board_page(qtbot, window)
    source = view_of(page, QUALIFIED)
    control.add_fault("error", status=422, method="PUT", path=r"^/opportunities/\d+$", count=1)

    assert source.cards.move_current(0) is False  # same column: nothing to do
    source.cards.setCurrentIndex(source.column.index(source.column.row_of(deal["id"])))
    source.cards.setFocus()
    QTest.keyClick(
        source.cards,
        Qt.Key.Key_Right,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )

    qtbot.waitUntil(lambda: "refused" in page.message.text(), timeout=10_000)
    assert deal["id"] in column_ids(source.column)
    assert stage_of(api, deal["id"]) == QUALIFIED
    assert "back in Qualified" in page.message.text()


def test_double_click_opens_the_editor(qtbot: QtBot, window: MainWindow, run: Run) -> None:
    deal = make_record(
        window,
        run,
        "opportunities",
        pipeline_id=SALES,
        pipeline_stage_id=QUALIFIED,
        monetary_value=9_600_000,
    )
    page = board_page(qtbot, window)
    cards = view_of(page, QUALIFIED).cards
    index = cards.model().index(view_of(page, QUALIFIED).column.row_of(deal["id"]), 0)
    cards.scrollTo(index)
    QTest.mouseClick(
        cards.viewport(), Qt.MouseButton.LeftButton, pos=cards.visualRect(index).center()
    )
    QTest.mouseDClick(
        cards.viewport(), Qt.MouseButton.LeftButton, pos=cards.visualRect(index).center()
    )
    qtbot.waitUntil(lambda: window.editor("opportunities", deal["id"]) is not None)


# --------------------------------------------------------------------------- filters


def test_owner_status_and_tag_filters_apply_to_every_column(
    qtbot: QtBot, window: MainWindow, api: httpx.Client, control: SandboxControl
) -> None:
    page = board_page(qtbot, window)
    bar = page.filter_bar
    assert bar is not None
    owner = window.lookups.choices(LookupKind.USERS)[1][0]
    steps: list[tuple[str, Any, dict[str, Any]]] = [
        ("assignee_ids", owner, {"assignee_ids": [owner]}),
        ("status_ids", 0, {"assignee_ids": [owner], "status_ids": [0]}),
    ]
    for key, value, expected in steps:
        control.reset()
        button = bar.control(key)
        assert isinstance(button, ChoiceButton)
        button.action(value).trigger()
        wait_first_pages(qtbot, page.model)
        for column in page.model.columns:
            body = {"pipeline_stage_ids": [column.group_id], **expected}
            assert column.count == count_of(api, "opportunities", body)
            for record in column.records:
                assert record["assignee_id"] == owner
        sent = searches(control)
        assert sent and all(all(b[k] == v for k, v in expected.items()) for b in sent)
    bar.clear()
    wait_first_pages(qtbot, page.model)
    tag = "Q4 Push"
    tags = bar.control("tags")
    assert isinstance(tags, ChoiceButton)
    tags.action(tag).trigger()
    wait_first_pages(qtbot, page.model)
    for column in page.model.columns:
        body = {"pipeline_stage_ids": [column.group_id], "tags": [tag]}
        assert column.count == count_of(api, "opportunities", body)
        assert all(tag in r["tags"] for r in column.records)


# --------------------------------------------------------------------------- leads


def test_leads_by_status_move_from_the_card_menu(
    qtbot: QtBot, window: MainWindow, api: httpx.Client, control: SandboxControl, run: Run
) -> None:
    statuses = {s["name"]: s["id"] for s in api.get("/lead_statuses").json()}
    lead = make_record(window, run, "leads", status_id=statuses["New"], monetary_value=990_000)
    page = board_page(qtbot, window)
    page.kind_combo.setCurrentIndex(page.kind_combo.findData("leads"))
    qtbot.waitUntil(
        lambda: [c.name for c in page.model.columns] == ["New", "Open", "Unqualified", "Junk"],
        timeout=10_000,
    )
    wait_first_pages(qtbot, page.model)
    assert not page.pipeline_combo.isVisible()
    for column in page.model.columns:
        assert column.count == count_of(api, "leads", {"status_ids": [column.group_id]})
    new, open_ = view_of(page, statuses["New"]), view_of(page, statuses["Open"])
    row = new.column.row_of(lead["id"])
    assert row >= 0
    control.reset()

    menu = new.cards.menu_for(new.column.records[row])
    move = next(
        a
        for a in menu.findChildren(type(menu.menuAction()))
        if a.objectName() == f"boardMoveTo{statuses['Open']}"
    )
    move.trigger()

    qtbot.waitUntil(lambda: page.model.can_undo, timeout=10_000)
    assert lead["id"] in column_ids(open_.column)
    assert writes_of(control, "leads", lead["id"]) == [
        ("GET", None),
        ("PUT", {"status_id": statuses["Open"]}),
    ]
    assert api.get(f"/leads/{lead['id']}").json()["status_id"] == statuses["Open"]


def test_every_board_widget_is_named_and_cards_read_aloud(
    qtbot: QtBot, window: MainWindow, run: Run
) -> None:
    deal = make_record(window, run, "opportunities", pipeline_id=SALES,
                       pipeline_stage_id=QUALIFIED, monetary_value=9_500_000, monetary_unit="USD",
                       assignee_id=window.lookups.choices(LookupKind.USERS)[0][0],
                       close_date="1/3/2030")  # fmt: skip
    page = board_page(qtbot, window)
    widgets = [
        w
        for kind in (QAbstractButton, QAbstractItemView, QComboBox, QProgressBar)
        for w in page.findChildren(kind)
    ]
    widgets += [w for w in page.findChildren(QLabel) if w.objectName().startswith("board")]
    assert len(widgets) > 30
    for widget in widgets:
        assert widget.objectName(), widget
        assert widget.accessibleName(), widget.objectName()
    column = view_of(page, QUALIFIED).column
    index = column.index(column.row_of(deal["id"]))
    owner = window.lookups.choices(LookupKind.USERS)[0][1]
    assert index.data(Qt.ItemDataRole.AccessibleTextRole) == (
        f"{deal['name']}, $9,500,000.00 USD, {owner}, closes 3 Jan 2030"
    )
    cards = view_of(page, QUALIFIED).cards
    assert cards.focusPolicy() == Qt.FocusPolicy.StrongFocus
    menu = cards.menu_for(column.records[index.row()])
    assert menu.objectName() and menu.accessibleName()
    assert all(a.objectName() for a in menu.findChildren(QAction) if a.text())
