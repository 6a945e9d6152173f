"""Conversion plans: company names, candidates, default decisions, plan rows, checks, job rows."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copper_desktop.domain.convert import (
    LEGAL_SUFFIXES,
    CompanyCandidate,
    CompanyDecision,
    ConversionPlanRow,
    OpportunityTemplate,
    default_decision,
    job_rows,
    lead_create_body,
    match_companies,
    normalize_company_name,
    plan_row,
    validate_rows,
)

Json = dict[str, Any]
USERS = [1, 2]
PIPELINES: list[Json] = [
    {"id": 10, "name": "Sales", "type": "opportunity", "stages": [{"id": 11}, {"id": 12}]},
    {"id": 20, "name": "Empty", "type": "opportunity", "stages": []},
    {"id": 30, "name": "Projects", "type": "project", "stages": [{"id": 31}]},
    {"id": 40, "name": "Old account", "stages": [{"id": 41}]},  # no type: an opportunity one
]
COMPANIES: list[Json] = [
    {"id": 1, "name": "Acme Inc.", "email_domain": "acme.com"},
    {"id": 2, "name": "acme inc.", "email_domain": None},
    {"id": 3, "name": "ACME", "email_domain": "acme.io"},
    {"id": 4, "name": "Acmee Ltd", "email_domain": None},
    {"id": 5, "name": "Globex", "email_domain": "example.org"},
    {"id": 6, "name": "Initech", "email_domain": None},
]


def lead(**fields: Any) -> Json:
    return {"id": 500, "name": "Jane Roe", "assignee_id": 1, **fields}


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("name", "normal"),
    [
        ("Acme Inc.", "acme"),
        ("  ACME,   Inc ", "acme"),
        ("Acme Co. Ltd", "acme"),
        ("A.C.M.E. GmbH", "acme"),
        ("O'Brien & Sons LLC", "obrien sons"),
        ("Company", "company"),  # a suffix alone is the name
        ("Straße AG", "strasse"),
        ("", ""),
    ],
)
def test_normalize_company_name(name: str, normal: str) -> None:
    assert normalize_company_name(name) == normal


names = st.text(st.characters(codec="utf-8"), max_size=30)


@settings(max_examples=300, deadline=None)
@given(names)
def test_normalizing_is_idempotent_and_ignores_case_and_spacing(name: str) -> None:
    normal = normalize_company_name(name)
    assert normalize_company_name(normal) == normal
    assert normalize_company_name(name.casefold()) == normal
    assert normalize_company_name(f"  {name}\t") == normal
    assert "  " not in normal and normal == normal.strip()


@settings(max_examples=300, deadline=None)
@given(
    st.text(st.sampled_from("abcdefghij "), min_size=1, max_size=20).filter(
        lambda s: s.split() and s.split()[-1] not in LEGAL_SUFFIXES
    ),
    st.sampled_from(sorted(LEGAL_SUFFIXES)),
    st.sampled_from([" ", ", ", ". ", " - "]),
)
def test_a_legal_suffix_does_not_change_the_name(base: str, suffix: str, sep: str) -> None:
    assert normalize_company_name(f"{base}{sep}{suffix.upper()}.") == normalize_company_name(base)


# --------------------------------------------------------------------------- candidates


def test_candidates_by_name_and_domain_best_first() -> None:
    found = match_companies(lead(company_name="Acme Inc.", email={"email": "j@ACME.com"}),
                            COMPANIES)  # fmt: skip
    assert [(c.id, c.reason) for c in found] == [
        (1, "exact"),  # also its domain: the better reason wins
        (2, "case"),
        (3, "near"),  # "acme" normalized equal
        (4, "near"),  # "acmee" close
    ]
    assert found[2].score > found[3].score
    assert all(isinstance(c, CompanyCandidate) for c in found)


def test_candidates_by_domain_only_and_none() -> None:
    found = match_companies(lead(company_name="", email={"email": "x@example.org"}), COMPANIES)
    assert [(c.id, c.reason) for c in found] == [(5, "domain")]
    assert match_companies(lead(company_name="Umbrella"), COMPANIES) == []
    assert match_companies(lead(), COMPANIES) == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20), st.lists(st.text(max_size=20), max_size=6))
def test_candidates_are_sorted_unique_and_an_exact_name_is_first(
    wanted: str, others: list[str]
) -> None:
    companies = [{"id": i + 1, "name": n} for i, n in enumerate(others)]
    companies.append({"id": 99, "name": wanted})
    found = match_companies(lead(company_name=wanted), companies)
    assert len({c.id for c in found}) == len(found)
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)
    if wanted.strip():
        assert found[0].reason == "exact" and found[0].name.strip() == wanted.strip()


# --------------------------------------------------------------------------- decisions


def test_default_decision() -> None:
    exact = match_companies(lead(company_name="Acme Inc."), COMPANIES)
    assert default_decision(lead(), exact) == CompanyDecision.existing(1, "Acme Inc.")
    domain = match_companies(lead(email={"email": "a@example.org"}), COMPANIES)
    assert default_decision(lead(), domain) == CompanyDecision.existing(5, "Globex")
    near = match_companies(lead(company_name="Initech Corp"), COMPANIES)
    assert [c.reason for c in near] == ["near"]
    decided = default_decision(lead(company_name=" Initech Corp "), near)
    assert decided == CompanyDecision.new("Initech Corp")
    assert default_decision(lead(company_name=None), []) == CompanyDecision.none()


@pytest.mark.parametrize(
    "decision",
    [CompanyDecision.existing(7, "Seven"), CompanyDecision.new("Hooli"), CompanyDecision.none()],
)
def test_decisions_round_trip_through_json(decision: CompanyDecision) -> None:
    assert CompanyDecision.from_json(decision.to_json()) == decision


def test_decision_shapes() -> None:
    assert CompanyDecision.none().to_json() == {"mode": "none"}
    assert CompanyDecision.new("X Corp").to_json() == {"mode": "new", "name": "X Corp"}
    with pytest.raises(ValueError):
        CompanyDecision("existing")
    with pytest.raises(ValueError):
        CompanyDecision.from_json({"mode": "merge"})


# --------------------------------------------------------------------------- rows

TEMPLATE = OpportunityTemplate(create=True, pipeline_id=10, stage_id=12)


def test_plan_row_from_the_lead_and_the_template() -> None:
    the_lead = lead(company_name="Hooli", monetary_value=900, assignee_id=2)
    row = plan_row(the_lead, [], [{"id": 8, "name": "Jane R", "emails": []}], TEMPLATE,
                   contact_type_id=3)  # fmt: skip
    assert row.person == {"name": "Jane Roe", "contact_type_id": 3, "assignee_id": 2}
    assert row.company == CompanyDecision.new("Hooli")
    assert row.opportunity == {"name": "Jane Roe", "pipeline_id": 10, "pipeline_stage_id": 12,
                               "monetary_value": 900, "assignee_id": 2}  # fmt: skip
    assert row.duplicate_people == [{"id": 8, "name": "Jane R"}]
    assert row.lead == the_lead and row.lead is not the_lead and row.runnable


def test_template_name_pattern_value_and_owner() -> None:
    template = OpportunityTemplate(
        create=True,
        pipeline_id=10,
        name_pattern="{company}: {lead name}",
        value_from_lead=False,
        owner_from_lead=False,
        assignee_id=1,
    )
    row = plan_row(lead(company_name="Hooli", monetary_value=5), [], [], template)
    assert row.opportunity is not None
    assert row.opportunity["name"] == "Hooli: Jane Roe"
    assert row.opportunity["monetary_value"] is None and row.opportunity["assignee_id"] == 1
    alone = plan_row(lead(), [], [], OpportunityTemplate(create=True, name_pattern="{company}"))
    assert alone.opportunity is not None and alone.opportunity["name"] == "Jane Roe"
    assert plan_row(lead(), [], [], OpportunityTemplate()).opportunity is None


def test_the_default_opportunity_name_is_the_leads_name() -> None:
    """One rule for the one-lead dialog's pre-filled name and the planner's template."""
    default = OpportunityTemplate()
    assert default.name_pattern == "{lead name}"
    hooli = CompanyDecision.existing(5, "Hooli")
    assert default.name_for(lead(company_name="Hooli"), hooli) == "Jane Roe"
    assert default.name_for(lead(name="  "), hooli) == ""
    named = OpportunityTemplate(name_pattern="{company} deal")
    assert named.name_for(lead(), hooli) == "Hooli deal"
    assert named.name_for(lead(), CompanyDecision.none()) == "Jane Roe deal"


def problems_of(row: ConversionPlanRow) -> list[str]:
    return validate_rows([row], user_ids=USERS, pipelines=PIPELINES)[0].problems


@pytest.mark.parametrize(
    ("fields", "template", "expected"),
    [
        ({}, TEMPLATE, []),
        ({"name": "  "}, TEMPLATE, ["The lead has no name.", "The opportunity has no name."]),
        ({"assignee_id": 77}, TEMPLATE,
         ["Unknown owner 77 for the person.", "Unknown owner 77 for the opportunity."]),
        ({}, OpportunityTemplate(create=True, pipeline_id=20), ["Pipeline 'Empty' has no stages."]),
        ({}, OpportunityTemplate(create=True, pipeline_id=10, stage_id=31),
         ["Stage 31 is not in pipeline 'Sales'."]),
        ({}, OpportunityTemplate(create=True, pipeline_id=30),
         ["Pipeline 'Projects' is not an opportunity pipeline."]),
        ({}, OpportunityTemplate(create=True, pipeline_id=99), ["Unknown pipeline 99."]),
        ({}, OpportunityTemplate(create=True, pipeline_id=40), []),
        ({"assignee_id": None}, OpportunityTemplate(), []),
    ],
)  # fmt: skip
def test_validation(fields: Json, template: OpportunityTemplate, expected: list[str]) -> None:
    assert problems_of(plan_row(lead(**fields), [], [], template)) == expected


def test_validation_is_worked_out_afresh_and_leaves_the_rows_alone() -> None:
    row = plan_row(lead(assignee_id=77), [], [], OpportunityTemplate())
    checked = validate_rows([row], user_ids=USERS, pipelines=PIPELINES)[0]
    assert checked.problems and not row.problems
    checked.person["assignee_id"] = 1
    assert validate_rows([checked], user_ids=USERS, pipelines=PIPELINES)[0].problems == []


def test_job_rows_share_a_key_per_new_company_and_leave_out_rows_with_problems() -> None:
    leads = [
        lead(id=1, name="A", company_name="Hooli Inc"),
        lead(id=2, name="B", company_name="HOOLI"),
        lead(id=3, name="C", company_name="Acme Inc."),
        lead(id=4, name="D", company_name=""),
        lead(id=5, name="", company_name="Hooli"),
    ]
    rows = [plan_row(x, match_companies(x, COMPANIES), [], OpportunityTemplate()) for x in leads]
    rows = validate_rows(rows, user_ids=USERS, pipelines=PIPELINES)
    out = job_rows(rows)
    assert [r["key"] for r in out] == [1, 2, 3, 4]
    data = [r["data"] for r in out]
    assert data[0]["company_key"] == data[1]["company_key"] == "hooli"
    assert data[2]["company"] == {"mode": "existing", "id": 1, "name": "Acme Inc."}
    assert data[2]["company_key"] is None and data[3]["company"] == {"mode": "none"}
    assert data[0]["lead"] == leads[0] and data[0]["opportunity"] is None
    assert data[0]["person"] == {"name": "A", "contact_type_id": None, "assignee_id": 1}
    assert out[0]["label"] == "A"


def test_lead_create_body_keeps_writable_values() -> None:
    snapshot = lead(id=9, date_created=1, date_modified=2, status="New", status_id=4,
                    email={"email": "j@x.test", "category": "work"}, tags=[], details=None,
                    custom_fields=[{"custom_field_definition_id": 1, "value": "v"}])  # fmt: skip
    assert lead_create_body(snapshot) == {
        "name": "Jane Roe",
        "assignee_id": 1,
        "status_id": 4,
        "email": {"email": "j@x.test", "category": "work"},
        "custom_fields": [{"custom_field_definition_id": 1, "value": "v"}],
    }
