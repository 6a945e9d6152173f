"""The conflict dialog: a row per field either side changed, conflicts highlighted, values
formatted for people, and each button's choice."""

from __future__ import annotations

import math
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot

from copper_desktop.domain.catalog import LookupKind, entity
from copper_desktop.domain.custom_fields import custom_field_key, entity_fields, parse_definitions
from copper_desktop.domain.diff import three_way
from copper_desktop.domain.formats import format_datetime, format_money
from copper_desktop.models.lookups import Lookups
from copper_desktop.models.record_columns import column_for
from copper_desktop.ui.common.style import contrast_ratio
from copper_desktop.ui.editor.conflict_dialog import COLUMNS, ConflictDialog

OPPORTUNITIES = entity("opportunities")
DEFINITIONS = parse_definitions(
    [{"id": 21, "name": "Region", "data_type": "String", "available_on": ["opportunity"]}]
)
REGION = custom_field_key(21)
USERS = {7: "Ada Admin", 8: "Bob Builder"}

ORIGINAL: dict[str, Any] = {
    "id": 3,
    "name": "Big deal",
    "assignee_id": 7,
    "monetary_value": 1000,
    "monetary_unit": "USD",
    "details": "first",
    "priority": "None",
    "custom_fields": [{"custom_field_definition_id": 21, "value": "North"}],
    "date_modified": 1_700_000_000,
}
MINE = {**ORIGINAL, "monetary_value": 2500, "assignee_id": 8, "details": "same change"}
THEIRS = {
    **ORIGINAL,
    "monetary_value": 3000,
    "details": "same change",
    "priority": "High",
    "custom_fields": [{"custom_field_definition_id": 21, "value": "South"}],
    "date_modified": 1_700_000_600,
}


def name_of(kind: LookupKind, value: Any) -> str | None:
    return USERS.get(value) if kind is LookupKind.USERS else None


@pytest.fixture
def dialog(qtbot: QtBot) -> ConflictDialog:
    made = ConflictDialog(
        OPPORTUNITIES,
        entity_fields(OPPORTUNITIES, DEFINITIONS),
        three_way(ORIGINAL, MINE, THEIRS),
        ORIGINAL,
        MINE,
        THEIRS,
        name_of,
    )
    qtbot.addWidget(made)
    return made


def cells(dialog: ConflictDialog) -> dict[str, list[str]]:
    table = dialog.table
    out: dict[str, list[str]] = {}
    for row in range(table.rowCount()):
        texts = []
        for column in range(table.columnCount()):
            item = table.item(row, column)
            assert item is not None
            texts.append(item.text())
        out[texts[0]] = texts[1:]
    return out


def test_a_row_per_field_either_side_changed(dialog: ConflictDialog) -> None:
    table = dialog.table
    assert table.objectName() == "conflictTable"
    assert [table.horizontalHeaderItem(c).text() for c in range(4)] == list(COLUMNS)  # type: ignore[union-attr]
    # In field order; Copper's bookkeeping (date_modified) is left out.
    assert dialog.row_keys() == ["assignee_id", "priority", "monetary_value", "details", REGION]
    shown = cells(dialog)
    assert shown["Owner"] == ["Ada Admin", "Bob Builder", "Ada Admin"]
    assert shown["Priority"] == ["None", "None", "High"]
    assert shown["Value"] == [format_money(v, "USD") for v in (1000, 2500, 3000)]
    assert shown["Details"] == ["first", "same change", "same change"]
    assert shown["Region"] == ["North", "North", "South"]


def test_only_real_conflicts_are_highlighted(dialog: ConflictDialog) -> None:
    keys = dialog.row_keys()
    conflicting = {keys[row] for row in range(len(keys)) if dialog.is_conflict_row(row)}
    # Both changed the value, to different amounts; both made the same details change.
    assert conflicting == {"monetary_value"}
    value_row, details_row = keys.index("monetary_value"), keys.index("details")
    highlighted = dialog.table.item(value_row, 0)
    plain = dialog.table.item(details_row, 0)
    assert highlighted is not None and plain is not None
    assert highlighted.background().style() != Qt.BrushStyle.NoBrush
    assert plain.background().style() == Qt.BrushStyle.NoBrush
    assert "both sides" in str(highlighted.data(Qt.ItemDataRole.AccessibleTextRole))
    # The side that changed a value is bold.
    mine = dialog.table.item(keys.index("assignee_id"), 2)
    theirs = dialog.table.item(keys.index("assignee_id"), 3)
    assert mine is not None and theirs is not None
    assert mine.font().bold() and not theirs.font().bold()


def _palette(window: str, base: str, text: str) -> QPalette:
    pal = QPalette()
    for role, color in (
        (QPalette.ColorRole.Window, window),
        (QPalette.ColorRole.Base, base),
        (QPalette.ColorRole.AlternateBase, base),
        (QPalette.ColorRole.WindowText, text),
        (QPalette.ColorRole.Text, text),
    ):
        pal.setColor(role, QColor(color))
    return pal


THEMES = {
    "dark": _palette("#2b2b2b", "#1e1e1e", "#eeeeee"),
    "light": _palette("#efefef", "#ffffff", "#000000"),
}


