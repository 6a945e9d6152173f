"""A real process running a job is killed with SIGKILL half way; the job resumes in this
process and every record ends written exactly once (checked on the sandbox)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

from copper_desktop.api import CopperClient
from copper_desktop.domain.bulk import EditTags, SetField, TagMode, Typed
from copper_desktop.jobs import JobState, JobStore, read_journal
from copper_desktop.sandbox.server import SandboxServer
from tests.helpers.jobs import (
    answered_writes,
    cf,
    cf_id,
    fresh,
    make_people,
    make_preview,
    settle_server,
)
from tests.helpers.sandbox import SandboxControl

pytestmark = [pytest.mark.anyio, pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")]
ROOT = Path(__file__).resolve().parents[2]
ROWS = 80


async def at_server(control: SandboxControl) -> bool:
    """Whether a bulk_update is at the sandbox right now, not answered yet."""
    entries = await asyncio.to_thread(control.requests, 500)
    return any(e["path"] == "/people/bulk_update" and e["status"] is None for e in entries)


def settled(path: Path) -> int:
    data = read_journal(path)
    return len(data.outcomes) if data is not None else 0


async def test_a_job_killed_with_sigkill_resumes_and_writes_each_record_once(
    client: CopperClient,
    jobs_dir: Path,
    control: SandboxControl,
    sandbox: SandboxServer,
    admin: dict[str, Any],
) -> None:
    people = await make_people(client, ROWS)
    ids = [p["id"] for p in people]
    account = await cf_id(client, "Account Number")
    ops = [SetField(f"cf_{account}", Typed("KILLED")), EditTags(TagMode.ADD, ("bulk",))]
    planner = JobStore(jobs_dir, client)
    job = await planner.create_bulk_edit(await make_preview(client, "people", ids, ops))
    await planner.close()
    control.reset()
    # Hold each bulk_update at the server a while, so the kill lands with one there.
    control.add_fault("latency", ms=300, method="POST", path="^/people/bulk_update$")

    env = {**os.environ, "COPPER_TEST_EMAIL": admin["email"], "COPPER_TEST_TOKEN": admin["token"]}
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.helpers.child_run", str(jobs_dir), job.id, sandbox.base_url,
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        for _ in range(3000):  # at most ~30 s
            if child.returncode is not None:
                break
            if settled(job.journal.path) >= ROWS // 4 and await at_server(control):
                break
            await asyncio.sleep(0.01)
        assert child.returncode is None, "the job ended before it could be killed"
        child.send_signal(signal.SIGKILL)
    finally:
        if child.returncode is None:
            child.kill()
        out, err = await asyncio.wait_for(child.communicate(), 30)
    assert child.returncode == -signal.SIGKILL
    assert b"finished" not in out and admin["token"].encode() not in out + err
    done_at_kill = settled(job.journal.path)
    assert ROWS // 4 <= done_at_kill < ROWS

    await settle_server(control)  # what the dead process sent is committed or not, for good
    store = JobStore(jobs_dir, client)
    try:
        resumed = await store.open(job.id)
        assert resumed.state is JobState.INTERRUPTED
        assert await asyncio.wait_for(resumed.start(), 60) is JobState.FINISHED
        assert len(resumed.written_rows()) == ROWS
        # The request that was at the server when the process died was not sent again.
        assert any(r.outcome and r.outcome.recovered for r in resumed.rows)
    finally:
        await store.close()
    assert await answered_writes(control) == {i: 1 for i in ids}
    for person in await fresh(client, "people", ids):
        assert cf(person, account) == "KILLED" and person["tags"] == ["bulk"]
