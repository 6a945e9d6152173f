"""Lookups against the live sandbox: names for ids, choices, stages, definitions, resolve."""

from __future__ import annotations

import asyncio

import pytest
from pytestqt.qtbot import QtBot

from copper_desktop.api import CopperClient
from copper_desktop.domain.catalog import LookupKind
from copper_desktop.domain.custom_fields import DataType
from copper_desktop.models.lookups import Lookups
from tests.helpers.loop import Run
from tests.helpers.sandbox import SandboxControl


def test_load_names_every_list(loaded: Lookups, client: CopperClient, run: Run) -> None:
    users = run(client.all_users())
    statuses = run(client.lead_statuses())
    sources = run(client.customer_sources())
    assert loaded.is_loaded
    assert loaded.name(LookupKind.USERS, users[0]["id"]) == users[0]["name"]
    assert loaded.name(LookupKind.LEAD_STATUSES, statuses[1]["id"]) == statuses[1]["name"]
    assert loaded.name(LookupKind.CUSTOMER_SOURCES, sources[0]["id"]) == sources[0]["name"]
    assert loaded.name(LookupKind.USERS, 987_654_321) is None
    assert loaded.name(LookupKind.USERS, None) is None
    for kind in (LookupKind.CONTACT_TYPES, LookupKind.LOSS_REASONS, LookupKind.PIPELINES,
                 LookupKind.CUSTOM_ACTIVITY_TYPES, LookupKind.ACTIVITY_TYPES):  # fmt: skip
        assert loaded.choices(kind), kind


def test_choices_are_sorted_by_name_and_stages_follow_their_pipeline(
    loaded: Lookups, client: CopperClient, run: Run
) -> None:
    names = [name for _, name in loaded.choices(LookupKind.USERS)]
    assert names == sorted(names, key=str.casefold)
    pipelines = run(client.pipelines())
    first = pipelines[0]
    expected = [(s["id"], s["name"]) for s in first["stages"]]
    assert loaded.stages(first["id"]) == expected
    assert loaded.pipeline_of_stage(expected[0][0]) == first["id"]
    all_stages = loaded.stages()
    assert len(all_stages) == sum(len(p["stages"]) for p in pipelines)
    assert loaded.name(LookupKind.PIPELINE_STAGES, expected[-1][0]) == expected[-1][1]
    assert loaded.stages(987_654) == []


def test_definitions_and_tags(loaded: Lookups, client: CopperClient, run: Run) -> None:
    raw = run(client.custom_field_definitions())
    assert [d.id for d in loaded.definitions] == [d["id"] for d in raw]
    dropdown = next(d for d in loaded.definitions if d.data_type is DataType.DROPDOWN)
    assert dropdown.options
    assert loaded.definition(dropdown.id) is dropdown
    tags = run(client.tags(tag_names_only=True))
    assert set(loaded.tags) == set(tags) and tags
    assert list(loaded.tags) == sorted(loaded.tags, key=str.casefold)


@pytest.mark.parametrize("status", [404, 500])
def test_a_failed_list_stays_empty_and_the_others_load(
    client: CopperClient, run: Run, control: SandboxControl, status: int
) -> None:
    """Issue 14.4: `GET /tags` failing must not hide owners, stages and contact types."""
    control.add_fault("error", status=status, method="GET", path="^/tags$")
    lookups = Lookups()
    run(lookups.load(client))
    assert lookups.is_loaded
    assert lookups.failed == ("tags",)
    assert lookups.tags == ()
    assert lookups.problem is not None and lookups.problem.startswith("Could not load tags (")
    user = run(client.all_users())[0]
    assert lookups.name(LookupKind.USERS, user["id"]) == user["name"]
    stage = run(client.pipelines())[0]["stages"][0]
    assert lookups.name(LookupKind.PIPELINE_STAGES, stage["id"]) == stage["name"]
    for kind in (LookupKind.CONTACT_TYPES, LookupKind.LEAD_STATUSES, LookupKind.ACTIVITY_TYPES):
        assert lookups.choices(kind), kind
    assert lookups.definitions


