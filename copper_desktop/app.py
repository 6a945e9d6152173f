"""Start-up: QApplication, the qasync loop, command-line flags and a clean shutdown.

The entity browsers arrive with the main-window issue; until then the window shows where the
app is connected, so ``copper-desktop --sandbox`` already proves the whole chain starts and stops.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

from copper_desktop import __version__


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="copper-desktop", description="Copper CRM desktop client")
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="start the embedded Copper sandbox and connect to it with its demo credentials",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser.parse_args(argv)


class MainWindow(QMainWindow):
    """Placeholder main window until the entity browsers land."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("Copper Desktop")
        self.status = QLabel("Starting…")
        self.status.setObjectName("connectionStatus")
        self.status.setAccessibleName("Connection status")
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setCentralWidget(self.status)
        self.resize(900, 600)


async def run(args: argparse.Namespace, app: QApplication) -> int:
    """Runs until the last window closes; stops the embedded sandbox on the way out."""
    quit_event = asyncio.Event()
    app.aboutToQuit.connect(quit_event.set)
    window = MainWindow()
    window.show()
    server = None
    if args.sandbox:
        from copper_desktop.sandbox.config import SandboxConfig
        from copper_desktop.sandbox.server import SandboxServer

        window.status.setText("Starting the embedded sandbox…")
        server = SandboxServer(SandboxConfig(port=0))
        await asyncio.get_running_loop().run_in_executor(None, server.start)
        window.status.setText(f"Connected to the Copper sandbox at {server.base_url}")
    else:
        window.status.setText("No Copper account configured yet.")
    try:
        await quit_event.wait()
    finally:
        if server is not None:
            await asyncio.get_running_loop().run_in_executor(None, server.stop)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    import qasync

    args = parse_args(sys.argv[1:] if argv is None else argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Copper Desktop")
    app.setOrganizationName("copper-desktop")
    app.setQuitOnLastWindowClosed(True)
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        return runner.run(run(args, app))


if __name__ == "__main__":
    sys.exit(main())
