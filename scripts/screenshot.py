"""Takes docs/screenshot.png: the real app on the embedded sandbox, in a real X window.

Run it plainly; without a display it re-runs itself under ``xvfb-run`` (Debian: ``apt-get
install --no-install-recommends xvfb xauth libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4
libxcb-keysyms1 libxcb-shape0``). The app starts as ``copper-desktop --sandbox`` would, with
its data in a temporary folder; once the people browser shows rows the window is grabbed and
the app quits through its normal shutdown.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "screenshot.png"
SIZE = (1240, 760)


def rerun_under_xvfb() -> int:
    if shutil.which("xvfb-run") is None:
        print("screenshot: no display and no xvfb-run; install xvfb", file=sys.stderr)
        return 1
    command = ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", sys.executable, __file__]
    env = {**os.environ, "COPPER_SCREENSHOT_XVFB": "1"}
    return subprocess.call(command, env=env)


def main() -> int:
    if not os.environ.get("DISPLAY") and not os.environ.get("COPPER_SCREENSHOT_XVFB"):
        return rerun_under_xvfb()
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    os.environ.setdefault("QT_API", "pyside6")

    from PySide6.QtWidgets import QApplication

    from copper_desktop.app import DesktopApp, run_desktop
    from copper_desktop.config import AppPaths
    from copper_desktop.models.paged import RecordRole

    app = QApplication(sys.argv[:1])
    app.setApplicationName("Copper Desktop")
    app.setQuitOnLastWindowClosed(False)
    saved: list[Path] = []

    async def shoot(desktop: DesktopApp) -> None:
        try:
            await take(desktop)
        finally:
            desktop.quit()

    async def take(desktop: DesktopApp) -> None:
        await desktop.connected.wait()
        window = desktop.window
        assert window is not None
        window.resize(*SIZE)
        deadline = time.monotonic() + 60
        while True:
            browser = window.browser("people")
            if browser is not None:
                first, last = browser.visible_rows()
                model = browser.model
                if last > 0 and all(
                    model.index(r, 0).data(RecordRole) is not None for r in (first, last)
                ):
                    break
            if time.monotonic() > deadline:
                raise TimeoutError("the people browser showed no rows")
            await asyncio.sleep(0.05)
        browser.table.selectRow(2)
        await asyncio.sleep(0.5)  # let the last page and the status bar paint
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        if window.grab().save(str(OUTPUT)):
            saved.append(OUTPUT)

    with tempfile.TemporaryDirectory(prefix="copper-screenshot-") as home:
        code = run_desktop(app, DesktopApp(AppPaths.resolve(home), use_sandbox=True), shoot)
    if not saved:
        print("screenshot: no screenshot was taken", file=sys.stderr)
        return 1
    print(f"saved {OUTPUT}")
    return code


if __name__ == "__main__":
    sys.exit(main())
