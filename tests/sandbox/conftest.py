"""Fixtures shared by the sandbox tests: HTTP clients on the session sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from copper_desktop.sandbox.server import SandboxServer
from tests.conftest import SandboxControl
from tests.sandbox.helpers import auth_headers


@pytest.fixture
def api(sandbox: SandboxServer, admin: dict[str, Any]) -> Iterator[httpx.Client]:
    """A client authenticated as the admin. It does not reset the control API: modules that
    need faults, counters and the log reset around each test override it with one that
    requests ``control`` first."""
    with httpx.Client(base_url=sandbox.base_url, headers=auth_headers(admin), timeout=30) as c:
        yield c


@pytest.fixture
def http(sandbox: SandboxServer, control: SandboxControl) -> Iterator[httpx.Client]:
    """A client without credentials (each request passes its own), control API reset."""
    with httpx.Client(base_url=sandbox.base_url, timeout=30) as client:
        yield client
