"""Cold start: process start to the first rows painted, against a bare Qt window with a table.

A sandbox serves from its own process (``python -m copper_desktop.sandbox``, 2,000 people in a
file database under a temporary folder, no added latency, rate limits off). Credentials for it
are saved in a temporary ``--config-dir``, as the settings dialog would have saved them. Then,
in turns, two real processes are started and timed from ``Popen`` to their line ``ready``:

* the app, ``python -m copper_desktop --config-dir DIR --exit-when-ready``: ``ready`` comes
  once the people browser has painted its first page (then the app quits as File ▸ Quit does);
* a bare Qt window: a script that makes a QApplication and a QTableWidget with some rows,
  shows it and says ``ready`` once the table has been painted.

One untimed run of each warms the disk cache; the figures are medians of ``--runs`` (≥ 5) runs
each, taken alternately so that a busy machine slows both alike. Both run on the offscreen
platform unless ``QT_QPA_PLATFORM`` says otherwise.

Last line: ``start_vs_bare_qt=<x>`` (median app start / median bare Qt start; aim ≤ 2.0).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from sandbox_process import sandbox_process as serve_in_process

from copper_desktop.config import AppPaths, StoredCredentials, save_credentials
from copper_desktop.sandbox.settings import DEFAULT_EMAIL, DEFAULT_TOKEN

SEED = 2_000
RUNS = 7
TIMEOUT_S = 120.0

BARE_QT = """\
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QTableWidget, QTableWidgetItem

app = QApplication(sys.argv[:1])
table = QTableWidget(50, 6)
for row in range(50):
    for column in range(6):
        table.setItem(row, column, QTableWidgetItem(f"row {row} column {column}"))
table.resize(1100, 700)


def ready() -> None:
    print("ready", flush=True)
    app.quit()


class FirstPaint(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, ready)  # after this paint has been drawn
        return False


painted = FirstPaint()
table.viewport().installEventFilter(painted)
table.show()
sys.exit(app.exec())
"""


@contextlib.contextmanager
def sandbox_process(db: Path) -> Iterator[str]:
    """The sandbox in its own process, no added latency; yields its API base URL."""
    with serve_in_process(str(db), "--seed", str(SEED), "--rate-limit", "0") as target:
        yield target.base_url


def time_to_ready(command: list[str], env: dict[str, str]) -> float:
    """Seconds from starting `command` to its stdout line ``ready``; waits for it to exit."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip() == "ready":
                elapsed = time.perf_counter() - t0
                break
        else:
            raise RuntimeError(f"{command[1:3]} never said ready: {proc.communicate()[1][-2000:]}")
        _out, err = proc.communicate(timeout=TIMEOUT_S)
        if proc.returncode != 0:
            raise RuntimeError(f"{command[1:3]} exited with {proc.returncode}: {err[-2000:]}")
        return elapsed
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=RUNS, help="timed runs of each (≥ 5)")
    args = parser.parse_args(argv)
    runs = max(5, args.runs)
    env = {**os.environ}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.setdefault("QT_API", "pyside6")
    env.pop("COPPER_DESKTOP_HOME", None)
    with tempfile.TemporaryDirectory(prefix="bench-start-") as tmp:
        home = Path(tmp) / "home"
        bare = Path(tmp) / "bare_qt.py"
        bare.write_text(BARE_QT)
        with sandbox_process(Path(tmp) / "sandbox.sqlite3") as base_url:
            paths = AppPaths.resolve(home)
            paths.make_dirs()
            save_credentials(paths, StoredCredentials(base_url, DEFAULT_EMAIL, DEFAULT_TOKEN))
            app_cmd = [
                sys.executable,
                "-m",
                "copper_desktop",
                "--config-dir",
                str(home),
                "--exit-when-ready",
            ]
            bare_cmd = [sys.executable, str(bare)]
            time_to_ready(bare_cmd, env)  # warm the disk cache, untimed
            time_to_ready(app_cmd, env)
            app_s: list[float] = []
            bare_s: list[float] = []
            for _ in range(runs):
                bare_s.append(time_to_ready(bare_cmd, env))
                app_s.append(time_to_ready(app_cmd, env))
    app_median, bare_median = statistics.median(app_s), statistics.median(bare_s)
    print(f"bare Qt window with a table: {' '.join(f'{s * 1000:.0f}' for s in bare_s)} ms")
    print(f"app to first rows painted:   {' '.join(f'{s * 1000:.0f}' for s in app_s)} ms")
    print(f"medians of {runs}: app {app_median * 1000:.0f} ms, bare Qt {bare_median * 1000:.0f} ms")
    print(f"start_vs_bare_qt={app_median / bare_median:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
