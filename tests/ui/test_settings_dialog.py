"""The settings dialog: inline refusal (nothing sent), real connection tests against the sandbox,
the token-location choice, and credentials saved and loaded (0600 file, or a keyring)."""

from __future__ import annotations

import asyncio
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from copper_desktop.addresses import is_loopback_url
from copper_desktop.api import AuthenticationError, CopperClient, InsecureURLError
from copper_desktop.config import AppPaths, StoredCredentials, load_settings
from copper_desktop.credentials import CredentialStore
from copper_desktop.models.connection_check import connection_tester
from copper_desktop.sandbox.server import SandboxServer
from copper_desktop.ui.dialogs.settings_dialog import SettingsDialog, validate_credentials
from tests.helpers.clients import FAST_RETRY, UNLIMITED
from tests.helpers.sandbox import SandboxControl


class MemoryKeyring(KeyringBackend):
    """A usable keyring kept in memory, so keyring mode is tested without a desktop session."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    try:
        yield ring
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """The keyring's fail backend, as on a headless machine without a secret service."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


def make_dialog(
    qtbot: QtBot, creds: StoredCredentials, paths: AppPaths, **kw: Any
) -> SettingsDialog:
    kw.setdefault("keyring_name", None)
    tester = kw.pop("tester", None) or connection_tester(retry=FAST_RETRY, limits=UNLIMITED)
    dialog = SettingsDialog(creds, tester, token_file=paths.credentials_file, **kw)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def fill(qtbot: QtBot, dialog: SettingsDialog, url: str, email: str, token: str) -> None:
    for edit, text in ((dialog.base_url, url), (dialog.email, email), (dialog.token, token)):
        edit.clear()
        if text:
            qtbot.keyClicks(edit, text)


def test_connection_test_success_names_account_and_user(
    qtbot: QtBot, sandbox: SandboxServer, admin: dict[str, Any], app_paths: AppPaths
) -> None:
    dialog = make_dialog(qtbot, StoredCredentials(), app_paths)
    fill(qtbot, dialog, sandbox.base_url, admin["email"], admin["token"])
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=10_000)
    text = dialog.test_result.text()
    assert text.startswith("Connected: "), text
    assert text.endswith(f" — signed in as {admin['name']}")
    assert admin["token"] not in text


def test_connection_test_wrong_token_says_authentication_failed(
    qtbot: QtBot, sandbox: SandboxServer, admin: dict[str, Any], app_paths: AppPaths
) -> None:
    dialog = make_dialog(qtbot, StoredCredentials(), app_paths)
    wrong = "wrong-token-" + "x" * 20
    fill(qtbot, dialog, sandbox.base_url, admin["email"], wrong)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=10_000)
    assert dialog.test_result.text() == f"Failed: {AuthenticationError.default_message}"
    assert wrong not in dialog.test_result.text()


def test_input_the_client_cannot_send_says_failed(
    qtbot: QtBot, sandbox: SandboxServer, admin: dict[str, Any], app_paths: AppPaths
) -> None:
    """A non-ASCII email passes the email rule, but the client cannot put it in a header: the
    test says so in the dialog (it used to, before the run helper) instead of crashing."""
    dialog = make_dialog(qtbot, StoredCredentials(), app_paths)
    fill(qtbot, dialog, sandbox.base_url, "", admin["token"])
    dialog.email.setText("\u00e4d\u00e4@example.com")  # keyClicks cannot type non-ASCII
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=10_000)
    assert dialog.test_result.text().startswith("Failed: "), dialog.test_result.text()
    assert admin["token"] not in dialog.test_result.text()


def test_closing_the_dialog_abandons_a_test_under_way(qtbot: QtBot, app_paths: AppPaths) -> None:
    started, cancelled = asyncio.Event(), asyncio.Event()

    async def hanging(creds: StoredCredentials) -> str:
        started.set()
        try:
            await asyncio.Event().wait()  # never answers
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return "never"

    dialog = make_dialog(qtbot, StoredCredentials(), app_paths, tester=hanging)
    fill(qtbot, dialog, "https://api.copper.com/developer_api/v1", "ada@example.com", "tok123456")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(started.is_set)
    assert dialog.testing() and not dialog.test_button.isEnabled()
    assert dialog.test_result.text() == "Connecting\u2026"
    dialog.reject()
    qtbot.waitUntil(cancelled.is_set)
    qtbot.waitUntil(lambda: not dialog.testing())


