"""Errors, faults, 429s, cancellation and duplicates, against the live sandbox's fault rules."""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from copper_desktop.api import (
    AuthenticationError,
    Backoff,
    ClientEvent,
    CopperClient,
    MalformedResponseError,
    NetworkError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    RateLimits,
    RequestTimeoutError,
    RetryEvent,
    RetryPolicy,
    ServerError,
    Timeouts,
    ValidationError,
)
from tests.helpers.clients import FAST_RETRY
from tests.helpers.sandbox import SandboxControl

pytestmark = pytest.mark.anyio

MakeClient = Callable[..., CopperClient]


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:10]}"


def sent(control: SandboxControl, method: str, path: str) -> int:
    return sum(1 for r in control.requests(1000) if r["method"] == method and r["path"] == path)


def retries(events: list[ClientEvent]) -> list[RetryEvent]:
    return [e for e in events if isinstance(e, RetryEvent)]


# ---------------------------------------------------------------- error types


async def test_bad_credentials(sandbox: Any, admin: dict[str, Any]) -> None:
    async with CopperClient(admin["email"], "wrong-token", base_url=sandbox.base_url) as c:
        with pytest.raises(AuthenticationError) as info:
            await c.me()
    assert info.value.status == 401 and "API key" in str(info.value)


async def test_permission_denied(make_client: MakeClient, control: SandboxControl) -> None:
    control.add_fault("error", status=403, path="^/account$")
    async with make_client() as c:
        with pytest.raises(PermissionDeniedError) as info:
            await c.account()
    assert info.value.status == 403 and not info.value.retryable
    assert sent(control, "GET", "/account") == 1  # a 403 is never retried


async def test_not_found_record_and_route(make_client: MakeClient) -> None:
    async with make_client() as c:
        with pytest.raises(NotFoundError):
            await c.get("people", 987_654_321)
        with pytest.raises(NotFoundError):
            await c.get("no_such_things", 1)


async def test_validation_names_the_field(make_client: MakeClient) -> None:
    async with make_client() as c:
        with pytest.raises(ValidationError) as info:
            await c.create("people", {"title": "no name"})
        assert info.value.field == "name" and "can't be blank" in str(info.value)
        with pytest.raises(ValidationError) as info:
            await c.search("people", {"pageSize": 3})
        assert info.value.field is None and "pageSize" in str(info.value)


async def test_rate_limited_when_retries_run_out(
    make_client: MakeClient, control: SandboxControl
) -> None:
    control.add_fault("rate_limit", path="^/account$")
    policy = RetryPolicy(rate_limited=Backoff(0.01, 0.05, max_retries=2), settle_s=0)
    events: list[ClientEvent] = []
    async with make_client(retry=policy) as c:
        c.subscribe(events.append)
        with pytest.raises(RateLimitedError):
            await c.account()
    assert [e.reason for e in retries(events)] == ["rate_limited"] * 2
    assert sent(control, "GET", "/account") == 3


async def test_server_error_when_retries_run_out(
    make_client: MakeClient, control: SandboxControl
) -> None:
    control.add_fault("error", status=503, path="^/account$")
    async with make_client() as c:
        with pytest.raises(ServerError) as info:
            await c.account()
    assert info.value.status == 503 and info.value.retryable
    assert sent(control, "GET", "/account") == 1 + FAST_RETRY.transient.max_retries


