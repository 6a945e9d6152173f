"""Creating a webhook subscription: target, entity type, event and an optional secret.

Copper only delivers to https targets (copper-behaviour.md §12); the embedded sandbox also accepts
plain http to loopback so that a local receiver can be tried, and the dialog allows that only
when told it talks to the sandbox. Types and events come from the catalog. Problems are shown
next to their field and nothing is sent while any remains; a 422 from Copper is shown inline.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from copper_desktop.addresses import is_loopback_host
from copper_desktop.api import ValidationError
from copper_desktop.domain.catalog import WEBHOOK_EVENTS, entity
from copper_desktop.domain.validation import validate_record
from copper_desktop.models.actions import ActionRunner, Failure
from copper_desktop.models.webhook_subscriptions import WebhookSubscriptions
from copper_desktop.ui.common.inline_error import error_label, show_error
from copper_desktop.ui.common.naming import name_popup

Json = dict[str, Any]

TYPE_LABELS = {
    "lead": "Lead",
    "person": "Person",
    "company": "Company",
    "opportunity": "Opportunity",
    "project": "Project",
    "task": "Task",
    "activity_log": "Activity",
}
EVENT_LABELS = {"new": "New", "update": "Update", "delete": "Delete"}


def target_message(target: str, *, allow_loopback_http: bool = False) -> str | None:
    """Why ``target`` cannot be a webhook target, or None.

    Copper's rule (https only) comes from ``domain.validation``; a host is required too, and
    plain http to loopback passes only when ``allow_loopback_http`` (the sandbox).
    """
    target = target.strip()
    if not target:
        return "Target URL is required."
    try:
        parts = urlsplit(target)
        host = parts.hostname
    except ValueError:
        return "This is not a valid URL."
    if allow_loopback_http and parts.scheme.lower() == "http" and host and is_loopback_host(host):
        return None
    message = validate_record(entity("webhooks"), {"target": target}).get("target")
    if message:
        if allow_loopback_http:
            message += " (The sandbox also accepts http://localhost.)"
        return message
    if not host or any(c.isspace() for c in target):
        return "This is not a valid URL: it needs a host name, e.g. https://example.com/hook."
    return None


class WebhookDialog(QDialog):
    """Asks for a new subscription and creates it through the page's
    `WebhookSubscriptions` (``create``).

    Signals:
        created(dict): the subscription Copper created (the dialog then accepts).
    """

    created = Signal(dict)

    def __init__(
        self,
        subscriptions: WebhookSubscriptions,
        parent: QWidget | None = None,
        *,
        allow_loopback_http: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("webhookDialog")
        self.setAccessibleName("New webhook")
        self.setWindowTitle("New webhook")
        self.subscriptions = subscriptions
        self.allow_loopback_http = allow_loopback_http
        self.runner = ActionRunner(self)
        spec = entity("webhooks")

        self.target_edit = QLineEdit(self)
        self.target_edit.setObjectName("webhookTarget")
        self.target_edit.setAccessibleName(spec.field("target").label)
        self.target_edit.setPlaceholderText("https://example.com/copper-hook")
        self.target_error = error_label("webhookTargetError", "Target URL error", self)

        self.type_combo = QComboBox(self)
        self.type_combo.setObjectName("webhookType")
        self.type_combo.setAccessibleName(spec.field("type").label)
        for choice in spec.field("type").choices:
            self.type_combo.addItem(TYPE_LABELS.get(str(choice.value), choice.label), choice.value)
        name_popup(self.type_combo)

        self.event_combo = QComboBox(self)
        self.event_combo.setObjectName("webhookEvent")
        self.event_combo.setAccessibleName(spec.field("event").label)
        for value in WEBHOOK_EVENTS:
            self.event_combo.addItem(EVENT_LABELS.get(value, value), value)
        name_popup(self.event_combo)

        self.secret_key_edit = QLineEdit(self)
        self.secret_key_edit.setObjectName("webhookSecretKey")
        self.secret_key_edit.setAccessibleName("Secret name")
        self.secret_key_edit.setPlaceholderText("optional, e.g. secret")
        self.secret_value_edit = QLineEdit(self)
        self.secret_value_edit.setObjectName("webhookSecretValue")
        self.secret_value_edit.setAccessibleName("Secret value")
        self.secret_value_edit.setPlaceholderText("sent with every notification")
        self.secret_error = error_label("webhookSecretError", "Secret error", self)
        secret_row = QHBoxLayout()
        secret_row.addWidget(self.secret_key_edit)
        secret_row.addWidget(self.secret_value_edit, 1)

        self.error_label = error_label("webhookError", "Webhook error", self)
        self.create_button = QPushButton("Create", self)
        self.create_button.setObjectName("webhookCreate")
        self.create_button.setAccessibleName("Create the webhook")
        self.create_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("webhookCancel")
        self.cancel_button.setAccessibleName("Cancel")

        form = QFormLayout()
        form.addRow("Target URL", self.target_edit)
        form.addRow("", self.target_error)
        form.addRow("Entity type", self.type_combo)
        form.addRow("Event", self.event_combo)
        form.addRow("Secret", secret_row)
        form.addRow("", self.secret_error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.create_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
        self.resize(520, self.sizeHint().height())

        self.create_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        self.target_edit.textEdited.connect(lambda _: self.target_error.hide())
        self.secret_key_edit.textEdited.connect(lambda _: self.secret_error.hide())
        self.secret_value_edit.textEdited.connect(lambda _: self.secret_error.hide())

    # ------------------------------------------------------------------ values
    def body(self) -> Json:
        """The POST /webhooks body the fields describe (not validated)."""
        body: Json = {
            "target": self.target_edit.text().strip(),
            "type": self.type_combo.currentData(),
            "event": self.event_combo.currentData(),
        }
        key = self.secret_key_edit.text().strip()
        value = self.secret_value_edit.text()
        if key or value:
            body["secret"] = {key: value}
        return body

    def problems(self) -> dict[str, str]:
        """Field ("target", "secret", "type", "event") → message; empty when sendable."""
        found: dict[str, str] = {}
        body = self.body()
        message = target_message(body["target"], allow_loopback_http=self.allow_loopback_http)
        if message:
            found["target"] = message
        key = self.secret_key_edit.text().strip()
        value = self.secret_value_edit.text()
        if value and not key:
            found["secret"] = "Give the secret a name (its key in every notification)."
        elif key and not value:
            found["secret"] = f"Give “{key}” a value, or clear the secret name."
        checks = validate_record(entity("webhooks"), body, creating=True)
        for key_ in ("type", "event"):
            if key_ in checks:
                found[key_] = checks[key_]
        return found

    @property
    def busy(self) -> bool:
        return self.runner.running("create")

    # ------------------------------------------------------------------ sending
    def submit(self) -> None:
        """Validate; show problems inline, or create the subscription on the qasync loop."""
        if self.busy:
            return
        self.error_label.hide()
        problems = self.problems()
        show_error(self.target_error, problems.pop("target", None))
        show_error(self.secret_error, problems.pop("secret", None))
        if problems:
            show_error(self.error_label, " ".join(problems.values()))
        if self.target_error.isVisible() or self.secret_error.isVisible() or problems:
            if self.target_error.isVisible():
                self.target_edit.setFocus()
            return
        self.runner.run(
            self.subscriptions.create(self.body()),
            key="create",
            success=self._created,
            failure=self._create_failed,
            done=lambda: self._set_busy(False),
            what="The webhook was not created",
        )
        self._set_busy(True)

    def _set_busy(self, busy: bool) -> None:
        for widget in (
            self.create_button,
            self.target_edit,
            self.type_combo,
            self.event_combo,
            self.secret_key_edit,
            self.secret_value_edit,
        ):
            widget.setEnabled(not busy)
        self.create_button.setText("Creating…" if busy else "Create")

    def _created(self, hook: Json) -> None:
        self.created.emit(hook)
        self.accept()

    def _create_failed(self, failure: Failure) -> None:
        error = failure.error
        if isinstance(error, ValidationError):  # Copper's 422: shown by the field it names
            label = self.target_error if error.field == "target" else self.error_label
            show_error(label, failure.reason)
        else:
            show_error(self.error_label, failure.message)

    # ------------------------------------------------------------------ shutdown
    def done(self, result: int) -> None:
        """Closing cancels a create still waiting (the client checks a lost create's outcome
        before any retry, so a cancelled one is not sent twice); accepting is the create's
        own success, so it is not cancelled then."""
        if result != QDialog.DialogCode.Accepted:
            self.runner.cancel("create")
        super().done(result)

    async def aclose(self) -> None:
        await self.runner.aclose()
