"""The live sandbox on loopback for the whole session, its control API, and HTTP clients on it.

Fixtures: ``sandbox``, ``control``, ``admin``, ``api``, ``http``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from copper_desktop.sandbox.server import SandboxServer
from copper_desktop.sandbox.settings import SandboxConfig
from tests.helpers.http import auth_headers


class SandboxControl:
    """Drives the sandbox-only API under /_sandbox/: faults, counters, request log, reset."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self._http = httpx.Client(base_url=server.control_url, timeout=30)

    def close(self) -> None:
        self._http.close()

    def _json(self, method: str, path: str, **kw: Any) -> Any:
        r = self._http.request(method, path, **kw)
        r.raise_for_status()
        return r.json()

    def add_fault(self, kind: str, **rule: Any) -> Any:
        """Add one fault rule (see docs/sandbox.md): kind is latency, error, drop, rate_limit
        or malformed; method/path/rate/count narrow it."""
        return self._json("POST", "/faults", json={"kind": kind, **rule})

    def clear_faults(self) -> None:
        self._json("DELETE", "/faults")

    def settings(self, **changes: Any) -> Any:
        if changes:
            return self._json("PATCH", "/settings", json=changes)
        return self._json("GET", "/settings")

    def stats(self) -> Any:
        return self._json("GET", "/stats")

    def requests(self, limit: int = 100) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._json("GET", "/requests", params={"limit": limit})
        return result

    def deliveries(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._json("GET", "/webhook_deliveries")
        return result

    def reset(self, data: bool = False) -> None:
        self._json("POST", "/reset", json={"data": data})


def session_config() -> SandboxConfig:
    """The session sandbox's settings: a small in-memory account without rate limits."""
    return SandboxConfig(
        host="127.0.0.1", port=0, db=":memory:", seed=300, rate_limit=0, bulk_rate_limit=0
    )


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxServer]:
    """One sandbox for the session: no rate limits unless a test turns them on.

    Tests create the records they change, so they do not depend on one another.
    """
    server = SandboxServer(session_config())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def control(sandbox: SandboxServer) -> Iterator[SandboxControl]:
    """The session sandbox's control API; faults, settings, counters and log are reset after."""
    ctl = SandboxControl(sandbox)
    ctl.reset()
    try:
        yield ctl
    finally:
        ctl.clear_faults()
        ctl.settings(
            rate_limit=0,
            rate_window_s=60.0,
            bulk_rate_limit=0,
            retry_after=False,
            search_cap=100_000,
            convert_answer="both",
        )
        ctl.reset()
        ctl.close()


@pytest.fixture
def admin(sandbox: SandboxServer) -> dict[str, Any]:
    """The first demo user's credentials: id, name, email, token."""
    return sandbox.users[0]


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
