"""HTTP helpers: the X-PW headers and answer checks of the sandbox's HTTP tests, and tiny
servers on 127.0.0.1 for answers the sandbox's fault rules cannot give (an empty or non-object
200 after a real commit, JSON nested past the parser's depth, a token echoed in an error text)
and a TLS listener whose self-signed certificate fails verification.

Real sockets, real HTTP/1.1 (one request per connection, ``Connection: close``); httpx is the
client under test and is not touched. ``serve`` can put itself in front of the live sandbox:
its handler gets a ``forward`` that sends the request on and returns the sandbox's answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import email.utils
import ipaddress
import ssl
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

PREFIX = "Invalid input: Validation errors: "
"""The start of every field validation message (docs/copper-behaviour.md, 422 answers)."""


def auth_headers(user: dict[str, Any]) -> dict[str, str]:
    """The three X-PW headers that authenticate ``user`` (one of ``sandbox.users``)."""
    return {
        "X-PW-AccessToken": user["token"],
        "X-PW-Application": "developer_api",
        "X-PW-UserEmail": user["email"],
    }


def uid() -> str:
    """A short unique suffix, so records made by one test never collide with another's."""
    return uuid.uuid4().hex[:10]


def ok(r: httpx.Response) -> Any:
    """The JSON body of a 200 answer; anything else fails with the answer's text."""
    assert r.status_code == 200, r.text
    return r.json()


def err(r: httpx.Response, status: int = 422) -> str:
    """The message of an error answer with this status (the status code only is checked)."""
    assert r.status_code == status, r.text
    message: str = r.json()["message"]
    return message


def envelope_err(r: httpx.Response, status: int = 422) -> str:
    """Like ``err``, and also checks the body is Copper's envelope: success false, the status."""
    assert r.status_code == status, r.text
    body = r.json()
    assert body["success"] is False and body["status"] == status
    message: str = body["message"]
    return message


@dataclass
class Request:
    method: str
    target: str
    """Path and query, as sent (``/developer_api/v1/tasks``)."""
    headers: dict[str, str]
    """Lower-cased names."""
    body: bytes

    @property
    def path(self) -> str:
        """The path relative to the API prefix (``/tasks``), as the sandbox's log writes it."""
        return self.target.split("?", 1)[0].removeprefix("/developer_api/v1")


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"content-type": "application/json"})


Forward = Callable[[], Awaitable[Reply]]
Handler = Callable[[Request, Forward], Awaitable[Reply]]

_HOP = {"host", "content-length", "connection", "transfer-encoding", "accept-encoding"}


async def _read_request(reader: asyncio.StreamReader) -> Request:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    body = await reader.readexactly(length) if length else b""
    return Request(method, target, headers, body)


def _encode(reply: Reply) -> bytes:
    headers = {k.lower(): v for k, v in reply.headers.items() if k.lower() not in _HOP}
    headers.setdefault("date", email.utils.formatdate(usegmt=True))
    headers["content-length"] = str(len(reply.body))
    headers["connection"] = "close"
    head = f"HTTP/1.1 {reply.status} X\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return head.encode("latin-1") + b"\r\n" + reply.body


@contextlib.asynccontextmanager
async def serve(handler: Handler, upstream: str | None = None) -> AsyncIterator[str]:
    """Serve ``handler`` on a free loopback port; yields the API base URL to give the client.

    ``upstream`` (the sandbox's base URL) is where ``forward`` sends a request."""
    http = httpx.AsyncClient(base_url=upstream.split("/developer_api")[0] if upstream else "")
    tasks: set[asyncio.Task[None]] = set()

    async def one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await _read_request(reader)

            async def forward() -> Reply:
                headers = {k: v for k, v in request.headers.items() if k not in _HOP}
                r = await http.request(
                    request.method, request.target, headers=headers, content=request.body
                )
                return Reply(r.status_code, r.content, dict(r.headers))

            writer.write(_encode(await handler(request, forward)))
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.create_task(one(reader, writer))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/developer_api/v1"
    finally:
        server.close()
        await server.wait_closed()
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await http.aclose()


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by nobody (so verification must fail), and its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class TlsListener:
    url: str
    connections: int = 0


@contextlib.asynccontextmanager
async def tls_listener(directory: Path) -> AsyncIterator[TlsListener]:
    """An https endpoint on loopback with a self-signed certificate; counts TCP connections
    (each is one attempt of the client: a refused certificate never gets to a request)."""
    cert, key = self_signed(directory)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = TlsListener("")
    tasks: set[asyncio.Task[None]] = set()

    async def one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        listener.connections += 1
        try:
            await asyncio.wait_for(writer.start_tls(context), 5)
            await reader.read(1)
        except (OSError, ssl.SSLError, TimeoutError):
            pass  # the client refused the certificate: what the test wants
        finally:
            writer.transport.abort()

    def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.create_task(one(reader, writer))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    listener.url = f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}/developer_api/v1"
    try:
        yield listener
    finally:
        server.close()
        await server.wait_closed()
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
