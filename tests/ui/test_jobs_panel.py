"""The jobs panel and the Jobs window against the live sandbox, driving the real widgets: a bulk
edit job made with the store (as the bulk edit dialog does) runs from the panel to its end,
is paused, resumed and cancelled with the panel's buttons, its ledger is exported, it is undone
from the Jobs window, an interrupted job is offered for resuming at start, and open lists show
the rows a job wrote."""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from copper_desktop.domain.bulk import EditTags, SetField, TagMode, Typed
from copper_desktop.jobs import (
    Job,
    JobEvent,
    JobState,
    JobStore,
    Reason,
    RowsChanged,
    RowStatus,
)
from copper_desktop.models.jobs import JobRowsModel, JobsModel
from copper_desktop.session import Session
from copper_desktop.ui.common.style import error_color
from copper_desktop.ui.jobs import JobsUi, install_jobs_ui
from tests.helpers.jobs import (
    KIND,
    Kind,
    cf,
    cf_id,
    fresh,
    is_write,
    make_people,
    make_preview,
    write_ids,
)
from tests.helpers.qt import MakeWindow
from tests.helpers.sandbox import SandboxControl

Json = dict[str, Any]
Run = Callable[..., Any]


@pytest.fixture
def jobs_ui(qtbot: QtBot, session: Session, run: Run) -> Iterator[JobsUi]:
    """The jobs UI installed in a bare main window (the app's window is not needed)."""
    host = QMainWindow()
    host.setObjectName("jobsHost")
    host.resize(900, 600)
    ui = install_jobs_ui(host, session)
    host.show()
    qtbot.waitExposed(host)
    yield ui
    run(ui.aclose())
    host.close()
    host.deleteLater()


async def edit_people(session: Session, n: int, value: str, tag: str = "ui") -> tuple[Any, ...]:
    """n new people (tagged "keep") and a preview setting Account Number and adding a tag."""
    client = session.client
    people = await make_people(client, n, tags=["keep"])
    ids = [p["id"] for p in people]
    account = await cf_id(client, "Account Number")
    ops = [SetField(f"cf_{account}", Typed(value)), EditTags(TagMode.ADD, (tag,))]
    return ids, account, await make_preview(client, "people", ids, ops)


def answered_writes(control: SandboxControl) -> dict[int, int]:
    """Record id → write requests carrying it that the sandbox answered with 200 (read on
    this thread: the loop's default executor would start QThreads)."""
    counts: dict[int, int] = {}
    for entry in control.requests(5000):
        if is_write(entry) and entry["status"] == 200:
            for record_id in write_ids(entry):
                counts[record_id] = counts.get(record_id, 0) + 1
    return counts


def finish(qtbot: QtBot, task: asyncio.Task[Any] | None) -> None:
    """Spin Qt until a runner's action has ended (it reported its own failures)."""
    assert task is not None
    qtbot.waitUntil(task.done, timeout=30_000)
    assert task.exception() is None


def click_box_button(qtbot: QtBot, box_of: Callable[[], QMessageBox | None], name: str) -> None:
    qtbot.waitUntil(lambda: (box := box_of()) is not None and box.isVisible())
    box = box_of()
    assert box is not None
    button = box.findChild(QPushButton, name)
    assert button is not None
    button.click()


def on_outcome(job: Job, act: Callable[[], None], after: int = 0) -> Callable[[], None]:
    """Call ``act`` once, as soon as more than ``after`` rows are written (on the loop's
    thread, between two outcomes: the click lands while other requests are still out)."""
    fired: list[bool] = []

    def look(event: JobEvent) -> None:
        if isinstance(event, RowsChanged) and len(job.written_rows()) > after and not fired:
            fired.append(True)
            act()

    return job.subscribe(look)


