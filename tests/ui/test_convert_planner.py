"""The conversion planner end to end against the live sandbox, driving the real widgets: leads
picked in the browser → Ctrl+Shift+L → the plan (candidates, a shared new company, a duplicate
person, a lead with a problem left out) → the template and a row's own choices → Convert → the
job runs in the jobs panel → the sandbox holds one company for the two leads that named it;
a row's own stage and owner overriding the template's; "all matching the filters" planned
through the walk; and (on a fake Copper) a lead with a problem listed and left out of the
run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from copper_desktop.domain.catalog import LookupKind
from copper_desktop.jobs import Job, JobState, JobStore, RowStatus
from copper_desktop.models.convert_plan import (
    OPPORTUNITY,
    OWNER,
    PIPELINE,
    STAGE,
    ConversionPlanModel,
)
from copper_desktop.models.lookups import Lookups
from copper_desktop.ui.browse.browser import EntityBrowser
from copper_desktop.ui.convert.planner import PlannerDialog
from copper_desktop.ui.main_window import MainWindow
from tests.helpers.fakes import FakeClient
from tests.helpers.leads import (
    CTRL_SHIFT,
    click,
    companies_named,
    convert_posts,
    ended_job,
    leads_browser,
    make_company,
    make_lead,
    tag,
)
from tests.helpers.qt import MakeWindow
from tests.helpers.sandbox import SandboxControl

Json = dict[str, Any]
Run = Callable[..., Any]


def open_planner(qtbot: QtBot, window: MainWindow) -> PlannerDialog:
    qtbot.waitUntil(lambda: window.convert_ui.planner is not None)
    planner = window.convert_ui.planner
    assert planner is not None and planner.isVisible()
    qtbot.waitUntil(lambda: not planner.model.loading and bool(planner.model.rows), timeout=20_000)
    return planner


def select_all(browser: EntityBrowser) -> None:
    browser.table.setFocus()
    QTest.keyClick(browser.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)


def row_named(planner: PlannerDialog, name: str) -> int:
    return next(i for i, r in enumerate(planner.model.rows) if r.label == name)


def choose(combo: Any, text: str) -> None:
    index = combo.findText(text)
    assert index >= 0, (combo.objectName(), text, [combo.itemText(i) for i in range(combo.count())])
    combo.setCurrentIndex(index)


def test_several_leads_are_planned_and_converted_with_a_shared_new_company_created_once(
    qtbot: QtBot, make_window: MakeWindow, control: SandboxControl, run: Run
) -> None:
    window = make_window()
    client = window.session.client
    prefix = f"Plan {tag()}"
    shared = f"Shared {tag()}"
    existing = make_company(client, run, f"Known {tag()}")
    email = f"dup.{tag()}@example.org"
    emails = [{"email": email, "category": "work"}]
    person = run(client.create("people", {"name": f"Has email {tag()}", "emails": emails}))
    leads = {
        "a": make_lead(client, run, f"{prefix} A", company_name=shared, monetary_value=10),
        "b": make_lead(client, run, f"{prefix} B", company_name=f"{shared} Inc."),
        "c": make_lead(client, run, f"{prefix} C", company_name=existing["name"], email=email),
        "d": make_lead(client, run, f"{prefix} D"),
    }
    browser = leads_browser(qtbot, window, prefix, 4)
    select_all(browser)
    assert browser.selection.label.text() == "4 selected"
    assert window.convert_ui.plan_action.isEnabled()
    QTest.keyClick(browser.table, Qt.Key.Key_L, CTRL_SHIFT)
    planner = open_planner(qtbot, window)
    model = planner.model

    assert planner.intro.text().startswith("Converting 4 selected leads.")
    assert model.rowCount() == 4
    a, b, c, d = (row_named(planner, f"{prefix} {x}") for x in "ABCD")
    assert model.text(a, 2) == f"New company “{shared}”, created once for 2 leads"
    assert model.text(b, 2) == f"New company “{shared} Inc.”, created once for 2 leads"
    assert model.text(c, 2) == f"{existing['name']} (existing)"
    assert model.text(c, 3) == f"⚠ Same email as {person['name']}"
    assert model.text(d, 2) == "No company"
    assert planner.problems.isHidden()
    assert planner.run_button.text() == "Convert 4 leads"

    # The template: an opportunity for every lead, in the first pipeline's second stage.
    QTest.keyClick(planner.create_opp, Qt.Key.Key_Space)
    assert planner.create_opp.isChecked() and planner.pipeline.isEnabled()
    pipeline_id, pipeline_name = window.lookups.choices(LookupKind.PIPELINES)[0]
    planner.pipeline.setCurrentIndex(planner.pipeline.findData(pipeline_id))
    stage_id, stage_name = window.lookups.stages(pipeline_id)[1]
    planner.stage.setCurrentIndex(planner.stage.findData(stage_id))
    assert [model.text(a, c) for c in (OPPORTUNITY, PIPELINE, STAGE)] == [
        f"“{prefix} A”", pipeline_name, stage_name,
    ]  # fmt: skip
    # Row D's own choices: no opportunity; row C: no company after all.
    planner.select_row(d)
    assert planner.row_box.isEnabled()
    choose(planner.row_opp, "Create none")
    assert model.text(d, OPPORTUNITY) == "No"
    planner.select_row(c)
    assert [planner.row_company.itemText(i) for i in range(planner.row_company.count())] == [
        f"{existing['name']} — exact name", f"New company “{existing['name']}”", "No company",
    ]  # fmt: skip
    assert planner.row_dupes.text() == f"⚠ Same email as {person['name']}"
    choose(planner.row_company, "No company")
    assert model.text(c, 2) == "No company"
    assert planner.counts.text() == (
        "4 leads: 4 ready. Creates 1 new company, attaches 0 to existing ones, creates 3 "
        "opportunities. 1 shares an email with an existing person."
    )
    control.reset()
    click(planner.run_button)

    job = ended_job(qtbot, window)
    assert job.state is JobState.FINISHED
    assert job.counts()[RowStatus.WRITTEN] == 4
    posts = convert_posts(control)
    assert sorted(lead for lead, _status in posts) == sorted(
        leads[x]["id"] for x in "abcd"
    )  # each once
    made = companies_named(client, run, shared)
    assert len(made) == 1, made
    results = {row.key: (row.outcome.result or {}) for row in job.rows if row.outcome}
    people = run(client.search("people", {"ids": [r["person_id"] for r in results.values()]}))
    by_id = {p["id"]: p for p in people.records}
    company_of = {k: by_id[r["person_id"]]["company_id"] for k, r in results.items()}
    assert company_of[leads["a"]["id"]] == company_of[leads["b"]["id"]] == made[0]["id"]
    assert company_of[leads["c"]["id"]] is None and company_of[leads["d"]["id"]] is None
    assert results[leads["d"]["id"]]["opportunity_id"] is None
    assert results[leads["a"]["id"]]["opportunity_id"] is not None
    # Converted leads leave the list.
    qtbot.waitUntil(lambda: browser.model.rowCount() == 0)


def edit_cell(qtbot: QtBot, planner: PlannerDialog, row: int, column: int, text: str) -> None:
    """F2 on the cell, pick ``text`` in its combo box, Enter."""
    table = planner.table
    table.setCurrentIndex(planner.model.index(row, column))
    table.setFocus()
    QTest.keyClick(table, Qt.Key.Key_F2)
    editor = table.findChild(QComboBox, "planCellChoice")
    assert editor is not None and editor.isVisible()
    choose(editor, text)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.findChild(QComboBox, "planCellChoice") is None)


def test_a_rows_own_stage_and_owner_reach_its_opportunity_the_others_follow_the_template(
    qtbot: QtBot, make_window: MakeWindow, control: SandboxControl, run: Run
) -> None:
    window = make_window()
    client = window.session.client
    prefix = f"Plan {tag()}"
    (owner, owner_name), (other, other_name) = window.lookups.choices(LookupKind.USERS)[:2]
    leads = [make_lead(client, run, f"{prefix} {x}", assignee_id=owner) for x in "ABC"]
    browser = leads_browser(qtbot, window, prefix, 3)
    select_all(browser)
    QTest.keyClick(browser.table, Qt.Key.Key_L, CTRL_SHIFT)
    planner = open_planner(qtbot, window)
    model = planner.model
    QTest.keyClick(planner.create_opp, Qt.Key.Key_Space)
    pipeline_id, _pipeline = window.lookups.choices(LookupKind.PIPELINES)[0]
    planner.pipeline.setCurrentIndex(planner.pipeline.findData(pipeline_id))
    stages = window.lookups.stages(pipeline_id)
    (template_stage, _), (own_stage, own_stage_name) = stages[1], stages[2]
    planner.stage.setCurrentIndex(planner.stage.findData(template_stage))

    b = row_named(planner, f"{prefix} B")
    edit_cell(qtbot, planner, b, STAGE, own_stage_name)
    edit_cell(qtbot, planner, b, OWNER, other_name)
    assert (model.text(b, STAGE), model.text(b, OWNER)) == (own_stage_name, other_name)
    c = row_named(planner, f"{prefix} C")  # an owner of its own, then the template's again
    edit_cell(qtbot, planner, c, OWNER, other_name)
    assert model.text(c, OWNER) == other_name
    planner.select_row(c)
    click(planner.row_reset)
    assert model.text(c, OWNER) == owner_name
    assert planner.problems.isHidden()
    click(planner.run_button)

    job = ended_job(qtbot, window)
    assert job.state is JobState.FINISHED
    got = {}
    for row in job.rows:
        opp_id = (row.outcome.result or {}).get("opportunity_id") if row.outcome else None
        assert isinstance(opp_id, int), row
        opp = run(client.get("opportunities", opp_id))
        got[row.key] = (opp["pipeline_id"], opp["pipeline_stage_id"], opp["assignee_id"])
    a_id, b_id, c_id = (lead["id"] for lead in leads)
    assert got == {
        a_id: (pipeline_id, template_stage, owner),
        b_id: (pipeline_id, own_stage, other),
        c_id: (pipeline_id, template_stage, owner),
    }


def test_all_matching_the_filters_are_planned_through_the_walk(
    qtbot: QtBot, make_window: MakeWindow, control: SandboxControl, run: Run
) -> None:
    window = make_window()
    client = window.session.client
    prefix = f"Plan {tag()}"
    made = [make_lead(client, run, f"{prefix} {i}") for i in range(3)]
    browser = leads_browser(qtbot, window, prefix, 3)
    select_all(browser)
    click(browser.selection.matching_button)
    assert browser.selection.all_matching
    window.convert_ui.plan_action.trigger()
    planner = open_planner(qtbot, window)
    assert "the leads matching the current filters" in planner.intro.text()
    assert sorted(r.lead_id for r in planner.model.rows) == sorted(m["id"] for m in made)
    assert planner.run_button.text() == "Convert 3 leads"
    click(planner.cancel_button)
    qtbot.waitUntil(lambda: window.convert_ui.planner is None)


def test_leads_with_problems_are_listed_and_left_out_of_the_run(
    qtbot: QtBot, tmp_path: Path, run: Run
) -> None:
    """On a fake Copper: a lead whose owner is unknown is named under the table and the Run
    button counts only the others; the job holds only them."""
    fake = FakeClient(
        records={"leads": {1: {"id": 1, "name": "Ok Lead", "assignee_id": 1},
                           2: {"id": 2, "name": "Bad Owner", "assignee_id": 99}}},
        lookups={"users": [{"id": 1, "name": "Ann"}]},
    )  # fmt: skip
    lookups = Lookups()
    run(lookups.load(fake))
    store = JobStore(tmp_path / "jobs", fake)
    jobs: list[Job] = []
    planner = PlannerDialog(ConversionPlanModel(store, lookups), jobs.append)
    qtbot.addWidget(planner)
    planner.show()
    with qtbot.waitSignal(planner.model.loaded):
        planner.model.load([1, 2])
    assert planner.problems.isVisible()
    assert planner.problems.text() == "Left out (1):\nBad Owner: Unknown owner 99 for the person."
    assert planner.run_button.text() == "Convert 1 lead"
    click(planner.run_button)
    qtbot.waitUntil(lambda: bool(jobs))
    assert [row.key for row in jobs[0].rows] == [1]
    run(store.close())
