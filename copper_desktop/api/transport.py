"""The HTTP core under every operation: one connection pool, auth, throttling, retries.

Retry rules (see the ``client`` module docstring for the whole design):

* a **429** means Copper did not process the request, so every request is retried after a
  backoff (``Retry-After`` when given); the pause is shared, so the whole app slows down
  instead of hammering Copper;
* a failure **before sending** (connection refused, connect timeout) is retried for every
  request: nothing reached Copper;
* a failure **after sending** (5xx, read timeout, dropped connection, unreadable or
  unexpected 200) leaves the outcome unknown: *safe* requests (reads and idempotent writes) are
  retried with backoff, *unsafe* ones (creates, conversions) first call their ``recover`` check,
  which looks for the effect in Copper, and are retried only when the effect is not there;
* after a **timeout** (or a 504) the server may still be working on the request, so an unsafe
  request is never sent again: the check is repeated for ``outcome_wait_s``, then the outcome
  is reported unknown;
* a **certificate** that fails verification is not retried (it cannot pass on a second try)
  and is reported as what it is, not as a network problem.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import ssl
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any

import httpx

from copper_desktop.addresses import is_loopback_url

from .errors import (
    CertificateError,
    CopperError,
    InsecureURLError,
    MalformedResponseError,
    NetworkError,
    OutcomeUnknownError,
    RateLimitedError,
    RequestTimeoutError,
    ServerError,
    error_from_response,
    redacted,
)
from .events import ClientEvent, ClientStatus, Observer, RetryEvent, RetryReason
from .limiter import Permit, RateLimits, RetryPolicy, SlidingWindowLimiter
from .secret import Credentials, check_token, header_email

__all__ = ["Answer", "Recover", "Timeouts", "Transport", "lost_to_timeout", "tls_trust"]

log = logging.getLogger("copper_desktop.api")

TOKEN_HEADER = "X-PW-AccessToken"
_REDACTED = "[redacted]"

Recover = Callable[[float], Awaitable[Any | None]]
"""Given when the unsafe request was sent (server clock, unix seconds), find its effect in
Copper and return what the request would have returned, or None when it did not happen."""


@dataclass(frozen=True, slots=True)
class Timeouts:
    connect_s: float = 10.0
    read_s: float = 30.0
    write_s: float = 30.0


@dataclass(frozen=True, slots=True)
class Answer:
    """A successful answer: parsed JSON, headers, and whether it came from a recovery check."""

    data: Any
    headers: httpx.Headers
    recovered: bool = False


class _Failure(Exception):
    """Internal: a failed attempt, with what the retry logic must know about it."""

    def __init__(self, error: CopperError, reason: RetryReason, sent: bool) -> None:
        super().__init__(str(error))
        self.error = error
        self.reason = reason
        self.sent = sent


class _TokenAuth(httpx.Auth):
    """Adds the token to each request at the last moment, so no client-level header holds it."""

    def __init__(self, credentials: Credentials) -> None:
        self._credentials = credentials

    def auth_flow(self, request: httpx.Request) -> Any:
        request.headers[TOKEN_HEADER] = self._credentials.token.reveal()
        yield request

    def __repr__(self) -> str:
        return "_TokenAuth(<hidden>)"


def scrub(exc: BaseException) -> None:
    """Replace the request httpx attached to its exception by one without the token."""
    if not isinstance(exc, httpx.HTTPError):
        return
    try:
        request = exc.request
    except RuntimeError:
        return
    headers = [
        (k, _REDACTED if k.lower() == TOKEN_HEADER.lower() else v)
        for k, v in request.headers.items()
    ]
    exc.request = httpx.Request(request.method, request.url, headers=headers)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def check_base_url(base_url: str) -> str:
    """https anywhere; plain http only to loopback (the sandbox). Anything else is refused."""
    url = httpx.URL(base_url)
    if url.scheme == "https":
        return base_url.rstrip("/")
    if url.scheme == "http" and is_loopback_url(base_url):
        return base_url.rstrip("/")
    raise InsecureURLError(
        f"Refusing {url.scheme}://{url.host}: Copper must be reached over https "
        "(plain http is allowed only for a sandbox on this computer)."
    )


def tls_trust(base_url: str) -> ssl.SSLContext | bool:
    """What the client verifies certificates with: True (httpx's CA bundle) for https.

    Plain http to loopback (the sandbox) never makes a TLS connection: every request goes to
    the base URL and redirects are not followed. Loading the CA bundle there only cost 25-30 ms
    of start-up holding the GIL, so it gets a context that trusts no CA at all, with
    verification and hostname checks left on: an https connection through it fails closed."""
    if httpx.URL(base_url).scheme == "http" and is_loopback_url(base_url):
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED, no CA loaded
    return True


class Transport:
    """Sends requests through the shared pool, the limiters and the retry rules."""

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        limits: RateLimits,
        retry: RetryPolicy,
        timeouts: Timeouts,
        max_connections: int,
        rng: random.Random | None = None,
    ) -> None:
        self.base_url = check_base_url(base_url)
        self.tls = tls_trust(self.base_url)
        self.credentials = credentials
        self.retry = retry
        self._rng = rng or random.Random()
        self._observers: list[Observer] = []
        self.limiter = SlidingWindowLimiter(
            limits.per_window, limits.window_s, on_change=self._status_changed
        )
        self.bulk_limiter = SlidingWindowLimiter(limits.bulk_per_window, limits.bulk_window_s)
        self._slots = asyncio.Semaphore(max_connections)
        self._in_flight = 0
        self._queued = 0
        self._clock_offset: float | None = None
        check_token(credentials.token)
        self._http = httpx.AsyncClient(
            base_url=self.base_url + "/",
            auth=_TokenAuth(credentials),
            headers={
                "X-PW-Application": "developer_api",
                "X-PW-UserEmail": header_email(credentials.email),
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
            timeout=httpx.Timeout(
                connect=timeouts.connect_s, read=timeouts.read_s, write=timeouts.write_s, pool=None
            ),
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            verify=self.tls,
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def closed(self) -> bool:
        return self._http.is_closed

    # ------------------------------------------------------------------ observers
    def subscribe(self, observer: Observer) -> Callable[[], None]:
        self._observers.append(observer)

        def unsubscribe() -> None:
            if observer in self._observers:
                self._observers.remove(observer)

        return unsubscribe

    def status(self) -> ClientStatus:
        lim = self.limiter
        return ClientStatus(
            in_flight=self._in_flight,
            queued=self._queued,
            headroom=lim.headroom(),
            limit=lim.limit,
            window_s=lim.window_s,
            paused_s=lim.paused_for(),
        )

    def emit(self, event: ClientEvent) -> None:
        for observer in list(self._observers):
            try:
                observer(event)
            except Exception:
                log.exception("a client observer failed")

    def _status_changed(self) -> None:
        if self._observers:
            self.emit(self.status())

    # ------------------------------------------------------------------ clocks
    def server_now(self) -> float:
        """Copper's clock (from the latest ``Date`` header), for created-date windows."""
        return time.time() + (self._clock_offset or 0.0)

    @property
    def clock_known(self) -> bool:
        return self._clock_offset is not None

    def _learn_clock(self, headers: httpx.Headers) -> None:
        date = headers.get("date")
        if not date:
            return
        try:
            server = email.utils.parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError):
            return
        self._clock_offset = server - time.time()

    # ------------------------------------------------------------------ one attempt
    async def _send(
        self,
        method: str,
        path: str,
        body: Any,
        params: Mapping[str, Any] | None,
        bulk: bool,
        expect: type | None,
    ) -> Answer:
        permits: list[Permit] = []

        async def trace(event: str, _info: Mapping[str, Any]) -> None:
            # The request's first byte leaves: its round trip starts here, after any wait for
            # a connection and any TCP/TLS set-up, which happen before Copper can count it.
            if event.endswith("send_request_headers.started"):
                for p in permits:
                    p.sending()

        request = self._http.build_request(
            method,
            path.lstrip("/"),
            json=body,
            params=_clean_params(params),
            extensions={"trace": trace},
        )
        self._queued += 1
        self._status_changed()
        queued = True
        try:
            async with self._slots:
                try:
                    if bulk:
                        permits.append(await self.bulk_limiter.acquire())
                    permits.append(await self.limiter.acquire())
                except BaseException:
                    for p in permits:
                        p.revoke()
                    raise
                self._queued -= 1
                queued = False
                self._in_flight += 1
                self._status_changed()
                started = time.monotonic()
                answered = False
                try:
                    response = await self._http.send(request)
                    answered = True
                except httpx.HTTPError as exc:
                    scrub(exc)
                    reason = _certificate_problem(exc)
                    if reason is not None:
                        raise CertificateError(
                            f"{CertificateError.default_message} ({reason})",
                            detail=reason,
                            method=method,
                            path=path,
                        ) from exc
                    raise _transport_failure(exc, method, path) from exc
                finally:
                    for p in permits:
                        p.finish(answered)
                    self._in_flight -= 1
                    self._status_changed()
        finally:
            if queued:
                self._queued -= 1
                self._status_changed()
        log.debug(
            "%s %s -> %d in %.0f ms",
            method,
            path,
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        self._learn_clock(response.headers)
        return self._answer(response, method, path, expect)

    def _answer(
        self, response: httpx.Response, method: str, path: str, expect: type | None
    ) -> Answer:
        status = response.status_code
        content = response.content
        if 200 <= status < 300:
            data: Any = None
            if content.strip():
                try:
                    data = response.json()
                except (ValueError, RecursionError):  # garbled, or nested past the parser
                    err = MalformedResponseError(status=status, method=method, path=path)
                    raise _Failure(err, "malformed", sent=True) from None
            if expect is not None and not isinstance(data, expect):
                # An empty or wrong-shaped 200 says nothing about what happened.
                err = MalformedResponseError(
                    status=status, method=method, path=path, detail=f"expected {expect.__name__}"
                )
                raise _Failure(err, "malformed", sent=True)
            return Answer(data, response.headers)
        error = error_from_response(
            status,
            content,
            content_type=response.headers.get("content-type", ""),
            retry_after=parse_retry_after(response.headers.get("retry-after")),
            method=method,
            path=path,
        )
        redacted(error, self.credentials.token.reveal())
        if isinstance(error, ServerError):
            # A gateway timeout is a timeout: Copper may still be working on the request.
            raise _Failure(error, "timeout" if status == 504 else "server_error", sent=True)
        raise error

    # ------------------------------------------------------------------ retries
    async def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Mapping[str, Any] | None = None,
        bulk: bool = False,
        safe: bool = True,
        recover: Recover | None = None,
        expect: type | None = None,
    ) -> Answer:
        """One operation, retried as the module docstring says.

        ``safe`` requests may be sent again freely. Unsafe ones are sent again only after
        ``recover`` found no trace of the previous attempt (and never after a timeout); without
        ``recover`` an unknown outcome raises OutcomeUnknownError at once. ``expect`` is the
        JSON type a 2xx answer must have; anything else counts as an unreadable answer.
        """
        policy = self.retry
        transient = 0
        limited = 0
        while True:
            sent_at = self.server_now()
            try:
                return await self._send(method, path, body, params, bulk, expect)
            except RateLimitedError as err:
                if limited >= policy.rate_limited.max_retries:
                    raise
                if err.retry_after is not None:
                    delay = min(err.retry_after, policy.max_retry_after_s)
                    delay += self._rng.uniform(0, 0.1 * delay + 0.05)
                else:
                    delay = policy.rate_limited.delay(limited, self._rng)
                limited += 1
                log.info("429 on %s %s; retrying in %.1f s", method, path, delay)
                self.limiter.pause(delay)
                self.emit(RetryEvent("rate_limited", delay, limited, method, path))
                # The retry waits in the limiter, behind the shared pause.
            except _Failure as failure:
                last = transient >= policy.transient.max_retries
                delay = policy.transient.delay(transient, self._rng)
                transient += 1
                if failure.sent and not safe:
                    if recover is None:
                        raise OutcomeUnknownError(
                            detail=failure.error.message, method=method, path=path
                        ) from failure.error
                    found = None
                    where = (method, path)
                    async with aclosing(self.looks(failure.reason, delay, transient, where)) as g:
                        async for _ in g:
                            found = await self._recover(recover, sent_at, failure, where)
                            if found is not None:
                                break
                    if found is not None:
                        log.info("%s %s had taken effect; not sending it again", method, path)
                        return Answer(found, httpx.Headers(), recovered=True)
                    if failure.reason == "timeout":
                        raise OutcomeUnknownError(
                            detail=f"{failure.error.message} Nothing was found in Copper after "
                            "waiting, but it may still be saved.",
                            method=method,
                            path=path,
                        ) from failure.error
                    if last:
                        raise failure.error from failure.__cause__
                    continue  # checked: it did not happen, so it is sent again
                if last:
                    raise failure.error from failure.__cause__
                log.info("%s on %s %s; retrying in %.1f s", failure.reason, method, path, delay)
                self.emit(RetryEvent(failure.reason, delay, transient, method, path))
                await asyncio.sleep(delay)

    async def looks(
        self, reason: RetryReason, delay: float, retry: int, where: tuple[str, str]
    ) -> AsyncGenerator[int, None]:
        """The pauses before looking for the effect of an unsafe request whose answer was lost:
        one, or after a timeout as many as fit in ``outcome_wait_s`` (the server may commit it
        at any time). Yields after each pause; the caller looks and stops when it found it."""
        policy = self.retry
        polling = reason == "timeout"
        if polling:
            delay = max(delay, policy.settle_s)
        waited = 0.0
        count = 0
        while True:
            self.emit(RetryEvent(reason, delay, retry, *where, verified=True))
            await asyncio.sleep(delay)
            waited += delay
            count += 1
            yield count
            if not polling or waited >= policy.outcome_wait_s:
                return
            step = max(policy.transient.delay(count, self._rng), policy.settle_s)
            delay = min(step, policy.outcome_wait_s - waited)

    async def _recover(
        self, recover: Recover, sent_at: float, failure: _Failure, where: tuple[str, str]
    ) -> Any | None:
        method, path = where
        try:
            return await recover(sent_at)
        except OutcomeUnknownError as unknown:
            unknown.method, unknown.path = method, path
            raise unknown from failure.error
        except CopperError as check_error:
            raise OutcomeUnknownError(
                detail=f"{failure.error.message} Checking failed: {check_error.message}",
                method=method,
                path=path,
            ) from failure.error


