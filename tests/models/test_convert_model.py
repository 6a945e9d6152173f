"""The conversion models on a fake Copper (fast): the one-lead model (loaded fresh, its
candidates and the person with its email), the planner's table (shared new companies, problems
left out, the template, per-row choices and overrides, how many requests loading takes) and the
job it makes. The look-ups themselves are pinned in tests/jobs/test_conversion_plan.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from copper_desktop.domain.convert import CompanyDecision, OpportunityTemplate
from copper_desktop.jobs import JobStore
from copper_desktop.models.convert import ConvertLeadModel, opportunity_pipelines
from copper_desktop.models.convert_plan import (
    OWNER,
    PIPELINE,
    PROBLEMS,
    STAGE,
    VALUE,
    ConversionPlanModel,
)
from copper_desktop.models.lookups import Lookups
from tests.helpers.leads import ConvertFake, CountingExecutor
from tests.helpers.leads import fake_lead as lead

Json = dict[str, Any]
Run = Callable[..., Any]

USERS = [{"id": 1, "name": "Ann Owner"}, {"id": 2, "name": "Bo Owner"}]
PIPELINES = [
    {"id": 10, "name": "Sales", "type": "opportunity",
     "stages": [{"id": 100, "name": "Lead"}, {"id": 101, "name": "Qualified"}]},
    {"id": 20, "name": "Delivery", "type": "project", "stages": [{"id": 200, "name": "Start"}]},
    {"id": 30, "name": "Renewals", "type": "opportunity",
     "stages": [{"id": 300, "name": "Due"}, {"id": 301, "name": "Signed"}]},
]  # fmt: skip


@pytest.fixture
def fake() -> ConvertFake:
    return ConvertFake(
        records={
            "companies": {
                501: {"id": 501, "name": "Acme", "email_domain": "acme.com"},
                502: {"id": 502, "name": "ACME", "email_domain": None},
                503: {"id": 503, "name": "Acme Inc.", "email_domain": None},
                504: {"id": 504, "name": "Globex", "email_domain": "globex.io"},
                505: {"id": 505, "name": "Acmeville Farms", "email_domain": None},
            },
            "people": {
                601: {"id": 601, "name": "Zed", "emails": [{"email": "zed@globex.io"}]},
            },
            "leads": {
                1: lead(1, "Lee One", "Acme", "one@acme.com"),
                2: lead(2, "Lee Two", "Nova", "two@nova.org"),
                3: lead(3, "Lee Three", "nova inc.", "three@nova.org"),
                4: lead(4, "Lee Four", "", "zed@globex.io"),
                5: lead(5, "Lee Five", "Nova", assignee_id=99),
            },
        },
        lookups={
            "users": USERS,
            "pipelines": PIPELINES,
            "contact_types": [{"id": 7, "name": "Potential Customer"}],
        },
    )


@pytest.fixture
def lookups(fake: ConvertFake, run: Run, qtbot: QtBot) -> Lookups:
    made = Lookups()
    run(made.load(fake))
    return made


@pytest.fixture
def store(tmp_path: Path, fake: ConvertFake, run: Run) -> Iterator[JobStore]:
    made = JobStore(tmp_path / "jobs", fake)
    yield made
    run(made.close())


def test_the_lead_model_loads_the_lead_fresh_its_candidates_and_the_person_with_its_email(
    fake: ConvertFake, lookups: Lookups, store: JobStore, run: Run, qtbot: QtBot
) -> None:
    fake.records["leads"][4]["company_name"] = "Globex"
    model = ConvertLeadModel(store, lookups, {"id": 4, "name": "stale"})
    with qtbot.waitSignal(model.loaded):
        model.load()
    assert model.lead["name"] == "Lee Four"
    assert [(c.id, c.reason) for c in model.candidates] == [(504, "exact")]
    assert [p["id"] for p in model.duplicates] == [601]
    assert fake.called("fetch_by_email") == [("zed@globex.io",)]
    # One name search and one domain search (the planner's look-up path, for one lead).
    assert [f for e, f in fake.searches if e == "companies"] == [
        {"name": "Globex"}, {"email_domains": ["globex.io"]}
    ]  # fmt: skip

    person = {"name": "Lee Four", "contact_type_id": 7, "assignee_id": 1}
    opp = {"name": "Deal", "pipeline_id": 20, "pipeline_stage_id": None,
           "monetary_value": 5, "assignee_id": 99}  # fmt: skip
    row = model.row(person, CompanyDecision.existing(504, "Globex"), opp)
    assert row.problems == ["Unknown pipeline 20.", "Unknown owner 99 for the opportunity."]
    assert model.convert(row) is False  # nothing is journaled for a row with problems
    ok = model.row(person, CompanyDecision.existing(504, "Globex"), None)
    assert ok.problems == [] and ok.duplicate_people == [{"id": 601, "name": "Zed"}]


def test_a_lead_converted_meanwhile_fails_to_load(
    fake: ConvertFake, lookups: Lookups, store: JobStore, qtbot: QtBot
) -> None:
    del fake.records["leads"][2]
    model = ConvertLeadModel(store, lookups, {"id": 2, "name": "Lee Two"})
    with qtbot.waitSignal(model.load_failed) as failed:
        model.load()
    assert failed.args == [
        "Could not load the lead: It was converted or deleted meanwhile, or is not visible to you."
    ]


def test_opportunity_pipelines_leave_project_pipelines_out(lookups: Lookups) -> None:
    assert opportunity_pipelines(lookups) == [
        {"id": 10, "name": "Sales", "type": "opportunity",
         "stages": [{"id": 100, "name": "Lead"}, {"id": 101, "name": "Qualified"}]},
        {"id": 30, "name": "Renewals", "type": "opportunity",
         "stages": [{"id": 300, "name": "Due"}, {"id": 301, "name": "Signed"}]},
    ]  # fmt: skip


def plan(model: ConversionPlanModel, qtbot: QtBot, ids: list[int]) -> None:
    with qtbot.waitSignal(model.loaded, timeout=5000):
        model.load(ids)


def test_the_counts_line_agrees_with_each_count(
    fake: ConvertFake, lookups: Lookups, store: JobStore, qtbot: QtBot
) -> None:
    fake.records["leads"][6] = lead(6, "Lee Six", "Globex", "zed@globex.io")
    one = ConversionPlanModel(store, lookups)
    plan(one, qtbot, [4, 77])
    assert one.counts_line() == (
        "1 lead: 1 ready. Creates 0 new companies, attaches 1 to an existing one, creates 0 "
        "opportunities. 1 shares an email with an existing person. 1 selected lead is "
        "converted already, deleted or not visible."
    )
    two = ConversionPlanModel(store, lookups)
    plan(two, qtbot, [4, 6, 77, 78])
    assert two.counts_line() == (
        "2 leads: 2 ready. Creates 0 new companies, attaches 2 to existing ones, creates 0 "
        "opportunities. 2 share an email with an existing person. 2 selected leads are "
        "converted already, deleted or not visible."
    )


def test_the_plan_shares_a_new_company_and_leaves_rows_with_problems_out(
    fake: ConvertFake, lookups: Lookups, store: JobStore, run: Run, qtbot: QtBot
) -> None:
    model = ConversionPlanModel(store, lookups)
    progress: list[tuple[int, int]] = []
    model.progress.connect(lambda done, total: progress.append((done, total)))
    plan(model, qtbot, [1, 2, 3, 4, 5, 77])
    assert progress == [(0, 6), (6, 6)]
    assert [r.lead_id for r in model.rows] == [1, 2, 3, 4, 5]
    assert model.missing == 1
    assert model.rows[0].company == CompanyDecision.existing(501, "Acme")
    assert model.text(1, 2) == "New company “Nova”, created once for 2 leads"
    assert model.text(2, 2) == "New company “nova inc.”, created once for 2 leads"
    assert model.text(3, 2) == "Globex (existing)"  # by its email's domain
    assert model.text(3, 3) == "⚠ Same email as Zed"
    assert model.problem_rows() == [4]
    assert model.text(4, PROBLEMS) == "Unknown owner 99 for the person."
    assert model.counts_line() == (
        "5 leads: 4 ready, 1 with problems (left out). Creates 1 new company, attaches 2 to "
        "existing ones, creates 0 opportunities. 1 shares an email with an existing person. "
        "1 selected lead is converted already, deleted or not visible."
    )
    # One search per distinct name word (Nova, nova inc. and Nova share "Nova"), one for
    # every domain, one people search.
    searches = fake.searches
    names = [f["name"] for e, f in searches if e == "companies" and "name" in f]
    assert names == ["Acme", "Nova"]
    assert [f for e, f in searches if "email_domains" in f] == [
        {"email_domains": ["acme.com", "globex.io", "nova.org"]}
    ]
    assert len([f for e, f in searches if e == "people"]) == 1
    assert fake.called("fetch_by_email") == []

    # The template, then a row's own choices; the owner problem stays.
    model.set_template(OpportunityTemplate(create=True, pipeline_id=10, stage_id=101,
                                           name_pattern="{company}: {lead name}"))  # fmt: skip
    assert model.rows[1].opportunity == {
        "name": "Nova: Lee Two", "pipeline_id": 10, "pipeline_stage_id": 101,
        "monetary_value": 500, "assignee_id": 1,
    }  # fmt: skip
    assert [model.text(1, c) for c in range(4, 9)] == [
        "“Nova: Lee Two”", "Sales", "Qualified", "500", "Ann Owner",
    ]  # fmt: skip
    model.set_opportunity(2, False)
    assert model.text(2, 4) == "No" and model.text(2, PIPELINE) == ""
    model.set_opportunity(3, None, "Own name")
    assert model.rows[3].opportunity is not None and model.rows[3].opportunity["name"] == "Own name"
    model.set_decision(2, CompanyDecision.none())
    assert model.text(1, 2) == "New company “Nova”"  # no longer shared
    assert [label for label, _d in model.company_choices(0)] == [
        "Acme — exact name", "ACME — same name but for case", "Acme Inc. — similar name",
        "New company “Acme”", "No company",
    ]  # fmt: skip


def test_the_planner_matches_in_the_executor_it_is_given(
    fake: ConvertFake, lookups: Lookups, store: JobStore, qtbot: QtBot
) -> None:
    with CountingExecutor() as executor:
        model = ConversionPlanModel(store, lookups, executor=executor)
        plan(model, qtbot, [1, 2, 3])
    assert executor.submitted == 1 and len(model.rows) == 3


def test_running_the_plan_journals_one_job_of_the_runnable_rows(
    fake: ConvertFake, lookups: Lookups, store: JobStore, qtbot: QtBot
) -> None:
    model = ConversionPlanModel(store, lookups)
    plan(model, qtbot, [1, 2, 3, 5])
    with qtbot.waitSignal(model.job_created) as made:
        assert model.run() is True
    job = made.args[0]
    assert job.title == "Convert 3 leads"
    assert [row.key for row in job.rows] == [1, 2, 3]
    assert {row.data["company_key"] for row in job.rows[1:]} == {"nova"}
    assert model.run() is False  # one job per plan
    assert fake.writes == []  # nothing sent: the window's jobs UI starts the job


def test_a_row_overrides_the_templates_pipeline_stage_value_and_owner(
    fake: ConvertFake, lookups: Lookups, store: JobStore, qtbot: QtBot
) -> None:
    model = ConversionPlanModel(store, lookups)
    plan(model, qtbot, [1, 2])
    cell = model.index(0, STAGE)
    assert not model.flags(cell) & Qt.ItemFlag.ItemIsEditable  # no opportunity yet
    assert model.setData(cell, 101) is False
    model.set_template(OpportunityTemplate(create=True, pipeline_id=10, stage_id=101))
    assert model.flags(cell) & Qt.ItemFlag.ItemIsEditable
    assert not model.flags(model.index(0, PROBLEMS)) & Qt.ItemFlag.ItemIsEditable

    # A pipeline of its own brings that pipeline's first stage; then a stage, value, owner.
    assert model.setData(model.index(0, PIPELINE), 30)
    assert model.rows[0].opportunity is not None
    assert model.rows[0].opportunity["pipeline_stage_id"] == 300
    assert model.setData(model.index(0, STAGE), 301)
    assert model.setData(model.index(0, VALUE), 1250.5)
    assert model.setData(model.index(0, OWNER), 2)
    assert [model.text(0, c) for c in (PIPELINE, STAGE, VALUE, OWNER)] == [
        "Renewals", "Signed", "1,250.5", "Bo Owner",
    ]  # fmt: skip
    assert model.data(model.index(0, OWNER), Qt.ItemDataRole.EditRole) == 2
    assert model.data(model.index(0, OWNER), Qt.ItemDataRole.ToolTipRole) == (
        "Bo Owner (set for this lead)"
    )
    # The other row follows the template, also when it changes; the overrides stay.
    model.set_template(OpportunityTemplate(create=True, pipeline_id=10, stage_id=100))
    assert model.rows[1].opportunity is not None
    assert model.rows[1].opportunity["pipeline_stage_id"] == 100
    assert (model.rows[0].opportunity or {})["pipeline_stage_id"] == 301
    assert model.problem_rows() == []

    # Validation: a stage of another pipeline, an unknown owner.
    model.setData(model.index(1, STAGE), 301)
    model.setData(model.index(1, OWNER), 99)
    assert model.text(1, PROBLEMS) == (
        "Stage 301 is not in pipeline 'Sales'. Unknown owner 99 for the opportunity."
    )
    assert [r.lead_id for r in model.runnable_rows()] == [1]
    model.clear_overrides(1)
    assert model.problem_rows() == []
    assert (model.rows[1].opportunity or {})["pipeline_stage_id"] == 100


def test_a_job_that_cannot_be_journaled_is_reported_and_nothing_is_sent(
    fake: ConvertFake, lookups: Lookups, tmp_path: Path, run: Run, qtbot: QtBot
) -> None:
    (tmp_path / "taken").write_text("a file where the jobs folder goes")
    store = JobStore(tmp_path / "taken" / "jobs", fake)
    planner = ConversionPlanModel(store, lookups)
    plan(planner, qtbot, [1])
    with qtbot.waitSignal(planner.run_failed) as failed:
        assert planner.run() is True
    assert failed.args[0].startswith("Could not create the conversion job")
    assert not planner.creating and planner.job is None
    one = ConvertLeadModel(store, lookups, {"id": 1})
    with qtbot.waitSignal(one.loaded):
        one.load()
    with qtbot.waitSignal(one.convert_failed) as failed:
        assert one.convert(one.row({"name": "Lee One"}, CompanyDecision.none(), None)) is True
    assert failed.args[0].startswith("Could not create the conversion job")
    assert not one.creating and fake.writes == []
    run(store.close())
