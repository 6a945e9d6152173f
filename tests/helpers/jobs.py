"""Job tests' helpers: job stores in tmp_path, a webhook that counts effective updates, records
and previews made on the sandbox, the sandbox's request log read as writes, and a fake row kind
(no HTTP) for the jobs model and panel tests.

Fixtures: ``jobs_dir``, ``store`` (on the ``client`` of the folder: tests/jobs overrides it
with an async one), ``webhook``.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest

from copper_desktop.api import CopperClient
from copper_desktop.domain.bulk import BulkContext, BulkOperation, Preview, preview
from copper_desktop.domain.catalog import entity
from copper_desktop.domain.custom_fields import parse_definitions
from copper_desktop.jobs import Job, JobState, JobStore, Outcome, Reason, Row, register
from copper_desktop.sandbox.server import SandboxServer
from tests.helpers.http import auth_headers
from tests.helpers.sandbox import SandboxControl

Json = dict[str, Any]


@pytest.fixture
def jobs_dir(tmp_path: Path) -> Path:
    return tmp_path / "data" / "jobs"


@pytest.fixture
async def store(jobs_dir: Path, client: CopperClient) -> AsyncIterator[JobStore]:
    s = JobStore(jobs_dir, client)
    try:
        yield s
    finally:
        await s.close()


@pytest.fixture
def webhook(control: SandboxControl, sandbox: SandboxServer, admin: Json) -> Iterator[int]:
    """A person-update subscription to a closed loopback port: the sandbox logs one delivery
    per effective update (a write that changes nothing notifies nobody)."""
    with httpx.Client(base_url=sandbox.base_url, headers=auth_headers(admin), timeout=10) as http:
        body = {"target": "http://127.0.0.1:9/hook", "type": "person", "event": "update"}
        hook = http.post("/webhooks", json=body).json()
        try:
            yield hook["id"]
        finally:
            http.delete(f"/webhooks/{hook['id']}")


# --------------------------------------------------------------------------- on the sandbox


def unique(prefix: str = "Job") -> str:
    return f"{prefix} {uuid.uuid4().hex[:10]}"


async def make_people(client: CopperClient, n: int, **fields: Any) -> list[Json]:
    """n new people (bulk_create), named uniquely, with ``fields``."""
    tag = uuid.uuid4().hex[:8]
    items = [{"name": f"Job person {tag} {i:03d}", **fields} for i in range(n)]
    result = await client.bulk_create("people", items)
    assert not result.failed, [f.message for f in result.failed]
    return sorted(result.records, key=lambda r: r["name"])


async def fresh(client: CopperClient, entity_key: str, ids: list[int]) -> list[Json]:
    """Records as Copper has them now (``ids`` searches of 200), in the order of ``ids``."""
    found: dict[int, Json] = {}
    for start in range(0, len(ids), 200):
        page = await client.search(entity_key, {"ids": ids[start : start + 200]})
        found.update({r["id"]: r for r in page.records})
    return [found[i] for i in ids if i in found]


async def make_preview(
    client: CopperClient, entity_key: str, ids: list[int], operations: list[BulkOperation]
) -> Preview:
    definitions = parse_definitions(await client.custom_field_definitions())
    ctx = BulkContext(entity(entity_key), definitions, await client.pipelines())
    return preview(ctx, await fresh(client, entity_key, ids), operations)


async def cf_id(client: CopperClient, name: str) -> int:
    for d in await client.custom_field_definitions():
        if d["name"] == name:
            return int(d["id"])
    raise AssertionError(f"no custom field {name!r}")


def cf(record: Json, definition_id: int) -> Any:
    for entry in record.get("custom_fields") or ():
        if entry["custom_field_definition_id"] == definition_id:
            return entry["value"]
    return None


async def log(control: SandboxControl, limit: int = 5000) -> list[Json]:
    return await asyncio.to_thread(control.requests, limit)


def write_ids(entry: Json) -> list[int]:
    """Record ids a logged write request (bulk_update or PUT) carried."""
    body = entry.get("body")
    if entry["method"] == "PUT":
        return [int(entry["path"].rsplit("/", 1)[1])]
    if isinstance(body, dict):
        items: list[Any] = next(iter(body.values()), [])
        return [i["id"] for i in items if isinstance(i, dict) and "id" in i]
    return []


def is_write(entry: Json) -> bool:
    return bool(entry["path"].endswith("/bulk_update") or entry["method"] == "PUT")


async def answered_writes(control: SandboxControl) -> dict[int, int]:
    """Record id → how many write requests carrying it the sandbox answered with 200."""
    counts: dict[int, int] = {}
    for entry in await log(control):
        if is_write(entry) and entry["status"] == 200:
            for rid in write_ids(entry):
                counts[rid] = counts.get(rid, 0) + 1
    return counts


async def settle_server(control: SandboxControl) -> None:
    """Wait until the sandbox has answered every request it received (none still held by a
    latency fault): what a killed client sent is then committed or not, for good."""
    for _ in range(3000):
        if all(e["status"] is not None for e in await log(control)):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the sandbox kept requests open")


async def run_to_end(job: Job) -> JobState:
    return await asyncio.wait_for(job.start(), timeout=60)


# --------------------------------------------------------------------------- a fake kind


class Kind:
    """A row kind without HTTP: rows say what happens to them: ``data["do"]`` is "write",
    "fail", "fail_once", "skip" or "block" (waits for ``gate`` before it is written)."""

    kind: ClassVar[str] = "models_fake"
    undoable = True
    chunk_size = 4
    batch_size = 2
    concurrency = 2

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.failed_once: set[int] = set()
        self.written: list[int] = []

    async def prepare(self, rows: Sequence[Row]) -> dict[int, Outcome | None]:
        return {
            r.index: Outcome.skipped(Reason.CONFLICT, "changed") if r.data["do"] == "skip" else None
            for r in rows
        }

    async def write(self, rows: Sequence[Row]) -> dict[int, Outcome]:
        out: dict[int, Outcome] = {}
        for r in rows:
            do = r.data["do"]
            if do == "block":
                await self.gate.wait()
            if do == "fail" or (do == "fail_once" and r.key not in self.failed_once):
                self.failed_once.add(r.key)
                out[r.index] = Outcome.failed(Reason.INVALID, "Name: can't be blank")
            else:
                self.written.append(r.key)
                out[r.index] = Outcome.written({"n": r.index}, record={"id": r.key})
        return out

    def undo_rows(self, rows: Sequence[Row]) -> tuple[Json, list[Json]]:
        return {}, [{"key": r.key, "label": r.label, "data": {"do": "write"}} for r in rows]

    def describe(self, row: Row) -> dict[str, str]:
        return {"do": row.data["do"]}


KIND = Kind()
register(Kind.kind, lambda client, header: KIND)
