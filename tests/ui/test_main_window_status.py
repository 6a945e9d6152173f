"""The status bar and banner as units, on a fake status source (no server needed)."""

from __future__ import annotations

from collections.abc import Callable

from pytestqt.qtbot import QtBot

from copper_desktop.api import ClientEvent, ClientStatus, RetryEvent
from copper_desktop.models.client_status import ClientStatusModel
from copper_desktop.ui.common.banner import Banner
from copper_desktop.ui.status_bar import ClientStatusBar


class FakeSource:
    def __init__(self) -> None:
        self.observers: list[Callable[[ClientEvent], None]] = []
        self.current = ClientStatus(0, 0, 170, 170, 60.0, 0.0)

    def subscribe(self, observer: Callable[[ClientEvent], None]) -> Callable[[], None]:
        self.observers.append(observer)
        return lambda: self.observers.remove(observer)

    def status(self) -> ClientStatus:
        return self.current

    def emit(self, event: ClientEvent) -> None:
        for observer in list(self.observers):
            observer(event)


def test_status_bar_follows_events_and_polls(qtbot: QtBot) -> None:
    source = FakeSource()
    bar = ClientStatusBar(ClientStatusModel(source))
    qtbot.addWidget(bar)
    assert bar.headroom_label.text() == "170/170 per min"
    source.emit(ClientStatus(3, 2, 168, 170, 60.0, 0.0))
    assert bar.in_flight_label.text() == "3 in flight, 2 queued"
    assert bar.headroom_label.text() == "168/170 per min"
    source.emit(RetryEvent("rate_limited", 7.2, 1, "POST", "people/search"))
    assert bar.retry_label.text() == "Rate limited, retrying in 8 s"
    source.emit(ClientStatus(1, 0, 0, 170, 60.0, 5.0))  # still paused: message stays
    assert bar.retry_label.text() == "Rate limited, retrying in 8 s"
    source.current = ClientStatus(0, 0, 12, 170, 60.0, 0.0)  # headroom came back with time
    with qtbot.waitSignal(bar.model.timer.timeout):
        pass
    assert bar.headroom_label.text() == "12/170 per min"
    assert bar.retry_label.text() == ""
    bar.show_error("Copper server error (500)\ndetails")
    assert bar.error_label.text() == "Last error: Copper server error (500)"
    assert "details" in bar.error_label.toolTip()
    bar.close_source()
    assert source.observers == []
    assert not bar.model.timer.isActive()


def test_banner_retry_and_dismiss(qtbot: QtBot) -> None:
    banner = Banner()
    qtbot.addWidget(banner)
    assert banner.isHidden()
    banner.show_error("Could not load people: server error")
    assert not banner.isHidden() and banner.message.endswith("server error")
    with qtbot.waitSignal(banner.retry_requested):
        banner._retry.click()
    assert banner.isHidden()
    banner.show_error("again", retry=False)
    assert banner._retry.isHidden()
    with qtbot.waitSignal(banner.dismissed):
        banner._dismiss.click()
    assert banner.isHidden()
