"""Connect-field links (``/related_links``) over HTTP: create, list, filter, delete, the reverse
link on the connected definition, Connect values on records, validation and 404s."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.helpers.http import PREFIX, envelope_err, ok, uid

MISSING = 987654321


def definition(api: httpx.Client, name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        d for d in ok(api.get("/custom_field_definitions")) if d["name"] == name
    )
    return found


@pytest.fixture
def pair(api: httpx.Client) -> tuple[dict[str, Any], dict[str, Any]]:
    """The seeded Connect pair: Partner Company (opportunity) <-> Partner Opportunities
    (company)."""
    forward = definition(api, "Partner Company")
    reverse = definition(api, "Partner Opportunities")
    assert forward["connected_id"] == reverse["id"] and reverse["connected_id"] == forward["id"]
    return forward, reverse


@pytest.fixture
def lead_field(api: httpx.Client) -> Iterator[dict[str, Any]]:
    """A Connect definition on leads without a connected definition (deleted afterwards)."""
    body = {"name": f"Link {uid()}", "data_type": "Connect", "available_on": ["lead"]}
    made: dict[str, Any] = ok(api.post("/custom_field_definitions", json=body))
    try:
        yield made
    finally:
        api.delete(f"/custom_field_definitions/{made['id']}")


def new(api: httpx.Client, plural: str) -> dict[str, Any]:
    record: dict[str, Any] = ok(api.post(f"/{plural}", json={"name": f"{plural} {uid()}"}))
    return record


def link_body(def_id: Any, source: tuple[str, Any], target: tuple[str, Any]) -> dict[str, Any]:
    return {
        "custom_field_definition_id": def_id,
        "source": {"id": source[1], "entity_type": source[0]},
        "target": {"id": target[1], "entity_type": target[0]},
    }


def links(api: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = ok(api.get("/related_links", params=params))
    return found


def connect_value(record: dict[str, Any], def_id: int) -> Any:
    return next(
        cf["value"] for cf in record["custom_fields"] if cf["custom_field_definition_id"] == def_id
    )


def test_create_list_and_delete_with_reverse_link(
    api: httpx.Client, pair: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    forward, reverse = pair
    opp, company = new(api, "opportunities"), new(api, "companies")
    body = link_body(forward["id"], ("opportunity", opp["id"]), ("company", company["id"]))
    link = ok(api.post("/related_links", json=body))
    assert link == {
        "id": link["id"],
        "custom_field_definition_id": forward["id"],
        "source": {"id": opp["id"], "entity_type": "opportunity", "name": opp["name"]},
        "target": {"id": company["id"], "entity_type": "company", "name": company["name"]},
    }
    assert isinstance(link["id"], int)
    mine = {"custom_field_definition_id": forward["id"], "source_type": "opportunity",
            "source_id": opp["id"]}  # fmt: skip
    assert links(api, **mine) == [link]
    assert link in links(api)

    back = links(
        api,
        custom_field_definition_id=reverse["id"],
        source_type="company",
        source_id=company["id"],
    )
    assert back == [
        {
            "id": back[0]["id"],
            "custom_field_definition_id": reverse["id"],
            "source": {"id": company["id"], "entity_type": "company", "name": company["name"]},
            "target": {"id": opp["id"], "entity_type": "opportunity", "name": opp["name"]},
        }
    ]
    assert back[0]["id"] != link["id"]

    # The Connect fields of both records list the linked ids, in GET and in searches.
    assert connect_value(ok(api.get(f"/opportunities/{opp['id']}")), forward["id"]) == [
        company["id"]
    ]
    assert connect_value(ok(api.get(f"/companies/{company['id']}")), reverse["id"]) == [opp["id"]]
    found = ok(api.post("/opportunities/search", json={"ids": [opp["id"]]}))
    assert connect_value(found[0], forward["id"]) == [company["id"]]

    deleted = ok(api.delete(f"/related_links/{link['id']}"))
    assert deleted == {"ids": [link["id"], back[0]["id"]], "is_deleted": True}
    assert links(api, **mine) == []
    assert links(api, custom_field_definition_id=reverse["id"], source_id=company["id"]) == []
    assert connect_value(ok(api.get(f"/opportunities/{opp['id']}")), forward["id"]) == []
    assert connect_value(ok(api.get(f"/companies/{company['id']}")), reverse["id"]) == []


def test_plural_entity_types_are_echoed_and_reverse_delete_takes_both(
    api: httpx.Client, pair: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    forward, reverse = pair
    opp, company = new(api, "opportunities"), new(api, "companies")
    body = link_body(forward["id"], ("opportunities", opp["id"]), ("companies", company["id"]))
    link = ok(api.post("/related_links", json=body))
    assert link["source"]["entity_type"] == "opportunities"
    assert link["target"]["entity_type"] == "companies"
    assert links(api, source_type="opportunities", source_id=opp["id"]) == [link]
    assert links(api, source_type="opportunity", source_id=opp["id"]) == [link]
    back = links(api, source_type="companies", source_id=company["id"])
    assert [(x["source"]["entity_type"], x["target"]["entity_type"]) for x in back] == [
        ("companies", "opportunities")
    ]
    assert connect_value(ok(api.get(f"/companies/{company['id']}")), reverse["id"]) == [opp["id"]]
    deleted = ok(api.delete(f"/related_links/{back[0]['id']}"))
    assert deleted == {"ids": [back[0]["id"], link["id"]], "is_deleted": True}
    assert links(api, source_id=opp["id"]) == [] and links(api, source_id=company["id"]) == []


def test_definition_without_connected_field_links_one_way(
    api: httpx.Client, lead_field: dict[str, Any]
) -> None:
    a, b, c = new(api, "leads"), new(api, "leads"), new(api, "leads")
    first = ok(api.post("/related_links", json=link_body(lead_field["id"], ("lead", a["id"]),
                                                         ("lead", b["id"]))))  # fmt: skip
    second = ok(api.post("/related_links", json=link_body(lead_field["id"], ("lead", a["id"]),
                                                          ("lead", c["id"]))))  # fmt: skip
    assert links(api, custom_field_definition_id=lead_field["id"]) == [first, second]
    assert connect_value(ok(api.get(f"/leads/{a['id']}")), lead_field["id"]) == [b["id"], c["id"]]
    assert connect_value(ok(api.get(f"/leads/{b['id']}")), lead_field["id"]) == []
    assert ok(api.delete(f"/related_links/{first['id']}")) == {
        "ids": [first["id"]],
        "is_deleted": True,
    }
    assert connect_value(ok(api.get(f"/leads/{a['id']}")), lead_field["id"]) == [c["id"]]
    # Deleting the definition takes its links with it.
    ok(api.delete(f"/custom_field_definitions/{lead_field['id']}"))
    assert links(api, custom_field_definition_id=lead_field["id"]) == []
    assert envelope_err(api.delete(f"/related_links/{second['id']}"), 404) == "Resource not found"


def test_filters_are_optional_and_anded(
    api: httpx.Client, pair: tuple[dict[str, Any], dict[str, Any]], lead_field: dict[str, Any]
) -> None:
    forward, reverse = pair
    opp, company = new(api, "opportunities"), new(api, "companies")
    a, b = new(api, "leads"), new(api, "leads")
    opp_link = ok(api.post("/related_links", json=link_body(
        forward["id"], ("opportunity", opp["id"]), ("company", company["id"]))))  # fmt: skip
    lead_link = ok(api.post("/related_links", json=link_body(
        lead_field["id"], ("lead", a["id"]), ("lead", b["id"]))))  # fmt: skip
    every = links(api)
    assert opp_link in every and lead_link in every and len(every) >= 3
    assert links(api, custom_field_definition_id=lead_field["id"]) == [lead_link]
    by_type = links(api, source_type="lead")
    assert lead_link in by_type and all(x["source"]["entity_type"] == "lead" for x in by_type)
    assert links(api, source_id=a["id"], source_type="lead") == [lead_link]
    assert links(api, custom_field_definition_id=forward["id"], source_id=opp["id"]) == [opp_link]
    assert links(api, custom_field_definition_id=reverse["id"], source_id=opp["id"]) == []
    assert links(api, source_type="company", source_id=opp["id"]) == []
    assert links(api, custom_field_definition_id=MISSING) == []
    # Empty parameters count as absent (clients send them blank).
    assert links(api, custom_field_definition_id="", source_type="", source_id="") == every


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"custom_field_definition_id": "x"}, "Custom Field Definition Id: is not a number"),
        ({"source_id": "1.5"}, "Source Id: is not a number"),
        ({"source_type": "users"}, "Source Type: is not included in the list"),
    ],
)
def test_bad_filters_are_rejected(api: httpx.Client, params: dict[str, str], message: str) -> None:
    assert envelope_err(api.get("/related_links", params=params)) == PREFIX + message


def test_deleting_a_record_removes_its_links(
    api: httpx.Client, pair: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    forward, _ = pair
    opp, company = new(api, "opportunities"), new(api, "companies")
    link = ok(api.post("/related_links", json=link_body(
        forward["id"], ("opportunity", opp["id"]), ("company", company["id"]))))  # fmt: skip
    ok(api.delete(f"/companies/{company['id']}"))
    assert links(api, source_id=opp["id"]) == [] and links(api, source_id=company["id"]) == []
    assert connect_value(ok(api.get(f"/opportunities/{opp['id']}")), forward["id"]) == []
    assert envelope_err(api.delete(f"/related_links/{link['id']}"), 404) == "Resource not found"


def test_unknown_link_answers_404(api: httpx.Client) -> None:
    assert envelope_err(api.delete(f"/related_links/{MISSING}"), 404) == "Resource not found"


def test_validation_errors(api: httpx.Client, pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    forward, _ = pair
    opp, company, person = new(api, "opportunities"), new(api, "companies"), new(api, "people")
    string_field = next(
        d for d in ok(api.get("/custom_field_definitions")) if d["data_type"] == "String"
    )
    good = link_body(forward["id"], ("opportunity", opp["id"]), ("company", company["id"]))

    def changed(**parts: Any) -> dict[str, Any]:
        return {**good, **parts}

    cases: list[tuple[Any, str]] = [
        ([good], "Base: Request body must be a JSON object"),
        (changed(extra=1), "Base: Unrecognized attributes specified: extra"),
        ({**good, "source": {**good["source"], "colour": "red"}},
         "Base: Unrecognized attributes specified: source.colour"),
        ({k: v for k, v in good.items() if k != "custom_field_definition_id"},
         "Custom Field Definition Id: can't be blank"),
        (changed(custom_field_definition_id=MISSING),
         f"Custom Field Definition Id: Unknown custom field definition: {MISSING}"),
        (changed(custom_field_definition_id=string_field["id"]),
         f"Custom Field Definition Id: {string_field['name']} is not a Connect field"),
        (changed(source={"id": company["id"], "entity_type": "company"},
                 target={"id": opp["id"], "entity_type": "opportunity"}),
         "Custom Field Definition Id: Partner Company is not available on company\n"
         "Target: Partner Opportunities is not available on opportunity"),
        (changed(target={"id": person["id"], "entity_type": "person"}),
         "Target: Partner Opportunities is not available on person"),
        ({k: v for k, v in good.items() if k != "source"}, "Source: can't be blank"),
        (changed(target="company"), "Target: can't be blank"),
        (changed(source={"id": opp["id"], "entity_type": "user"}),
         "Source: Invalid entity_type: user"),
        (changed(target={"id": company["id"]}), "Target: entity_type can't be blank"),
        (changed(source={"id": 0, "entity_type": "opportunity"}), "Source: Invalid id: 0"),
        (changed(target={"id": "abc", "entity_type": "company"}), "Target: Invalid id: abc"),
        (changed(source={"id": MISSING, "entity_type": "opportunity"}),
         f"Source: opportunity {MISSING} does not exist"),
        (changed(target={"id": MISSING, "entity_type": "companies"}),
         f"Target: company {MISSING} does not exist"),
        (changed(source={"id": MISSING, "entity_type": "opportunity"},
                 target={"id": MISSING, "entity_type": "company"}),
         f"Source: opportunity {MISSING} does not exist\n"
         f"Target: company {MISSING} does not exist"),
    ]  # fmt: skip
    for body, message in cases:
        assert envelope_err(api.post("/related_links", json=body)) == PREFIX + message, body
    assert links(api, source_id=opp["id"]) == [] and links(api, source_id=company["id"]) == []

    link = ok(api.post("/related_links", json=good))
    assert envelope_err(api.post("/related_links", json=good)) == (
        PREFIX + f"Target: company {company['id']} is already linked"
    )
    assert links(api, source_id=opp["id"]) == [link]
    bad_json = api.post(
        "/related_links", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert envelope_err(bad_json, 400) == "Invalid JSON in request body"
    ok(api.delete(f"/related_links/{link['id']}"))
