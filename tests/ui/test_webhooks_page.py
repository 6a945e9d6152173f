"""The webhooks page against the live sandbox: listing, creating and deleting."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QLineEdit,
    QMessageBox,
)
from pytestqt.qtbot import QtBot

from copper_desktop.addresses import is_loopback_url
from copper_desktop.domain.catalog import WEBHOOK_TYPES
from copper_desktop.domain.formats import format_datetime
from copper_desktop.session import Session
from copper_desktop.ui.webhooks.webhook_dialog import WebhookDialog, target_message
from copper_desktop.ui.webhooks.webhooks_page import HEADERS, WebhooksPage
from tests.helpers.sandbox import SandboxControl


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


# --------------------------------------------------------------------------- create and delete

MakePage = Callable[..., WebhooksPage]


@pytest.fixture
def make_page(qtbot: QtBot, session: Session, run: Callable[..., Any]) -> Iterator[MakePage]:
    """``make_page(allow_loopback_http=False)``: a loaded page that can create and delete."""
    made: list[WebhooksPage] = []

    def make(*, allow_loopback_http: bool = False) -> WebhooksPage:
        widget = WebhooksPage(
            session.client.list_webhooks,
            client=session.client,
            allow_loopback_http=allow_loopback_http,
        )
        widget.resize(800, 400)
        widget.show()
        qtbot.waitExposed(widget)
        made.append(widget)
        with qtbot.waitSignal(widget.loaded):
            widget.refresh()
        return widget

    yield make
    for widget in made:
        run(widget.aclose())
        widget.close()
        widget.deleteLater()


def webhook_posts(control: SandboxControl) -> int:
    return sum(
        1
        for r in control.requests(limit=1000)
        if r["method"] == "POST" and r["path"] == "/webhooks"
    )


def open_dialog(page: WebhooksPage) -> WebhookDialog:
    QTest.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def fill(dialog: WebhookDialog, target: str, kind: str = "person", event: str = "new") -> None:
    dialog.target_edit.clear()
    QTest.keyClicks(dialog.target_edit, target)
    dialog.type_combo.setCurrentIndex(dialog.type_combo.findData(kind))
    dialog.event_combo.setCurrentIndex(dialog.event_combo.findData(event))


@pytest.mark.parametrize("created", [math.nan, math.inf, 1e20, 1_700_000_000_000])
def test_a_creation_time_no_date_can_show_is_shown_as_a_number(
    page: WebhooksPage, created: float
) -> None:
    """NaN, infinity, or milliseconds for seconds: listed (as the number), not a crash."""
    page.show_hooks([{"id": 7, "type": "person", "event": "new", "created_at": created}])
    assert column(page, "ID") == ["7"]
    assert column(page, "Created") == [format_datetime(created)]
    assert column(page, "Created")[0] != ""


def test_read_only_form_has_no_create_or_delete(page: WebhooksPage) -> None:
    assert page.new_button.isHidden() and page.delete_button.isHidden()


def test_types_and_events_come_from_the_catalog(make_page: MakePage) -> None:
    dialog = open_dialog(make_page())
    types = [dialog.type_combo.itemData(i) for i in range(dialog.type_combo.count())]
    events = [dialog.event_combo.itemData(i) for i in range(dialog.event_combo.count())]
    assert types == list(WEBHOOK_TYPES) and "activity_log" in types
    assert events == ["new", "update", "delete"]
    dialog.reject()


def test_create_a_webhook(
    qtbot: QtBot, make_page: MakePage, session: Session, run: Callable[..., Any]
) -> None:
    page = make_page()
    dialog = open_dialog(page)
    target = f"https://example.test/hooks/{uuid.uuid4().hex[:8]}"
    fill(dialog, target, "company", "update")
    QTest.keyClicks(dialog.secret_key_edit, "password")
    QTest.keyClicks(dialog.secret_value_edit, "s3cret")
    with qtbot.waitSignal(page.created) as created, qtbot.waitSignal(page.loaded):
        QTest.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    hook = created.args[0]
    try:
        assert page.dialog is None  # closed (and deleted) once created
        listed = {h["id"]: h for h in run(session.client.list_webhooks())}
        assert listed[hook["id"]]["target"] == target
        assert (listed[hook["id"]]["type"], listed[hook["id"]]["event"]) == ("company", "update")
        assert listed[hook["id"]]["secret"] == {"password": "s3cret"}
        assert column(page, "Target")[page.row_of(hook["id"])] == target
    finally:
        run(session.client.delete_webhook(hook["id"]))


@pytest.mark.parametrize(
    ("target", "secret", "problem"),
    [
        ("", ("", ""), "target"),
        ("http://example.test/hook", ("", ""), "target"),
        ("ftp://example.test/hook", ("", ""), "target"),
        ("https://", ("", ""), "target"),
        ("https:///no-host", ("", ""), "target"),
        ("http://127.0.0.1:9/hook", ("", ""), "target"),  # loopback only for the sandbox
        ("https://example.test/hook", ("", "value"), "secret"),
        ("https://example.test/hook", ("name", ""), "secret"),
    ],
)
def test_invalid_input_is_shown_inline_and_nothing_is_sent(
    make_page: MakePage,
    control: SandboxControl,
    target: str,
    secret: tuple[str, str],
    problem: str,
) -> None:
    dialog = open_dialog(make_page())
    fill(dialog, target)
    QTest.keyClicks(dialog.secret_key_edit, secret[0])
    QTest.keyClicks(dialog.secret_value_edit, secret[1])
    before = webhook_posts(control)
    QTest.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    error = dialog.target_error if problem == "target" else dialog.secret_error
    other = dialog.secret_error if problem == "target" else dialog.target_error
    assert error.isVisible() and error.text()
    assert not other.isVisible()
    assert not dialog.busy and dialog.isVisible()
    assert webhook_posts(control) == before
    dialog.reject()


def test_loopback_http_is_allowed_for_the_sandbox(
    qtbot: QtBot, make_page: MakePage, session: Session, run: Callable[..., Any]
) -> None:
    page = make_page(allow_loopback_http=True)
    dialog = open_dialog(page)
    fill(dialog, "http://example.test/hook")
    dialog.create_button.click()
    assert "localhost" in dialog.target_error.text()
    fill(dialog, f"http://127.0.0.1:9/hook/{uuid.uuid4().hex[:8]}", "task", "delete")
    with qtbot.waitSignal(page.created) as created:
        dialog.create_button.click()
    run(session.client.delete_webhook(created.args[0]["id"]))


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "127.0.0.1",
        "127.0.0.2",
        "[::1]",
        "sandbox.localhost",
        "localhost.localdomain",
        "example.test",
        "10.0.0.1",
    ],
)
def test_sandbox_targets_follow_the_apps_one_loopback_rule(host: str) -> None:
    url = f"http://{host}:9/hook"
    assert (target_message(url, allow_loopback_http=True) is None) == is_loopback_url(url)
    assert target_message(url) is not None  # real Copper: https only, loopback or not


def test_a_422_is_shown_inline_and_the_input_kept(
    qtbot: QtBot, make_page: MakePage, control: SandboxControl
) -> None:
    page = make_page()
    dialog = open_dialog(page)
    target = "https://example.test/hooks/refused"
    fill(dialog, target)
    control.add_fault("error", status=422, method="POST", path="^/webhooks$")
    QTest.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.busy and not dialog.create_button.isEnabled()
    qtbot.waitUntil(lambda: not dialog.busy)
    assert dialog.isVisible() and dialog.error_label.isVisible()
    assert "Copper rejected" in dialog.error_label.text()
    assert dialog.target_edit.text() == target and dialog.create_button.isEnabled()
    dialog.reject()


def test_delete_asks_first_naming_target_and_event(
    qtbot: QtBot,
    make_page: MakePage,
    session: Session,
    run: Callable[..., Any],
    control: SandboxControl,
) -> None:
    target = f"https://example.test/hooks/{uuid.uuid4().hex[:8]}"
    hook = run(session.client.create_webhook({"target": target, "type": "lead", "event": "delete"}))
    page = make_page()
    assert not page.delete_button.isEnabled()
    page.table.selectRow(page.row_of(hook["id"]))
    assert page.delete_button.isEnabled()

    QTest.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    box = page.confirm
    assert box is not None and box.isVisible()
    assert target in box.text() and "Delete" in box.text() and "lead" in box.text()
    cancel = box.button(QMessageBox.StandardButton.Cancel)
    QTest.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert page.confirm is None
    assert not any(r["method"] == "DELETE" for r in control.requests(limit=1000))
    assert hook["id"] in {h["id"] for h in run(session.client.list_webhooks())}

    QTest.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    box = page.confirm
    assert box is not None
    yes = box.button(QMessageBox.StandardButton.Yes)
    assert yes.objectName() == "webhookDeleteYes"
    with qtbot.waitSignal(page.deleted) as deleted, qtbot.waitSignal(page.loaded):
        QTest.mouseClick(yes, Qt.MouseButton.LeftButton)
    assert deleted.args == [hook["id"]]
    assert hook["id"] not in {h["id"] for h in run(session.client.list_webhooks())}
    assert page.row_of(hook["id"]) == -1


def test_a_failed_delete_goes_to_the_banner(
    qtbot: QtBot,
    make_page: MakePage,
    session: Session,
    run: Callable[..., Any],
    control: SandboxControl,
) -> None:
    hook = run(
        session.client.create_webhook(
            {"target": "https://example.test/hooks/kept", "type": "task", "event": "new"}
        )
    )
    try:
        page = make_page()
        page.table.selectRow(page.row_of(hook["id"]))
        control.add_fault("error", status=403, method="DELETE", path="^/webhooks/")
        page.delete_button.click()
        assert page.confirm is not None
        with qtbot.waitSignal(page.error_occurred):
            page.confirm.button(QMessageBox.StandardButton.Yes).click()
        assert page.banner.isVisible()
        assert page.delete_button.isEnabled()
        control.clear_faults()
    finally:
        run(session.client.delete_webhook(hook["id"]))


def test_every_interactive_widget_is_named(make_page: MakePage) -> None:
    page = make_page()
    dialog = open_dialog(page)
    widgets = [
        *page.findChildren(QAbstractButton),
        *page.findChildren(QAbstractItemView),
        *dialog.findChildren(QLineEdit),
        *dialog.findChildren(QComboBox),
    ]
    assert len(widgets) >= 10
    for widget in widgets:
        assert widget.objectName(), widget
        assert widget.accessibleName(), widget.objectName()
    dialog.reject()
