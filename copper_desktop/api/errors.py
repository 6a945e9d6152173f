"""Typed errors of the Copper client, each with a message fit to show a user.

Copper's error bodies are not uniform (copper-behaviour.md §9): the envelope
``{"success": false, "status": N, "message": "..."}``, a bare ``{"error": "..."}``, bulk
messages shaped ``{"field": [{"error": "..."}]}``, or no JSON at all (proxies, HTML error
pages). :func:`error_from_response` reads all of them and never raises itself.

No error ever holds a request, a response or a header: the token cannot ride along in one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "AuthenticationError",
    "CertificateError",
    "CopperError",
    "FeatureNotEnabledError",
    "FieldError",
    "InsecureURLError",
    "MalformedResponseError",
    "NetworkError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PermissionDeniedError",
    "RateLimitedError",
    "RequestTimeoutError",
    "ServerError",
    "UnsendableCredentialsError",
    "ValidationError",
]
"""The error types, all re-exported by the package; the parsing helpers below are internal."""

REDACTED = "[redacted]"
VALIDATION_PREFIXES = ("Invalid input:", "Validation errors:", "Invalid request:")
_MAX_DETAIL = 300


@dataclass(frozen=True, slots=True)
class FieldError:
    """One validation problem; ``field`` is the record key (``"company_id"``) when Copper named
    one, ``None`` when the message concerns the whole request (Copper's ``Base``)."""

    field: str | None
    label: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.label}: {self.message}" if self.label else self.message


class CopperError(Exception):
    """Base of every error the client raises. ``str(error)`` is the user-facing message."""

    default_message = "The request to Copper failed."

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        detail: str | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.status = status
        self.detail = detail
        """Copper's own text, when it sent one."""
        self.method = method
        self.path = path
        super().__init__(self.message)

    @property
    def retryable(self) -> bool:
        """Whether trying again later may succeed (drives the UI's Retry action)."""
        return False

    def __repr__(self) -> str:
        where = f" {self.method} {self.path}" if self.method else ""
        return f"{type(self).__name__}({self.message!r}, status={self.status}{where})"


class InsecureURLError(CopperError, ValueError):
    """Plain http to a host other than loopback: the token would cross the network in clear."""

    default_message = "Copper must be reached over https."


class UnsendableCredentialsError(CopperError, ValueError):
    """The email or key holds characters an HTTP header cannot carry (only ASCII can)."""

    default_message = "The email or API key cannot be sent to Copper."


class AuthenticationError(CopperError):
    default_message = (
        "Copper did not accept the API key and email. Check them in Settings "
        "(the email must be the key owner's)."
    )


class PermissionDeniedError(CopperError):
    default_message = "Your Copper user is not allowed to do this."


class FeatureNotEnabledError(PermissionDeniedError):
    default_message = "This feature is not enabled on your Copper account."


class NotFoundError(CopperError):
    default_message = "The record was not found in Copper; it may have been deleted."


class ValidationError(CopperError):
    """Copper refused the data (422/400); ``errors`` lists the problems, by field when known."""

    default_message = "Copper rejected the data."

    def __init__(
        self, message: str | None = None, *, errors: list[FieldError] | None = None, **kw: Any
    ) -> None:
        super().__init__(message, **kw)
        self.errors: list[FieldError] = errors or []

    @property
    def field(self) -> str | None:
        """The first field Copper named, for focusing an editor."""
        return next((e.field for e in self.errors if e.field), None)

    def for_field(self, field: str) -> list[str]:
        return [e.message for e in self.errors if e.field == field]


class RateLimitedError(CopperError):
    default_message = "Copper's rate limit was reached and retries ran out. Try again in a minute."

    def __init__(self, message: str | None = None, *, retry_after: float | None = None, **kw: Any):
        super().__init__(message, **kw)
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        return True


class ServerError(CopperError):
    default_message = "Copper had a server error. Try again later."

    @property
    def retryable(self) -> bool:
        return True


class NetworkError(CopperError):
    default_message = "Could not reach Copper. Check the network connection."

    @property
    def retryable(self) -> bool:
        return True


class RequestTimeoutError(NetworkError):
    default_message = "Copper did not answer in time."


class CertificateError(CopperError):
    """The server's TLS certificate failed verification. Not retried: trying again cannot fix
    it, and the network is not the problem; a clock, a proxy or the address is."""

    default_message = (
        "The connection to Copper was refused because its security certificate could not be "
        "verified, so the API key was not sent. Check this computer's date and time, the "
        "address in Settings, and any proxy or security software that intercepts https."
    )


class MalformedResponseError(CopperError):
    default_message = "Copper sent an answer that could not be read."

    @property
    def retryable(self) -> bool:
        return True


class OutcomeUnknownError(CopperError):
    """A create (or conversion) may or may not have happened, and checking could not tell.

    Raised instead of retrying blindly: the user should look before trying again.
    ``candidates`` lists the records that may be the one this request made (several when
    another record just like it was saved at the same time), so the UI can show them.
    """

    default_message = (
        "The connection to Copper failed while saving, and whether the change was saved "
        "could not be confirmed. Refresh before trying again."
    )

    def __init__(
        self, message: str | None = None, *, candidates: list[Any] | None = None, **kw: Any
    ) -> None:
        super().__init__(message, **kw)
        self.candidates: list[Any] = candidates or []


