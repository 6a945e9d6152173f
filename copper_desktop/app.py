"""Start-up, the settings flow, the embedded sandbox and a clean quit: all the loop glue.

``main()`` creates the QApplication and runs one coroutine, :meth:`DesktopApp.run`, on a
``qasync.QEventLoop`` through ``asyncio.Runner``. That coroutine connects (saved credentials, the
embedded sandbox, or the settings dialog first), then awaits a quit event set when the main
window closes, File ▸ Quit is chosen, the app is asked to quit or SIGTERM arrives. Shutdown then
runs on the still-running loop, in order: background tasks cancelled, the window's ``aclose()``,
the HTTP client closed, the sandbox stopped. The app never lets Qt quit the loop under it
(``quitOnLastWindowClosed`` is off), so no coroutine is abandoned mid-flight.

Dialogs are opened with ``open()`` and awaited through a future tied to ``finished``: never
``exec()`` inside a coroutine. Blocking work (files, keyring, the journal's fsyncs, the
sandbox's seeding) runs in the app's one executor, made at start and shut down at quit.

A start imports only what it needs: the embedded sandbox (Starlette, uvicorn) only with
``--sandbox``, the settings dialog only when it opens (tests/e2e/test_start_imports.py keeps
it so). ``--exit-when-ready`` (hidden: for the start-up benchmark and packaging smoke tests)
prints one line ``ready`` on stdout once the first browser has painted its first page, then
quits as File ▸ Quit does (exit code 0).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from copper_desktop import __version__

# httpx imports its command-line tool (httpx._main, which loads click, rich and pygments: about
# 80 ms of a cold start) whenever those happen to be installed; the app never runs it. A None
# entry makes that optional import fail at once, and httpx then goes without its CLI.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]  # None: "not there"

# httpcore imports anyio's asyncio backend when the first request goes out: 25-30 ms of the UI
# thread just as the first window starts loading. Imported here, with everything else.
with contextlib.suppress(ImportError):
    import anyio._backends._asyncio  # noqa: F401

from copper_desktop.api import CopperClient  # noqa: E402
from copper_desktop.config import AppPaths, StoredCredentials, load_settings  # noqa: E402
from copper_desktop.credentials import CredentialStore, TokenStorage  # noqa: E402
from copper_desktop.models.async_support import TaskKeeper  # noqa: E402
from copper_desktop.models.quiet_collector import (  # noqa: E402
    QuietCollector,
    freeze_startup_heap,
)
from copper_desktop.session import Session  # noqa: E402
from copper_desktop.ui.common import theme  # noqa: E402
from copper_desktop.ui.common.icons import app_icon  # noqa: E402
from copper_desktop.ui.common.notifier import (  # noqa: E402
    ErrorNotifier,
    configure_logging,
    redact,
    register_secret,
    show_notice,
)
from copper_desktop.ui.main_window import MainWindow  # noqa: E402

if TYPE_CHECKING:  # imported when first used (see the module docstring)
    from copper_desktop.sandbox.server import SandboxServer
    from copper_desktop.sandbox.settings import SandboxConfig
    from copper_desktop.ui.dialogs.settings_dialog import ConnectionTester, SettingsDialog

log = logging.getLogger("copper_desktop.app")

DESKTOP_FILE_ID = "io.github.copperdesktop.CopperDesktop"
"""The desktop entry's name without ``.desktop`` (packaging/), so that a Wayland compositor or
a task bar shows the entry's icon and name for the app's windows."""

T = TypeVar("T")


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="copper-desktop", description="Copper CRM desktop client")
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="start the embedded Copper sandbox and connect to it with its demo credentials",
    )
    parser.add_argument(
        "--config-dir",
        metavar="DIR",
        help="keep settings, credentials, logs and sandbox data under DIR "
        "(default: the usual folders, or $COPPER_DESKTOP_HOME)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    # print "ready" once the first rows are painted, then quit (see the module docstring)
    parser.add_argument("--exit-when-ready", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# ---------------------------------------------------------------------- start-up


def describe_failure(exc: BaseException) -> str:
    """A line for the user about why connecting failed (secrets masked)."""
    return redact(str(exc).strip() or type(exc).__name__)


# ---------------------------------------------------------------------- the app


@dataclass(frozen=True)
class SettingsChoice:
    """What the settings dialog ended with: credentials to save, or the sandbox."""

    creds: StoredCredentials | None
    storage: TokenStorage = "file"

    @property
    def sandbox(self) -> bool:
        return self.creds is None


class _CloseWatcher(QObject):
    """Tells the app when the main window was closed (MainWindow owns its closeEvent)."""

    def __init__(self, on_close: Callable[[], None]) -> None:
        super().__init__()
        self._on_close = on_close

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close:
            QTimer.singleShot(0, self._on_close)  # after the event: it may still be ignored
        return False


class DesktopApp:
    """One run of the app: connects, shows the main window, rebuilds it when settings are
    saved, and shuts everything down in order when asked to quit.

    ``client_options`` go to every CopperClient (tests pass fast retries); ``sandbox_config``
    replaces the embedded sandbox's defaults (port 0, data under ``paths.sandbox_db``,
    Copper's rate limits).

    Saved credentials that cannot be used (the client refuses them, or building the session
    fails) never end the app: the settings dialog opens with the reason, so a bad saved URL
    cannot lock the user out. Problems with the app's files found at start (a damaged settings
    file set aside, a credentials file others could read) are shown once, in the settings
    dialog or beside the main window.
    """

    def __init__(
        self,
        paths: AppPaths,
        *,
        use_sandbox: bool = False,
        sandbox_config: SandboxConfig | None = None,
        client_options: dict[str, Any] | None = None,
        notifier: ErrorNotifier | None = None,
        exit_when_ready: bool = False,
    ) -> None:
        self.paths = paths
        self.exit_when_ready = exit_when_ready
        self.use_sandbox = use_sandbox
        self.sandbox_config = sandbox_config
        self.client_options = dict(client_options or {})
        self.notifier = notifier
        self.settings: dict[str, Any] = {}
        self.store = CredentialStore(paths, self.settings)
        self.notices: list[str] = []
        """Lines for the user found at start, not shown yet."""
        self.notice_box: QMessageBox | None = None
        self.quit_event = asyncio.Event()
        self.window: MainWindow | None = None
        self.session: Session | None = None
        self.sandbox: SandboxServer | None = None
        self.dialog: SettingsDialog | None = None
        self.connected = asyncio.Event()
        """Set once a main window is shown and started (scripts and tests wait on it)."""
        self.executor: ThreadPoolExecutor | None = None
        """The one executor for blocking work (settings, keyring, journal, sandbox), from
        ``run()``'s start to its end. Plain threads: qasync's default executor is made of
        QThreads, which outlive a reused loop and abort the process at exit."""
        self._tasks = TaskKeeper()
        self._watcher = _CloseWatcher(self._window_closed)
        self.collector = QuietCollector()
        """Full garbage collections in quiet moments, from the first window's start on."""

    # ------------------------------------------------------------------ lifecycle

    def quit(self) -> None:
        self.quit_event.set()

    async def run(self) -> int:
        """Runs until quit; returns the process exit code."""
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.quit)
        self.executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="copper-app")
        try:
            await self._blocking(self.paths.make_dirs)
            self.settings.update(await self._blocking(load_settings, self.paths, self.notices))
            self.apply_theme()
            if self.use_sandbox:
                await self._connect_sandbox()
            elif not await self._connect_saved():
                return 0
            self._show_notices()
            await self.quit_event.wait()
            return 0
        except Exception as exc:
            log.exception("start-up failed")
            print(f"copper-desktop: {describe_failure(exc)}", file=sys.stderr)
            return 1
        finally:
            await self._shutdown()
            if app is not None:
                with contextlib.suppress(RuntimeError, TypeError):
                    app.aboutToQuit.disconnect(self.quit)

    def apply_theme(self) -> None:
        """The saved theme (View ▸ Theme: system, light or dark), before any window shows."""
        follower = theme.follower()
        if follower is not None:
            follower.set_mode(theme.theme_of(self.settings))

    async def _shutdown(self) -> None:
        """Tasks first (they may use the client), then window, client, sandbox, executor."""
        await self._tasks.aclose()
        if self.dialog is not None:
            self.dialog.reject()
        await self._close_window(self.window, self.session)
        self.window, self.session = None, None
        await self._stop_sandbox()
        self.collector.close()
        if self.executor is not None:
            self.executor.shutdown(wait=True)
            self.executor = None

    async def _blocking(self, fn: Callable[..., T], *args: Any) -> T:
        """Runs blocking work (keyring, files, the sandbox) off the GUI thread."""
        assert self.executor is not None, "blocking work is only done while run() runs"
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Runs ``coro`` in the background until it ends or the app quits; failures reach
        the loop's exception handler (the notifier)."""
        return self._tasks.spawn(coro)

    def _show_notices(self, parent: QWidget | None = None) -> None:
        if self.notices:
            text = "\n\n".join(self.notices)
            self.notices.clear()
            self.notice_box = show_notice(text, parent or self.window)

    # ------------------------------------------------------------------ settings

    def tester(self) -> ConnectionTester:
        from copper_desktop.ui.dialogs.settings_dialog import connection_tester

        return connection_tester(**self.client_options)

    async def ask_settings(
        self, *, first_run: bool, reason: str | None = None
    ) -> SettingsChoice | None:
        """Shows the settings dialog without blocking the loop; None when cancelled (or the
        app is quitting). ``reason`` says why it opened (saved credentials that failed);
        start-up notices not shown yet are shown in it too."""
        from copper_desktop.ui.dialogs.settings_dialog import SettingsDialog

        loop = asyncio.get_running_loop()
        creds = await self._blocking(self._load_for_dialog)
        notice = "\n\n".join([*self.notices, *([reason] if reason else [])])
        self.notices.clear()
        dialog = SettingsDialog(
            creds,
            self.tester(),
            token_file=self.paths.credentials_file,
            keyring_name=self.store.keyring_name,
            storage=self.store.storage,
            first_run=first_run,
            notice=notice,
            parent=self.window,
        )
        outcome: list[SettingsChoice] = []
        finished: asyncio.Future[Any] = loop.create_future()
        dialog.saved.connect(
            lambda saved: outcome.append(SettingsChoice(saved, dialog.token_storage()))
        )
        dialog.sandbox_requested.connect(lambda: outcome.append(SettingsChoice(None)))

        def on_finished(_code: int) -> None:
            if not finished.done():
                finished.set_result(None)

        dialog.finished.connect(on_finished)
        self.dialog = dialog
        dialog.open()
        if reason:
            dialog.check()  # the saved values' problems, inline, before anything is typed
        quitting: asyncio.Future[Any] = asyncio.ensure_future(self.quit_event.wait())
        try:
            await asyncio.wait([finished, quitting], return_when=asyncio.FIRST_COMPLETED)
        finally:
            quitting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await quitting
            if dialog.isVisible():
                dialog.reject()
            self.dialog = None
            dialog.deleteLater()
        return outcome[-1] if outcome and not self.quit_event.is_set() else None

    def _load_for_dialog(self) -> StoredCredentials:
        """The saved credentials, and the keyring looked for (slow: D-Bus, entry points) here
        in the executor rather than by the dialog on the UI thread."""
        creds = self.store.load(self.notices)
        _ = self.store.keyring_name
        return creds

    def _settings_requested(self) -> None:
        if self.dialog is None:
            self.spawn(self._settle(first_run=False))

    async def _settle(self, *, first_run: bool, reason: str | None = None) -> bool:
        """Asks for settings until they connect; False when the user cancels."""
        while True:
            choice = await self.ask_settings(first_run=first_run, reason=reason)
            if choice is None:
                return False
            try:
                await self._apply(choice)
                return True
            except Exception as exc:
                log.warning("connecting failed: %s", describe_failure(exc))
                reason = f"Could not connect: {describe_failure(exc)}"

    async def _apply(self, choice: SettingsChoice) -> None:
        """Connects with the choice; credentials are saved only once they have been used
        (saving first is what once locked users out with a URL the client refused)."""
        if choice.creds is None:
            await self._connect_sandbox()
            return
        await self._connect(choice.creds)
        try:
            await self._blocking(self.store.save, choice.creds, choice.storage)
        except OSError as exc:
            raise OSError(f"connected, but the settings could not be saved ({exc})") from exc
        await self._stop_sandbox()

    # ------------------------------------------------------------------ connections

    async def _connect_saved(self) -> bool:
        """Connects with the saved credentials, or asks for settings (first run, or saved
        ones that cannot be used); False when the user cancels."""
        creds = await self._blocking(self.store.load, self.notices)
        if not creds.complete:
            return await self._settle(first_run=True)
        try:
            await self._connect(creds)
        except Exception as exc:
            log.warning("the saved credentials cannot be used: %s", describe_failure(exc))
            reason = f"Could not connect with the saved settings: {describe_failure(exc)}"
            return await self._settle(first_run=True, reason=reason)
        return True

    async def _connect_sandbox(self) -> None:
        if self.sandbox is None:
            from copper_desktop.sandbox.server import SandboxServer
            from copper_desktop.sandbox.settings import SandboxConfig

            config = self.sandbox_config or SandboxConfig(port=0, db=str(self.paths.sandbox_db))
            server = SandboxServer(config)
            log.info("starting the embedded sandbox")
            await self._blocking(server.start)
            self.sandbox = server
        user = self.sandbox.users[0]
        creds = StoredCredentials(self.sandbox.base_url, str(user["email"]), str(user["token"]))
        await self._connect(creds, sandbox_url=self.sandbox.base_url)

    async def _connect(self, creds: StoredCredentials, sandbox_url: str | None = None) -> None:
        """A new session and main window; the previous ones are closed once the new window
        is shown (so there is always a window, and the old one's close is no quit). Raises,
        leaving the current window alone, when the client cannot be built."""
        register_secret(creds.token)
        client = CopperClient(
            creds.email, creds.token, base_url=creds.base_url, **self.client_options
        )
        self.collector.watch(client)
        session = Session(
            self.paths, client, self.settings, sandbox_url=sandbox_url, executor=self.executor
        )
        try:
            window = MainWindow(session)
        except BaseException:
            await session.aclose()
            raise
        self.connected.clear()
        window.settings_requested.connect(self._settings_requested)
        window.quit_requested.connect(self.quit)
        if self.exit_when_ready:
            window.rows_shown.connect(self._ready)
        old_window, old_session = self.window, self.session
        self.window, self.session = window, session
        window.show()
        window.installEventFilter(self._watcher)
        await self._close_window(old_window, old_session)
        self.spawn(self._start_window(window))
        where = f"the embedded sandbox at {sandbox_url}" if sandbox_url else creds.base_url
        log.info("connected to %s as %s", where, creds.email)

    async def _start_window(self, window: MainWindow) -> None:
        await window.start()
        freeze_startup_heap()
        self.collector.start()
        if window is self.window:
            self.connected.set()

    async def _close_window(self, window: MainWindow | None, session: Session | None) -> None:
        if window is not None:
            window.removeEventFilter(self._watcher)
            try:
                await window.aclose()
            except Exception:
                log.exception("closing the main window failed")
            window.hide()
            window.deleteLater()
        if session is not None:
            try:
                await session.aclose()
            except Exception:
                log.exception("closing the Copper client failed")

    async def _stop_sandbox(self) -> None:
        server, self.sandbox = self.sandbox, None
        if server is not None:
            await self._blocking(server.stop)
            log.info("the embedded sandbox stopped")

    def _ready(self) -> None:
        print("ready", flush=True)
        self.quit()

    def _window_closed(self) -> None:
        if self.window is not None and not self.window.isVisible():
            self.quit()


