"""The bulk edit dialog end to end against the live sandbox, driving the real widgets:
changes → preview (counts as the sandbox holds them) → apply → job → sandbox state; invalid
changes refused inline with nothing sent; the preview CSV; stages following the pipeline."""

from __future__ import annotations

import csv
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from copper_desktop.domain.bulk import MISSING_REASON, Clear, SetField, Where
from copper_desktop.domain.catalog import LookupKind
from copper_desktop.jobs import Job, JobState, JobStore, RowStatus
from copper_desktop.models.lookups import Lookups
from copper_desktop.session import Session
from copper_desktop.ui.bulk import BULK_ENTITIES, BulkEditDialog, open_bulk_edit
from copper_desktop.ui.bulk.operation_row import Kind, OperationRow, SourceKind, available_kinds
from copper_desktop.ui.fields.choice_editors import ChoiceEditor, ReadOnlyEditor, StageEditor
from copper_desktop.ui.fields.editor_base import LineEditor
from tests.helpers.editor import load_lookups
from tests.helpers.sandbox import SandboxControl

Run = Callable[..., Any]
Json = dict[str, Any]


@pytest.fixture
def lookups(session: Session, run: Run) -> Lookups:
    return load_lookups(session, run)


@pytest.fixture
def store(session: Session, tmp_path: Path, run: Run) -> Iterator[JobStore]:
    jobs = JobStore(tmp_path / "jobs", session.client)
    yield jobs
    run(jobs.close())


class Opened:
    """Dialogs opened by a test, and the jobs they handed on."""

    def __init__(self) -> None:
        self.dialogs: list[BulkEditDialog] = []
        self.jobs: list[Job] = []


@pytest.fixture
def opened(
    qtbot: QtBot, session: Session, lookups: Lookups, store: JobStore, run: Run
) -> Iterator[tuple[Opened, Callable[..., BulkEditDialog]]]:
    host = QWidget()
    host.setObjectName("bulkTestHost")
    host.resize(1000, 700)
    state = Opened()

    def open_dialog(entity_key: str, ids: list[int]) -> BulkEditDialog:
        dialog = open_bulk_edit(host, session, lookups, store, entity_key, ids, state.jobs.append)
        qtbot.waitExposed(dialog)
        state.dialogs.append(dialog)
        return dialog

    yield state, open_dialog
    for job in state.jobs:
        qtbot.waitUntil(lambda: not job.running, timeout=20_000)  # noqa: B023 (waited here)
    for dialog in state.dialogs:
        if shiboken6.isValid(dialog):
            run(dialog.aclose())
            dialog.close()
    host.deleteLater()