def test_a_job_runs_from_the_panel_exports_its_ledger_and_is_undone_from_the_jobs_window(
    qtbot: QtBot, run: Run, session: Session, jobs_ui: JobsUi, tmp_path: Path
) -> None:
    ids, account, preview = run(edit_people(session, 30, "ACC-UI"))
    panel = jobs_ui.panel
    assert not panel.isVisible()

    job = run(jobs_ui.store.create_bulk_edit(preview))  # what the bulk edit dialog does
    assert panel.isVisible() and panel.job is job  # the store's new job shows at once
    assert panel.state_label.text() == "Not started"
    assert panel.resume_button.isEnabled() and not panel.pause_button.isEnabled()
    finish(qtbot, jobs_ui.run(job))

    assert job.state is JobState.FINISHED
    assert panel.progress.maximum() == 30 and panel.progress.value() == 30
    assert (panel.written_count_label.text(), panel.failed_label.text(),
            panel.skipped_label.text(), panel.remaining_label.text()) == (
        "Written 30", "Failed 0", "Skipped 0", "Remaining 0",
    )  # fmt: skip
    assert panel.state_label.text() == "Finished"
    assert panel.rate_label.text().endswith("records/min")
    assert panel.eta_label.text() == "ETA —"
    assert not any(b.isEnabled() for b in (panel.pause_button, panel.resume_button,
                                           panel.cancel_button))  # fmt: skip
    assert not panel.written_view.isVisible()
    assert jobs_ui.status_button.isVisible()
    assert jobs_ui.status_button.text().startswith("Job finished: 30/30 done")
    for person in run(fresh(session.client, "people", ids)):
        assert cf(person, account) == "ACC-UI" and person["tags"] == ["keep", "ui"]

    # The Jobs window: the job listed with its counts, its ledger below.
    panel.jobs_button.click()
    window = jobs_ui.jobs_window
    assert window is not None and window.isVisible()
    qtbot.waitUntil(lambda: window.model.row_of(job.id) >= 0)
    row = window.model.row_of(job.id)
    assert window.model.data(window.model.index(row, JobsModel.WRITTEN)) == "30"
    window.select(job.id)
    qtbot.waitUntil(lambda: window.shown_job is job)
    assert window.tinted.rowCount() == 30
    assert window.tinted.data(window.tinted.index(0, JobRowsModel.OUTCOME)) == "Written"
    assert window.undo_button.isEnabled() and window.export_button.isEnabled()
    assert not window.retry_button.isEnabled() and not window.resume_button.isEnabled()

    # Export the ledger (the path given: no dialog).
    path = tmp_path / "ledger.csv"
    finish(qtbot, window.export_ledger(path))
    with path.open(newline="", encoding="utf-8") as fh:
        lines = list(csv.DictReader(fh))
    assert sorted(int(line["key"]) for line in lines) == sorted(ids)
    assert {line["status"] for line in lines} == {"written"}
    assert window.info_label.text() == f"Exported 30 rows to {path}."

    # Someone changes one record after the job: undo leaves it alone.
    changed = ids[0]
    run(session.client.update("people", changed, {"tags": ["keep", "ui", "theirs"]}))
    window.undo_button.click()
    click_box_button(qtbot, lambda: window.confirm_box, "undoConfirm")
    qtbot.waitUntil(lambda: not window.runner.running("undo"), timeout=30_000)

    assert window.message_label.text() == ""
    assert window.info_label.text() == (
        "Undo finished: 29 restored, 1 changed since and left alone, 0 failed."
    )
    undo = window.model.live(window.model.job_id(0) or "")
    assert undo is not None and undo.undo_of == job.id and undo.state is JobState.FINISHED
    assert panel.job is undo  # the panel follows the undo job
    row = window.model.row_of(job.id)
    assert window.model.data(window.model.index(row, JobsModel.STATE)) == "Finished (undone)"
    assert not window.undo_button.isEnabled()
    after = {p["id"]: p for p in run(fresh(session.client, "people", ids))}
    assert after[changed]["tags"] == ["keep", "ui", "theirs"]
    assert cf(after[changed], account) == "ACC-UI"
    for person_id in ids[1:]:
        assert after[person_id]["tags"] == ["keep"], person_id
        assert cf(after[person_id], account) is None


