"""Checking a Copper connection before it is saved: the settings dialog's "Test connection".

The dialog is given a `ConnectionTester` (the app passes `connection_tester`, tests may pass a
fake) and runs it through its `ActionRunner`; so the dialog imports nothing of the client, and
the check is the same code the app uses to sign in: ``account()`` then ``me()``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Final

from copper_desktop.api import Backoff, CopperClient, RetryPolicy
from copper_desktop.config import StoredCredentials

ConnectionTester = Callable[[StoredCredentials], Awaitable[str]]
"""Checks credentials against Copper; returns a line to show ("Acme — signed in as Ada") or
raises a `CopperError` whose text is fit to show the user."""

TEST_RETRY: Final = RetryPolicy(
    rate_limited=Backoff(base_s=1.0, cap_s=4.0, max_retries=2),
    transient=Backoff(base_s=0.5, cap_s=2.0, max_retries=1),
    settle_s=0.0,
)
"""A connection test should answer within seconds, not retry for a minute."""


def signed_in_text(account: dict[str, Any], me: dict[str, Any], email: str) -> str:
    """ "Acme — signed in as Ada Admin": what a successful test shows."""
    account_name = account.get("name") or f"Account {account.get('id', '?')}"
    user_name = me.get("name") or me.get("email") or email
    return f"{account_name} — signed in as {user_name}"


def connection_tester(**client_kw: Any) -> ConnectionTester:
    """A tester that signs in with a throw-away `CopperClient` (``client_kw`` are its options;
    the retry policy defaults to `TEST_RETRY`): ``account()`` then ``me()``.

    Failures raise the client's CopperError, whose text says exactly why (wrong key, no
    https, unreachable host) and never holds the token. The caller registers the token as a
    secret first (the UI's log redaction), so no log line shows it."""
    client_kw.setdefault("retry", TEST_RETRY)

    async def test(creds: StoredCredentials) -> str:
        async with CopperClient(
            creds.email, creds.token, base_url=creds.base_url, **client_kw
        ) as client:
            account = await client.account()
            me = await client.me()
        return signed_in_text(account, me, creds.email)

    return test
