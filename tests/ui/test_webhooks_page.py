"""The webhooks page against the live sandbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from copper_desktop.session import Session
from copper_desktop.ui.webhooks_page import HEADERS, WebhooksPage
from tests.conftest import SandboxControl


@pytest.fixture
def page(qtbot: QtBot, session: Session, run: Callable[..., Any]) -> Iterator[WebhooksPage]:
    widget = WebhooksPage(session.client.list_webhooks)
    widget.resize(700, 400)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    run(widget.aclose())
    widget.close()
    widget.deleteLater()


def column(page: WebhooksPage, header: str) -> list[str]:
    index = HEADERS.index(header)
    table = page.table
    return [item.text() if (item := table.item(r, index)) else "" for r in range(table.rowCount())]


def test_lists_a_created_subscription(
    qtbot: QtBot, page: WebhooksPage, session: Session, run: Callable[..., Any]
) -> None:
    target = "https://example.test/hooks/ui-page"
    hook = run(session.client.create_webhook({"target": target, "type": "person", "event": "new"}))
    try:
        with qtbot.waitSignal(page.loaded):
            QTest.mouseClick(page.refresh_button, Qt.MouseButton.LeftButton)
        row = column(page, "ID").index(str(hook["id"]))
        assert column(page, "Target")[row] == target
        assert column(page, "Type")[row] == "person"
        assert column(page, "Event")[row] == "new"
        assert column(page, "Created")[row] != ""
        assert page.status.text().endswith(("subscription", "subscriptions"))
    finally:
        run(session.client.delete_webhook(hook["id"]))


def test_failure_shows_the_banner_and_retry_recovers(
    qtbot: QtBot, page: WebhooksPage, control: SandboxControl
) -> None:
    control.add_fault("error", status=500, path="^/webhooks$")
    with qtbot.waitSignal(page.error_occurred):
        page.refresh()
    assert page.banner.isVisible()
    assert page.refresh_button.isEnabled()
    control.clear_faults()
    with qtbot.waitSignal(page.loaded):
        QTest.mouseClick(page.banner._retry, Qt.MouseButton.LeftButton)
    assert not page.banner.isVisible()
