"""Start-up, the settings flow, the embedded sandbox and a clean quit: all the loop glue.

``main()`` creates the QApplication and runs one coroutine, :meth:`DesktopApp.run`, on a
``qasync.QEventLoop`` through ``asyncio.Runner``. That coroutine connects (saved credentials, the
embedded sandbox, or the settings dialog first), then awaits a quit event set when the main
window closes, File ▸ Quit is chosen, the app is asked to quit or SIGTERM arrives. Shutdown then
runs on the still-running loop, in order: background tasks cancelled, the window's ``aclose()``,
the HTTP client closed, the sandbox stopped. The app never lets Qt quit the loop under it
(``quitOnLastWindowClosed`` is off), so no coroutine is abandoned mid-flight.

Dialogs are opened with ``open()`` and awaited through a future tied to ``finished``: never
``exec()`` inside a coroutine. Blocking work (keyring, the sandbox's seeding) runs in executors.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from copper_desktop import __version__
from copper_desktop.api import CopperClient
from copper_desktop.config import (
    AppPaths,
    StoredCredentials,
    load_credentials,
    load_settings,
    save_credentials,
    save_settings,
)
from copper_desktop.sandbox.server import SandboxServer
from copper_desktop.sandbox.settings import SandboxConfig
from copper_desktop.session import Session
from copper_desktop.ui.common.notifier import ErrorNotifier, configure_logging, register_secret
from copper_desktop.ui.dialogs.settings_dialog import (
    ConnectionTester,
    SettingsDialog,
    TokenStorage,
    connection_tester,
)
from copper_desktop.ui.main_window import MainWindow

log = logging.getLogger("copper_desktop.app")

KEYRING_SERVICE = "copper-desktop"
STORAGE_KEY = "token_storage"
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
    return parser.parse_args(argv)


# ---------------------------------------------------------------------- token storage


def freeze_startup_heap() -> None:
    """Moves what start-up built (modules, widgets, lookups) out of the collector's sight.

    Those objects live as long as the app, yet every full collection walked them all: with the
    pages of records coming and going while scrolling, that was a 50-70 ms freeze every few
    seconds. Frozen, a full collection walks only the objects made since."""
    gc.freeze()


def keyring_backend_name() -> str | None:
    """The name of a usable system keyring, or None (keyring missing, or only its
    fail/null/plaintext fallbacks are available: then the private file is safer)."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:  # a broken keyring configuration must not stop the app
        return None
    module = type(backend).__module__
    if isinstance(backend, fail.Keyring) or "null" in module or "keyrings.alt" in module:
        return None
    if float(getattr(backend, "priority", 0) or 0) <= 0:
        return None
    return str(getattr(backend, "name", type(backend).__name__))


def _keyring_account(creds: StoredCredentials) -> str:
    return f"{creds.email} @ {creds.base_url}"