def lost_to_timeout(error: CopperError) -> bool:
    """Whether an OutcomeUnknownError came from a timeout (Copper may still commit it)."""
    cause = error.__cause__
    return isinstance(cause, RequestTimeoutError) or (
        isinstance(cause, ServerError) and cause.status == 504
    )


def _clean_params(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not params:
        return None
    out: dict[str, Any] = {}
    for k, v in params.items():
        if v is None:
            continue
        out[k] = ("true" if v else "false") if isinstance(v, bool) else v
    return out


def _certificate_problem(exc: BaseException) -> str | None:
    """Why certificate verification failed, when that is what ``exc`` (or its cause) says."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, ssl.SSLCertVerificationError):
            return cur.verify_message or cur.reason or "certificate verify failed"
        cur = cur.__cause__ or cur.__context__
    return None


def _transport_failure(exc: httpx.HTTPError, method: str, path: str) -> _Failure:
    """Map an httpx exception to a typed error and whether the request may have been sent."""
    kw: dict[str, Any] = {"method": method, "path": path, "detail": type(exc).__name__}
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        return _Failure(RequestTimeoutError("Could not connect to Copper in time.", **kw),
                        "timeout", sent=False)  # fmt: skip
    if isinstance(exc, httpx.ConnectError):
        return _Failure(NetworkError(**kw), "network", sent=False)
    if isinstance(exc, httpx.TimeoutException):
        return _Failure(RequestTimeoutError(**kw), "timeout", sent=True)
    if isinstance(exc, httpx.TransportError):
        return _Failure(
            NetworkError("The connection to Copper was lost before it answered.", **kw),
            "network",
            sent=True,
        )
    return _Failure(NetworkError(**kw), "network", sent=True)