def test_each_list_fails_alone_and_a_new_load_recovers(
    client: CopperClient, run: Run, control: SandboxControl
) -> None:
    control.add_fault("malformed", method="GET", path="^/contact_types$")
    control.add_fault("error", status=403, method="GET", path="^/custom_field_definitions$")
    lookups = Lookups()
    run(lookups.load(client))
    assert lookups.failed == ("contact types", "custom fields")
    assert lookups.choices(LookupKind.CONTACT_TYPES) == []
    assert lookups.definitions == ()
    assert lookups.tags and lookups.choices(LookupKind.USERS)
    control.clear_faults()
    run(lookups.load(client))
    assert lookups.failed == () and lookups.problem is None
    assert lookups.choices(LookupKind.CONTACT_TYPES) and lookups.definitions


def test_a_cancelled_load_leaves_nothing_running(
    client: CopperClient, control: SandboxControl, qtbot: QtBot,
    running_loop: asyncio.AbstractEventLoop,
) -> None:  # fmt: skip
    control.add_fault("latency", ms=30_000, method="GET", path="^/tags$")
    lookups = Lookups()
    task = running_loop.create_task(lookups.load(client))
    qtbot.waitUntil(lambda: any(r["path"].endswith("/contact_types") for r in control.requests()))
    task.cancel()
    qtbot.waitUntil(task.done)
    assert task.cancelled() and not lookups.is_loaded
    # The autouse running_loop fixture fails the test if a request task is still running.


def search_count(control: SandboxControl, path: str) -> int:
    return sum(1 for r in control.requests(500) if r["path"].endswith(path))


def test_resolve_fetches_unknown_ids_in_one_search(
    loaded: Lookups, client: CopperClient, run: Run, qtbot: QtBot, control: SandboxControl
) -> None:
    companies = run(client.search("companies", page_size=5, sort_by="name")).records
    ids = [c["id"] for c in companies]
    control.reset()
    with qtbot.waitSignal(loaded.names_resolved):
        run(loaded.resolve(LookupKind.COMPANIES, [*ids, ids[0], None, 999_999_999]))
    assert search_count(control, "/companies/search") == 1
    for company in companies:
        assert loaded.name(LookupKind.COMPANIES, company["id"]) == company["name"]
    # Known ids and ids the server does not have are not asked again.
    run(loaded.resolve(LookupKind.COMPANIES, [*ids, 999_999_999]))
    assert search_count(control, "/companies/search") == 1
    assert loaded.unknown(LookupKind.COMPANIES, [ids[0], 999_999_999, 12]) == [12]


def test_concurrent_resolves_share_one_request(
    loaded: Lookups, client: CopperClient, run: Run, control: SandboxControl
) -> None:
    people = run(client.search("people", page_size=3, sort_by="name")).records
    ids = [p["id"] for p in people]
    control.reset()

    async def twice() -> None:
        await asyncio.gather(
            loaded.resolve(LookupKind.PEOPLE, ids), loaded.resolve(LookupKind.PEOPLE, ids)
        )

    run(twice())
    assert search_count(control, "/people/search") == 1
    assert [loaded.name(LookupKind.PEOPLE, i) for i in ids] == [p["name"] for p in people]


def test_resolve_rejects_loaded_kinds_and_needs_a_client(run: Run) -> None:
    lookups = Lookups()
    with pytest.raises(ValueError):
        run(lookups.resolve(LookupKind.USERS, [1]))
    with pytest.raises(RuntimeError):
        run(lookups.resolve(LookupKind.COMPANIES, [1]))
    lookups.remember(LookupKind.COMPANIES, 7, "Seven Inc")
    assert lookups.name(LookupKind.COMPANIES, 7) == "Seven Inc"


def test_project_pipelines_are_named_but_not_offered(
    loaded: Lookups, client: CopperClient, run: Run
) -> None:
    """Only opportunities pick a pipeline: a project pipeline keeps its name for cells but is
    not a choice (Copper refuses an opportunity in it)."""
    pipelines = run(client.pipelines())
    projects = [p for p in pipelines if p.get("type") == "project"]
    assert projects  # the sandbox seeds one
    offered = {i for i, _ in loaded.choices(LookupKind.PIPELINES)}
    assert offered == {p["id"] for p in pipelines if p.get("type") != "project"}
    assert loaded.name(LookupKind.PIPELINES, projects[0]["id"]) == projects[0]["name"]
