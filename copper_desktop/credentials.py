"""Where the API token lives: the system keyring when one is usable, else the private file.

The email and base URL always go to the credentials file (0600); the token goes with them or to
the keyring, as the settings say (``settings["token_storage"]``). No Qt here, and every call is
blocking (the keyring may talk D-Bus, the file is fsynced): callers run them in their executor,
never on the UI thread.
"""

from __future__ import annotations

import contextlib
import logging
from functools import cached_property
from typing import Any, Literal

from copper_desktop.config import (
    AppPaths,
    StoredCredentials,
    load_credentials,
    save_credentials,
    save_settings,
)

__all__ = [
    "KEYRING_SERVICE",
    "STORAGE_KEY",
    "CredentialStore",
    "TokenStorage",
    "keyring_backend_name",
]

log = logging.getLogger("copper_desktop.credentials")

KEYRING_SERVICE = "copper-desktop"
STORAGE_KEY = "token_storage"

TokenStorage = Literal["file", "keyring"]


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
    file as ``settings`` say. Blocking: call through an executor."""

    def __init__(self, paths: AppPaths, settings: dict[str, Any]) -> None:
        self.paths = paths
        self.settings = settings

    @cached_property
    def keyring_name(self) -> str | None:
        """The usable keyring's name, or None; found on first use (in the caller's thread)."""
        return keyring_backend_name()

    @property
    def storage(self) -> TokenStorage:
        wanted = self.settings.get(STORAGE_KEY)
        return "keyring" if wanted == "keyring" and self.keyring_name else "file"

    def load(self, notices: list[str] | None = None) -> StoredCredentials:
        """The saved credentials (empty ones when none); problems with the file (damaged,
        readable by others) are added to ``notices`` for the user."""
        creds = load_credentials(self.paths, notices)
        wants_keyring = self.settings.get(STORAGE_KEY) == "keyring"
        # keyring_name last: finding the keyring takes a tenth of a second, on every start
        if wants_keyring and creds.email and not creds.token and self.keyring_name:
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
