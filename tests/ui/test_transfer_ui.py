"""CSV import and export from the main window, driving the real widgets against the live
sandbox: File ▸ Import CSV… → file, entity, mode → the mapping page (a column remapped) →
the preview → "Import N rows" → the jobs panel runs the jobs → Copper holds every change;
the mapping remembered for the same headers next time; "Export selected…" from a browser's
row menu writing the selected rows; the actions' names and places."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from copper_desktop.domain.csv_files import read_csv
from copper_desktop.domain.import_plan import Mode
from copper_desktop.session import Session
from copper_desktop.ui.browse.browser import EntityBrowser
from copper_desktop.ui.main_window import MainWindow
from copper_desktop.ui.transfer.import_wizard import (
    MAPPING_PAGE,
    PREVIEW_PAGE,
    RUN_PAGE,
    ImportWizard,
)
from tests.helpers.loop import Run
from tests.helpers.transfer import write_file

Json = dict[str, Any]


def click(widget: QWidget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def make_people(session: Session, run: Run, count: int) -> tuple[str, list[Json]]:
    name = f"Transfer ui {uuid.uuid4().hex[:8]}"
    items = [{"name": f"{name} {i}", "title": "Clerk",
              "emails": [{"email": f"{name[-8:]}{i}@x.test", "category": "work"}]}
             for i in range(count)]  # fmt: skip
    result = run(session.client.bulk_create("people", items))
    assert not result.failed
    return name, sorted(result.records, key=lambda p: p["name"])


def cell(page: Any, row: int) -> str:
    """What the mapping page says a column's first values read as."""
    item = page.table.item(row, 3)
    assert item is not None
    return str(item.text())


def jobs_ready(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.jobs_offer is not None and window.jobs_offer.done())


def open_wizard(qtbot: QtBot, window: MainWindow, path: Path, mode: Mode) -> ImportWizard:
    window.transfer.import_action.trigger()
    wizard = window.transfer.import_wizard
    assert wizard is not None and wizard.isVisible()
    wizard.path_edit.setText(str(path))
    wizard.entity_combo.setCurrentIndex(wizard.entity_combo.findData("people"))
    wizard.mode_buttons[mode].click()
    click(wizard.next_button)
    qtbot.waitUntil(lambda: wizard.page == MAPPING_PAGE)
    return wizard


def test_import_from_the_file_menu_through_mapping_and_preview_to_the_jobs(
    qtbot: QtBot, make_window: Callable[..., MainWindow], run: Run, tmp_path: Path
) -> None:
    window = make_window()
    jobs_ready(qtbot, window)
    menu = [a.objectName() for a in window.menu("file").actions()]
    assert menu.index("actionImport") < menu.index("actionExport") < menu.index("actionSettings")
    toolbar = [a.objectName() for a in window.toolbar.actions()]
    assert "actionImport" in toolbar and "actionExport" in toolbar
    name, people = make_people(window.session, run, 2)
    tag = name[-8:]
    path = write_file(tmp_path, "people.csv", ["Name", "E-mail", "Job", "Shoe size"], [
        [f"{name} 0", f"{tag}0@x.test", "Manager", "42"],
        [f"{name} 9", f"{tag}9@x.test", "Intern", "40"],
    ])  # fmt: skip

    wizard = open_wizard(qtbot, window, path, Mode.BOTH)
    page = wizard.mapping
    assert [c.currentData() for c in page.combos] == ["name", "emails", None, None]
    assert "“Job” matches no field: ignored." in page.notes.text()
    assert cell(page, 1) == f"{tag}0@x.test (other)\n{tag}9@x.test (other)"
    page.combos[2].setCurrentIndex(page.combos[2].findData("title"))  # Job → Title
    assert wizard.model.mapping == ["name", "emails", "title", None]
    assert cell(wizard.mapping, 2) == "Manager\nIntern"

    click(wizard.next_button)  # Preview
    qtbot.waitUntil(lambda: wizard.page == PREVIEW_PAGE, timeout=20_000)
    assert wizard.counts.text().startswith("1 to create, 1 to update, 0 unchanged, 0 with errors")
    preview = wizard.model.table_model
    assert [preview.text(r, 1) for r in range(2)] == ["update", "create"]
    assert preview.text(0, 3) == "Title: Clerk → Manager"
    assert wizard.next_button.text() == "Import 2 rows"
    assert not wizard.errors_button.isEnabled()  # no row in error

    click(wizard.next_button)  # Import 2 rows: the jobs run in the jobs panel
    qtbot.waitUntil(lambda: wizard.page == RUN_PAGE and wizard.jobs_done(), timeout=30_000)
    assert "Done." in wizard.run_status.text()
    assert window.jobs is not None and window.jobs.panel.isVisible()
    found = run(window.session.client.search_all("people", {"name": name}))
    titles = {p["name"]: p["title"] for p in found}
    assert titles == {f"{name} 0": "Manager", f"{name} 1": "Clerk", f"{name} 9": "Intern"}
    assert {p["id"] for p in found if p["name"] == f"{name} 0"} == {people[0]["id"]}
    click(wizard.next_button)  # Close
    qtbot.waitUntil(lambda: window.transfer.import_wizard is None)

    # The same headers next time: the mapping the user confirmed, Job → Title included.
    again = open_wizard(qtbot, window, path, Mode.UPDATE)
    assert [c.currentData() for c in again.mapping.combos] == ["name", "emails", "title", None]
    assert "the mapping you used last time" in again.mapping.about.text()
    click(again.cancel_button)
    qtbot.waitUntil(lambda: window.transfer.import_wizard is None)


def test_export_selected_rows_from_the_row_menu(
    qtbot: QtBot, make_window: Callable[..., MainWindow], run: Run, tmp_path: Path
) -> None:
    window = make_window()
    name, _people = make_people(window.session, run, 3)
    browser = window.show_page("people")
    assert isinstance(browser, EntityBrowser)
    browser.set_filters({"name": name})
    qtbot.waitUntil(lambda: browser.model.rowCount() == 3 and browser.model.is_loaded(2))
    browser.table.selectRow(0)
    browser.table.selectionModel().select(
        browser.model.index(2, 0),
        browser.table.selectionModel().SelectionFlag.Select
        | browser.table.selectionModel().SelectionFlag.Rows,
    )
    menu = browser.selection.show_menu(browser.table.visualRect(browser.model.index(0, 0)).center())
    [export] = [a for a in menu.actions() if a.objectName() == "actionExportSelected"]
    menu.hide()
    export.trigger()
    dialog = window.transfer.export_dialog
    assert dialog is not None and dialog.scope_selection.isChecked()
    assert dialog.scope_selection.text() == "The 2 selected rows"
    target = tmp_path / "picked.csv"
    dialog.path_edit.setText(str(target))
    dialog.bom_box.click()
    click(dialog.start_button)
    qtbot.waitUntil(lambda: not dialog.running and target.exists(), timeout=20_000)
    assert dialog.status.text() == f"Exported 2 records to {target}."
    table = read_csv(target.read_bytes())
    assert table.encoding == "utf-8-sig"
    shown = [browser.model.headerData(browser.column_keys().index(k), Qt.Orientation.Horizontal)
             for k in browser.visible_column_keys()]  # fmt: skip
    assert table.headers == ("ID", *shown)
    rows = [browser.model.record(r) for r in (0, 2)]
    assert [r[0] for r in table.rows] == [str(r["id"]) for r in rows if r]
    assert [r[1] for r in table.rows] == [r["name"] for r in rows if r]
    click(dialog.close_button)
    qtbot.waitUntil(lambda: window.transfer.export_dialog is None)