# --------------------------------------------------------------------------- parsing


def _label_to_key(label: str) -> str:
    return re.sub(r"[^0-9a-z_.]+", "_", label.strip().lower()).strip("_")


def _strip_prefixes(text: str) -> str:
    changed = True
    while changed:
        changed = False
        for prefix in VALIDATION_PREFIXES:
            if text.startswith(prefix):
                text = text[len(prefix) :].lstrip()
                changed = True
    return text


_LABEL = re.compile(r"^([A-Za-z][A-Za-z0-9 _.\-]{0,60}): (.+)$", re.DOTALL)


def parse_field_errors(message: str) -> list[FieldError]:
    """Copper's ``Invalid input: Validation errors: Name: can't be blank\\nEmails: ...`` ->
    one FieldError per line; ``Base:`` and unlabelled lines concern the whole request."""
    out: list[FieldError] = []
    for raw in message.split("\n"):
        line = _strip_prefixes(raw.strip())
        if not line:
            continue
        m = _LABEL.match(line)
        if m is None:
            out.append(FieldError(None, None, line))
            continue
        label, text = m.group(1).strip(), m.group(2).strip()
        if label.lower() == "base":
            out.append(FieldError(None, None, text))
        else:
            out.append(FieldError(_label_to_key(label), label, text))
    return out


def _bulk_field_errors(message: dict[str, Any]) -> list[FieldError]:
    """``{"name": [{"error": "invalid"}]}`` (bulk item failures) -> FieldErrors."""
    out: list[FieldError] = []
    for key, problems in message.items():
        items = problems if isinstance(problems, list) else [problems]
        for p in items:
            text = p.get("error") if isinstance(p, dict) else p
            text = str(text) if text is not None else "invalid"
            field = None if str(key).lower() == "base" else str(key)
            out.append(FieldError(field, field, text))
    return out


def field_errors_from_item(message: Any) -> list[FieldError]:
    """Per-item failure of a bulk call, whatever shape ``message`` has."""
    if isinstance(message, dict):
        return _bulk_field_errors(message)
    if isinstance(message, str):
        return parse_field_errors(message)
    return [FieldError(None, None, "Copper rejected this item.")]


def _body_text(body: bytes, content_type: str) -> tuple[str | None, Any]:
    """(message Copper gave, parsed JSON or None), for any body."""
    parsed: Any = None
    if body:
        try:
            parsed = json.loads(body)
        except (ValueError, RecursionError):  # nesting too deep for the parser is garbage too
            parsed = None
    if isinstance(parsed, dict):
        for key in ("message", "error", "errors", "detail"):
            value = parsed.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip(), parsed
            if isinstance(value, dict | list) and value:
                return None, parsed
        return None, parsed
    if isinstance(parsed, str) and parsed.strip():
        return parsed.strip()[:_MAX_DETAIL], parsed
    if parsed is None and body and "html" not in content_type.lower():
        text = body.decode("utf-8", "replace").strip()
        if text and len(text) <= _MAX_DETAIL and "<" not in text:
            return text, None
    return None, parsed


def error_from_response(
    status: int,
    body: bytes,
    *,
    content_type: str = "",
    retry_after: float | None = None,
    method: str | None = None,
    path: str | None = None,
) -> CopperError:
    """The typed error for a non-2xx answer; never raises, whatever the body holds."""
    detail, parsed = _body_text(body, content_type)
    kw: dict[str, Any] = {"status": status, "detail": detail, "method": method, "path": path}
    if status == 401:
        return AuthenticationError(**kw)
    if status == 403:
        if detail and "not enabled" in detail.lower():
            return FeatureNotEnabledError(**kw)
        return PermissionDeniedError(f"Copper refused: {detail}" if detail else None, **kw)
    if status == 404:
        return NotFoundError(**kw)
    if status == 429:
        return RateLimitedError(retry_after=retry_after, **kw)
    if status in (400, 409, 422):
        errors: list[FieldError] = []
        if detail:
            errors = parse_field_errors(detail)
        elif isinstance(parsed, dict):
            inner = parsed.get("message", parsed.get("errors", parsed.get("error")))
            if isinstance(inner, dict):
                errors = _bulk_field_errors(inner)
        text = "; ".join(str(e) for e in errors) if errors else None
        return ValidationError(
            f"Copper rejected the data: {text}" if text else None, errors=errors, **kw
        )
    if status >= 500:
        return ServerError(f"Copper had a server error ({status}). Try again later.", **kw)
    message = f"Copper answered {status}: {detail}" if detail else f"Copper answered {status}."
    return CopperError(message, **kw)


def redacted(error: CopperError, secret: str) -> CopperError:
    """``error`` with ``secret`` masked in every text it holds: a server may echo the token it
    was sent ("invalid token abc..."), and error texts reach the screen and the logs."""
    if len(secret) < 4:  # shorter is no secret, and masking it would mangle the message
        return error

    def clean(text: str | None) -> str | None:
        return text.replace(secret, REDACTED) if isinstance(text, str) else text

    error.message = clean(error.message) or error.default_message
    error.detail = clean(error.detail)
    error.args = tuple(clean(a) if isinstance(a, str) else a for a in error.args)
    if isinstance(error, ValidationError):
        error.errors = [
            FieldError(clean(e.field), clean(e.label), clean(e.message) or "") for e in error.errors
        ]
    return error
