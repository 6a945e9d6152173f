"""Which hosts count as this machine: the one rule for plain http.

The token crosses the network in clear over http, so http is allowed only to loopback (the
embedded sandbox). The client's transport, the settings dialog and the webhook dialog all ask
here, so a URL the dialog accepts is one the client will use (a disagreement once locked users
out at start-up). ``localhost`` and ``*.localhost`` are loopback by RFC 6761; other names such as
``localhost.localdomain`` resolve however /etc/hosts says, so they are not trusted.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

__all__ = ["is_loopback_host", "is_loopback_url"]


def is_loopback_host(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 (bracketed or not), ``localhost`` and ``*.localhost``."""
    name = host.strip().lower().rstrip(".")
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str) -> bool:
    """True when the URL's host is loopback; a URL that cannot be parsed is not."""
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return False
    return host is not None and is_loopback_host(host)
