"""``SandboxServer``: the sandbox on a real loopback socket, in a background thread.

The socket is bound here, before uvicorn starts, so ``port=0`` yields a known free port at once
and two servers never race for one. The thread owns its own event loop; the store is used only
from that loop once the server runs (the caller's thread opens and seeds it before, and closes
it after the thread has ended).
"""

from __future__ import annotations

import dataclasses
import logging
import socket
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn

from copper_desktop.sandbox.context import SandboxContext
from copper_desktop.sandbox.core.shapes import NullEventSink
from copper_desktop.sandbox.core.store import Store
from copper_desktop.sandbox.http.asgi import create_app
from copper_desktop.sandbox.http.webhooks import WebhookNotifier
from copper_desktop.sandbox.settings import API_PREFIX, CONTROL_PREFIX, SandboxConfig

Json = dict[str, Any]

log = logging.getLogger(__name__)

__all__ = ["SandboxServer", "seed_store"]


def seed_store(store: Store, config: SandboxConfig) -> None:
    """Load the demo data that ``config`` describes (replacing whatever the store held)."""
    from copper_desktop.sandbox.core.seed import generate

    data = generate(
        config.seed,
        email=config.email,
        token=config.token,
        close_date_order=config.close_date_order,
    )
    store.load(data, close_date_order=config.close_date_order)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP (not 0) is what makes asyncio set TCP_NODELAY on accepted sockets;
    # without it Nagle + delayed ACK add ~40 ms to every answer (headers and body are two writes).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.set_inheritable(True)
    except BaseException:
        sock.close()
        raise
    return sock


class SandboxServer:
    """A running sandbox: ``with SandboxServer(SandboxConfig(port=0)) as s: ... s.base_url``.

    ``config`` is copied at start, so settings changed through the control API never leak
    into the caller's object or into the next start.
    """

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._uvicorn: uvicorn.Server | None = None
        self._store: Store | None = None
        self._sock: socket.socket | None = None
        self._port: int | None = None
        self._users: list[Json] = []
        self._error: BaseException | None = None
        self.context: SandboxContext | None = None

    def __repr__(self) -> str:
        state = f"port={self._port}" if self.running else "stopped"
        return f"<SandboxServer {self.config.host} {state}>"

    # ----------------------------------------------------------------- lifecycle
    def start(self, timeout: float = 120.0) -> SandboxServer:
        """Open and (if empty) seed the store, then serve; returns once connections are
        accepted. Raises if the server cannot start within ``timeout`` seconds."""
        with self._lock:
            if self._thread is not None:
                raise RuntimeError("the sandbox is already running")
            settings = dataclasses.replace(self.config)
            store = Store.open(settings.db)
            try:
                if not store.is_seeded():
                    seed_store(store, settings)
                self._users = store.users_with_tokens()
                sock = _bind(settings.host, settings.port)
            except BaseException:
                store.close()
                raise
            ctx = SandboxContext(settings=settings, store=store, events=NullEventSink())
            ctx.events = WebhookNotifier(
                lambda: ctx.store.list_webhooks(), timeout_s=settings.webhook_timeout_s
            )
            server = uvicorn.Server(
                uvicorn.Config(
                    create_app(ctx),
                    log_config=None,  # never reconfigure the host process's logging
                    access_log=False,
                    http="h11",  # its request cycle exposes the transport for drop faults
                    ws="none",
                    loop="asyncio",
                    lifespan="on",
                    server_header=False,
                    timeout_graceful_shutdown=5,
                )
            )
            self._store, self._sock, self._uvicorn, self.context = store, sock, server, ctx
            self._port = int(sock.getsockname()[1])
            self._error = None
            self._thread = threading.Thread(
                target=self._serve, name=f"copper-sandbox-{self._port}", daemon=True
            )
            self._thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                error = self._error
                self.stop()
                if error is not None:
                    raise RuntimeError(f"the sandbox failed to start: {error!r}") from error
                raise RuntimeError("the sandbox did not start in time")
            time.sleep(0.01)
        return self

    def _serve(self) -> None:
        assert self._uvicorn is not None and self._sock is not None
        try:
            self._uvicorn.run(sockets=[self._sock])
        except BaseException as e:  # SystemExit included: uvicorn exits on startup failure
            self._error = e
            log.error("the sandbox server stopped with an error", exc_info=e)

    def stop(self, timeout: float = 30.0) -> None:
        """Graceful shutdown: stop accepting, finish in-flight requests and webhook
        deliveries, close the store. Safe to call twice or on a server never started."""
        with self._lock:
            thread, server = self._thread, self._uvicorn
            if thread is None or server is None:
                return
            server.should_exit = True
            thread.join(timeout)
            if thread.is_alive():
                server.force_exit = True
                thread.join(timeout)
            if self._sock is not None:
                self._sock.close()
            if self._store is not None and not thread.is_alive():
                self._store.close()
            self._thread = self._uvicorn = self._store = self._sock = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ----------------------------------------------------------------- addresses
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the sandbox has not been started")
        return self._port

    @property
    def root_url(self) -> str:
        host = self.config.host
        if host in ("", "0.0.0.0"):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        return self.root_url + API_PREFIX

    @property
    def control_url(self) -> str:
        return self.root_url + CONTROL_PREFIX

    @property
    def users(self) -> list[Json]:
        """The demo users with their tokens: ``{id, name, email, token}``, admin first."""
        return [dict(u) for u in self._users]