def test_pause_resume_and_cancel_from_the_panel_then_it_lists_what_was_written(
    qtbot: QtBot, run: Run, session: Session, jobs_ui: JobsUi, control: SandboxControl
) -> None:
    ids, account, preview = run(edit_people(session, 120, "ACC-PAUSE"))
    job = run(jobs_ui.store.create_bulk_edit(preview))
    panel = jobs_ui.panel
    # Requests take a while, so batches are still out when the buttons are clicked.
    control.add_fault("latency", ms=60, method="POST", path="^/people/bulk_update$")

    stop = on_outcome(job, panel.pause_button.click)
    task = jobs_ui.run(job)
    qtbot.waitUntil(lambda: job.state is JobState.PAUSING, timeout=30_000)
    assert panel.state_label.text() == "Pausing…" and not panel.pause_button.isEnabled()
    qtbot.waitUntil(task.done, timeout=30_000)
    stop()
    assert job.state is JobState.PAUSED
    paused_at = len(job.written_rows())
    assert 10 <= paused_at <= 50  # what was out at the click finished; nothing more was sent
    assert panel.state_label.text() == "Paused"
    assert panel.resume_button.isEnabled() and panel.cancel_button.isEnabled()
    assert not panel.pause_button.isEnabled()
    assert panel.written_count_label.text() == f"Written {paused_at}"
    assert panel.remaining_label.text() == f"Remaining {120 - paused_at}"
    assert panel.progress.value() == paused_at
    assert sum(
        cf(p, account) == "ACC-PAUSE" for p in run(fresh(session.client, "people", ids))
    ) == (paused_at)

    stop = on_outcome(job, panel.cancel_button.click, after=paused_at)
    panel.resume_button.click()
    qtbot.waitUntil(lambda: job.state is JobState.CANCELLING, timeout=30_000)
    assert panel.state_label.text() == "Cancelling…" and not panel.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: job.state is JobState.CANCELLED, timeout=30_000)
    stop()
    qtbot.waitUntil(lambda: not jobs_ui.runner.pending, timeout=30_000)

    written = job.written_rows()
    not_sent = job.rows_with(RowStatus.SKIPPED, Reason.CANCELLED)
    assert paused_at < len(written) < 120 and len(written) + len(not_sent) == 120
    assert panel.state_label.text() == "Cancelled"
    assert panel.written_label.isVisible() and panel.written_view.isVisible()
    assert panel.written_label.text() == f"Cancelled: {len(written)} records were written:"
    listed = [panel.written.data(panel.written.index(r, JobRowsModel.RECORD))
              for r in range(panel.written.rowCount())]  # fmt: skip
    assert listed == [r.label for r in written]
    on_sandbox = {p["id"]: cf(p, account) for p in run(fresh(session.client, "people", ids))}
    assert {r.key for r in written} == {i for i, v in on_sandbox.items() if v == "ACC-PAUSE"}
    assert all(on_sandbox[r.key] is None for r in not_sent)
    assert not any(b.isEnabled() for b in (panel.pause_button, panel.resume_button,
                                           panel.cancel_button))  # fmt: skip


def test_an_interrupted_job_is_offered_at_start_and_resumed_writing_each_record_once(
    qtbot: QtBot, run: Run, session: Session, control: SandboxControl
) -> None:
    ids, account, preview = run(edit_people(session, 40, "ACC-RESUME"))
    jobs_dir = session.paths.data_dir / "jobs"
    earlier = JobStore(jobs_dir, session.client)  # a previous run of the app
    job = run(earlier.create_bulk_edit(preview))
    control.reset()
    control.add_fault("latency", ms=60, method="POST", path="^/people/bulk_update$")
    task = job.start()
    stop = on_outcome(job, task.cancel)  # the app goes away mid-job, without pausing
    qtbot.waitUntil(task.done, timeout=30_000)
    stop()
    assert job.state is JobState.INTERRUPTED
    run(earlier.close())
    control.clear_faults()

    host = QMainWindow()
    ui = install_jobs_ui(host, session)
    try:
        host.show()
        start = ui.start()
        click_box_button(qtbot, lambda: ui.resume_box, "resumeJobs")
        qtbot.waitUntil(start.done, timeout=30_000)
        resumed = ui.model.live(job.id)
        assert resumed is not None and resumed.state is JobState.FINISHED
        assert ui.panel.isVisible() and ui.panel.job is resumed
        assert ui.panel.written_count_label.text() == "Written 40"
        assert all(
            cf(p, account) == "ACC-RESUME" for p in run(fresh(session.client, "people", ids))
        )
        writes = answered_writes(control)
        assert sorted(writes) == sorted(ids) and set(writes.values()) == {1}
        assert run(ui.model.unfinished()) == []
    finally:
        run(ui.aclose())
        host.close()
        host.deleteLater()


