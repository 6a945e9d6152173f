"""The conversion plan's look-ups on a fake Copper (fast): which name each company search
asks, candidates ranked exact, case, near and by domain from one name and one domain search,
one search per word over several leads and batches, a name hidden past a full page searched
as written, and duplicate people found 200 emails a request, paged."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from copper_desktop.domain.convert import OpportunityTemplate
from copper_desktop.jobs.conversion_plan import (
    CompanySearches,
    candidate_companies,
    company_candidates,
    name_query,
    people_by_email,
    plan_conversions,
)
from tests.helpers.leads import ConvertFake, CountingExecutor
from tests.helpers.leads import fake_lead as lead

Json = dict[str, Any]
Run = Callable[..., Any]


def companies(*names: str, domains: dict[str, str] | None = None) -> dict[int, Json]:
    return {
        500 + i: {"id": 500 + i, "name": n, "email_domain": (domains or {}).get(n)}
        for i, n in enumerate(names)
    }


def name_searches(fake: ConvertFake) -> list[str]:
    return [f["name"] for e, f in fake.searches if e == "companies" and "name" in f]


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("  Acme Inc. ", "Acme"),  # the longest word, as written, legal suffix left out
        ("HOOLI abc, inc.", "HOOLI"),
        ("Acme   Widgets LLC", "Widgets"),
        ("O'Reilly Media", "O'Reilly Media"),  # "oreilly" is not written as such
        ("A.C.M.E.", "A.C.M.E."),
        ("3M", "3M"),  # shorter than three letters: as written
        ("HP  Inc", "HP Inc"),
        ("   ", None),
    ],
)
def test_the_name_search_of_a_company_name(name: str, query: str | None) -> None:
    assert name_query(name) == query


def test_candidates_are_ranked_exact_case_near_and_by_domain_from_two_searches(
    run: Run,
) -> None:
    fake = ConvertFake(records={"companies": companies(
        "Acme", "ACME", "Acme Inc.", "Globex", "Acmeville Farms", domains={"Acme": "acme.com"},
    )})  # fmt: skip
    found = run(company_candidates(fake, lead(1, "x", "Acme Inc.", "me@acme.com")))
    assert [(c.name, c.reason) for c in found] == [
        ("Acme Inc.", "exact"), ("Acme", "domain"), ("ACME", "near"),
    ]  # fmt: skip
    assert fake.searches == [
        ("companies", {"name": "Acme"}), ("companies", {"email_domains": ["acme.com"]}),
    ]  # fmt: skip


def test_a_punctuated_name_finds_its_exact_company(run: Run) -> None:
    fake = ConvertFake(records={"companies": companies("O'Reilly Media", "Reilly Media")})
    found = run(company_candidates(fake, lead(1, "x", "O'Reilly Media")))
    assert [(c.name, c.reason) for c in found][:1] == [("O'Reilly Media", "exact")]


def test_one_search_per_word_over_leads_and_batches(run: Run) -> None:
    fake = ConvertFake(records={"companies": companies("Nova", "Supernova Ltd", "Other")})
    searches = CompanySearches()
    leads = [lead(1, "a", "Nova"), lead(2, "b", "nova inc."), lead(3, "c", "NOVA LLC")]
    pools = run(candidate_companies(fake, leads, searches))
    assert name_searches(fake) == ["Nova"]
    assert [sorted(c["name"] for c in pool) for pool in pools] == [["Nova", "Supernova Ltd"]] * 3
    run(candidate_companies(fake, [lead(4, "d", "Nova Corp"), lead(5, "e", "Other")], searches))
    assert name_searches(fake) == ["Nova", "Other"]  # Nova was searched with the first batch


def test_a_name_hidden_past_a_full_page_is_searched_as_written(run: Run) -> None:
    many = [f"Global {i:03} International" for i in range(200)]
    fake = ConvertFake(records={"companies": companies(*many, "Acme International")})
    found = run(company_candidates(fake, lead(1, "x", "Acme International")))
    assert name_searches(fake) == ["International", "Acme International"]
    assert [(c.name, c.reason) for c in found][:1] == [("Acme International", "exact")]
    # A full page holding the exact match needs no second search.
    fake.calls.clear()
    run(company_candidates(fake, lead(1, "x", "Global 000 International")))
    assert name_searches(fake) == ["International"]


def test_duplicate_people_are_found_200_emails_a_request_and_paged(run: Run) -> None:
    people = {
        i: {"id": i, "name": f"P{i}", "emails": [{"email": f"p{i}@x.test"}]} for i in range(201)
    }
    fake = ConvertFake(records={"people": people})
    leads = [lead(1000 + i, f"L{i}", email=f"P{i}@X.test") for i in range(201)]
    found = run(people_by_email(fake, leads))
    assert {email: [p["id"] for p in ps] for email, ps in found.items()} == {
        f"p{i}@x.test": [i] for i in range(201)
    }
    batches = [len(f["emails"]) for e, f in fake.searches if e == "people"]
    assert batches == [200, 200, 1]  # the first batch's full page, its next page, the rest
    assert fake.pages == [1, 2, 1]


def test_a_plan_matches_in_the_executor_given(run: Run) -> None:
    fake = ConvertFake(
        records={"companies": companies("Acme"), "people": {
            9: {"id": 9, "name": "Zed", "emails": [{"email": "z@acme.com"}]}}},
    )  # fmt: skip
    leads = [lead(1, "One", "ACME", "z@acme.com"), lead(2, "Two", "Brand New")]
    with CountingExecutor() as executor:
        rows = run(plan_conversions(fake, leads, OpportunityTemplate(), executor=executor))
    assert executor.submitted == 1
    assert [(r.company.mode, r.company.name) for r in rows] == [
        ("existing", "Acme"), ("new", "Brand New"),
    ]  # fmt: skip
    assert rows[0].duplicate_people == [{"id": 9, "name": "Zed"}]


def test_a_leads_candidates_do_not_depend_on_the_leads_planned_with_it(run: Run) -> None:
    """The dialog (one lead) and the planner (many) offer a lead the same companies."""
    fake = ConvertFake(records={"companies": companies("Acme Widgets")})
    widgets, widgetz = lead(1, "a", "Acme Widgets Co"), lead(2, "b", "Acme Widgetz")
    alone = run(company_candidates(fake, widgetz))
    rows = run(plan_conversions(fake, [widgets, widgetz], OpportunityTemplate()))
    assert [c.name for c in rows[0].candidates] == ["Acme Widgets"]
    assert rows[1].candidates == alone == []
