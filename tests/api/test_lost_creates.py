"""Creates whose answer is lost: each call gets its own record or an honest "outcome unknown",
never a record that was there before or that another call got, and nothing is saved twice.

Against the live sandbox's fault rules; a loopback proxy (tests/helpers/http.py) stands in
front of it where a 200 must come back empty or wrong-shaped after a real commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from copper_desktop.api import (
    Backoff,
    CopperClient,
    CopperError,
    OutcomeUnknownError,
    RetryPolicy,
    Timeouts,
)
from tests.helpers.clients import FAST_RETRY
from tests.helpers.http import Forward, Reply, Request, serve
from tests.helpers.sandbox import SandboxControl

pytestmark = pytest.mark.anyio

MakeClient = Callable[..., CopperClient]
Json = dict[str, Any]


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:10]}"


def sent(control: SandboxControl, method: str, path: str) -> int:
    return sum(1 for r in control.requests(5000) if r["method"] == method and r["path"] == path)


async def named(c: CopperClient, entity: str, name: str) -> set[int]:
    """Ids of the records of ``entity`` called ``name`` (tasks cannot be searched by name)."""
    return {r["id"] async for r in c.iter_search(entity) if r.get("name") == name}


async def settled(c: CopperClient, entity: str, name: str, expected: int) -> set[int]:
    """The records called ``name`` once the sandbox has finished what it was still doing
    (a slow request commits after the client gave up on it); polls, asserts nothing."""
    ids = await named(c, entity, name)
    for _ in range(100):
        if len(ids) >= expected:
            break
        await asyncio.sleep(0.1)
        ids = await named(c, entity, name)
    return ids


# ---------------------------------------------------------------- the scenario of issue 14


async def test_forty_creates_under_faults_each_get_their_own_record(
    make_client: MakeClient, control: SandboxControl
) -> None:
    """40 one-at-a-time creates of same-named tasks, 15% of requests answered 500, 5% of POST
    connections dropped after the commit (it once gave 31 distinct ids for 40 successes)."""
    name = unique("Same name")
    async with make_client() as other:  # another app on the same account
        before = {(await other.create("tasks", {"name": name}))["id"] for _ in range(3)}
    async with make_client() as c:
        control.reset()  # a fresh, seeded fault draw
        control.add_fault("error", status=500, rate=0.15)
        control.add_fault("drop", when="after", method="POST", rate=0.05)
        returned: list[int] = []
        listed: set[int] = set()
        for _ in range(40):
            try:
                returned.append((await c.create("tasks", {"name": name}))["id"])
            except OutcomeUnknownError as unknown:
                listed |= {r["id"] for r in unknown.candidates}
            except CopperError:
                pass  # failed outright: nothing may have been saved for it
        faults = control.stats()["statuses"]
        control.clear_faults()
        existing = await named(c, "tasks", name) - before
    assert faults.get("500", 0) > 0  # the faults did hit
    assert len(returned) == len(set(returned))  # no record handed to two calls
    assert not set(returned) & before  # nor one that was there already
    assert not set(returned) & listed
    assert existing == set(returned) | listed  # every record made is accounted for


async def test_lost_create_never_takes_a_record_that_was_there(
    make_client: MakeClient, control: SandboxControl
) -> None:
    name = unique("Was there")
    async with make_client() as other:  # another app on the same account
        earlier = await other.create("tasks", {"name": name})
    async with make_client() as c:
        control.add_fault("error", status=500, method="POST", path="^/tasks$", count=1)
        task = await c.create("tasks", {"name": name})
        ids = await named(c, "tasks", name)
    assert task["id"] != earlier["id"]
    assert ids == {earlier["id"], task["id"]}
    assert sent(control, "POST", "/tasks") == 3  # the 500 was looked for, then sent again


async def test_bulk_create_never_takes_records_that_were_there(
    make_client: MakeClient, control: SandboxControl
) -> None:
    tag = uuid.uuid4().hex[:8]
    items = [{"name": f"Bulk there {tag} {i}"} for i in range(4)]
    async with make_client() as other:  # another app on the same account
        earlier = await other.bulk_create("people", items)
    async with make_client() as c:
        control.add_fault("error", status=500, method="POST", path="^/people/bulk_create$", count=1)
        result = await c.bulk_create("people", items)
        found = await c.search_all("people", {"name": f"Bulk there {tag}"})
    assert all(r.ok and not r.recovered for r in result.items)
    assert not {r.record["id"] for r in result.items if r.record} & {
        r.record["id"] for r in earlier.items if r.record
    }
    assert len(found) == 8


async def test_concurrent_lost_creates_report_what_cannot_be_told_apart(
    make_client: MakeClient, control: SandboxControl
) -> None:
    """Two same-named creates sent together, both answers lost after the commit: the records
    cannot be told apart, so one call lists both and the other saves its own again."""
    name = unique("Twin")
    control.add_fault("drop", when="after", method="POST", path="^/tasks$", count=2)
    async with make_client() as c:
        results = await asyncio.gather(
            *(c.create("tasks", {"name": name}) for _ in range(2)), return_exceptions=True
        )
        ids = await named(c, "tasks", name)
    unknown = [r for r in results if isinstance(r, OutcomeUnknownError)]
    saved = [r for r in results if isinstance(r, dict)]
    assert len(unknown) == 1 and len(saved) == 1, results
    listed = {r["id"] for r in unknown[0].candidates}
    assert len(listed) == 2 and saved[0]["id"] not in listed
    assert ids == listed | {saved[0]["id"]}


async def test_lost_create_waits_for_a_look_alike_still_answering(
    sandbox: Any, admin: Json, control: SandboxControl
) -> None:
    """Two same-named creates at once: one is saved but its answer is slow, the other gets a
    500. The second must not take the first's record while the first still waits for it."""
    name = unique("Held")
    looked, both_looked = 0, asyncio.Event()  # both look before either is sent
    posts = 0

    async def handler(request: Request, forward: Forward) -> Reply:
        nonlocal looked, posts
        if request.path == "/tasks/search" and not both_looked.is_set():
            looked += 1
            if looked == 2:
                both_looked.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(both_looked.wait(), 5)
        if request.method == "POST" and request.path == "/tasks":
            posts += 1
            if posts == 1:
                reply = await forward()  # saved, but the answer is slow
                await asyncio.sleep(1.0)
                return reply
            if posts == 2:
                return Reply(500, b'{"success": false, "status": 500, "message": "oops"}')
        return await forward()

    async with (
        serve(handler, upstream=sandbox.base_url) as url,
        CopperClient(admin["email"], admin["token"], base_url=url, retry=FAST_RETRY) as c,
    ):
        tasks = await asyncio.gather(*(c.create("tasks", {"name": name}) for _ in range(2)))
        ids = await named(c, "tasks", name)
    assert tasks[0]["id"] != tasks[1]["id"]
    assert ids == {t["id"] for t in tasks}
    assert posts == 3  # the 500 was looked for, found nothing of its own, and sent again


