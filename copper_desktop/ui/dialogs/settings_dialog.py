"""The settings dialog: where the Copper connection is entered, checked and saved.

Input is checked inline before anything is sent or saved; Test connection runs an injected
`ConnectionTester` (models/connection_check.py) through the run helper, so the dialog knows
nothing of the client and the UI never blocks.
The dialog also lets the user choose where the token lives (the private credentials file, or the
system keyring when one is usable) and always says which; the app does the storing.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from PySide6.QtCore import Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from copper_desktop.addresses import is_loopback_host
from copper_desktop.config import StoredCredentials
from copper_desktop.credentials import TokenStorage
from copper_desktop.domain.validation import is_valid_email
from copper_desktop.models.actions import EXPECTED, ActionRunner, Failure
from copper_desktop.models.connection_check import ConnectionTester as ConnectionTester
from copper_desktop.models.connection_check import connection_tester as connection_tester
from copper_desktop.ui.common.inline_error import error_label, show_error
from copper_desktop.ui.common.notifier import register_secret

TEST_FAILURES: tuple[type[BaseException], ...] = (*EXPECTED, ValueError)
"""What a connection test shows as "Failed: …": the client's errors, and the ValueError the
client lets out for input it cannot send (a non-ASCII email in a header)."""


def token_location_text(storage: TokenStorage, token_file: Path, keyring_name: str | None) -> str:
    """Says in plain words where the token will be kept."""
    if storage == "keyring" and keyring_name:
        return f"The API token is kept in the system keyring ({keyring_name})."
    text = f"The API token is kept in {token_file}, a file only your user account can read."
    if keyring_name is None:
        text += " No system keyring is available on this computer, so the file is used."
    return text


def validate_credentials(creds: StoredCredentials) -> dict[str, str]:
    """Per-field messages; empty when the credentials may be saved or tried."""
    errors: dict[str, str] = {}
    try:
        url = urlsplit(creds.base_url.strip())
        scheme, host = url.scheme, url.hostname
    except ValueError:  # e.g. an unclosed "[" in the host
        scheme, host = "", None
    if scheme not in ("http", "https") or not host:
        errors["base_url"] = "Enter a URL such as https://api.copper.com/developer_api/v1."
    elif scheme == "http" and not is_loopback_host(host):
        errors["base_url"] = (
            "Use https: plain http is only allowed for this computer (localhost, 127.0.0.1 or ::1)."
        )
    if not creds.email.strip():
        errors["email"] = "Enter the email of the API key's owner."
    elif not is_valid_email(creds.email):
        errors["email"] = "This is not a valid email address."
    if not creds.token.strip():
        errors["token"] = "Enter the API key (Copper: Settings → Integrations → API Keys)."
    return errors


class SettingsDialog(QDialog):
    """``notice`` (optional) is shown at the top: why the dialog opened (saved settings that
    could not be used), or problems found with the app's files.

    Signals:
    saved(StoredCredentials): the user saved valid credentials.
    sandbox_requested(): the user chose to try the embedded sandbox instead.
    """

    saved = Signal(object)
    sandbox_requested = Signal()

    def __init__(
        self,
        creds: StoredCredentials,
        tester: ConnectionTester,
        *,
        token_file: Path,
        keyring_name: str | None = None,
        storage: TokenStorage = "file",
        first_run: bool = False,
        notice: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Copper connection")
        self._tester = tester
        self.runner = ActionRunner(self)
        """Runs the connection test (one at a time); it ends with the dialog."""

        self.base_url = self._line_edit("baseUrlEdit", "Base URL", creds.base_url)
        self.email = self._line_edit("emailEdit", "User email", creds.email)
        self.token = self._line_edit("tokenEdit", "API token", creds.token)
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.show_token = QCheckBox("Show")
        self.show_token.setObjectName("showTokenCheck")
        self.show_token.setAccessibleName("Show API token")
        self.show_token.toggled.connect(self._toggle_token)
        self.errors = {
            key: error_label(f"{key}Error", f"{key.replace('_', ' ')} error")
            for key in ("base_url", "email", "token")
        }
        self.notice = error_label("settingsNotice", "Why the settings are shown", self)
        show_error(self.notice, notice)
        self._token_file = token_file
        self._keyring_name = keyring_name
        self.storage = QComboBox()
        self.storage.setObjectName("tokenStorageCombo")
        self.storage.setAccessibleName("Where to keep the API token")
        self.storage.addItem("Private credentials file", "file")
        self.storage.addItem(
            f"System keyring ({keyring_name})" if keyring_name else "System keyring (unavailable)",
            "keyring",
        )
        model = self.storage.model()
        if keyring_name is None:
            if isinstance(model, QStandardItemModel):  # a QComboBox's own model: grey it out
                item = model.item(1)
                if item is not None:
                    item.setEnabled(False)
            storage = "file"
        self.storage.setCurrentIndex(1 if storage == "keyring" else 0)
        self.storage.currentIndexChanged.connect(self._update_location)
        self.token_location = QLabel("")
        self.token_location.setObjectName("tokenLocationLabel")
        self.token_location.setAccessibleName("Where the token is stored")
        self.token_location.setWordWrap(True)
        self._update_location()

        token_row = QHBoxLayout()
        token_row.addWidget(self.token, 1)
        token_row.addWidget(self.show_token)
        form = QFormLayout()
        form.addRow("Base URL", self.base_url)
        form.addRow("", self.errors["base_url"])
        form.addRow("User email", self.email)
        form.addRow("", self.errors["email"])
        form.addRow("API token", token_row)
        form.addRow("", self.errors["token"])
        form.addRow("Keep token in", self.storage)
        form.addRow("", self.token_location)

        self.test_button = QPushButton("Test connection")
        self.test_button.setObjectName("testConnectionButton")
        self.test_button.setAccessibleName("Test connection")
        self.test_button.clicked.connect(self._start_test)
        self.test_result = QLabel("")
        self.test_result.setObjectName("testResultLabel")
        self.test_result.setAccessibleName("Connection test result")
        self.test_result.setWordWrap(True)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.setObjectName("settingsButtons")
        self.buttons.setAccessibleName("Save or cancel")
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        self.sandbox_button = QPushButton("Try the embedded sandbox")
        self.sandbox_button.setObjectName("trySandboxButton")
        self.sandbox_button.setAccessibleName("Try the embedded sandbox")
        self.sandbox_button.setVisible(first_run)
        self.sandbox_button.clicked.connect(self._choose_sandbox)

        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        if first_run:
            intro = QLabel(
                "Connect Copper Desktop to your Copper account, or try it first on the "
                "embedded sandbox with demo data."
            )
            intro.setObjectName("firstRunIntro")
            intro.setWordWrap(True)
            layout.addWidget(intro)
        layout.addLayout(form)
        layout.addLayout(test_row)
        bottom = QHBoxLayout()
        bottom.addWidget(self.sandbox_button)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)

    def _line_edit(self, name: str, label: str, text: str) -> QLineEdit:
        edit = QLineEdit(text)
        edit.setObjectName(name)
        edit.setAccessibleName(label)
        edit.textEdited.connect(self._clear_result)
        return edit

    def credentials(self) -> StoredCredentials:
        return StoredCredentials(
            base_url=self.base_url.text().strip().rstrip("/"),
            email=self.email.text().strip(),
            token=self.token.text().strip(),
        )

    def token_storage(self) -> TokenStorage:
        return "keyring" if self.storage.currentData() == "keyring" else "file"

    def _update_location(self) -> None:
        self.token_location.setText(
            token_location_text(self.token_storage(), self._token_file, self._keyring_name)
        )

    def _toggle_token(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.token.setEchoMode(mode)

    def _clear_result(self) -> None:
        self.test_result.clear()

    def check(self) -> bool:
        """Shows what is wrong with the entered values next to each field; True when none."""
        errors = validate_credentials(self.credentials())
        for key, label in self.errors.items():
            show_error(label, errors.get(key))
        return not errors

    def _save(self) -> None:
        if self.check():
            self.saved.emit(self.credentials())
            self.accept()

    def _choose_sandbox(self) -> None:
        self.sandbox_requested.emit()
        self.accept()

    def _start_test(self) -> None:
        if not self.check():
            return
        creds = self.credentials()
        register_secret(creds.token)  # masked in any log line or crash report from now on
        self.test_button.setEnabled(False)
        self.test_result.setText("Connecting…")
        self.runner.run(
            self._tester(creds),
            key="test",  # a new test replaces one still under way
            success=self._connected,
            failure=self._not_connected,
            done=lambda: self.test_button.setEnabled(True),
            expected=TEST_FAILURES,
            name="connection test",
        )

    def testing(self) -> bool:
        """Whether a connection test is under way."""
        return self.runner.running("test")

    def _connected(self, line: str) -> None:
        self.test_result.setText(f"Connected: {line}")

    def _not_connected(self, failure: Failure) -> None:
        self.test_result.setText(f"Failed: {failure.reason}")

    def done(self, result: int) -> None:
        """Closing the dialog abandons a connection test still under way."""
        self.runner.cancel("test")
        super().done(result)
