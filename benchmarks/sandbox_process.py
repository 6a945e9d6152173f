"""The sandbox in a child process, for benchmarks: its JSON work never competes with the
measured app for the GIL, and the app's heap stays its own."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

import qasync
from PySide6.QtWidgets import QApplication

from copper_desktop.sandbox.settings import API_PREFIX, CONTROL_PREFIX, DEFAULT_EMAIL, DEFAULT_TOKEN

T = TypeVar("T")


@dataclass
class Target:
    """Where the sandbox answers, and its admin user's credentials."""

    base_url: str
    control_url: str
    email: str
    token: str


@contextlib.contextmanager
def sandbox_process(db: str, *flags: str) -> Iterator[Target]:
    """Serves `db` (seeded if empty) on a free port with the given CLI flags until the block
    ends, then stops it with SIGINT (killed if it does not stop in 30 s)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "copper_desktop.sandbox", "--port", "0", "--db", db, *flags],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        base_url = ""
        for line in proc.stdout:
            if line.startswith("Copper sandbox:"):
                base_url = line.split(":", 1)[1].strip()
                break
        if not base_url:
            raise RuntimeError("the sandbox process did not start")
        root = base_url.removesuffix(API_PREFIX)
        yield Target(base_url, root + CONTROL_PREFIX, DEFAULT_EMAIL, DEFAULT_TOKEN)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_on_qt_loop(app: QApplication, main: Callable[[], Awaitable[T]]) -> T:
    """``main()`` run to its end on a qasync loop over ``app``, as the app runs: the figures
    include the Qt event loop's own costs."""
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        return runner.run(_awaited(main))


async def _awaited(main: Callable[[], Awaitable[T]]) -> T:
    return await main()