def click(widget: QWidget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def choose(combo: QComboBox, data: Any) -> None:
    """Pick an entry of a combo as a user would (by its data)."""
    index = combo.findData(data)
    assert index >= 0, (combo.objectName(), data)
    combo.setCurrentIndex(index)


def type_value(row: OperationRow, text: str) -> None:
    assert isinstance(row.editor, LineEditor), row.editor
    row.editor.edit.setFocus()
    QTest.keyClicks(row.editor.edit, text)


def cf_key(lookups: Lookups, name: str) -> str:
    return next(d.key for d in lookups.definitions if d.name == name)


def cf_value(record: Json, key: str) -> Any:
    wanted = int(key.removeprefix("cf_"))
    for entry in record.get("custom_fields") or ():
        if entry["custom_field_definition_id"] == wanted:
            return entry["value"]
    return None


def make_people(session: Session, run: Run, specs: list[Json]) -> list[Json]:
    tag = uuid.uuid4().hex[:8]
    items = [{"name": f"Bulk UI {tag} {i:02d}", **spec} for i, spec in enumerate(specs)]
    result = run(session.client.bulk_create("people", items))
    assert not result.failed
    return sorted(result.records, key=lambda r: r["name"])


def fresh(session: Session, run: Run, entity_key: str, ids: list[int]) -> dict[int, Json]:
    page = run(session.client.search(entity_key, {"ids": ids}))
    return {r["id"]: r for r in page.records}


def preview(qtbot: QtBot, dialog: BulkEditDialog) -> None:
    click(dialog.preview_button)
    qtbot.waitUntil(lambda: dialog.model.preview is not None, timeout=15_000)


def table_lines(dialog: BulkEditDialog) -> list[tuple[str, ...]]:
    table = dialog.model.table
    return [tuple(table.text(r, c) for c in range(4)) for r in range(table.rowCount())]


def writes(control: SandboxControl) -> list[Json]:
    return [
        e
        for e in control.requests(limit=2000)
        if e["method"] in ("PUT", "POST", "DELETE") and not e["path"].endswith("/search")
    ]


def test_custom_field_tag_and_owner_previewed_then_applied_as_a_job(
    qtbot: QtBot,
    opened: tuple[Opened, Callable[..., BulkEditDialog]],
    session: Session,
    lookups: Lookups,
    control: SandboxControl,
    admin: Json,
    run: Run,
) -> None:
    state, open_dialog = opened
    account = cf_key(lookups, "Account Number")
    account_id = int(account.removeprefix("cf_"))
    owner = next(uid for uid, _ in lookups.choices(LookupKind.USERS) if uid != admin["id"])
    account_value = {"custom_field_definition_id": account_id, "value": "ACC-42"}
    matching = {"tags": ["keep", "vip"], "assignee_id": owner, "custom_fields": [account_value]}
    people = make_people(
        session, run, [{"tags": ["keep"], "assignee_id": admin["id"]}] * 4 + [matching, {}]
    )
    ids = [p["id"] for p in people]
    run(session.client.delete("people", ids[5]))  # deleted since it was selected

    dialog = open_dialog("people", ids)
    first = dialog.rows[0]
    choose(first.field_combo, account)
    type_value(first, "ACC-42")
    click(dialog.add_button)
    tags = dialog.rows[1]
    choose(tags.kind_combo, Kind.TAGS.value)
    type_value(tags, "vip")
    click(dialog.add_button)
    owner_row = dialog.rows[2]
    choose(owner_row.kind_combo, Kind.OWNER.value)
    assert isinstance(owner_row.editor, ChoiceEditor)
    owner_row.editor.select(owner)
    control.reset()

    preview(qtbot, dialog)

    assert dialog.counts.text() == (
        f"4 will change, 1 already match, 1 cannot be changed ({MISSING_REASON})"
    )
    assert dialog.apply_button.text() == "Apply to 4 records"
    owner_name = lookups.name(LookupKind.USERS, owner)
    admin_name = lookups.name(LookupKind.USERS, admin["id"])
    lines = table_lines(dialog)
    assert len(lines) == 12
    assert lines[:3] == [
        (people[0]["name"], "Account Number", "—", "ACC-42"),
        (people[0]["name"], "Tags", "keep", "keep, vip"),
        (people[0]["name"], "Owner", admin_name, owner_name),
    ]
    assert [line[0] for line in lines[::3]] == [p["name"] for p in people[:4]]
    assert not writes(control), "the preview wrote to Copper"

    click(dialog.apply_button)
    qtbot.waitUntil(lambda: len(state.jobs) == 1, timeout=10_000)
    job = state.jobs[0]
    qtbot.waitUntil(lambda: job.state.final, timeout=20_000)
    assert job.state is JobState.FINISHED
    assert job.counts()[RowStatus.WRITTEN] == 4
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()  # closed (and deleted)
    now = fresh(session, run, "people", ids)
    for person in (now[i] for i in ids[:5]):
        assert cf_value(person, account) == "ACC-42"
        assert sorted(person["tags"]) == ["keep", "vip"]
        assert person["assignee_id"] == owner
    assert ids[5] not in now


def test_invalid_changes_are_refused_inline_and_nothing_is_sent(
    qtbot: QtBot,
    opened: tuple[Opened, Callable[..., BulkEditDialog]],
    session: Session,
    lookups: Lookups,
    control: SandboxControl,
    run: Run,
) -> None:
    _state, open_dialog = opened
    people = make_people(session, run, [{}, {}])
    dialog = open_dialog("people", [p["id"] for p in people])
    score = dialog.rows[0]
    choose(score.field_combo, cf_key(lookups, "Lead Score"))
    type_value(score, "abc")
    click(dialog.add_button)
    name = dialog.rows[1]
    choose(name.kind_combo, Kind.CLEAR.value)
    choose(name.field_combo, "name")
    click(dialog.add_button)
    tags = dialog.rows[2]
    choose(tags.kind_combo, Kind.TAGS.value)
    control.reset()

    click(dialog.preview_button)

    assert dialog.pages.currentIndex() == 0
    assert (score.shown_error() or "").startswith("Lead Score: ")
    assert name.shown_error() is None  # checked once the rows themselves are complete
    assert isinstance(score.editor, LineEditor)
    score.editor.edit.clear()
    type_value(score, "12.5")
    click(dialog.preview_button)
    assert dialog.pages.currentIndex() == 0
    assert score.shown_error() is None
    assert name.shown_error() == "Name is required and cannot be cleared."
    assert tags.shown_error() == "Name at least one tag."
    assert dialog.model.preview is None
    assert control.requests() == [], "an invalid edit sent requests"


def test_preview_exports_to_csv_with_names(
    qtbot: QtBot,
    opened: tuple[Opened, Callable[..., BulkEditDialog]],
    session: Session,
    lookups: Lookups,
    control: SandboxControl,
    tmp_path: Path,
    run: Run,
) -> None:
    _state, open_dialog = opened
    account = cf_key(lookups, "Account Number")
    account_id = int(account.removeprefix("cf_"))

    def account_number(value: str) -> list[Json]:
        return [{"custom_field_definition_id": account_id, "value": value}]

    people = make_people(
        session,
        run,
        [{"custom_fields": account_number("A-1")},
         {"title": "CFO", "custom_fields": account_number("A-2")}],
    )  # fmt: skip
    dialog = open_dialog("people", [p["id"] for p in people])
    row = dialog.rows[0]
    choose(row.field_combo, "title")
    row.set_source(SourceKind.COPY)
    choose(row.copy_combo, account)
    row.set_where(Where.BLANK)
    control.reset()
    preview(qtbot, dialog)
    # The second person has a title: "only where it is blank" leaves it alone.
    assert dialog.counts.text() == "1 will change, 1 already match, 0 cannot be changed"

    click(dialog.export_button)
    chooser = dialog.findChild(QFileDialog, "bulkExportFileDialog")
    assert chooser is not None
    target = tmp_path / "preview.csv"
    chooser.selectFile(str(target))
    chooser.accept()

    with target.open(encoding="utf-8", newline="") as fh:
        lines = list(csv.reader(fh))
    assert lines == [
        ["record_id", "name", "field", "before", "after"],
        [str(people[0]["id"]), people[0]["name"], "Title", "", "A-1"],
    ]
    assert dialog.status.text() == "Exported 1 line to preview.csv."
    assert not writes(control)


def test_stages_follow_the_pipeline_and_the_move_is_previewed(
    qtbot: QtBot,
    opened: tuple[Opened, Callable[..., BulkEditDialog]],
    session: Session,
    lookups: Lookups,
    run: Run,
) -> None:
    _state, open_dialog = opened
    pipelines = {p["name"]: p for p in run(session.client.pipelines())}
    sales, renewals = pipelines["Sales"], pipelines["Renewals"]
    partnerships = pipelines["Partnerships"]
    opportunity = run(session.client.create("opportunities", {
        "name": f"Bulk UI opp {uuid.uuid4().hex[:8]}", "pipeline_id": sales["id"],
        "pipeline_stage_id": sales["stages"][1]["id"]}))  # fmt: skip
    dialog = open_dialog("opportunities", [opportunity["id"]])
    row = dialog.rows[0]
    choose(row.kind_combo, Kind.STAGE.value)
    assert row.pipeline_editor is not None and isinstance(row.editor, StageEditor)
    offered = [name for _, name in row.pipeline_editor.choices()]
    assert "Client Onboarding" not in offered  # a project pipeline

    row.pipeline_editor.select(partnerships["id"])
    stages = [(v, n) for v, n in row.editor.choices() if v is not None]
    assert stages == [(s["id"], s["name"]) for s in partnerships["stages"]]
    assert row.editor.value() == partnerships["stages"][0]["id"]

    row.pipeline_editor.select(renewals["id"])
    stages = [(v, n) for v, n in row.editor.choices() if v is not None]
    assert stages == [(s["id"], s["name"]) for s in renewals["stages"]]
    row.editor.select(renewals["stages"][2]["id"])

    preview(qtbot, dialog)
    assert dialog.counts.text() == "1 will change, 0 already match, 0 cannot be changed"
    assert table_lines(dialog) == [
        (opportunity["name"], "Pipeline", "Sales", "Renewals"),
        (opportunity["name"], "Stage", sales["stages"][1]["name"], renewals["stages"][2]["name"]),
    ]


@pytest.mark.parametrize("entity_key", BULK_ENTITIES)
def test_every_settable_field_gets_the_editors_typed_widget_and_every_widget_is_named(
    opened: tuple[Opened, Callable[..., BulkEditDialog]], lookups: Lookups, entity_key: str
) -> None:
    _state, open_dialog = opened
    dialog = open_dialog(entity_key, [1])
    row = dialog.rows[0]
    ctx = dialog.model.context
    interactive = (QLineEdit, QPlainTextEdit, QComboBox, QAbstractButton, QAbstractItemView)

    def check_named() -> None:
        for widget in dialog.findChildren(QWidget):
            if isinstance(widget, interactive) and widget.focusPolicy() != Qt.FocusPolicy.NoFocus:
                assert widget.objectName(), (entity_key, type(widget).__name__)
                assert widget.accessibleName(), (entity_key, widget.objectName())

    offered = [row.field_combo.itemData(i) for i in range(row.field_combo.count())]
    own_kind = ("tags", "pipeline_id", "pipeline_stage_id")
    expected = [f.key for f in ctx.settable_fields() if f.key not in own_kind]
    assert sorted(offered) == sorted(expected)
    for key in offered:
        choose(row.field_combo, key)
        assert row.editor is not None and row.editor.field.key == key
        assert not isinstance(row.editor, ReadOnlyEditor) and not row.editor.is_read_only(), key
        check_named()
        if not row.editor.field.required:  # "to nothing" clears it
            row.set_source(SourceKind.CLEAR)
            op, problem = row.operation()
            assert problem is None and op == SetField(key, Clear())
            row.set_source(SourceKind.TYPED)
    for kind in available_kinds(ctx):
        choose(row.kind_combo, kind.value)
        if kind is Kind.SET:
            choose(row.field_combo, "name")  # blank: no value yet
        check_named()
        op, problem = row.operation()
        if kind is Kind.CLEAR:
            assert op is not None and problem is None
        elif kind is not Kind.TAGS:  # an untouched value is not taken for a choice
            assert op is None and problem, kind
    if entity_key == "people":
        data_types = {ctx.fields[k].data_type for k in offered if ctx.fields[k].is_custom}
        assert data_types == {"String", "Text", "Dropdown", "Date", "Checkbox", "Float", "URL",
                              "MultiSelect"}  # fmt: skip


def test_a_failed_load_is_shown_and_nothing_can_be_applied(
    qtbot: QtBot,
    opened: tuple[Opened, Callable[..., BulkEditDialog]],
    session: Session,
    control: SandboxControl,
    run: Run,
) -> None:
    _state, open_dialog = opened
    people = make_people(session, run, [{}, {}])
    dialog = open_dialog("people", [p["id"] for p in people])
    choose(dialog.rows[0].kind_combo, Kind.TAGS.value)
    type_value(dialog.rows[0], "vip")
    control.reset()
    control.add_fault("error", status=503, method="POST", path="^/people/search$")

    click(dialog.preview_button)
    qtbot.waitUntil(lambda: dialog.preview_error.isVisible(), timeout=10_000)

    assert dialog.preview_error.text().startswith("Could not load the selected records: ")
    assert dialog.status.text() == "The preview could not be made; nothing was written."
    assert not dialog.apply_button.isEnabled() and not dialog.export_button.isEnabled()
    assert dialog.apply_button.text() == "Nothing to apply"
    assert not writes(control)
    control.clear_faults()
    click(dialog.back_button)
    preview(qtbot, dialog)  # once Copper answers again, the same changes preview
    assert dialog.counts.text() == "2 will change, 0 already match, 0 cannot be changed"
    assert dialog.apply_button.isEnabled()
