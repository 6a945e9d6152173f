"""The conversion answer's shape (``convert_answer``: both, objects, ids; §10) and a lead whose
email belongs to an existing person, through real HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.helpers.http import ok, uid
from tests.helpers.sandbox import SandboxControl
from tests.sandbox.test_api_bulk import convert, new_lead

KINDS = ("person", "company", "opportunity")


@pytest.mark.parametrize("shape", ["both", "objects", "ids"])
def test_the_answer_has_the_shape_the_setting_names(
    api: httpx.Client, control: SandboxControl, shape: str
) -> None:
    control.settings(convert_answer=shape)
    pipeline = ok(api.get("/pipelines"))[0]
    full = ok(convert(api, new_lead(api)["id"], {
        "company": {"name": f"Shape Co {uid()}"},
        "opportunity": {"name": "Deal", "pipeline_id": pipeline["id"]},
    }))  # fmt: skip
    bare = ok(convert(api, new_lead(api, company_name="")["id"], {"company": {"name": ""}}))
    objects = set(KINDS)
    ids = {f"{k}_id" for k in KINDS}
    if shape == "both":
        assert set(full) == set(bare) == objects | ids
        assert bare["company"] is None and bare["company_id"] is None
    elif shape == "objects":
        assert set(full) == objects
        assert set(bare) == {"person"}  # not made: absent, not null
        assert full["person"]["id"] and full["company"]["name"].startswith("Shape Co")
    else:
        assert set(full) == set(bare) == ids
        assert all(isinstance(full[k], int) for k in ids)
        assert bare["company_id"] is None and bare["opportunity_id"] is None


def test_the_setting_is_checked_and_reset(control: SandboxControl, sandbox: Any) -> None:
    assert control.settings()["convert_answer"] == "both"
    r = httpx.patch(sandbox.control_url + "/settings", json={"convert_answer": "people"})
    assert r.status_code == 422 and "convert_answer" in r.json()["error"]


def test_a_lead_with_an_existing_persons_email_joins_that_person(api: httpx.Client) -> None:
    email = f"{uid()}@joined.test"
    person = ok(api.post("/people", json={
        "name": f"Known {uid()}", "emails": [{"email": email, "category": "work"}]}))  # fmt: skip
    lead = new_lead(api, email={"email": email, "category": "work"})
    company = f"Join Co {uid()}"
    answer = ok(convert(api, lead["id"], {"company": {"name": company}}))
    assert answer["person_id"] == person["id"]
    joined = ok(api.get(f"/people/{person['id']}"))
    assert [e["lead_id"] for e in joined["leads_converted_from"]] == [lead["id"]]
    assert joined["company_id"] == answer["company_id"] and joined["name"] == person["name"]
    assert joined["date_modified"] > person["date_modified"]
    found = ok(api.post("/people/search", json={"emails": [email]}))
    assert [p["id"] for p in found] == [person["id"]]


def test_the_cli_sets_the_answer_shape() -> None:
    from copper_desktop.sandbox.cli import build_parser, config_from_args

    assert config_from_args(build_parser().parse_args([])).convert_answer == "both"
    args = build_parser().parse_args(["--convert-answer", "ids"])
    assert config_from_args(args).convert_answer == "ids"
