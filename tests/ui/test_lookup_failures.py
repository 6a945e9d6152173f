"""One lookup list failing hides only its own names (issue 14.4), end to end: the main window
against the sandbox with `GET /tags` answering an error."""

from __future__ import annotations

from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from copper_desktop.domain.catalog import LookupKind
from copper_desktop.ui.main_window import MainWindow
from tests.helpers.qt import MakeWindow
from tests.helpers.sandbox import SandboxControl


def cells(window: MainWindow, key: str, column: str) -> list[tuple[Any, str]]:
    """(raw value, shown text) of `column` in the loaded rows of `key`'s browser."""
    browser = window.browser(key)
    assert browser is not None
    index = browser.column_keys().index(column)
    model = browser.model
    rows = [r for r in range(model.rowCount()) if model.is_loaded(r)]
    return [((model.record(r) or {}).get(column), model.index(r, index).data()) for r in rows]


@pytest.mark.parametrize("status", [404, 500])
def test_failing_tags_leave_owners_stages_and_contact_types_named(
    qtbot: QtBot, make_window: MakeWindow, control: SandboxControl, status: int
) -> None:
    control.add_fault("error", status=status, method="GET", path="^/tags$")
    window = make_window()
    error = window.status.error_label.text()
    assert error.startswith("Last error: Could not load tags (")
    assert "Names and custom fields unavailable" not in error
    assert window.lookups.failed == ("tags",)

    browser = window.browser("people")
    assert browser is not None
    qtbot.waitUntil(lambda: browser.model.rowCount() > 0 and browser.model.is_loaded(0))
    for column, kind in (("assignee_id", LookupKind.USERS),
                         ("contact_type_id", LookupKind.CONTACT_TYPES)):  # fmt: skip
        shown = [(raw, text) for raw, text in cells(window, "people", column) if raw is not None]
        assert shown, column
        for raw, text in shown:
            assert text == window.lookups.name(kind, raw) and not text.startswith("#")

    window.show_page("opportunities")
    deals = window.browser("opportunities")
    assert deals is not None
    qtbot.waitUntil(lambda: deals.model.rowCount() > 0 and deals.model.is_loaded(0))
    stages = [(raw, text) for raw, text in cells(window, "opportunities", "pipeline_stage_id")]
    assert stages and all(not text.startswith("#") for raw, text in stages if raw is not None)
