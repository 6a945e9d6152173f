"""Fixtures of the job engine tests: a client on the live sandbox, a job store in tmp_path,
and helpers that make records, previews and read the sandbox's request log."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from copper_desktop.api import CopperClient
from copper_desktop.jobs import JobStore
from copper_desktop.sandbox.server import SandboxServer
from tests.api.conftest import FAST_RETRY, UNLIMITED
from tests.conftest import SandboxControl

Json = dict[str, Any]
MakeClient = Callable[..., CopperClient]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def make_client(sandbox: SandboxServer, admin: dict[str, Any]) -> MakeClient:
    def make(**kw: Any) -> CopperClient:
        kw.setdefault("retry", FAST_RETRY)
        kw.setdefault("limits", UNLIMITED)
        return CopperClient(admin["email"], admin["token"], base_url=sandbox.base_url, **kw)

    return make


@pytest.fixture
async def client(make_client: MakeClient, control: SandboxControl) -> AsyncIterator[CopperClient]:
    async with make_client() as c:
        yield c


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
    import httpx

    headers = {"X-PW-AccessToken": admin["token"], "X-PW-Application": "developer_api",
               "X-PW-UserEmail": admin["email"]}  # fmt: skip
    with httpx.Client(base_url=sandbox.base_url, headers=headers, timeout=10) as http:
        body = {"target": "http://127.0.0.1:9/hook", "type": "person", "event": "update"}
        hook = http.post("/webhooks", json=body).json()
        try:
            yield hook["id"]
        finally:
            http.delete(f"/webhooks/{hook['id']}")
