"""Every operation against the live sandbox over loopback HTTP."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from copper_desktop.api import CopperClient, NotFoundError, ValidationError
from tests.helpers.sandbox import SandboxControl

pytestmark = pytest.mark.anyio

MakeClient = Callable[..., CopperClient]


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:10]}"


async def test_account_users_and_me(make_client: MakeClient, admin: dict[str, Any]) -> None:
    async with make_client() as c:
        account = await c.account()
        assert isinstance(account["id"], int) and account["name"]
        me = await c.me()
        assert me["email"] == admin["email"] and me["id"] == admin["id"]
        assert (await c.get_user(me["id"]))["email"] == admin["email"]
        page = await c.search_users(page_number=1, page_size=2)
        assert len(page) == 2
        everyone = await c.all_users()
        assert admin["id"] in {u["id"] for u in everyone} and len(everyone) >= 6


async def test_lookups(make_client: MakeClient) -> None:
    async with make_client() as c:
        pipelines = await c.pipelines()
        assert pipelines and all("stages" in p for p in pipelines)
        stages = await c.pipeline_stages()
        first = pipelines[0]["id"]
        mine = await c.pipeline_stages(first)
        assert mine and {s["pipeline_id"] for s in mine} == {first} and len(stages) >= len(mine)
        assert await c.contact_types()
        statuses = await c.lead_statuses()
        assert statuses and "is_default" in statuses[0]
        assert await c.customer_sources()
        assert await c.loss_reasons()
        types = await c.activity_types()
        assert set(types) >= {"user", "system"} and types["user"][0]["category"] == "user"
        tags = await c.tags()
        assert tags and "name" in tags[0]
        names = await c.tags(tag_names_only=True)
        assert names and all(isinstance(n, str) for n in names)


async def test_custom_field_definitions_crud(make_client: MakeClient) -> None:
    async with make_client() as c:
        before = await c.custom_field_definitions()
        assert before
        name = unique("Flavour")
        created = await c.create_custom_field_definition(
            {
                "name": name,
                "data_type": "Dropdown",
                "available_on": ["person"],
                "options": [{"name": "Vanilla"}, {"name": "Chocolate"}],
            }
        )
        assert created["name"] == name and len(created["options"]) == 2
        got = await c.get_custom_field_definition(created["id"])
        assert got["id"] == created["id"]
        changed = await c.update_custom_field_definition(created["id"], {"name": name + "!"})
        assert changed["name"] == name + "!"
        deleted = await c.delete_custom_field_definition(created["id"])
        assert deleted["is_deleted"] is True
        with pytest.raises(NotFoundError):
            await c.get_custom_field_definition(created["id"])


async def test_custom_activity_types(make_client: MakeClient) -> None:
    async with make_client() as c:
        assert await c.custom_activity_types()
        name = unique("Demo call")
        created = await c.create_custom_activity_type({"name": name})
        assert created["name"] == name
        assert (await c.get_custom_activity_type(created["id"]))["name"] == name
        changed = await c.update_custom_activity_type(created["id"], {"name": name + "2"})
        assert changed["name"] == name + "2"


@pytest.mark.parametrize(
    ("entity", "body", "change"),
    [
        ("people", {"name": "Ada Lovelace"}, {"title": "Countess"}),
        ("companies", {"name": "Analytical Engines"}, {"details": "steam"}),
        ("leads", {"name": "Charles Babbage"}, {"title": "Inventor"}),
        ("opportunities", {"name": "Difference engine"}, {"details": "big deal"}),
        ("projects", {"name": "Engine build"}, {"details": "phase 2"}),
        ("tasks", {"name": "Call Ada"}, {"priority": "High"}),
    ],
)
async def test_record_crud(
    make_client: MakeClient, entity: str, body: dict[str, Any], change: dict[str, Any]
) -> None:
    body = {**body, "name": unique(body["name"])}
    async with make_client() as c:
        created = await c.create(entity, body)
        assert created["name"] == body["name"] and isinstance(created["id"], int)
        got = await c.get(entity, created["id"])
        assert got["id"] == created["id"]
        updated = await c.update(entity, created["id"], change)
        for k, v in change.items():
            assert updated[k] == v
        page = await c.search(entity, {"ids": [created["id"]]})
        assert [r["id"] for r in page.records] == [created["id"]] and page.total == 1
        assert (await c.delete(entity, created["id"]))["is_deleted"] is True
        with pytest.raises(NotFoundError):
            await c.get(entity, created["id"])


async def test_openapi_shortcuts(make_client: MakeClient) -> None:
    async with make_client() as c:
        person = await c.create_person({"name": unique("Grace Hopper")})
        assert (await c.get_person(person["id"]))["id"] == person["id"]
        assert (await c.update_person(person["id"], {"title": "RADM"}))["title"] == "RADM"
        assert (await c.search_people({"ids": [person["id"]]})).records
        company = await c.create_company({"name": unique("Cobol Inc")})
        assert (await c.get_company(company["id"]))["id"] == company["id"]
        assert (await c.update_company(company["id"], {"details": "x"}))["details"] == "x"
        assert (await c.search_companies({"ids": [company["id"]]})).records
        lead = await c.create_lead({"name": unique("Lead")})
        assert (await c.get_lead(lead["id"]))["id"] == lead["id"]
        assert (await c.update_lead(lead["id"], {"title": "T"}))["title"] == "T"
        assert (await c.search_leads({"ids": [lead["id"]]})).records
        opp = await c.create_opportunity({"name": unique("Opp")})
        assert (await c.get_opportunity(opp["id"]))["id"] == opp["id"]
        assert (await c.update_opportunity(opp["id"], {"details": "d"}))["details"] == "d"
        assert (await c.search_opportunities({"ids": [opp["id"]]})).records
        task = await c.create_task({"name": unique("Task")})
        assert (await c.get_task(task["id"]))["id"] == task["id"]
        assert (await c.update_task(task["id"], {"details": "d"}))["details"] == "d"
        assert (await c.search_tasks({"ids": [task["id"]]})).records
        project = await c.create_project({"name": unique("Project")})
        assert (await c.get_project(project["id"]))["id"] == project["id"]
        assert (await c.update_project(project["id"], {"details": "d"}))["details"] == "d"
        assert (await c.search_projects({"ids": [project["id"]]})).records
        for delete, rid in [
            (c.delete_person, person["id"]), (c.delete_company, company["id"]),
            (c.delete_lead, lead["id"]), (c.delete_opportunity, opp["id"]),
            (c.delete_task, task["id"]), (c.delete_project, project["id"]),
        ]:  # fmt: skip
            assert (await delete(rid))["is_deleted"] is True


async def test_activities(make_client: MakeClient) -> None:
    async with make_client() as c:
        person = await c.create_person({"name": unique("Active Person")})
        note_type = (await c.activity_types())["user"][0]
        when = int(time.time()) - 60
        activity = await c.create_activity(
            {
                "parent": {"id": person["id"], "type": "person"},
                "type": {"id": note_type["id"], "category": "user"},
                "details": "met at the fair",
                "activity_date": when,
            }
        )
        assert activity["details"] == "met at the fair" and activity["activity_date"] == when
        assert (await c.get_activity(activity["id"]))["id"] == activity["id"]
        changed = await c.update_activity(activity["id"], {"details": "met twice"})
        assert changed["details"] == "met twice"
        found = await c.search_activities({"parent": {"id": person["id"], "type": "person"}})
        assert [a["id"] for a in found.records] == [activity["id"]]
        mine = await c.record_activities("people", person["id"])
        assert [a["id"] for a in mine] == [activity["id"]]
        typed = await c.record_activities(
            "people", person["id"], [{"id": note_type["id"], "category": "user"}]
        )
        assert [a["id"] for a in typed] == [activity["id"]]
        assert (await c.delete_activity(activity["id"]))["is_deleted"] is True


async def test_fetch_by_email_and_upsert(make_client: MakeClient) -> None:
    email = f"{uuid.uuid4().hex[:12]}@example.test"
    async with make_client() as c:
        person = await c.create_person(
            {"name": unique("Mail Person"), "emails": [{"email": email, "category": "work"}]}
        )
        assert (await c.fetch_person_by_email(email))["id"] == person["id"]
        with pytest.raises(NotFoundError):
            await c.fetch_person_by_email("nobody-" + email)
        lead_mail = "lead-" + email
        first = await c.upsert_lead(
            {"name": unique("Upsert"), "email": {"email": lead_mail, "category": "work"}},
            "email",
            lead_mail,
        )
        again = await c.upsert_lead({"title": "Boss"}, "email", lead_mail)
        assert again["id"] == first["id"] and again["title"] == "Boss"


async def test_related_items(make_client: MakeClient) -> None:
    async with make_client() as c:
        person = await c.create_person({"name": unique("Related Person")})
        opp = await c.create_opportunity({"name": unique("Related Opp")})
        added = await c.add_related("people", person["id"], "opportunity", opp["id"])
        assert added["added"] is True
        items = await c.related_items("people", person["id"])
        assert {"id": opp["id"], "type": "opportunity"} in items
        only = await c.related_items("people", person["id"], "opportunities")
        assert only == [{"id": opp["id"], "type": "opportunity"}]
        assert (await c.related_items("opportunities", opp["id"], "people"))[0]["id"] == person[
            "id"
        ]
        removed = await c.remove_related("people", person["id"], "opportunity", opp["id"])
        assert removed["removed"] is True
        assert await c.related_items("people", person["id"], "opportunities") == []
        with pytest.raises(ValidationError):
            await c.remove_related("people", person["id"], "opportunity", opp["id"])


async def test_related_links(make_client: MakeClient) -> None:
    async with make_client() as c:
        definition = await c.create_custom_field_definition(
            {"name": unique("Link"), "data_type": "Connect", "available_on": ["lead"]}
        )
        a = await c.create_lead({"name": unique("Source lead")})
        b = await c.create_lead({"name": unique("Target lead")})
        link = await c.create_related_link(
            {
                "custom_field_definition_id": definition["id"],
                "source": {"id": a["id"], "entity_type": "lead"},
                "target": {"id": b["id"], "entity_type": "lead"},
            }
        )
        listed = await c.related_links(
            custom_field_definition_id=definition["id"], source_type="lead", source_id=a["id"]
        )
        assert link["id"] in {x["id"] for x in listed}
        assert (await c.delete_related_link(link["id"]))["is_deleted"] is True


async def test_webhooks(make_client: MakeClient) -> None:
    async with make_client() as c:
        hook = await c.create_webhook(
            {"target": "https://hooks.example.test/copper", "type": "person", "event": "new"}
        )
        assert hook["id"] in {h["id"] for h in await c.list_webhooks()}
        assert (await c.get_webhook(hook["id"]))["target"] == hook["target"]
        changed = await c.update_webhook(hook["id"], {"target": "https://hooks.example.test/v2"})
        assert changed["target"].endswith("/v2")
        assert (await c.delete_webhook(hook["id"]))["id"] == hook["id"]
        with pytest.raises(NotFoundError):
            await c.get_webhook(hook["id"])


async def test_bulk_create_and_update_map_results_per_item(
    make_client: MakeClient, control: SandboxControl
) -> None:
    tag = uuid.uuid4().hex[:8]
    taken = f"taken-{tag}@example.test"
    items: list[dict[str, Any]] = [{"name": f"Bulk {tag} {i}"} for i in range(23)]
    items[4] = {"emails": [{"email": "x@example.test", "category": "work"}]}  # no name
    async with make_client() as c:
        await c.create_person(
            {"name": f"Owner {tag}", "emails": [{"email": taken, "category": "work"}]}
        )
        items[17] = {"name": f"Dup {tag}", "emails": [{"email": taken, "category": "work"}]}
        result = await c.bulk_create("people", items)
        assert [r.index for r in result.items] == list(range(23))
        assert {r.index for r in result.failed} == {4, 17}
        assert result.items[4].errors and result.items[4].errors[0].field == "name"
        assert all(r.record is not None and r.record["name"] == items[r.index]["name"]
                   for r in result.succeeded)  # fmt: skip
        routes = control.stats()["routes"]
        assert routes.get("POST /people/bulk_create") == 3  # 23 items in chunks of 10

        ids = [r.record["id"] for r in result.succeeded if r.record]
        updates: list[dict[str, Any]] = [{"id": rid, "title": f"T{i}"} for i, rid in enumerate(ids)]
        updates.insert(5, {"id": 999_999_999, "title": "ghost"})
        updated = await c.bulk_update("people", updates)
        assert [r.index for r in updated.items] == list(range(len(updates)))
        assert [r.index for r in updated.failed] == [5]
        assert updated.items[5].message
        assert all(r.record and r.record["title"] == updates[r.index]["title"]
                   for r in updated.succeeded)  # fmt: skip


async def test_update_many_reports_per_item(make_client: MakeClient) -> None:
    async with make_client() as c:
        a = await c.create("opportunities", {"name": unique("Many A")})
        b = await c.create("opportunities", {"name": unique("Many B")})
        result = await c.update_many(
            "opportunities",
            [
                {"id": a["id"], "details": "1"},
                {"id": 999_999_998, "details": "2"},
                {"id": b["id"], "details": "3"},
            ],
        )
        assert [r.ok for r in result.items] == [True, False, True]
        assert isinstance(result.items[1].error, NotFoundError)


@pytest.mark.parametrize("hide", [True, False])
async def test_convert_lead(make_client: MakeClient, control: SandboxControl, hide: bool) -> None:
    control.settings(hide_converted_leads=hide)
    try:
        async with make_client() as c:
            pipeline = (await c.pipelines())[0]
            email = f"{uuid.uuid4().hex[:10]}@convert.test"
            lead = await c.create_lead(
                {"name": unique("Convertible"), "email": {"email": email, "category": "work"}}
            )
            company = unique("Convert Co")
            result = await c.convert_lead(
                lead["id"],
                company={"name": company},
                opportunity={"name": unique("Converted deal"), "pipeline_id": pipeline["id"]},
            )
            assert result.person is not None and result.person["emails"][0]["email"] == email
            assert result.company is not None and result.company["name"] == company
            assert result.opportunity is not None
            assert result.opportunity["primary_contact_id"] == result.person["id"]
            assert not result.recovered
            plain = await c.create_lead({"name": unique("Plain")})
            bare = await c.convert_lead(plain["id"])
            assert bare.person is not None and bare.opportunity is None
    finally:
        control.settings(hide_converted_leads=True)