@pytest.mark.parametrize(
    ("url", "email", "token", "field"),
    [
        ("SANDBOX", "not-an-email", "tok123456", "email"),
        ("http://crm.example.com/developer_api/v1", "ada@example.com", "tok123456", "base_url"),
        # resolves however /etc/hosts says, so the client refuses it: the dialog must too
        ("http://localhost.localdomain:8080/v1", "ada@example.com", "tok123456", "base_url"),
        ("SANDBOX", "ada@example..com", "tok123456", "email"),
        ("SANDBOX", "ada@example.com", "", "token"),
    ],
)
def test_malformed_input_refused_inline_and_nothing_sent(
    qtbot: QtBot,
    sandbox: SandboxServer,
    control: SandboxControl,
    app_paths: AppPaths,
    url: str,
    email: str,
    token: str,
    field: str,
) -> None:
    dialog = make_dialog(qtbot, StoredCredentials(), app_paths)
    fill(qtbot, dialog, sandbox.base_url if url == "SANDBOX" else url, email, token)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    with qtbot.assertNotEmitted(dialog.saved):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.isVisible()
    assert dialog.errors[field].isVisible() and dialog.errors[field].text()
    others = [k for k in dialog.errors if k != field]
    assert not any(dialog.errors[k].isVisible() for k in others)
    assert dialog.test_result.text() == ""
    assert dialog.test_button.isEnabled()
    assert control.requests() == []
    assert not app_paths.credentials_file.exists()


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "LOCALHOST",
        "sandbox.localhost",
        "127.0.0.1",
        "127.8.9.10",
        "[::1]",
        "localhost.localdomain",
        "localhost6",
        "10.0.0.1",
        "example.com",
        "[::ffff:127.0.0.1]",
    ],
)
def test_dialog_accepts_plain_http_exactly_where_the_client_does(
    host: str, run: Any, qtbot: QtBot
) -> None:
    """One loopback rule: a URL the dialog lets through is one the client then uses (they
    once disagreed, and saved credentials the client refused locked users out)."""
    url = f"http://{host}:8080/developer_api/v1"
    dialog_accepts = "base_url" not in validate_credentials(
        StoredCredentials(url, "ada@example.com", "tok123456")
    )
    try:
        client = CopperClient("ada@example.com", "tok123456", base_url=url)
    except InsecureURLError:
        client_accepts = False
    else:
        client_accepts = True
        run(client.aclose())
    assert dialog_accepts == client_accepts == is_loopback_url(url)


def test_save_emits_credentials_and_says_where_the_token_goes(
    qtbot: QtBot, app_paths: AppPaths
) -> None:
    dialog = make_dialog(qtbot, StoredCredentials(), app_paths)
    combo = dialog.storage
    assert combo.objectName() == "tokenStorageCombo" and combo.accessibleName()
    assert dialog.token_storage() == "file"
    assert str(app_paths.credentials_file) in dialog.token_location.text()
    assert "No system keyring" in dialog.token_location.text()
    keyring_item = combo.model().index(1, 0)
    assert not combo.model().flags(keyring_item) & Qt.ItemFlag.ItemIsEnabled
    fill(qtbot, dialog, "https://api.copper.com/developer_api/v1/", "ada@example.com", "tok123456")
    with qtbot.waitSignal(dialog.saved) as saved:
        qtbot.keyClick(dialog, Qt.Key.Key_Return)
    creds = saved.args[0]
    assert (creds.base_url, creds.email, creds.token) == (
        "https://api.copper.com/developer_api/v1",
        "ada@example.com",
        "tok123456",
    )
    assert "tok123456" not in repr(creds)
    assert not dialog.isVisible()


def test_keyring_choice_offered_when_usable(qtbot: QtBot, app_paths: AppPaths) -> None:
    dialog = make_dialog(
        qtbot, StoredCredentials(), app_paths, keyring_name="Secret Service", storage="keyring"
    )
    assert dialog.token_storage() == "keyring"
    assert "system keyring (Secret Service)" in dialog.token_location.text()
    dialog.storage.setCurrentIndex(0)
    assert dialog.token_storage() == "file"
    assert str(app_paths.credentials_file) in dialog.token_location.text()


def test_credentials_saved_to_a_private_file_and_loaded(
    app_paths: AppPaths, no_keyring: None
) -> None:
    store = CredentialStore(app_paths, {})
    assert store.keyring_name is None
    creds = StoredCredentials(
        "https://api.copper.com/developer_api/v1", "ada@example.com", "t0ken!"
    )
    assert store.save(creds, "keyring") == "file"  # asked for, but unusable: the file
    mode = stat.S_IMODE(app_paths.credentials_file.stat().st_mode)
    assert mode == 0o600
    assert load_settings(app_paths)["token_storage"] == "file"
    assert CredentialStore(app_paths, load_settings(app_paths)).load() == creds


def test_credentials_token_in_keyring_not_in_file(
    app_paths: AppPaths, memory_keyring: MemoryKeyring
) -> None:
    store = CredentialStore(app_paths, {})
    assert store.keyring_name is not None
    creds = StoredCredentials(
        "https://api.copper.com/developer_api/v1", "ada@example.com", "t0ken!"
    )
    assert store.save(creds, "keyring") == "keyring"
    assert "t0ken!" not in Path(app_paths.credentials_file).read_text()
    assert list(memory_keyring.items.values()) == ["t0ken!"]
    assert CredentialStore(app_paths, load_settings(app_paths)).load() == creds
    # back to the file: the keyring entry is removed, the file holds the token again
    assert store.save(creds, "file") == "file"
    assert memory_keyring.items == {}
    assert CredentialStore(app_paths, load_settings(app_paths)).load() == creds
