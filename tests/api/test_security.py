"""The token never shows: not in logs, exception text, tracebacks or reprs."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from copper_desktop.api import CopperClient, CopperError
from tests.helpers.sandbox import SandboxControl

pytestmark = pytest.mark.anyio


def _chain(exc: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in out:
        out.append(cur)
        cur = cur.__cause__ or cur.__context__
    return out


async def test_token_absent_from_logs_and_errors(
    make_client: Callable[..., CopperClient],
    control: SandboxControl,
    admin: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = admin["token"]
    caplog.set_level(logging.DEBUG)
    errors: list[CopperError] = []
    control.add_fault("drop", path="^/account$")
    control.add_fault("error", status=500, path="^/users/me$")
    async with make_client() as c:
        assert token not in repr(c) and token not in repr(c.credentials)
        await c.search("people", page_size=2)
        await c.create("people", {"name": "Log Watcher"})
        for call in (c.account, c.me, lambda: c.get("people", 987_654_321)):
            try:
                await call()
            except CopperError as err:
                errors.append(err)
    async with CopperClient(admin["email"], "not-" + token, base_url=c.base_url) as bad:
        try:
            await bad.me()
        except CopperError as err:
            errors.append(err)
    assert len(errors) == 4
    assert caplog.records and token not in caplog.text
    httpx_seen = 0
    for error in errors:
        text = "".join(traceback.format_exception(error))
        assert token not in text and token not in repr(error) and token not in str(error)
        for link in _chain(error):
            assert token not in repr(vars(link)) if hasattr(link, "__dict__") else True
            if isinstance(link, httpx.HTTPError):
                headers = link.request.headers
                assert headers["X-PW-AccessToken"] == "[redacted]"
                assert token not in repr(headers)
                httpx_seen += 1
    assert httpx_seen  # the dropped connection's httpx error was checked too


async def test_credentials_headers_cannot_carry_fail_clearly(
    sandbox: Any, admin: dict[str, Any]
) -> None:
    """An internationalised domain goes as IDNA (the request reaches Copper, which decides);
    a local part or key beyond ASCII is refused up front with a message that never quotes the
    key, instead of httpx's UnicodeEncodeError."""
    from copper_desktop.api import AuthenticationError, UnsendableCredentialsError
    from tests.helpers.clients import FAST_RETRY, UNLIMITED

    kw: dict[str, Any] = {"base_url": sandbox.base_url, "retry": FAST_RETRY, "limits": UNLIMITED}
    async with CopperClient("admin@exämple.com", admin["token"], **kw) as c:
        with pytest.raises(AuthenticationError):
            await c.me()
    with pytest.raises(UnsendableCredentialsError, match=r"josé@example\.com"):
        CopperClient("josé@example.com", admin["token"], **kw)
    key = admin["token"] + "”"
    with pytest.raises(UnsendableCredentialsError) as caught:
        CopperClient(admin["email"], key, **kw)
    assert key not in str(caught.value) and admin["token"] not in str(caught.value)
