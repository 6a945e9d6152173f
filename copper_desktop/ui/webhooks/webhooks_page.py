"""The webhooks page: the account's webhook subscriptions, with create and delete.

Create opens :class:`WebhookDialog`; Delete asks first, naming the target and the event. Both
refresh the list afterwards. The requests go through `WebhookSubscriptions` (models/); without
a client (the read-only form) the two buttons are hidden.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from copper_desktop.domain.formats import format_datetime
from copper_desktop.models.actions import ActionRunner, Failure
from copper_desktop.models.webhook_subscriptions import (
    ListWebhooks,
    WebhookClient,
    WebhookSubscriptions,
)
from copper_desktop.ui.common.banner import Banner
from copper_desktop.ui.common.tables import record_table, selected_row
from copper_desktop.ui.webhooks.webhook_dialog import EVENT_LABELS, TYPE_LABELS, WebhookDialog

HEADERS = ("ID", "Type", "Event", "Target", "Created")
HookRole = Qt.ItemDataRole.UserRole
"""Item data of a row's first cell: the subscription."""


def _cells(hook: dict[str, Any]) -> tuple[str, ...]:
    created = hook.get("created_at")
    return (
        str(hook.get("id", "")),
        str(hook.get("type", "")),
        str(hook.get("event", "")),
        str(hook.get("target", "")),
        format_datetime(created) if isinstance(created, int | float) else "",
    )


