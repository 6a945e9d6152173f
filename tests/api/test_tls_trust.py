"""Which certificates the client trusts (issue 14, point 9): https verifies against the CA
bundle (or SSL_CERT_FILE) as ever; plain http to loopback skips loading the bundle at start and
gets a context that trusts no CA, so an https connection made through it fails closed."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from copper_desktop.api import CertificateError, CopperClient, CopperError
from copper_desktop.api.transport import tls_trust
from tests.helpers.clients import FAST_RETRY
from tests.helpers.http import self_signed, tls_listener

pytestmark = pytest.mark.anyio

LOOPBACK_HTTP = [
    "http://127.0.0.1:8765/developer_api/v1",
    "http://localhost:8765/developer_api/v1",
    "http://[::1]:8765/developer_api/v1",
]
HTTPS = [
    "https://api.copper.com/developer_api/v1",
    "https://127.0.0.1:8765/developer_api/v1",
    "https://localhost:8765/developer_api/v1",
]


@pytest.mark.parametrize("url", LOOPBACK_HTTP)
def test_loopback_http_gets_a_context_that_trusts_no_ca(url: str) -> None:
    context = tls_trust(url)
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.get_ca_certs() == [] and context.cert_store_stats()["x509_ca"] == 0


@pytest.mark.parametrize("url", HTTPS)
def test_https_keeps_the_ca_bundle(url: str) -> None:
    assert tls_trust(url) is True


def test_the_client_uses_it() -> None:
    sandbox = CopperClient("a@b.test", "tok", base_url=LOOPBACK_HTTP[0])
    copper = CopperClient("a@b.test", "tok", base_url=HTTPS[0])
    assert isinstance(sandbox._t.tls, ssl.SSLContext)
    assert copper._t.tls is True


async def test_https_trusts_what_the_environment_trusts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With SSL_CERT_FILE naming the listener's certificate, an https client gets past the
    handshake (the listener then hangs up: not a certificate error)."""
    async with tls_listener(tmp_path) as listener:
        monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "cert.pem"))  # the listener's
        async with CopperClient(
            "a@b.test", "tok-tls", base_url=listener.url, retry=FAST_RETRY
        ) as client:
            with pytest.raises(CopperError) as info:
                await client.me()
    assert not isinstance(info.value, CertificateError)


def handshake(client: ssl.SSLContext, server: ssl.SSLContext) -> None:
    """A TLS handshake in memory (no sockets, no timing): raises what the client raises."""
    c_in, c_out, s_in, s_out = (ssl.MemoryBIO() for _ in range(4))
    tls_client = client.wrap_bio(c_in, c_out, server_hostname="127.0.0.1")
    tls_server = server.wrap_bio(s_in, s_out, server_side=True)
    for _ in range(10):
        for side, outbox, peer in ((tls_client, c_out, s_in), (tls_server, s_out, c_in)):
            try:
                side.do_handshake()
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLError:
                if side is tls_client:
                    raise
            peer.write(outbox.read())
        if tls_client.version() and tls_server.version():
            return
    raise AssertionError("the handshake did not finish")


def test_the_loopback_context_fails_closed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even a certificate the environment trusts is refused through the empty-trust context,
    while a context that trusts it completes the same handshake."""
    cert, key = self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    trusting = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    trusting.load_verify_locations(cert)
    handshake(trusting, server)  # the certificate itself is fine
    context = tls_trust(LOOPBACK_HTTP[0])
    assert isinstance(context, ssl.SSLContext)
    with pytest.raises(ssl.SSLCertVerificationError):
        handshake(context, server)
