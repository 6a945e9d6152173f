"""The browser's table shows names that resolve after its rows were painted: the model keeps
the texts it painted, so the browser must tell it when names arrive (a bare viewport repaint
would show the cached ids again). Against the live sandbox."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pytestqt.qtbot import QtBot

from copper_desktop.domain.catalog import entity
from copper_desktop.models.lookups import Lookups
from copper_desktop.models.paged import Column
from copper_desktop.session import Session
from copper_desktop.ui.browse.browser import EntityBrowser


def test_names_resolved_after_painting_are_shown(
    qtbot: QtBot, session: Session, run: Callable[..., Any]
) -> None:
    lookups = Lookups()
    names: dict[int, str] = {}

    def owner(record: Mapping[str, Any]) -> str:
        return names.get(record["id"], f"#{record['id']}")

    browser = EntityBrowser(
        session, entity("people"), lookups=lookups, columns=[Column("owner", "Owner", owner)]
    )
    try:
        browser.resize(600, 400)
        browser.show()
        qtbot.waitExposed(browser)
        browser.start()
        qtbot.waitUntil(lambda: browser.model.is_loaded(0))
        record = browser.model.record(0)
        assert record is not None
        browser.table.viewport().repaint()  # painted with the id
        assert browser.model.index(0, 0).data() == f"#{record['id']}"

        names[record["id"]] = "Ada Lovelace"
        lookups.names_resolved.emit()

        assert browser.model.index(0, 0).data() == "Ada Lovelace"
    finally:
        run(browser.aclose())
        browser.close()
        browser.deleteLater()
