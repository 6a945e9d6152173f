"""The app as shipped: headless starts of the real process (packaging/smoke.py, which
build.sh runs on the bundle), the wheel's data files, and the PyInstaller build itself.

The build takes minutes and installs PyInstaller, so it runs only when asked for: with
``-m slow`` or ``COPPER_BUILD_BUNDLE=1`` (the default test command, slow tests included, skips
it).
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.packaging.files import PACKAGING, ROOT, app_id, pyproject


def smoke(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(PACKAGING / "smoke.py"), *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=500,
    )


@pytest.mark.timeout(600)
def test_the_app_process_shows_its_version_gets_ready_and_quits_cleanly_on_sigterm() -> None:
    """``python -m copper_desktop``: ``--version``; ``--sandbox --exit-when-ready`` prints
    ready and exits 0; a second start exits 0 without a traceback on SIGTERM, its sandbox
    stopped (the checks build.sh runs on the bundle, all in a temporary folder)."""
    done = smoke(sys.executable, "-m", "copper_desktop")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"smoke: copper-desktop {pyproject()['project']['version']}"
    assert lines[1].startswith("smoke: ready on the embedded sandbox")
    assert lines[2].startswith("smoke: started again, SIGTERM: exit 0")


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_wheel_installs_the_desktop_entry_metainfo_and_icons(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", ".", "-w", str(tmp_path), "--no-deps", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=500,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = tmp_path.glob("*.whl")
    version = pyproject()["project"]["version"]
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        entry_points = z.read(f"copper_desktop-{version}.dist-info/entry_points.txt").decode()
    data = f"copper_desktop-{version}.data/data/share"
    ident = app_id()
    assert {
        f"{data}/applications/{ident}.desktop",
        f"{data}/metainfo/{ident}.metainfo.xml",
        f"{data}/icons/hicolor/scalable/apps/{ident}.svg",
        *(f"{data}/icons/hicolor/{n}x{n}/apps/{ident}.png" for n in (16, 32, 48, 128, 256)),
    } <= names
    assert "copper-desktop = copper_desktop.app:main" in entry_points


def bundle_requested(config: pytest.Config) -> bool:
    return os.environ.get("COPPER_BUILD_BUNDLE") == "1" or "slow" in (
        config.getoption("markexpr") or ""
    )


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_build_script_makes_a_bundle_that_runs(request: pytest.FixtureRequest) -> None:
    """``bash packaging/build.sh``: icons, validation when the tools exist, the PyInstaller
    one-folder bundle in dist/copper-desktop/, and its smoke checks (version, ready on its
    embedded sandbox, exit 0 on SIGTERM)."""
    if not bundle_requested(request.config):
        pytest.skip("builds for minutes: run with -m slow or COPPER_BUILD_BUNDLE=1")
    done = subprocess.run(
        ["bash", str(PACKAGING / "build.sh")],
        cwd=ROOT,
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=1700,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert (ROOT / "dist" / "copper-desktop" / "copper-desktop").is_file()
    assert "smoke: ready on the embedded sandbox" in done.stdout
    assert "smoke: started again, SIGTERM: exit 0" in done.stdout