# ---------------------------------------------------------------------- entry point


def run_desktop(
    app: QApplication,
    desktop: DesktopApp,
    also: Callable[[DesktopApp], Awaitable[None]] | None = None,
) -> int:
    """Runs ``desktop`` on a fresh qasync loop (``also`` alongside: scripts drive the app with
    it); installs the error notifier and SIGTERM/SIGINT handlers for the run."""
    import qasync

    notifier = desktop.notifier or ErrorNotifier()
    desktop.notifier = notifier

    def loop_factory() -> asyncio.AbstractEventLoop:
        loop: asyncio.AbstractEventLoop = qasync.QEventLoop(app)
        notifier.install(loop)
        return loop

    async def body() -> int:
        loop = asyncio.get_running_loop()
        # SIGTERM and Ctrl+C (SIGINT) quit the way File ▸ Quit does: no traceback.
        previous = {
            sig: signal.signal(sig, lambda *_: loop.call_soon_threadsafe(desktop.quit))
            for sig in (signal.SIGTERM, signal.SIGINT)
        }
        # Python runs signal handlers only between bytecodes: wake it now and then.
        wake = QTimer()
        wake.setObjectName("signalWakeTimer")
        wake.timeout.connect(lambda: None)
        wake.start(250)
        helper = asyncio.ensure_future(also(desktop)) if also is not None else None
        try:
            return await desktop.run()
        finally:
            wake.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            if helper is not None:
                helper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await helper

    try:
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            return runner.run(body())
    finally:
        notifier.uninstall()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    paths = AppPaths.resolve(args.config_dir)
    configure_logging(paths.log_dir)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Copper Desktop")
    app.setOrganizationName("copper-desktop")
    app.setDesktopFileName(DESKTOP_FILE_ID)
    app.setWindowIcon(app_icon())
    app.setQuitOnLastWindowClosed(False)  # the app quits through DesktopApp, never under it
    desktop = DesktopApp(paths, use_sandbox=args.sandbox, exit_when_ready=args.exit_when_ready)
    return run_desktop(app, desktop)


__all__ = [
    "DesktopApp",
    "SettingsChoice",
    "describe_failure",
    "main",
    "parse_args",
    "run_desktop",
]

if __name__ == "__main__":
    sys.exit(main())