def test_later_leaves_the_unfinished_job_for_the_jobs_window(
    qtbot: QtBot, run: Run, session: Session, jobs_ui: JobsUi
) -> None:
    ids, account, preview = run(edit_people(session, 3, "ACC-LATER"))
    job = run(jobs_ui.store.create_bulk_edit(preview))  # made, never started
    start = jobs_ui.start()
    click_box_button(qtbot, lambda: jobs_ui.resume_box, "resumeLater")
    qtbot.waitUntil(start.done)
    assert job.state is JobState.NEW
    window = jobs_ui.show_jobs_window()
    qtbot.waitUntil(lambda: window.model.row_of(job.id) >= 0)
    window.select(job.id)
    qtbot.waitUntil(lambda: window.shown_job is job and window.resume_button.isEnabled())
    window.resume_button.click()
    qtbot.waitUntil(lambda: job.state is JobState.FINISHED, timeout=30_000)
    qtbot.waitUntil(lambda: not jobs_ui.runner.pending)
    assert all(cf(p, account) == "ACC-LATER" for p in run(fresh(session.client, "people", ids)))


def test_rows_a_job_writes_show_in_the_open_list_without_a_reload(
    qtbot: QtBot, run: Run, make_window: MakeWindow, control: SandboxControl
) -> None:
    window = make_window()
    session = window.session
    ids, _account, preview = run(edit_people(session, 5, "ACC-LIST", tag="listed"))
    names = sorted(p["name"] for p in run(fresh(session.client, "people", ids)))
    browser = window.show_page("people")
    prefix = names[0].rsplit(" ", 1)[0]
    browser.set_filters({"name": prefix})
    qtbot.waitUntil(lambda: browser.model.rowCount() == 5 and browser.model.is_loaded(4))
    ui = install_jobs_ui(window, session)
    try:
        job = run(ui.store.create_bulk_edit(preview))
        control.reset()
        finish(qtbot, ui.run(job))
        assert job.state is JobState.FINISHED
        shown = [browser.model.record(r) for r in range(5)]
        assert all(r is not None and r["tags"] == ["keep", "listed"] for r in shown)
        # shown from the job's answers, not by searching the list again
        assert not [e for e in control.requests() if e["path"] == "/people/search"
                    and "ids" not in (e.get("body") or {})]  # fmt: skip
    finally:
        run(ui.aclose())


def test_every_interactive_widget_is_named(qtbot: QtBot, jobs_ui: JobsUi) -> None:
    window = jobs_ui.show_jobs_window()
    jobs_ui.show_panel()
    widgets: list[QWidget] = [jobs_ui.status_button]
    for top in (jobs_ui.panel, window):
        for kind in (QAbstractButton, QAbstractItemView, QComboBox, QProgressBar, QLineEdit):
            widgets.extend(top.findChildren(kind))
    assert len(widgets) > 15
    for widget in widgets:
        assert widget.objectName(), widget
        assert widget.accessibleName(), widget.objectName()


def test_failed_rows_are_retried_and_conflicts_offered_for_a_new_preview_from_the_jobs_window(
    qtbot: QtBot, run: Run, session: Session, jobs_ui: JobsUi, control: SandboxControl
) -> None:
    ids, account, preview = run(edit_people(session, 12, "ACC-RETRY"))
    job = run(jobs_ui.store.create_bulk_edit(preview))
    changed = ids[11]
    run(session.client.update("people", changed, {"title": "Changed meanwhile"}))
    control.add_fault("error", status=422, method="POST", path="^/people/bulk_update$", count=1)
    finish(qtbot, jobs_ui.run(job))
    assert job.state is JobState.FINISHED
    assert jobs_ui.panel.failed_label.text() == "Failed 10"

    window = jobs_ui.show_jobs_window()
    qtbot.waitUntil(lambda: window.model.row_of(job.id) >= 0)
    window.select(job.id)
    qtbot.waitUntil(lambda: window.shown_job is job)
    window.filter_combo.setCurrentIndex(window.filter_combo.findText("Failed"))
    ledger = window.tinted
    assert ledger.rowCount() == 10
    assert ledger.data(ledger.index(0, JobRowsModel.REASON)) == "refused by Copper"
    assert ledger.data(ledger.index(0, JobRowsModel.MESSAGE))  # Copper's message
    red = ledger.data(ledger.index(0, JobRowsModel.RECORD), Qt.ItemDataRole.ForegroundRole)
    assert red is not None and red.color() == error_color(window.palette())
    assert window.retry_button.isEnabled()

    asked: list[tuple[str, Any]] = []
    window.repreview_requested.connect(lambda entity, chosen: asked.append((entity, chosen)))
    assert window.repreview_button.isEnabled()
    window.repreview_button.click()
    assert asked == [("people", [changed])]

    window.retry_button.click()
    qtbot.waitUntil(lambda: ledger.rowCount() == 0, timeout=30_000)  # none failed any more
    qtbot.waitUntil(lambda: not jobs_ui.runner.pending, timeout=30_000)
    assert job.state is JobState.FINISHED and not window.retry_button.isEnabled()
    assert window.message_label.text() == ""
    on_sandbox = {p["id"]: cf(p, account) for p in run(fresh(session.client, "people", ids))}
    assert [on_sandbox[i] for i in ids[:11]] == ["ACC-RETRY"] * 11
    assert on_sandbox[changed] is None


