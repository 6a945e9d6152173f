"""The real ``main()`` in its own process: ``copper-desktop --sandbox --config-dir DIR`` starts
the embedded sandbox, connects, and on SIGTERM or Ctrl+C shuts down cleanly (exit 0, no
traceback, the sandbox stopped, its demo credentials never saved)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from copper_desktop.config import AppPaths


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl+C"])
def test_sandbox_start_and_clean_quit_on_a_signal(
    qtbot: QtBot, tmp_path: Path, sig: signal.Signals
) -> None:
    paths = AppPaths.resolve(tmp_path)
    log = paths.log_dir / "copper-desktop.log"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "COPPER_DESKTOP_HOME": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "copper_desktop", "--sandbox"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:

        def connected() -> bool:
            assert proc.poll() is None, proc.communicate()
            return log.exists() and "connected to the embedded sandbox" in log.read_text()

        qtbot.waitUntil(connected, timeout=60_000)
        proc.send_signal(sig)
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "Error" not in err, err
    text = log.read_text()
    assert "the embedded sandbox stopped" in text
    assert "sandbox-admin-token" not in text
    assert paths.sandbox_db.exists()  # seeded on first run, kept for the next
    assert not paths.credentials_file.exists()
