"""A start imports what it needs, and the rest on first use (issue 14.9): checked in fresh
processes, by the modules they hold, never by a clock.

Neither importing ``copper_desktop.app`` nor a whole start through to the first rows painted
(the real ``python -m copper_desktop`` with saved credentials and ``--exit-when-ready``) may
load the embedded sandbox (Starlette, uvicorn), the record editor and its field editors, the
dialogs, the webhooks page, or httpx's command-line tool.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from copper_desktop.config import AppPaths, StoredCredentials, save_credentials
from copper_desktop.sandbox.server import SandboxServer

ON_FIRST_USE = (
    "starlette",
    "uvicorn",
    "copper_desktop.sandbox",
    "copper_desktop.ui.editor.record_editor",
    "copper_desktop.ui.editor.record_form",
    "copper_desktop.ui.editor.related_panel",
    "copper_desktop.ui.editor.conflict_dialog",
    "copper_desktop.ui.fields",
    "copper_desktop.ui.dialogs",
    "copper_desktop.ui.webhooks",
    "httpx._main",
)
"""Packages and modules a start must not import (their submodules included)."""

MODULES_AFTER = """
import json, runpy, sys
code = None
try:
    {run}
except SystemExit as exc:
    code = exc.code
loaded = sorted(name for name, module in sys.modules.items() if module is not None)
print(json.dumps({{"code": code, "modules": loaded}}))
"""


def modules_after(run: str, *args: str) -> tuple[list[str], dict[str, object]]:
    """Runs `run` in a fresh interpreter; (its stdout lines before the report, the report)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_API": "pyside6"}
    env.pop("COPPER_DESKTOP_HOME", None)
    done = subprocess.run(
        [sys.executable, "-c", MODULES_AFTER.format(run=run), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    *lines, report = done.stdout.strip().splitlines()
    return lines, json.loads(report)


def too_early(modules: object) -> list[str]:
    assert isinstance(modules, list)
    return [
        name
        for name in modules
        if any(name == lazy or name.startswith(lazy + ".") for lazy in ON_FIRST_USE)
    ]


def test_importing_the_app_loads_no_sandbox_editor_or_dialog() -> None:
    _lines, report = modules_after("import copper_desktop.app")
    modules = report["modules"]
    assert "copper_desktop.ui.main_window" in modules  # the check looks at the right process
    assert too_early(modules) == []


def test_a_start_to_the_first_rows_loads_no_sandbox_editor_or_dialog(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    paths = AppPaths.resolve(tmp_path)
    paths.make_dirs()
    user = sandbox.users[0]
    save_credentials(paths, StoredCredentials(sandbox.base_url, user["email"], user["token"]))
    lines, report = modules_after(
        'runpy.run_module("copper_desktop", run_name="__main__")',
        "--config-dir",
        str(tmp_path),
        "--exit-when-ready",
    )
    assert lines == ["ready"]  # the first rows were painted, then the app quit cleanly
    assert report["code"] == 0
    modules = report["modules"]
    assert "copper_desktop.ui.browse.browser" in modules
    assert too_early(modules) == []
