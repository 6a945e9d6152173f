"""SandboxServer's life cycle (start, stop, restart, two at once, a kept database file) and the
``copper-sandbox`` command run as a real subprocess."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from copper_desktop.sandbox.server import SandboxServer
from copper_desktop.sandbox.settings import SandboxConfig
from tests.helpers.http import auth_headers

REPO = Path(__file__).resolve().parents[2]


def small(**overrides: Any) -> SandboxConfig:
    return SandboxConfig(**{"port": 0, "db": ":memory:", "seed": 10, **overrides})


def account(server: SandboxServer) -> httpx.Response:
    return httpx.get(server.base_url + "/account", headers=auth_headers(server.users[0]))


def sandbox_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("copper-sandbox-")]


def test_start_stop_and_start_again() -> None:
    before = len(sandbox_threads())
    server = SandboxServer(small())
    assert server.start() is server
    assert server.running
    assert server.root_url == f"http://127.0.0.1:{server.port}"
    assert server.base_url == server.root_url + "/developer_api/v1"
    assert server.control_url == server.root_url + "/_sandbox"
    assert account(server).status_code == 200
    first_port = server.port
    server.stop()
    server.stop()  # idempotent
    assert not server.running
    assert len(sandbox_threads()) == before
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{first_port}/_sandbox/health")
    server.start()
    try:
        assert account(server).status_code == 200
    finally:
        server.stop()
    assert len(sandbox_threads()) == before


def test_two_servers_at_once_are_independent() -> None:
    with SandboxServer(small()) as a, SandboxServer(small(token="other-token")) as b:
        assert a.port != b.port
        assert a.users[0]["token"] == "sandbox-admin-token"
        assert b.users[0]["token"] == "other-token"
        httpx.post(a.control_url + "/faults", json={"kind": "error", "status": 503})
        assert account(a).status_code == 503
        assert account(b).status_code == 200
        assert httpx.get(b.control_url + "/stats").json()["total"] == 1


def test_users_have_id_name_email_and_token() -> None:
    with SandboxServer(small(email="me@example.test", token="tok-123")) as server:
        users = server.users
        assert users[0] == {
            "id": users[0]["id"],
            "name": users[0]["name"],
            "email": "me@example.test",
            "token": "tok-123",
        }
        assert all(set(u) == {"id", "name", "email", "token"} for u in users)
        assert "tok-123" not in repr(server)


def test_a_database_file_is_kept_between_runs(tmp_path: Path) -> None:
    config = small(db=str(tmp_path / "nested" / "sandbox.sqlite3"))
    with SandboxServer(config) as server:
        created = httpx.post(
            server.base_url + "/people",
            headers=auth_headers(server.users[0]),
            json={"name": "Kept Between Runs"},
        ).json()
    with SandboxServer(config) as server:
        r = httpx.get(
            f"{server.base_url}/people/{created['id']}", headers=auth_headers(server.users[0])
        )
        assert r.status_code == 200
        assert r.json()["name"] == "Kept Between Runs"


def test_control_settings_do_not_leak_into_the_config() -> None:
    config = small()
    with SandboxServer(config) as server:
        httpx.patch(server.control_url + "/settings", json={"rate_limit": 1})
        assert config.rate_limit == 180
    with SandboxServer(config) as server:
        assert httpx.get(server.control_url + "/settings").json()["rate_limit"] == 180


def test_startup_flags_become_fault_rules() -> None:
    config = small(error_rate=1.0, latency_ms=10)
    with SandboxServer(config) as server:
        rules = httpx.get(server.control_url + "/faults").json()["rules"]
        assert [(r["kind"], r["rate"]) for r in rules] == [("latency", 1.0), ("error", 1.0)]
        assert account(server).status_code == 500


def test_a_busy_port_fails_to_start() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        server = SandboxServer(small(port=busy.getsockname()[1]))
        with pytest.raises(OSError):
            server.start()
        assert not server.running
        server.stop()


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_cli_serves_until_signalled(stop_signal: signal.Signals) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    flags = ["--port", "0", "--db", ":memory:", "--seed", "10", "--token", "cli-token"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "copper_desktop.sandbox", *flags, "--rate-limit", "2"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + 60
        while not any("Press Ctrl+C" in line for line in lines):
            line = proc.stdout.readline()
            assert line or proc.poll() is None, "".join(lines)
            lines.append(line)
            assert time.monotonic() < deadline
        banner = "".join(lines)
        base = re.search(r"(http://127\.0\.0\.1:\d+/developer_api/v1)", banner)
        assert base is not None, banner
        assert "admin@sandbox.copper.test  cli-token" in banner
        assert banner.count("sandbox-token-") == 5  # the other demo users
        headers = {
            "X-PW-AccessToken": "cli-token",
            "X-PW-Application": "developer_api",
            "X-PW-UserEmail": "admin@sandbox.copper.test",
        }
        statuses = [httpx.get(base.group(1) + "/account", headers=headers).status_code]
        statuses += [httpx.get(base.group(1) + "/account", headers=headers).status_code]
        statuses += [httpx.get(base.group(1) + "/account", headers=headers).status_code]
        assert statuses == [200, 200, 429]
        proc.send_signal(stop_signal)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert "Stopping." in out


def test_cli_rejects_bad_flags() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "copper_desktop.sandbox", "--error-rate", "2"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "--error-rate" in proc.stderr