async def test_create_saved_by_its_last_try_is_found(
    make_client: MakeClient, control: SandboxControl
) -> None:
    """The retry budget runs out on an attempt that did commit: it is looked for anyway."""
    name = unique("Last try")
    control.add_fault("error", status=500, method="POST", path="^/tasks$", count=4)
    control.add_fault("drop", when="after", method="POST", path="^/tasks$", count=1)
    async with make_client() as c:
        task = await c.create("tasks", {"name": name})
        ids = await named(c, "tasks", name)
    assert ids == {task["id"]}
    assert sent(control, "POST", "/tasks") == 1 + FAST_RETRY.transient.max_retries


# ---------------------------------------------------------------- timeouts


def slow_policy(wait_s: float) -> RetryPolicy:
    return RetryPolicy(
        transient=Backoff(0.01, 0.05, max_retries=4), settle_s=0.05, outcome_wait_s=wait_s
    )


async def test_slow_commit_after_timeout_is_found_not_sent_again(
    make_client: MakeClient, control: SandboxControl
) -> None:
    """Copper commits after the read timeout and after the settle time: five creates stay
    five records (each create was once sent again and made ten)."""
    name = unique("Slow commit")
    control.add_fault("latency", ms=600, method="POST", path="^/tasks$")
    async with make_client(retry=slow_policy(10.0), timeouts=Timeouts(read_s=0.15)) as c:
        tasks = [await c.create("tasks", {"name": name}) for _ in range(5)]
        control.clear_faults()
        ids = await settled(c, "tasks", name, 5)
    assert len({t["id"] for t in tasks}) == 5 and ids == {t["id"] for t in tasks}
    assert sent(control, "POST", "/tasks") == 5


async def test_no_commit_in_time_is_outcome_unknown_never_a_resend(
    make_client: MakeClient, control: SandboxControl
) -> None:
    name = unique("Very slow")
    control.add_fault("latency", ms=2500, method="POST", path="^/tasks$", count=1)
    async with make_client(retry=slow_policy(0.3), timeouts=Timeouts(read_s=0.15)) as c:
        with pytest.raises(OutcomeUnknownError):
            await c.create("tasks", {"name": name})
        ids = await settled(c, "tasks", name, 1)
    assert len(ids) == 1  # Copper saved it late; the client did not save it again
    assert sent(control, "POST", "/tasks") == 1


async def test_bulk_create_after_timeout_is_found_not_sent_again(
    make_client: MakeClient, control: SandboxControl
) -> None:
    tag = uuid.uuid4().hex[:8]
    items = [{"name": f"Slow bulk {tag} {i}"} for i in range(3)]
    control.add_fault("latency", ms=600, method="POST", path="^/people/bulk_create$", count=1)
    async with make_client(retry=slow_policy(10.0), timeouts=Timeouts(read_s=0.15)) as c:
        result = await c.bulk_create("people", items)
        found = await c.search_all("people", {"name": f"Slow bulk {tag}"})
    assert all(r.ok and r.recovered for r in result.items)
    assert len(found) == 3
    assert sent(control, "POST", "/people/bulk_create") == 1


# ---------------------------------------------------------------- answers that say nothing


@pytest.mark.parametrize("answer", [b"", b"[]", b'"ok"', b"null"])
async def test_empty_or_non_object_200_to_a_create_is_looked_for(
    sandbox: Any, admin: Json, control: SandboxControl, answer: bytes
) -> None:
    """Copper saved the task but the 200 carried no record: it is found, not sent again."""
    name = unique("Empty answer")
    spoiled = 0

    async def handler(request: Request, forward: Forward) -> Reply:
        nonlocal spoiled
        reply = await forward()
        if request.method == "POST" and request.path == "/tasks" and not spoiled:
            spoiled += 1
            return Reply(200, answer, {**reply.headers})
        return reply

    async with (
        serve(handler, upstream=sandbox.base_url) as url,
        CopperClient(admin["email"], admin["token"], base_url=url, retry=FAST_RETRY) as c,
    ):
        task = await c.create("tasks", {"name": name})
        ids = await named(c, "tasks", name)
    assert spoiled == 1 and ids == {task["id"]} and task["name"] == name
    assert sent(control, "POST", "/tasks") == 1
    assert json.dumps(task)  # a real record, not the empty answer