@pytest.mark.parametrize("theme", THEMES)
def test_highlighted_cells_are_readable_on_the_theme(
    qtbot: QtBot, qapp: QApplication, theme: str
) -> None:
    """A conflicting row is drawn in the palette's own text colour (nothing forced: black text
    on a light amber was an island in a dark window) on a background it reads on (4.5:1)."""
    previous = QPalette(qapp.palette())
    qapp.setPalette(THEMES[theme])
    try:
        made = ConflictDialog(
            OPPORTUNITIES,
            entity_fields(OPPORTUNITIES, DEFINITIONS),
            three_way(ORIGINAL, MINE, THEIRS),
            ORIGINAL,
            MINE,
            THEIRS,
            name_of,
        )
        qtbot.addWidget(made)
        text = made.table.palette().color(QPalette.ColorRole.Text)
        row = made.row_keys().index("monetary_value")
        assert made.is_conflict_row(row)
        for column in range(made.table.columnCount()):
            item = made.table.item(row, column)
            assert item is not None
            brush = item.foreground()
            foreground = brush.color() if brush.style() != Qt.BrushStyle.NoBrush else text
            assert foreground == text, column
            background = item.background().color()
            assert contrast_ratio(foreground, background) >= 4.5, (column, background.name())
    finally:
        qapp.setPalette(previous)


def test_the_summary_says_what_changed_and_when(dialog: ConflictDialog) -> None:
    text = dialog.summary.text()
    assert "“Big deal”" in text
    assert format_datetime(THEIRS["date_modified"]) in text
    assert "1 field was changed on both sides" in text


def test_every_widget_is_named_for_tests_and_screen_readers(dialog: ConflictDialog) -> None:
    for name in ("conflictTable", "conflictKeepTheirs", "conflictTakeMine", "conflictCancel",
                 "conflictSummary"):  # fmt: skip
        widget = dialog.findChild(QWidget, name)
        assert widget is not None, name
        assert widget.accessibleName(), name
    assert dialog.accessibleName()


@pytest.mark.parametrize(
    ("button", "expected", "result"),
    [
        ("conflictKeepTheirs", "theirs", QDialog.DialogCode.Accepted),
        ("conflictTakeMine", "mine", QDialog.DialogCode.Accepted),
        ("conflictCancel", None, QDialog.DialogCode.Rejected),
    ],
)
def test_each_button_finishes_with_its_choice(
    dialog: ConflictDialog,
    qtbot: QtBot,
    button: str,
    expected: str | None,
    result: QDialog.DialogCode,
) -> None:
    dialog.open()
    qtbot.waitExposed(dialog)
    widget = dialog.findChild(QWidget, button)
    assert widget is not None
    with qtbot.waitSignal(dialog.finished) as finished:
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
    assert finished.args == [int(result.value)]
    assert dialog.choice() == expected
    assert not dialog.isVisible()


def test_escape_cancels_even_after_a_choice_was_made_earlier(
    dialog: ConflictDialog, qtbot: QtBot
) -> None:
    dialog.open()
    qtbot.waitExposed(dialog)
    with qtbot.waitSignal(dialog.finished):
        qtbot.mouseClick(dialog.take_mine, Qt.MouseButton.LeftButton)
    assert dialog.choice() == "mine"
    dialog.open()
    qtbot.waitExposed(dialog)
    with qtbot.waitSignal(dialog.finished) as finished:
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert finished.args == [int(QDialog.DialogCode.Rejected.value)]
    assert dialog.choice() is None


def test_cancel_is_the_default_button(dialog: ConflictDialog) -> None:
    assert dialog.cancel.isDefault()
    assert not dialog.take_mine.isDefault() and not dialog.keep_theirs.isDefault()


def test_without_overlap_it_still_asks(qtbot: QtBot) -> None:
    theirs = {**ORIGINAL, "priority": "Low", "date_modified": 1_700_000_100}
    mine = {**ORIGINAL, "details": "mine"}
    made = ConflictDialog(
        OPPORTUNITIES, OPPORTUNITIES.fields, three_way(ORIGINAL, mine, theirs), ORIGINAL, mine,
        theirs, None,
    )  # fmt: skip
    qtbot.addWidget(made)
    assert made.row_keys() == ["priority", "details"]
    assert not any(made.is_conflict_row(r) for r in range(2))
    assert "None of the fields you changed" in made.summary.text()


def test_values_read_as_in_the_table_odd_ones_too(qtbot: QtBot) -> None:
    """One formatter: close dates as ISO dates like the table's cells; values the server
    accepted but the app does not expect (1e26, a list, NaN) are shown, not raised."""
    original = {**ORIGINAL, "close_date": "1/31/2025"}
    mine = {**original, "close_date": "2/1/2025", "assignee_id": [8]}
    theirs = {**original, "monetary_value": 1e26, "date_modified": math.nan}
    made = ConflictDialog(
        OPPORTUNITIES, OPPORTUNITIES.fields, three_way(original, mine, theirs), original, mine,
        theirs, name_of,
    )  # fmt: skip
    qtbot.addWidget(made)
    shown = cells(made)
    assert shown["Close date"] == ["2025-01-31", "2025-02-01", "2025-01-31"]
    assert shown["Owner"] == ["Ada Admin", "[8]", "Ada Admin"]
    assert shown["Value"][2] == "$1.00E+26 USD"
    lookups = Lookups()
    for user_id, name in USERS.items():
        lookups.remember(LookupKind.USERS, user_id, name)
    for key, texts in zip(made.row_keys(), shown.values(), strict=True):
        column = column_for(OPPORTUNITIES, OPPORTUNITIES.field(key), lookups)
        assert texts == [column.value(r) for r in (original, mine, theirs)], key
    assert "NaN" not in made.summary.text()
