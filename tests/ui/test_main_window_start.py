"""Start-up order (issue 14.8): the first browser's rows never wait for the account, the
signed-in user, the lookups or the custom field definitions. Those are asked for alongside the
first page; when they arrive, ids turn into names by a repaint (dataChanged) and the custom
fields join the columns.

The lookup calls of the real client (on the live sandbox) are held behind a gate the test
opens, so the order is staged, not timed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from pytestqt.qtbot import QtBot

from copper_desktop.api import CopperClient
from copper_desktop.domain.catalog import LookupKind
from copper_desktop.domain.custom_fields import CUSTOM_KEY_PREFIX
from copper_desktop.session import Session
from copper_desktop.ui.main_window import MainWindow
from tests.helpers.qt import MakeWindow

HELD = (
    "account",
    "me",
    "all_users",
    "contact_types",
    "lead_statuses",
    "customer_sources",
    "loss_reasons",
    "pipelines",
    "custom_activity_types",
    "activity_types",
    "custom_field_definitions",
    "tags",
)
"""What the window asks for at start besides the first page."""


def hold(client: CopperClient, gate: asyncio.Event) -> list[str]:
    """Makes the client's start-up calls wait for `gate`; returns the names called so far."""
    asked: list[str] = []
    for name in HELD:
        real = getattr(client, name)

        async def held(*args: Any, _real: Any = real, _name: str = name, **kw: Any) -> Any:
            asked.append(_name)
            await gate.wait()
            return await _real(*args, **kw)

        setattr(client, name, held)
    return asked


def owner_cells(window: MainWindow) -> list[tuple[int, str]]:
    """(assignee id, shown text) of the people rows loaded."""
    browser = window.browser("people")
    assert browser is not None
    model = browser.model
    column = browser.column_keys().index("assignee_id")
    return [
        (record["assignee_id"], model.index(row, column).data())
        for row in range(model.rowCount())
        if (record := model.record(row)) is not None and record.get("assignee_id") is not None
    ]


def test_rows_show_before_the_lookups_and_names_fill_in_when_they_come(
    qtbot: QtBot, make_window: MakeWindow, running_loop: asyncio.AbstractEventLoop
) -> None:
    window = make_window(start=False)
    gate = asyncio.Event()
    asked = hold(window.session.client, gate)
    shown: list[bool] = []
    window.rows_shown.connect(lambda: shown.append(True))
    start = running_loop.create_task(window.start())
    try:
        qtbot.waitUntil(lambda: bool(shown), timeout=10_000)  # first rows painted
        browser = window.browser("people")
        assert browser is not None and browser.model.is_loaded(0)
        assert sorted(asked) == sorted(HELD)  # asked alongside the first page, not after it
        assert not start.done() and not window.lookups.is_loaded
        assert window.account_name is None
        owners = owner_cells(window)
        assert owners and all(text == f"#{owner}" for owner, text in owners)
        assert not any(k.startswith(CUSTOM_KEY_PREFIX) for k in browser.column_keys())
        visible = browser.visible_column_keys()
        repainted: list[tuple[int, int]] = []
        browser.model.dataChanged.connect(
            lambda first, last, _roles: repainted.append((first.row(), last.row()))
        )

        gate.set()
        qtbot.waitUntil(start.done, timeout=10_000)
        start.result()

        assert window.account_name and window.windowTitle().startswith(window.account_name)
        rows = browser.model.rowCount()
        assert any(first == 0 and last >= min(rows, 200) - 1 for first, last in repainted)
        for owner, text in owner_cells(window):
            assert text == window.lookups.name(LookupKind.USERS, owner), (owner, text)
        custom = [d.key for d in window.definitions if d.applies_to("person")]
        assert custom and all(key in browser.column_keys() for key in custom)
        assert browser.visible_column_keys() == visible  # custom columns join hidden
        assert browser.chooser.action(custom[0]).text()
        assert shown == [True]  # once
    finally:
        gate.set()
        if not start.done():
            start.cancel()
            qtbot.waitUntil(start.done, timeout=10_000)


def test_a_saved_custom_column_comes_back_where_it_was_once_the_definitions_arrive(
    qtbot: QtBot,
    make_window: MakeWindow,
    make_session: Callable[..., Session],
    run: Callable[..., Any],
    running_loop: asyncio.AbstractEventLoop,
) -> None:
    first = make_window()  # learns this account's custom fields and saves a layout with one
    browser = first.browser("people")
    assert browser is not None
    custom = next(d.key for d in first.definitions if d.applies_to("person"))
    browser.set_column_visible(custom, True)
    browser.header.moveSection(browser.header.visualIndex(browser.column_keys().index(custom)), 0)
    browser.save_layout()
    saved = browser.visible_column_keys()
    assert saved[0] == custom

    window = MainWindow(make_session(settings=first.session.settings))
    window.show()
    gate = asyncio.Event()
    hold(window.session.client, gate)
    start = running_loop.create_task(window.start())
    try:
        qtbot.waitUntil(lambda: window.rows_were_shown, timeout=10_000)
        again = window.browser("people")
        assert again is not None and custom not in again.column_keys()
        gate.set()
        qtbot.waitUntil(start.done, timeout=10_000)
        assert again.visible_column_keys() == saved
    finally:
        gate.set()
        if not start.done():
            start.cancel()
            qtbot.waitUntil(start.done, timeout=10_000)
        run(window.aclose())
        window.close()
        window.deleteLater()