async def test_network_error_when_nothing_listens(admin: dict[str, Any]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/developer_api/v1"
    async with CopperClient(admin["email"], admin["token"], base_url=url, retry=FAST_RETRY) as c:
        with pytest.raises(NetworkError) as info:
            await c.account()
    assert "reach Copper" in str(info.value)


async def test_timeout(make_client: MakeClient, control: SandboxControl) -> None:
    control.add_fault("latency", ms=600, path="^/account$")
    policy = RetryPolicy(transient=Backoff(0.01, 0.02, max_retries=1), settle_s=0)
    async with make_client(retry=policy, timeouts=Timeouts(read_s=0.2)) as c:
        with pytest.raises(RequestTimeoutError):
            await c.account()


async def test_malformed_answer(make_client: MakeClient, control: SandboxControl) -> None:
    control.add_fault("malformed", path="^/account$")
    async with make_client() as c:
        with pytest.raises(MalformedResponseError):
            await c.account()


# ---------------------------------------------------------------- recovery


async def test_recovers_from_a_429_burst(make_client: MakeClient, control: SandboxControl) -> None:
    control.add_fault("rate_limit", path="^/account$", count=3)
    events: list[ClientEvent] = []
    async with make_client() as c:
        c.subscribe(events.append)
        assert (await c.account())["id"]
    rate = [e for e in retries(events) if e.reason == "rate_limited"]
    assert len(rate) == 3 and rate[0].message.startswith("Rate limited, retrying in")
    assert sent(control, "GET", "/account") == 4


async def test_honours_retry_after(make_client: MakeClient, control: SandboxControl) -> None:
    control.add_fault("rate_limit", path="^/account$", count=1, retry_after=1)
    events: list[ClientEvent] = []
    async with make_client() as c:
        c.subscribe(events.append)
        start = time.monotonic()
        await c.account()
        assert time.monotonic() - start >= 1.0
    assert retries(events)[0].delay_s >= 1.0


@pytest.mark.parametrize(
    ("kind", "extra"),
    [("error", {"status": 500}), ("error", {"status": 502}), ("drop", {}), ("malformed", {})],
)
async def test_reads_and_puts_retry_transient_faults(
    make_client: MakeClient, control: SandboxControl, kind: str, extra: dict[str, Any]
) -> None:
    async with make_client() as c:
        person = await c.create("people", {"name": unique("Retry")})
        control.add_fault(kind, path=r"^/people/\d+$", count=2, **extra)
        assert (await c.get("people", person["id"]))["id"] == person["id"]
        control.add_fault(kind, method="PUT", path=r"^/people/\d+$", count=2, **extra)
        assert (await c.update("people", person["id"], {"title": "Dr"}))["title"] == "Dr"
        control.add_fault(kind, path=r"^/people/search$", count=2, **extra)
        assert (await c.search("people", {"ids": [person["id"]]})).records


@pytest.mark.parametrize("with_email", [False, True])
async def test_no_duplicate_when_create_answer_is_lost(
    make_client: MakeClient, control: SandboxControl, with_email: bool
) -> None:
    name = unique("Lost Answer")
    body: dict[str, Any] = {"name": name}
    if with_email:
        body["emails"] = [{"email": f"{uuid.uuid4().hex[:12]}@lost.test", "category": "work"}]
    control.add_fault("drop", when="after", method="POST", path="^/people$", count=1)
    events: list[ClientEvent] = []
    async with make_client() as c:
        c.subscribe(events.append)
        person = await c.create("people", body)
        assert person["name"] == name
        found = await c.search_all("people", {"name": name})
    assert [p["id"] for p in found] == [person["id"]]
    assert sent(control, "POST", "/people") == 1  # checked, not sent again
    assert any(e.verified for e in retries(events))


async def test_create_is_resent_when_it_did_not_happen(
    make_client: MakeClient, control: SandboxControl
) -> None:
    name = unique("Refused First")
    control.add_fault("error", status=500, method="POST", path="^/companies$", count=1)
    async with make_client() as c:
        company = await c.create("companies", {"name": name})
        found = await c.search_all("companies", {"name": name})
    assert [x["id"] for x in found] == [company["id"]]
    assert sent(control, "POST", "/companies") == 2


async def test_no_duplicate_after_timeout_on_create(
    make_client: MakeClient, control: SandboxControl
) -> None:
    name = unique("Slow Create")
    control.add_fault("latency", ms=700, method="POST", path="^/leads$", count=1)
    policy = RetryPolicy(transient=Backoff(0.01, 0.02, max_retries=3), settle_s=1.2)
    async with make_client(retry=policy, timeouts=Timeouts(read_s=0.2)) as c:
        lead = await c.create("leads", {"name": name})
        found = await c.search_all("leads", {"name": name})
    assert [x["id"] for x in found] == [lead["id"]]
    assert sent(control, "POST", "/leads") == 1


@pytest.mark.parametrize("entity", ["tasks", "opportunities", "projects"])
async def test_no_duplicate_for_other_entities(
    make_client: MakeClient, control: SandboxControl, entity: str
) -> None:
    name = unique("Lost")
    control.add_fault("drop", when="after", method="POST", path=f"^/{entity}$", count=1)
    async with make_client() as c:
        record = await c.create(entity, {"name": name})
        mine = [r for r in await c.search_all(entity, {"ids": [record["id"]]})]
        assert mine and record["name"] == name
        named = [r async for r in c.iter_search(entity) if r["name"] == name]
    assert [r["id"] for r in named] == [record["id"]]
    assert sent(control, "POST", f"/{entity}") == 1


async def test_no_duplicate_activity(make_client: MakeClient, control: SandboxControl) -> None:
    async with make_client() as c:
        person = await c.create("people", {"name": unique("Activity Parent")})
        kind = (await c.activity_types())["user"][0]
        control.add_fault("drop", when="after", method="POST", path="^/activities$", count=1)
        body = {"parent": {"id": person["id"], "type": "person"},
                "type": {"id": kind["id"], "category": "user"}, "details": "lost once"}  # fmt: skip
        activity = await c.create("activities", body)
        listed = await c.record_activities("people", person["id"])
    assert [a["id"] for a in listed] == [activity["id"]]
    assert sent(control, "POST", "/activities") == 1


async def test_bulk_create_lost_answer_is_checked_per_item(
    make_client: MakeClient, control: SandboxControl
) -> None:
    tag = uuid.uuid4().hex[:8]
    items = [{"name": f"Bulk lost {tag} {i}"} for i in range(10)]
    control.add_fault("drop", when="after", method="POST", path="^/people/bulk_create$", count=1)
    async with make_client() as c:
        result = await c.bulk_create("people", items)
        assert all(r.ok and r.recovered for r in result.items)
        assert [r.record["name"] for r in result.items if r.record] == [i["name"] for i in items]
        found = await c.search_all("people", {"name": f"Bulk lost {tag}"})
    assert len(found) == 10
    assert sent(control, "POST", "/people/bulk_create") == 1


async def test_bulk_create_resends_only_what_is_missing(
    make_client: MakeClient, control: SandboxControl
) -> None:
    tag = uuid.uuid4().hex[:8]
    items = [{"name": f"Bulk refused {tag} {i}"} for i in range(4)]
    control.add_fault("error", status=500, method="POST", path="^/people/bulk_create$", count=1)
    async with make_client() as c:
        result = await c.bulk_create("people", items)
        assert all(r.ok and not r.recovered for r in result.items)
        found = await c.search_all("people", {"name": f"Bulk refused {tag}"})
    assert len(found) == 4
    assert sent(control, "POST", "/people/bulk_create") == 2


async def test_conversion_never_runs_twice(
    make_client: MakeClient, control: SandboxControl
) -> None:
    email = f"{uuid.uuid4().hex[:10]}@convert-lost.test"
    async with make_client() as c:
        lead = await c.create(
            "leads", {"name": unique("Lost Convert"), "email": {"email": email, "category": "work"}}
        )
        control.add_fault(
            "drop", when="after", method="POST", path=r"^/leads/\d+/convert$", count=1
        )
        result = await c.convert_lead(
            lead["id"], company={"name": unique("Lost Co")}, opportunity={"name": unique("Deal")}
        )
        assert result.recovered and result.person is not None
        assert result.person["emails"][0]["email"] == email
        assert result.company is not None and result.opportunity is not None
        assert result.opportunity["primary_contact_id"] == result.person["id"]
        people = await c.search_all("people", {"emails": [email]})
    assert len(people) == 1
    assert sent(control, "POST", f"/leads/{lead['id']}/convert") == 1


async def test_delete_and_related_changes_survive_lost_answers(
    make_client: MakeClient, control: SandboxControl
) -> None:
    async with make_client() as c:
        person = await c.create("people", {"name": unique("Gone")})
        opp = await c.create("opportunities", {"name": unique("Rel")})
        control.add_fault(
            "drop", when="after", method="POST", path=r"^/people/\d+/related$", count=1
        )
        assert (await c.add_related("people", person["id"], "opportunity", opp["id"]))["added"]
        control.add_fault(
            "drop", when="after", method="DELETE", path=r"^/people/\d+/related$", count=1
        )
        assert (await c.remove_related("people", person["id"], "opportunity", opp["id"]))["removed"]
        control.add_fault("drop", when="after", method="DELETE", path=r"^/people/\d+$", count=1)
        assert (await c.delete("people", person["id"]))["is_deleted"] is True
    assert sent(control, "DELETE", f"/people/{person['id']}") == 1


async def test_create_lost_answer_found_via_malformed_body(
    make_client: MakeClient, control: SandboxControl
) -> None:
    name = unique("Garbled")
    control.add_fault("malformed", method="POST", path="^/projects$", count=1)
    async with make_client() as c:
        project = await c.create("projects", {"name": name})
        assert project["name"] == name
    assert sent(control, "POST", "/projects") == 1


# ---------------------------------------------------------------- limiter


async def test_burst_of_400_never_meets_a_429(
    make_client: MakeClient, control: SandboxControl
) -> None:
    control.settings(rate_limit=100, rate_window_s=1.0)
    events: list[ClientEvent] = []
    async with make_client(limits=RateLimits(per_window=100, window_s=1.0)) as c:
        c.subscribe(events.append)
        start = time.monotonic()
        results = await asyncio.gather(*(c.account() for _ in range(400)))
        elapsed = time.monotonic() - start
        assert c.status().in_flight == 0
    assert len(results) == 400
    stats = control.stats()
    assert stats["statuses"].get("429", 0) == 0 and stats["statuses"]["200"] == 400
    assert not retries(events)
    assert elapsed >= 3.0  # 400 requests at 100 per rolling second: at least three windows
    statuses = [e for e in events if not isinstance(e, RetryEvent)]
    assert max(s.in_flight for s in statuses) >= 2 and min(s.headroom for s in statuses) == 0


async def test_bulk_calls_stay_under_three_per_second(
    make_client: MakeClient, control: SandboxControl
) -> None:
    tag = uuid.uuid4().hex[:8]
    control.settings(bulk_rate_limit=3)
    async with make_client(limits=RateLimits(bulk_per_window=3, bulk_window_s=1.0)) as c:
        start = time.monotonic()
        result = await c.bulk_create("people", [{"name": f"Paced {tag} {i}"} for i in range(70)])
        elapsed = time.monotonic() - start
    assert len(result.succeeded) == 70
    assert control.stats()["statuses"].get("429", 0) == 0
    assert elapsed >= 2.0  # seven bulk calls at three per second


# ---------------------------------------------------------------- cancellation


async def test_cancelling_a_request_in_flight(
    make_client: MakeClient, control: SandboxControl
) -> None:
    control.add_fault("latency", ms=3000, path="^/account$", count=1)
    async with make_client() as c:
        task = asyncio.create_task(c.account())
        for _ in range(200):
            if c.status().in_flight:
                break
            await asyncio.sleep(0.01)
        assert c.status().in_flight == 1
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert c.status().in_flight == 0 and c.status().queued == 0
        assert (await asyncio.wait_for(c.me(), 2))["id"]  # the client still works


async def test_cancelling_a_queued_request_frees_its_place(
    make_client: MakeClient, control: SandboxControl
) -> None:
    async with make_client(limits=RateLimits(per_window=1, window_s=30.0)) as c:
        await c.account()
        queued = asyncio.create_task(c.me())
        await asyncio.sleep(0.05)
        assert c.status().queued == 1 and c.status().headroom == 0
        queued.cancel()
        with pytest.raises(asyncio.CancelledError):
            await queued
        assert c.status().queued == 0
    assert sent(control, "GET", "/users/me") == 0
