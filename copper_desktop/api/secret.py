"""Credentials that cannot leak by accident.

The API token is wrapped in :class:`Secret` so that no ``repr``, f-string, log line or traceback
shows it: the only way to the value is an explicit :meth:`Secret.reveal`, which the client calls
in exactly one place (building a request's headers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .errors import UnsendableCredentialsError

__all__ = ["Credentials", "Secret", "check_token", "header_email"]

_MASK: Final = "********"


class Secret:
    """A string that prints as a mask and refuses to be pickled or compared by accident."""

    __slots__ = ("__value",)

    def __init__(self, value: str) -> None:
        self.__value = value

    def reveal(self) -> str:
        """The real value; call it only where the value must leave the process."""
        return self.__value

    def __bool__(self) -> bool:
        return bool(self.__value)

    def __repr__(self) -> str:
        return f"Secret({_MASK!r})"

    __str__ = __repr__

    def __format__(self, format_spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return self.__value == other.__value

    def __hash__(self) -> int:
        return hash(self.__value)

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("a Secret cannot be pickled")


@dataclass(frozen=True, slots=True)
class Credentials:
    """What Copper needs on every request: the API key and its owner's email."""

    email: str
    token: Secret

    @classmethod
    def of(cls, email: str, token: str | Secret) -> Credentials:
        return cls(email=email, token=token if isinstance(token, Secret) else Secret(token))


def header_email(email: str) -> str:
    """The email as the ``X-PW-UserEmail`` header can carry it: headers are ASCII, so an
    internationalised domain goes as IDNA ("exämple.com" → "xn--exmple-cua.com"); a local part
    outside ASCII cannot be sent at all, and says so instead of failing deep in httpx."""
    if email.isascii():
        return email
    local, at, domain = email.rpartition("@")
    if at and local.isascii():
        try:
            return f"{local}@{domain.encode('idna').decode('ascii')}"
        except UnicodeError:
            pass
    raise UnsendableCredentialsError(
        f"Copper cannot be sent the email “{email}”: only its domain may hold letters beyond "
        "plain ASCII. Use the address the API key's owner signs in to Copper with."
    )


def check_token(token: Secret) -> None:
    """Copper's keys are hex; anything else (a pasted smart quote) cannot go in a header.
    The message never quotes the key."""
    if not token.reveal().isascii():
        raise UnsendableCredentialsError(
            "The API key holds characters an API key never has (perhaps a quote or a space "
            "from where it was copied): paste it again."
        )
