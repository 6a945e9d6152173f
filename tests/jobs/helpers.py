"""Helpers of the job engine tests: records, previews, and the sandbox's request log."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from copper_desktop.api import CopperClient
from copper_desktop.domain.bulk import BulkContext, BulkOperation, Preview, preview
from copper_desktop.domain.catalog import entity
from copper_desktop.domain.custom_fields import parse_definitions
from copper_desktop.jobs import Job, JobState
from tests.conftest import SandboxControl

Json = dict[str, Any]


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
        items = next(iter(body.values()), [])
        return [i["id"] for i in items if isinstance(i, dict) and "id" in i]
    return []


def is_write(entry: Json) -> bool:
    return entry["path"].endswith("/bulk_update") or entry["method"] == "PUT"


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
