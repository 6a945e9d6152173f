"""Bulk edit from the main window, end to end against the live sandbox and driving the real
widgets: rows picked with Ctrl/Shift+click → Ctrl+Shift+E → a tag added in the dialog → the
preview's counts → Apply → the jobs panel shows the job done → the sandbox holds the tag →
the browser's rows show it without a new search → undone from the Jobs window (Ctrl+Shift+J);
and Ctrl+A, "Select all N matching the current filters" and the toolbar button giving every
match to the preview."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from copper_desktop.jobs import JobState, RowStatus
from copper_desktop.session import Session
from copper_desktop.ui.browse.browser import EntityBrowser
from copper_desktop.ui.bulk import BULK_ENTITIES, SHORTCUT, BulkEditDialog
from copper_desktop.ui.bulk.operation_row import Kind, OperationRow
from copper_desktop.ui.fields.editor_base import LineEditor
from copper_desktop.ui.main_window import BULK_EDITED, BULK_SHORTCUT, MainWindow

Json = dict[str, Any]
Run = Callable[..., Any]
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def make_people(session: Session, run: Run, count: int, **fields: Any) -> tuple[str, list[Json]]:
    """``count`` new people whose names share a unique prefix (the browser's filter)."""
    prefix = f"Bulk browse {uuid.uuid4().hex[:8]}"
    items = [{"name": f"{prefix} {i:02d}", **fields} for i in range(count)]
    result = run(session.client.bulk_create("people", items))
    assert not result.failed
    return prefix, result.records


def people_browser(qtbot: QtBot, window: MainWindow, prefix: str, count: int) -> EntityBrowser:
    """The window's people browser showing just the people named ``prefix …``, all loaded."""
    page = window.show_page("people")
    assert isinstance(page, EntityBrowser)
    page.set_filters({"name": prefix})
    model = page.model
    qtbot.waitUntil(lambda: model.rowCount() == count and model.is_loaded(count - 1))
    return page


def jobs_ready(qtbot: QtBot, window: MainWindow) -> None:
    """The jobs UI was installed after the first rows, and its resume offer found nothing."""
    qtbot.waitUntil(lambda: window.jobs_offer is not None and window.jobs_offer.done())


def click_row(
    browser: EntityBrowser, row: int, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    table = browser.table
    column = browser.column_keys().index(browser.visible_column_keys()[0])
    center = table.visualRect(browser.model.index(row, column)).center()
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, modifier, center)


def click(widget: QWidget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def choose(combo: QComboBox, data: Any) -> None:
    index = combo.findData(data)
    assert index >= 0, (combo.objectName(), data)
    combo.setCurrentIndex(index)


def add_tag(row: OperationRow, tag: str) -> None:
    choose(row.kind_combo, Kind.TAGS.value)
    assert isinstance(row.editor, LineEditor), row.editor
    row.editor.edit.setFocus()
    QTest.keyClicks(row.editor.edit, tag)


def opened_dialog(qtbot: QtBot, window: MainWindow) -> BulkEditDialog:
    qtbot.waitUntil(lambda: window.bulk_dialog is not None and window.bulk_dialog.isVisible())
    dialog = window.bulk_dialog
    assert dialog is not None
    return dialog


def preview(qtbot: QtBot, dialog: BulkEditDialog) -> None:
    click(dialog.preview_button)
    qtbot.waitUntil(lambda: dialog.model.preview is not None, timeout=20_000)


def tags_of(session: Session, run: Run, ids: list[int]) -> dict[int, list[str]]:
    page = run(session.client.search("people", {"ids": ids}))
    return {r["id"]: sorted(r["tags"]) for r in page.records}


def list_searches(control: Any) -> list[Json]:
    """People searches the browser would send to reload its list (not ``ids`` look-ups)."""
    return [
        e
        for e in control.requests(limit=2000)
        if e["path"] == "/people/search" and "ids" not in (e.get("body") or {})
    ]


def write_ids(control: Any) -> list[int]:
    """Record ids carried by every answered write (bulk_update or PUT), repeats kept."""
    ids: list[int] = []
    for entry in control.requests(limit=2000):
        if entry["status"] != 200:
            continue
        if entry["method"] == "PUT":
            ids.append(int(entry["path"].rsplit("/", 1)[1]))
        elif entry["path"].endswith("/bulk_update"):
            items = next(iter((entry.get("body") or {}).values()), [])
            ids.extend(i["id"] for i in items if isinstance(i, dict) and "id" in i)
    return ids


def test_picked_rows_are_bulk_edited_by_shortcut_run_in_the_panel_shown_and_undone(
    qtbot: QtBot, make_window: Callable[..., MainWindow], control: Any, run: Run
) -> None:
    window = make_window()
    session = window.session
    prefix, _people = make_people(session, run, 5, tags=["keep"])
    browser = people_browser(qtbot, window, prefix, 5)
    jobs_ready(qtbot, window)
    in_view = [a.objectName() for a in window.view_menu.actions()]
    assert "actionJobs" in in_view and "actionJobsPanel" in in_view
    model = browser.model
    assert browser.selection.label.isHidden()
    assert not browser.selection.bulk_action.isEnabled()

    click_row(browser, 0)
    click_row(browser, 1, SHIFT)
    click_row(browser, 3, CTRL)
    picked = [(model.record(r) or {})["id"] for r in (0, 1, 3)]
    left = [(model.record(r) or {})["id"] for r in (2, 4)]
    assert browser.selection.label.text() == "3 selected"
    assert browser.selection.label.isVisible()
    assert browser.selection.bulk_action.isEnabled()
    assert not browser.selection.matching_button.isVisible()  # only once every row is picked

    window.activateWindow()
    browser.table.setFocus()
    QTest.keyClick(browser.table, Qt.Key.Key_E, CTRL | SHIFT)
    dialog = opened_dialog(qtbot, window)
    assert dialog.intro.text().startswith("Changes to 3 selected people")
    tag = f"bulk-{uuid.uuid4().hex[:6]}"
    add_tag(dialog.rows[0], tag)
    preview(qtbot, dialog)
    assert dialog.counts.text() == "3 will change, 0 already match, 0 cannot be changed"
    assert dialog.apply_button.text() == "Apply to 3 records"
    control.reset()

    click(dialog.apply_button)

    jobs = window.jobs
    assert jobs is not None
    panel = jobs.panel
    qtbot.waitUntil(lambda: panel.job is not None and panel.job.state.final, timeout=30_000)
    job = panel.job
    assert job is not None and job.state is JobState.FINISHED
    assert panel.isVisible()
    assert (panel.written_count_label.text(), panel.failed_label.text(),
            panel.remaining_label.text()) == (
        "Written 3", "Failed 0", "Remaining 0",
    )  # fmt: skip
    assert panel.state_label.text() == "Finished"
    assert job.counts()[RowStatus.WRITTEN] == 3
    assert sorted(write_ids(control)) == sorted(picked)  # each record written once
    now = tags_of(session, run, picked + left)
    assert all(now[i] == sorted(["keep", tag]) for i in picked), now
    assert all(now[i] == ["keep"] for i in left), now
    # The open list shows the tag from the job's answers, without searching again.
    for row in range(5):
        record = model.record(row)
        assert record is not None
        assert sorted(record["tags"]) == now[record["id"]]
    assert list_searches(control) == []
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()

    # Undo from the Jobs window (View ▸ Jobs…, Ctrl+Shift+J).
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    QTest.keyClick(browser.table, Qt.Key.Key_J, CTRL | SHIFT)
    jobs_window = jobs.jobs_window
    assert jobs_window is not None and jobs_window.isVisible()
    qtbot.waitUntil(lambda: jobs_window.model.row_of(job.id) >= 0)
    jobs_window.select(job.id)
    qtbot.waitUntil(lambda: jobs_window.shown_job is job and jobs_window.undo_button.isEnabled())
    jobs_window.undo_button.click()
    qtbot.waitUntil(lambda: jobs_window.confirm_box is not None)
    box = jobs_window.confirm_box
    assert box is not None
    confirm = box.findChild(QPushButton, "undoConfirm")
    assert confirm is not None
    confirm.click()
    qtbot.waitUntil(lambda: not jobs_window.runner.running("undo"), timeout=30_000)
    assert jobs_window.info_label.text() == (
        "Undo finished: 3 restored, 0 changed since and left alone, 0 failed."
    )
    assert tags_of(session, run, picked + left) == {i: ["keep"] for i in picked + left}
    assert all((model.record(r) or {}).get("tags") == ["keep"] for r in range(5))


def test_ctrl_a_then_all_matching_gives_every_match_to_the_preview(
    qtbot: QtBot, make_window: Callable[..., MainWindow], control: Any, run: Run
) -> None:
    window = make_window()
    session = window.session
    prefix, people = make_people(session, run, 30)
    browser = people_browser(qtbot, window, prefix, 30)
    jobs_ready(qtbot, window)
    selection = browser.selection

    browser.table.setFocus()
    QTest.keyClick(browser.table, Qt.Key.Key_A, CTRL)
    assert selection.label.text() == "30 selected"
    assert selection.matching_button.isVisible()
    assert selection.matching_button.text() == "Select all 30 matching the current filters"

    click(selection.matching_button)
    assert selection.all_matching
    assert selection.label.text() == "All 30 matching selected"
    assert not selection.matching_button.isVisible() and selection.clear_button.isVisible()
    control.reset()
    click(selection.bulk_button)  # the browser's toolbar button
    dialog = opened_dialog(qtbot, window)
    assert "the people matching the current filters" in dialog.intro.text()
    add_tag(dialog.rows[0], "everyone")
    preview(qtbot, dialog)

    assert dialog.counts.text() == "30 will change, 0 already match, 0 cannot be changed"
    assert dialog.status.text() == "Preview of 30 selected people:"
    assert dialog.apply_button.text() == "Apply to 30 records"
    walked = [e["body"] for e in list_searches(control)]  # the ids came from the filter's walk
    assert walked and all(body.get("name") == prefix for body in walked)
    result = dialog.model.preview
    assert result is not None
    assert {change.record_id for change in result.changes} == {p["id"] for p in people}
    dialog.reject()

    # Any click on a row leaves "all matching" for that row alone.
    click_row(browser, 2)
    assert not selection.all_matching
    assert selection.label.text() == "1 selected"


def test_the_row_menu_opens_the_bulk_edit_and_enter_still_opens_the_current_row(
    qtbot: QtBot, make_window: Callable[..., MainWindow], run: Run
) -> None:
    window = make_window()
    prefix, _people = make_people(window.session, run, 4)
    browser = people_browser(qtbot, window, prefix, 4)
    click_row(browser, 1)
    click_row(browser, 2, CTRL)
    table = browser.table
    column = browser.column_keys().index(browser.visible_column_keys()[0])
    where: QPoint = table.visualRect(browser.model.index(2, column)).center()

    menu = browser.selection.show_menu(where)
    assert menu.isVisible()
    actions = {a.objectName(): a for a in menu.actions() if a.objectName()}
    assert actions["actionBulkEdit"].isEnabled() and actions["actionOpenRow"].isEnabled()
    actions["actionBulkEdit"].trigger()
    menu.close()
    dialog = opened_dialog(qtbot, window)
    assert dialog.intro.text().startswith("Changes to 2 selected people")
    dialog.reject()
    qtbot.waitUntil(lambda: window.bulk_dialog is None)

    # Enter opens the current row (the last one clicked), whatever else is selected.
    QTest.keyClick(table, Qt.Key.Key_Enter)
    record_id = (browser.model.record(2) or {})["id"]
    editor = window.editor("people", record_id)
    assert editor is not None and editor.isVisible()


def test_the_window_offers_the_bulk_edit_where_the_dialog_does_without_importing_it() -> None:
    assert BULK_EDITED == BULK_ENTITIES
    assert QKeySequence(BULK_SHORTCUT) == SHORTCUT
    code = "import json, sys, copper_desktop.app; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)  # fmt: skip
    loaded = json.loads(done.stdout)
    assert "copper_desktop.ui.browse.selection" in loaded
    lazy = ("copper_desktop.ui.bulk", "copper_desktop.ui.jobs", "copper_desktop.jobs")
    assert [m for m in loaded if m.startswith(lazy)] == []


def test_quitting_mid_job_pauses_it_and_the_next_start_offers_to_resume_it(
    qtbot: QtBot, make_window: Callable[..., MainWindow], control: Any, run: Run
) -> None:
    window = make_window()
    prefix, people = make_people(window.session, run, 60)
    browser = people_browser(qtbot, window, prefix, 60)
    jobs_ready(qtbot, window)
    browser.table.setFocus()
    QTest.keyClick(browser.table, Qt.Key.Key_A, CTRL)
    dialog = browser.selection.bulk_edit()
    assert isinstance(dialog, BulkEditDialog)
    add_tag(dialog.rows[0], "resumed")
    preview(qtbot, dialog)
    control.reset()
    control.add_fault("latency", ms=1500, method="POST", path="^/people/bulk_update$")
    click(dialog.apply_button)
    jobs = window.jobs
    assert jobs is not None
    qtbot.waitUntil(lambda: jobs.panel.job is not None)
    job = jobs.panel.job
    assert job is not None
    # Four batches of ten at once (the engine's bound), the last two waiting for a slot.
    qtbot.waitUntil(lambda: sum(r.in_flight for r in job.rows) == 40, timeout=10_000)

    run(window.aclose(), timeout=20_000)  # quit with those requests in flight

    assert job.state is JobState.PAUSED
    assert job.counts()[RowStatus.WRITTEN] == 40  # the requests out were let finish
    assert job.progress().remaining == 20
    control.clear_faults()
    again = make_window()  # the next start, on the same data directory
    qtbot.waitUntil(lambda: again.jobs is not None and again.jobs.resume_box is not None)
    assert again.rows_were_shown  # offered only once the first rows were painted
    box = again.jobs.resume_box  # type: ignore[union-attr]
    assert box is not None
    resume = box.findChild(QPushButton, "resumeJobs")
    assert resume is not None
    resume.click()
    qtbot.waitUntil(
        lambda: again.jobs_offer is not None and again.jobs_offer.done(), timeout=30_000
    )
    panel = again.jobs.panel  # type: ignore[union-attr]
    assert panel.job is not None and panel.job.id == job.id
    assert panel.job.state is JobState.FINISHED
    assert panel.written_count_label.text() == "Written 60"
    assert sorted(write_ids(control)) == sorted(p["id"] for p in people)  # each once
    assert all(
        tags == ["resumed"]
        for tags in tags_of(again.session, run, [p["id"] for p in people]).values()
    )


def test_a_record_changed_since_the_preview_is_skipped_and_offered_for_a_new_preview(
    qtbot: QtBot, make_window: Callable[..., MainWindow], run: Run
) -> None:
    window = make_window()
    session = window.session
    prefix, people = make_people(session, run, 3)
    browser = people_browser(qtbot, window, prefix, 3)
    jobs_ready(qtbot, window)
    browser.table.setFocus()
    QTest.keyClick(browser.table, Qt.Key.Key_A, CTRL)
    dialog = browser.selection.bulk_edit()
    assert isinstance(dialog, BulkEditDialog)
    add_tag(dialog.rows[0], "checked")
    preview(qtbot, dialog)
    assert dialog.counts.text() == "3 will change, 0 already match, 0 cannot be changed"
    theirs = people[0]["id"]
    run(session.client.update("people", theirs, {"tags": ["theirs"]}))  # someone else, meanwhile

    click(dialog.apply_button)
    jobs = window.jobs
    assert jobs is not None
    qtbot.waitUntil(
        lambda: jobs.panel.job is not None and jobs.panel.job.state.final, timeout=30_000
    )
    job = jobs.panel.job
    assert job is not None and job.state is JobState.FINISHED
    assert (job.counts()[RowStatus.WRITTEN], job.counts()[RowStatus.SKIPPED]) == (2, 1)
    now = tags_of(session, run, [p["id"] for p in people])
    assert now.pop(theirs) == ["theirs"]  # left alone
    assert all(tags == ["checked"] for tags in now.values())

    click(jobs.panel.jobs_button)  # "All jobs…"
    jobs_window = jobs.jobs_window
    assert jobs_window is not None
    qtbot.waitUntil(lambda: jobs_window.model.row_of(job.id) >= 0)
    jobs_window.select(job.id)
    qtbot.waitUntil(
        lambda: jobs_window.shown_job is job and jobs_window.repreview_button.isEnabled()
    )
    click(jobs_window.repreview_button)
    again = opened_dialog(qtbot, window)
    assert again is not dialog
    assert again.intro.text().startswith("Changes to 1 selected person")
    add_tag(again.rows[0], "checked")
    preview(qtbot, again)
    assert again.counts.text() == "1 will change, 0 already match, 0 cannot be changed"
    again.reject()