def test_the_panel_follows_a_job_started_elsewhere_with_live_counts(
    qtbot: QtBot, run: Run, tmp_path: Path
) -> None:
    """A fake row kind (no HTTP): the bulk edit dialog may start its job itself; the panel and
    the status line follow it, and Resume is offered once it has paused."""
    KIND.__init__()  # type: ignore[misc]
    store = JobStore(tmp_path / "jobs", client=None)  # type: ignore[arg-type]
    host = QMainWindow()
    ui = JobsUi(host, store)
    host.show()
    try:
        dos = ("write", "write", "block", "write", "block", "write", "write", "write")
        rows = [{"key": i, "label": f"Row {i}", "data": {"do": do}} for i, do in enumerate(dos)]
        job = run(store.create(Kind.kind, "people", rows, title="Fake edit"))
        task = job.start()  # not through the panel
        qtbot.waitUntil(lambda: job.rows[2].in_flight and job.rows[4].in_flight)
        panel = ui.panel
        assert panel.job is job and panel.isVisible()
        assert panel.title_label.text() == "People: Fake edit"
        assert (panel.written_count_label.text(), panel.remaining_label.text()) == (
            "Written 2", "Remaining 6",
        )  # fmt: skip
        assert (panel.progress.value(), panel.progress.maximum()) == (2, 8)
        assert ui.status_button.text().startswith("Job: 2/8 done · 6 left")
        assert panel.pause_button.isEnabled() and not panel.resume_button.isEnabled()
        panel.pause_button.click()
        assert panel.state_label.text() == "Pausing…"
        KIND.gate.set()
        qtbot.waitUntil(task.done)
        assert job.state is JobState.PAUSED
        assert panel.resume_button.isEnabled() and not panel.pause_button.isEnabled()
        assert ui.status_button.text().startswith("Job paused: 6/8 done")
        panel.resume_button.click()
        qtbot.waitUntil(lambda: job.state is JobState.FINISHED)
        qtbot.waitUntil(lambda: not ui.runner.pending)
        assert panel.written_count_label.text() == "Written 8" and panel.progress.value() == 8
    finally:
        run(ui.aclose())
        host.close()
        host.deleteLater()


def test_the_panel_counts_skipped_rows_apart_from_written_ones(
    qtbot: QtBot, run: Run, tmp_path: Path
) -> None:
    """A row skipped (changed since the preview) is not written: the panel says so in the Jobs
    window's words, and the status line names it (its "done" counts it)."""
    KIND.__init__()  # type: ignore[misc]
    store = JobStore(tmp_path / "jobs", client=None)  # type: ignore[arg-type]
    host = QMainWindow()
    ui = JobsUi(host, store)
    host.show()
    try:
        dos = ("write", "skip", "write", "fail", "write")
        rows = [{"key": i, "label": f"Row {i}", "data": {"do": do}} for i, do in enumerate(dos)]
        job = run(store.create(Kind.kind, "people", rows, title="Fake edit"))
        task = job.start()
        qtbot.waitUntil(task.done)
        qtbot.waitUntil(lambda: not ui.runner.pending)
        panel = ui.panel
        assert panel.job is job
        counts = (panel.written_count_label, panel.failed_label, panel.skipped_label,
                  panel.remaining_label)  # fmt: skip
        assert [label.text() for label in counts] == [
            "Written 3", "Failed 1", "Skipped 1", "Remaining 0",
        ]  # fmt: skip
        assert "4/5 done · 1 failed · 1 skipped · 0 left" in ui.status_button.text()
    finally:
        run(ui.aclose())
        host.close()
        host.deleteLater()