class WebhooksPage(QWidget):
    """Lists the subscriptions in a table with Refresh, New and Delete; failures go to the
    banner.

    `source` is a `WebhookSubscriptions`, or a ``list_webhooks`` call (then ``client``, if
    given, makes the one with create and delete); New and Delete show only when it can change
    them; ``allow_loopback_http`` lets the new-webhook dialog
    accept http://localhost targets (only the embedded sandbox delivers to those).

    Signals:
        loaded(int): the list arrived with this many subscriptions.
        error_occurred(str): loading or deleting failed.
        created(dict): a subscription was created here.
        deleted(int): the subscription with this id was deleted here.
    """

    loaded = Signal(int)
    error_occurred = Signal(str)
    created = Signal(dict)
    deleted = Signal(object)  # a Python int: Qt's int is 32 bits

    def __init__(
        self,
        source: ListWebhooks | WebhookSubscriptions,
        parent: QWidget | None = None,
        *,
        client: WebhookClient | None = None,
        allow_loopback_http: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("webhooksPage")
        self.setAccessibleName("Webhooks")
        self.subscriptions = (
            source
            if isinstance(source, WebhookSubscriptions)
            else WebhookSubscriptions(source, client)
        )
        """The requests (list, create, delete): the page never calls the client itself."""
        self.allow_loopback_http = allow_loopback_http
        self.runner = ActionRunner(self)
        self.runner.failed.connect(self._failed)
        self.hooks: list[dict[str, Any]] = []
        self.dialog: WebhookDialog | None = None
        self.confirm: QMessageBox | None = None
        self.banner = Banner(self)
        self.table = record_table("webhooks", "Webhook subscriptions", HEADERS, self)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.setObjectName("webhooksRefresh")
        self.refresh_button.setAccessibleName("Refresh webhooks")
        self.new_button = QPushButton("New webhook…", self)
        self.new_button.setObjectName("webhookNew")
        self.new_button.setAccessibleName("New webhook")
        self.delete_button = QPushButton("Delete", self)
        self.delete_button.setObjectName("webhookDelete")
        self.delete_button.setAccessibleName("Delete the selected webhook")
        self.new_button.setVisible(self.subscriptions.can_change)
        self.delete_button.setVisible(self.subscriptions.can_change)
        self.status = QLabel(self)
        self.status.setObjectName("webhooksStatus")
        self.status.setAccessibleName("Webhooks status")
        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addWidget(self.new_button)
        top.addWidget(self.delete_button)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self.refresh_button.clicked.connect(self.refresh)
        self.banner.retry_requested.connect(self.refresh)
        self.new_button.clicked.connect(self.open_new_dialog)
        self.delete_button.clicked.connect(self.confirm_delete)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self._update_buttons()

    @property
    def loading(self) -> bool:
        return self.runner.running("load")

    def refresh(self) -> None:
        """Load the list again (a load already running is replaced)."""
        self.status.setText("Loading…")
        self.refresh_button.setEnabled(False)
        self.runner.run(
            self.subscriptions.load(),
            key="load",
            success=self._loaded,
            done=lambda: self.refresh_button.setEnabled(True),
            what="Could not load webhooks",
        )

    def _loaded(self, hooks: list[dict[str, Any]]) -> None:
        self.banner.clear()
        self.show_hooks(hooks)

    def _failed(self, failure: Failure) -> None:
        """Every failed action of the page: the banner (Retry reloads) and the signal."""
        self.status.setText("")
        self.banner.show_error(failure.message)
        self.error_occurred.emit(failure.message)

    def show_hooks(self, hooks: list[dict[str, Any]]) -> None:
        selected = self.selected_hook()
        self.hooks = [h for h in hooks if isinstance(h, dict)]
        self.table.setRowCount(len(self.hooks))
        for row, hook in enumerate(self.hooks):
            for column, text in enumerate(_cells(hook)):
                item = QTableWidgetItem(text)
                if column == 0:
                    item.setData(HookRole, hook)
                self.table.setItem(row, column, item)
            if selected is not None and hook.get("id") == selected.get("id"):
                self.table.selectRow(row)
        self.table.resizeColumnsToContents()
        count = len(self.hooks)
        self.status.setText(f"{count} subscription{'s' if count != 1 else ''}")
        self._update_buttons()
        self.loaded.emit(count)

    def row_of(self, webhook_id: int) -> int:
        return next((i for i, h in enumerate(self.hooks) if h.get("id") == webhook_id), -1)

    def selected_hook(self) -> dict[str, Any] | None:
        row = selected_row(self.table)
        return self.hooks[row] if 0 <= row < len(self.hooks) else None

    @property
    def deleting(self) -> bool:
        return self.runner.running("delete")

    def _update_buttons(self) -> None:
        self.delete_button.setEnabled(
            self.subscriptions.can_change and not self.deleting and self.selected_hook() is not None
        )

    # ------------------------------------------------------------------ create
    def open_new_dialog(self) -> WebhookDialog | None:
        """Show the new-webhook dialog (window-modal, not blocking); refresh once created."""
        if not self.subscriptions.can_change:
            return None
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            return self.dialog
        dialog = WebhookDialog(
            self.subscriptions, self, allow_loopback_http=self.allow_loopback_http
        )
        dialog.created.connect(self._on_created)
        dialog.finished.connect(lambda _: self._forget_dialog(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _forget_dialog(self, dialog: WebhookDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _on_created(self, hook: dict[str, Any]) -> None:
        self.created.emit(hook)
        self.refresh()

    # ------------------------------------------------------------------ delete
    def confirm_delete(self) -> QMessageBox | None:
        """Ask (naming the target and the event) before deleting the selected subscription."""
        hook = self.selected_hook()
        if hook is None or not self.subscriptions.can_change or self.deleting:
            return None
        kind = TYPE_LABELS.get(str(hook.get("type")), str(hook.get("type")))
        event = EVENT_LABELS.get(str(hook.get("event")), str(hook.get("event")))
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Delete webhook",
            f"Delete the webhook that sends “{event}” {kind.lower()} events to "
            f"{hook.get('target')}?\n\nCopper stops notifying that address at once.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("webhookDeleteConfirm")
        box.setAccessibleName("Confirm webhook deletion")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        for which, name, accessible in (
            (QMessageBox.StandardButton.Yes, "webhookDeleteYes", "Delete the webhook"),
            (QMessageBox.StandardButton.Cancel, "webhookDeleteCancel", "Keep the webhook"),
        ):
            button = box.button(which)
            button.setObjectName(name)
            button.setAccessibleName(accessible)
        box.button(QMessageBox.StandardButton.Yes).setText("Delete")
        box.finished.connect(lambda _: self._confirmed(box, hook))
        self.confirm = box
        box.open()
        return box

    def _confirmed(self, box: QMessageBox, hook: dict[str, Any]) -> None:
        if self.confirm is box:
            self.confirm = None
        yes = box.clickedButton() is box.button(QMessageBox.StandardButton.Yes)
        box.deleteLater()
        if not yes or not self.subscriptions.can_change:
            return
        self.status.setText(f"Deleting the webhook to {hook.get('target')}…")
        self.runner.run(
            self.subscriptions.delete(int(hook["id"])),
            key="delete",
            success=lambda _answer: self._on_deleted(hook),
            done=self._update_buttons,
            what="Could not delete the webhook",
        )
        self._update_buttons()

    def _on_deleted(self, hook: dict[str, Any]) -> None:
        self.deleted.emit(hook["id"])
        self.refresh()

    async def aclose(self) -> None:
        if self.dialog is not None:
            await self.dialog.aclose()
        await self.runner.aclose()
