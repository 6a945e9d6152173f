"""The convert dialog end to end against the live sandbox, driving the real widgets: a lead
converted into an existing company with an opportunity, into a new company (with each of the
three answer shapes Copper is known to send), into no company; a person who already has the
lead's email shown with Open; inline errors that send nothing; the lead gone from the list and
found with "Include converted leads"; Convert… from the lead's editor; the conversion reverted
from the Jobs window; a conversion whose answer was lost resumed at start without converting
twice; a conversion resumed from the Jobs window taking its leads off the list; and where the
actions show (leads page, its row menu, the toolbar)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QCheckBox, QPushButton
from pytestqt.qtbot import QtBot

from copper_desktop.api import CopperClient
from copper_desktop.config import AppPaths
from copper_desktop.domain.catalog import LookupKind
from copper_desktop.domain.convert import CompanyDecision, OpportunityTemplate, plan_row
from copper_desktop.jobs import JobState, JobStore, RowStatus
from copper_desktop.ui.convert.convert_dialog import ConvertDialog
from copper_desktop.ui.jobs import JobsUi
from copper_desktop.ui.main_window import MainWindow
from tests.helpers.leads import (
    click,
    companies_named,
    convert_posts,
    converted_lead,
    leads_browser,
    make_company,
    make_lead,
    open_dialog,
    tag,
)
from tests.helpers.qt import MakeWindow
from tests.helpers.sandbox import SandboxControl

Json = dict[str, Any]
Run = Callable[..., Any]


def choose_company(dialog: ConvertDialog, starts: str) -> None:
    for row in range(dialog.companies.count()):
        if dialog.companies.item(row).text().startswith(starts):
            dialog.companies.setCurrentRow(row)
            return
    raise AssertionError(f"no company choice {starts!r}")


def convert(qtbot: QtBot, dialog: ConvertDialog) -> None:
    assert dialog.convert_button.isEnabled(), dialog.error.text()
    click(dialog.convert_button)
    qtbot.waitUntil(lambda: dialog.model.outcome is not None, timeout=30_000)


def answer_resume_offer(qtbot: QtBot, window: MainWindow, button: str) -> JobsUi:
    """Wait for the offer to resume the jobs a killed app left, and press ``button``."""
    qtbot.waitUntil(lambda: window.jobs is not None and window.jobs.resume_box is not None)
    jobs = window.jobs
    assert jobs is not None and jobs.resume_box is not None
    pressed = jobs.resume_box.findChild(QPushButton, button)
    assert pressed is not None
    click(pressed)
    return jobs


def get(client: CopperClient, run: Run, path: str, record_id: int | None) -> Json:
    assert record_id is not None
    record: Json = run(client.get(path, record_id))
    return record


def test_a_lead_joins_its_existing_company_with_an_opportunity_and_leaves_the_list(
    qtbot: QtBot, make_window: MakeWindow, control: SandboxControl, run: Run
) -> None:
    window = make_window()
    client = window.session.client
    prefix = f"Conv {tag()}"
    company = make_company(client, run, f"Orbit {tag()}")
    near = make_company(client, run, f"{company['name']} Ltd")
    lead = make_lead(client, run, f"{prefix} Ann Lee", company_name=company["name"],
                     monetary_value=1234, email=f"ann.{tag()}@example.org")  # fmt: skip
    browser = leads_browser(qtbot, window, prefix, 1)
    dialog = open_dialog(qtbot, window, browser, 0)

    choices = [dialog.companies.item(r).text() for r in range(dialog.companies.count())]
    assert choices[:2] == [f"{company['name']} — exact name", f"{near['name']} — similar name"]
    assert choices[-2:] == ["Create a new company (name below)", "No company"]
    assert dialog.companies.currentItem().text() == f"{company['name']} — exact name"
    assert dialog.person_name.text() == f"{prefix} Ann Lee"
    assert dialog.dupes_group.isHidden()
    assert dialog.value.text() == "1234"

    # The opportunity is named by the planner's rule (its default template), not its own.
    planned = plan_row(lead, dialog.model.candidates, [], OpportunityTemplate(create=True))
    assert planned.opportunity is not None
    assert dialog.opp_name.text() == planned.opportunity["name"] == f"{prefix} Ann Lee"
    dialog.opportunity.setChecked(True)
    pipeline_id, pipeline_name = window.lookups.choices(LookupKind.PIPELINES)[0]
    dialog.pipeline.setCurrentIndex(dialog.pipeline.findData(pipeline_id))
    stage_id, stage_name = window.lookups.stages(pipeline_id)[1]
    dialog.stage.setCurrentIndex(dialog.stage.findData(stage_id))
    assert dialog.summary.text() == (
        f"Creates person {prefix} Ann Lee, links to company {company['name']} (existing), "
        f"creates opportunity '{prefix} Ann Lee' in {pipeline_name} ▸ {stage_name}."
    )
    control.reset()
    convert(qtbot, dialog)

    outcome = dialog.model.outcome
    assert outcome is not None and outcome.converted, outcome
    assert outcome.company_id == company["id"] and not outcome.company_created
    assert [status for _lead, status in convert_posts(control)] == [200]
    person = get(client, run, "people", outcome.person_id)
    assert person["company_id"] == company["id"] and person["name"] == f"{prefix} Ann Lee"
    assert outcome.opportunity_id is not None
    opp = get(client, run, "opportunities", outcome.opportunity_id)
    assert (opp["name"], opp["pipeline_id"], opp["pipeline_stage_id"], opp["monetary_value"]) == (
        f"{prefix} Ann Lee", pipeline_id, stage_id, 1234,
    )  # fmt: skip
    assert dialog.status.text() == "Converted."
    assert dialog.cancel_button.text() == "Close" and not dialog.convert_button.isVisible()

    # The buttons open the records in their editors.
    for button, key, record_id in (
        (dialog.open_person, "people", outcome.person_id),
        (dialog.open_company, "companies", company["id"]),
        (dialog.open_opportunity, "opportunities", outcome.opportunity_id),
    ):
        assert button.isVisible()
        click(button)
        qtbot.waitUntil(lambda k=key, i=record_id: window.editor(k, i) is not None)  # type: ignore[misc]

    # Gone from the list; "Include converted leads" finds it again.
    qtbot.waitUntil(lambda: browser.model.rowCount() == 0)
    assert browser.filter_bar is not None
    flag = browser.filter_bar.findChild(QCheckBox, "filterIncludeConvertedLeads")
    assert flag is not None
    flag.setChecked(True)
    qtbot.waitUntil(lambda: browser.model.rowCount() == 1 and browser.model.is_loaded(0))
    assert (browser.model.record(0) or {})["id"] == lead["id"]


@pytest.mark.parametrize("shape", ["both", "objects", "ids"])
def test_a_new_company_is_created_whatever_shape_the_answer_has(
    qtbot: QtBot, make_window: MakeWindow, control: SandboxControl, run: Run, shape: str
) -> None:
    window = make_window()
    client = window.session.client
    prefix = f"Conv {tag()}"
    new_name = f"Nova {tag()}"
    make_lead(client, run, f"{prefix} Bo", company_name=new_name)
    browser = leads_browser(qtbot, window, prefix, 1)
    dialog = open_dialog(qtbot, window, browser, 0)
    assert dialog.companies.currentItem().text() == "Create a new company (name below)"
    assert dialog.new_company.text() == new_name and dialog.new_company.isEnabled()
    assert dialog.summary.text() == (
        f"Creates person {prefix} Bo, creates company {new_name} and links to it, "
        "creates no opportunity."
    )
    control.settings(convert_answer=shape)
    convert(qtbot, dialog)

    outcome = dialog.model.outcome
    assert outcome is not None and outcome.converted and outcome.company_created, outcome
    made = companies_named(client, run, new_name)
    assert [c["id"] for c in made] == [outcome.company_id]
    person = get(client, run, "people", outcome.person_id)
    assert person["company_id"] == outcome.company_id
    assert dialog.open_company.isVisible() and not dialog.open_opportunity.isVisible()
    click(dialog.open_company)
    qtbot.waitUntil(lambda: window.editor("companies", outcome.company_id) is not None)


def test_no_company_and_a_person_who_has_the_email_already(
    qtbot: QtBot, make_window: MakeWindow, control: SandboxControl, run: Run
) -> None:
    window = make_window()
    client = window.session.client
    prefix = f"Conv {tag()}"
    email = f"dup.{tag()}@example.org"
    emails = [{"email": email, "category": "work"}]
    existing = run(client.create("people", {"name": f"Existing {tag()}", "emails": emails}))
    named = f"Named {tag()}"
    make_lead(client, run, f"{prefix} Cy", company_name=named, email=email)
    browser = leads_browser(qtbot, window, prefix, 1)
    dialog = open_dialog(qtbot, window, browser, 0)

    assert dialog.dupes_group.isVisible()
    warning = dialog.dupes_warning.text()
    assert warning.startswith(f"⚠ 1 existing person already has the email {email}")
    assert dialog.dupes.item(0).text() == existing["name"]
    click(dialog.open_dupe)
    qtbot.waitUntil(lambda: window.editor("people", existing["id"]) is not None)

    choose_company(dialog, "No company")
    assert not dialog.new_company.isEnabled()
    assert "links to no company" in dialog.summary.text()
    convert(qtbot, dialog)
    outcome = dialog.model.outcome
    assert outcome is not None and outcome.converted and outcome.company_id is None, outcome
    assert companies_named(client, run, named) == []
    assert not dialog.open_company.isVisible()


def test_inline_errors_block_convert_and_nothing_is_sent(
    qtbot: QtBot, make_window: MakeWindow, control: SandboxControl, run: Run
) -> None:
    window = make_window()
    client = window.session.client
    prefix = f"Conv {tag()}"
    make_lead(client, run, f"{prefix} Di", company_name=f"Firm {tag()}")
    browser = leads_browser(qtbot, window, prefix, 1)
    dialog = open_dialog(qtbot, window, browser, 0)
    control.reset()

    dialog.person_name.selectAll()
    QTest.keyClick(dialog.person_name, Qt.Key.Key_Delete)
    assert dialog.person_error.isVisible()
    assert dialog.person_error.text() == "The person needs a name."
    assert not dialog.convert_button.isEnabled()
    QTest.keyClicks(dialog.person_name, "Di Ok")
    assert dialog.person_error.isHidden() and dialog.convert_button.isEnabled()

    dialog.new_company.clear()
    QTest.keyClicks(dialog.new_company, " ")
    assert dialog.company_error.text() == "Name the new company, or choose another."
    dialog.new_company.clear()
    QTest.keyClicks(dialog.new_company, "Fine Co")
    dialog.opportunity.setChecked(True)
    dialog.opp_name.clear()
    QTest.keyClicks(dialog.opp_name, " ")
    assert dialog.opp_error.text() == "The opportunity needs a name."
    QTest.keyClicks(dialog.opp_name, "Deal")
    dialog.value.clear()
    QTest.keyClicks(dialog.value, "lots")
    assert dialog.opp_error.text().startswith("“lots” is not an amount")
    assert not dialog.convert_button.isEnabled()
    assert dialog.convert() is False
    assert convert_posts(control) == []
    assert dialog.model.job is None


def test_convert_from_the_leads_editor(
    qtbot: QtBot, make_window: MakeWindow, control: SandboxControl, run: Run
) -> None:
    window = make_window()
    client = window.session.client
    lead = make_lead(client, run, f"Conv {tag()} Ed")
    editor = window.open_record("leads", lead)
    button = editor.findChild(QPushButton, "editorConvert")
    assert button is not None and button.accessibleName() == "Convert this lead"
    person = run(client.create("people", {"name": f"Not a lead {tag()}"}))
    people = window.open_record("people", person)
    assert people.findChild(QPushButton, "editorConvert") is None
    click(button)
    qtbot.waitUntil(lambda: window.convert_ui.dialog is not None)
    dialog = window.convert_ui.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: not dialog.model.loading)
    assert dialog.person_name.text() == lead["name"]
    convert(qtbot, dialog)
    assert dialog.model.outcome is not None and dialog.model.outcome.converted


def test_a_conversion_is_reverted_from_the_jobs_window(
    qtbot: QtBot, make_window: MakeWindow, control: SandboxControl, run: Run
) -> None:
    window = make_window()
    client = window.session.client
    prefix = f"Conv {tag()}"
    new_name = f"Undo Co {tag()}"
    lead = make_lead(client, run, f"{prefix} Ev", company_name=new_name)
    browser = leads_browser(qtbot, window, prefix, 1)
    dialog = open_dialog(qtbot, window, browser, 0)
    dialog.opportunity.setChecked(True)
    convert(qtbot, dialog)
    outcome = dialog.model.outcome
    assert outcome is not None and outcome.converted and outcome.company_created
    job = dialog.model.job
    assert job is not None and job.state is JobState.FINISHED
    dialog.close()

    jobs = window.ensure_jobs()
    jobs_window = jobs.show_jobs_window()
    qtbot.waitUntil(lambda: jobs_window.model.row_of(job.id) >= 0)
    jobs_window.select(job.id)
    qtbot.waitUntil(lambda: jobs_window.undo_button.isEnabled())
    click(jobs_window.undo_button)
    qtbot.waitUntil(lambda: jobs_window.confirm_box is not None)
    box = jobs_window.confirm_box
    assert box is not None
    confirm = box.findChild(QPushButton, "undoConfirm")
    assert confirm is not None
    click(confirm)
    qtbot.waitUntil(lambda: not jobs_window.runner.running("undo"), timeout=30_000)
    assert jobs_window.info_label.text().startswith("Undo finished: 1 restored"), (
        jobs_window.info_label.text()
    )
    made = [("people", outcome.person_id), ("opportunities", outcome.opportunity_id),
            ("companies", outcome.company_id)]  # fmt: skip
    for path, record_id in made:
        page = run(client.search(path, {"ids": [record_id]}))
        assert page.records == [], path
    again = run(client.search("leads", {"name": f"{prefix} Ev"})).records
    assert len(again) == 1 and again[0]["id"] != lead["id"]
    assert again[0]["company_name"] == new_name


def test_a_conversion_whose_answer_was_lost_is_resumed_at_start_without_converting_twice(
    qtbot: QtBot,
    make_window: MakeWindow,
    client: CopperClient,
    app_paths: AppPaths,
    control: SandboxControl,
    run: Run,
) -> None:
    lead = make_lead(client, run, f"Conv {tag()} Fay", company_name=f"Lost {tag()}")
    store = JobStore(app_paths.data_dir / "jobs", client)
    row = plan_row(lead, [], [], OpportunityTemplate())
    assert row.company == CompanyDecision.new(lead["company_name"])
    job = run(store.create_conversion([row]))
    # The app sent the conversion and died before the answer was journaled.
    job.journal.append({"e": "start", "rows": [0], "at": 0.0})
    company = {"name": lead["company_name"], "exact_match": True}
    run(client.convert_lead(lead["id"], person=row.person, company=company))
    run(store.close())
    control.reset()

    window = make_window()
    jobs = answer_resume_offer(qtbot, window, "resumeJobs")
    offer = window.jobs_offer
    assert offer is not None
    qtbot.waitUntil(offer.done, timeout=30_000)
    resumed = run(jobs.model.open(job.id))
    assert resumed.state is JobState.FINISHED
    [only] = resumed.rows
    assert only.status is RowStatus.WRITTEN and only.outcome is not None and only.outcome.recovered
    assert (only.outcome.result or {}).get("person_id") is not None
    assert convert_posts(control) == []  # found converted: never sent again
    assert converted_lead(client, run, lead["id"]) is not None


def test_a_conversion_resumed_from_the_jobs_window_takes_its_leads_off_the_list(
    qtbot: QtBot,
    make_window: MakeWindow,
    client: CopperClient,
    app_paths: AppPaths,
    run: Run,
) -> None:
    """Neither the dialog nor the planner started it: the window follows its job store."""
    prefix = f"Conv {tag()}"
    leads = [make_lead(client, run, f"{prefix} {x}") for x in "AB"]
    store = JobStore(app_paths.data_dir / "jobs", client)
    job = run(store.create_conversion([plan_row(lead, [], [], OpportunityTemplate())
                                       for lead in leads]))  # fmt: skip
    run(store.close())

    window = make_window()
    jobs = answer_resume_offer(qtbot, window, "resumeLater")
    browser = leads_browser(qtbot, window, prefix, 2)
    jobs_window = jobs.show_jobs_window()
    qtbot.waitUntil(lambda: jobs_window.model.row_of(job.id) >= 0)
    jobs_window.select(job.id)
    qtbot.waitUntil(lambda: jobs_window.resume_button.isEnabled())
    click(jobs_window.resume_button)
    qtbot.waitUntil(lambda: browser.model.rowCount() == 0, timeout=30_000)
    assert run(client.search("leads", {"ids": [lead["id"] for lead in leads]})).records == []


def test_the_actions_show_on_the_leads_page_its_row_menu_and_toolbar(
    qtbot: QtBot, make_window: MakeWindow, run: Run
) -> None:
    window = make_window()
    convert_ui = window.convert_ui
    assert window.current_key == "people"
    assert not convert_ui.convert_action.isVisible() and not convert_ui.plan_action.isVisible()
    prefix = f"Conv {tag()}"
    make_lead(window.session.client, run, f"{prefix} Gil")
    browser = leads_browser(qtbot, window, prefix, 1)
    assert convert_ui.convert_action.isVisible() and convert_ui.plan_action.isVisible()
    assert not convert_ui.plan_action.isEnabled()  # nothing selected yet
    names = [a.objectName() for a in browser.selection.menu.actions()]
    assert names.index("actionConvertLead") > names.index("actionBulkEdit")
    assert "actionConvertLeads" in names
    button = window.toolbar.widgetForAction(convert_ui.convert_action)
    assert button is not None and button.accessibleName() == "Convert the current lead"
    assert convert_ui.convert_action.shortcut().toString() == "Ctrl+Shift+K"
    window.show_page("people")
    assert not convert_ui.convert_action.isVisible()