class CredentialStore:
    """Loads and saves the user's credentials; the token goes to the keyring or the private
    file as the settings say. Blocking: call through an executor."""

    def __init__(self, paths: AppPaths, settings: dict[str, Any]) -> None:
        self.paths = paths
        self.settings = settings
        self.keyring_name = keyring_backend_name()

    @property
    def storage(self) -> TokenStorage:
        wanted = self.settings.get(STORAGE_KEY)
        return "keyring" if wanted == "keyring" and self.keyring_name else "file"

    def load(self) -> StoredCredentials:
        creds = load_credentials(self.paths)
        if self.settings.get(STORAGE_KEY) == "keyring" and creds.email and not creds.token:
            token = self._keyring_get(creds)
            if token:
                creds.token = token
        return creds

    def save(self, creds: StoredCredentials, storage: TokenStorage) -> TokenStorage:
        """Saves ``creds``; returns where the token actually went (keyring failures fall back
        to the file rather than lose it)."""
        previous = load_credentials(self.paths)
        if storage == "keyring" and self.keyring_name:
            try:
                import keyring

                keyring.set_password(KEYRING_SERVICE, _keyring_account(creds), creds.token)
            except Exception as exc:
                log.warning("the keyring refused the token (%s); using the file", type(exc))
                storage = "file"
        else:
            storage = "file"
        file_creds = StoredCredentials(creds.base_url, creds.email, creds.token)
        if storage == "keyring":
            file_creds.token = ""
        save_credentials(self.paths, file_creds)
        if storage == "file" or _keyring_account(previous) != _keyring_account(creds):
            self._keyring_forget(previous)
        self.settings[STORAGE_KEY] = storage
        save_settings(self.paths, self.settings)
        return storage

    def _keyring_get(self, creds: StoredCredentials) -> str | None:
        if not self.keyring_name:
            return None
        try:
            import keyring

            return keyring.get_password(KEYRING_SERVICE, _keyring_account(creds))
        except Exception:
            return None

    def _keyring_forget(self, creds: StoredCredentials) -> None:
        if not self.keyring_name or not creds.email:
            return
        with contextlib.suppress(Exception):
            import keyring

            keyring.delete_password(KEYRING_SERVICE, _keyring_account(creds))


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
    """

    def __init__(
        self,
        paths: AppPaths,
        *,
        use_sandbox: bool = False,
        sandbox_config: SandboxConfig | None = None,
        client_options: dict[str, Any] | None = None,
        notifier: ErrorNotifier | None = None,
    ) -> None:
        self.paths = paths
        self.use_sandbox = use_sandbox
        self.sandbox_config = sandbox_config
        self.client_options = dict(client_options or {})
        self.notifier = notifier
        self.settings: dict[str, Any] = {}
        self.store = CredentialStore(paths, self.settings)
        self.quit_event = asyncio.Event()
        self.window: MainWindow | None = None
        self.session: Session | None = None
        self.sandbox: SandboxServer | None = None
        self.dialog: SettingsDialog | None = None
        self.connected = asyncio.Event()
        """Set once a main window is shown and started (scripts and tests wait on it)."""
        self._tasks: set[asyncio.Task[Any]] = set()
        self._executor: ThreadPoolExecutor | None = None
        self._watcher = _CloseWatcher(self._window_closed)

    # ------------------------------------------------------------------ lifecycle

    def quit(self) -> None:
        self.quit_event.set()

    async def run(self) -> int:
        """Runs until quit; returns the process exit code."""
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.quit)
        try:
            self.settings.update(await self._blocking(load_settings, self.paths))
            if self.use_sandbox:
                await self._connect_sandbox()
            else:
                creds = await self._blocking(self.store.load)
                if creds.complete:
                    await self._connect(creds)
                else:
                    choice = await self.ask_settings(first_run=True)
                    if choice is None:
                        return 0
                    await self._apply(choice)
            await self.quit_event.wait()
            return 0
        except Exception as exc:
            log.exception("start-up failed")
            print(f"copper-desktop: {exc}", file=sys.stderr)
            return 1
        finally:
            await self._shutdown()
            if app is not None:
                with contextlib.suppress(RuntimeError, TypeError):
                    app.aboutToQuit.disconnect(self.quit)

    async def _shutdown(self) -> None:
        """Tasks first (they may use the client), then window, client, sandbox."""
        tasks = [t for t in self._tasks if not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if self.dialog is not None:
            self.dialog.reject()
        await self._close_window(self.window, self.session)
        self.window, self.session = None, None
        await self._stop_sandbox()
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    async def _blocking(self, fn: Callable[..., T], *args: Any) -> T:
        """Runs blocking work (keyring, files, the sandbox) off the GUI thread. A private
        executor: qasync's default one is made of QThreads that outlive a reused loop."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="copper-app")
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Runs ``coro`` in the background, keeping a reference; failures go to the notifier."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            if self.notifier is not None:
                self.notifier.report(exc, "background task")
            else:
                log.error("background task failed", exc_info=exc)

    # ------------------------------------------------------------------ settings

    def tester(self) -> ConnectionTester:
        return connection_tester(**self.client_options)

    async def ask_settings(self, *, first_run: bool) -> SettingsChoice | None:
        """Shows the settings dialog without blocking the loop; None when cancelled (or the
        app is quitting)."""
        loop = asyncio.get_running_loop()
        creds = await self._blocking(self.store.load)
        dialog = SettingsDialog(
            creds,
            self.tester(),
            token_file=self.paths.credentials_file,
            keyring_name=self.store.keyring_name,
            storage=self.store.storage,
            first_run=first_run,
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

    def _settings_requested(self) -> None:
        if self.dialog is None:
            self.spawn(self._reconfigure())

    async def _reconfigure(self) -> None:
        choice = await self.ask_settings(first_run=False)
        if choice is not None:
            await self._apply(choice)

    async def _apply(self, choice: SettingsChoice) -> None:
        if choice.creds is None:
            await self._connect_sandbox()
            return
        creds, storage = choice.creds, choice.storage
        register_secret(creds.token)
        await self._blocking(self.store.save, creds, storage)
        await self._connect(creds)
        await self._stop_sandbox()

    # ------------------------------------------------------------------ connections

    async def _connect_sandbox(self) -> None:
        if self.sandbox is None:
            self.paths.data_dir.mkdir(parents=True, exist_ok=True)
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
        is shown (so there is always a window, and the old one's close is no quit)."""
        self.connected.clear()
        register_secret(creds.token)
        client = CopperClient(
            creds.email, creds.token, base_url=creds.base_url, **self.client_options
        )
        session = Session(self.paths, client, self.settings, sandbox_url=sandbox_url)
        window = MainWindow(session)
        window.settings_requested.connect(self._settings_requested)
        window.quit_requested.connect(self.quit)
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
    app.setQuitOnLastWindowClosed(False)  # the app quits through DesktopApp, never under it
    return run_desktop(app, DesktopApp(paths, use_sandbox=args.sandbox))


__all__ = [
    "CredentialStore",
    "DesktopApp",
    "SettingsChoice",
    "keyring_backend_name",
    "main",
    "parse_args",
    "run_desktop",
]

if __name__ == "__main__":
    sys.exit(main())
