"""The webhooks page: the account's webhook subscriptions, read-only for now."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from copper_desktop.api import CopperError
from copper_desktop.domain.formats import format_datetime
from copper_desktop.models.async_support import TaskKeeper
from copper_desktop.ui.banner import Banner

HEADERS = ("ID", "Type", "Event", "Target", "Created")


def _cells(hook: dict[str, Any]) -> tuple[str, ...]:
    created = hook.get("created_at")
    return (
        str(hook.get("id", "")),
        str(hook.get("type", "")),
        str(hook.get("event", "")),
        str(hook.get("target", "")),
        format_datetime(int(created)) if isinstance(created, int | float) else "",
    )


class WebhooksPage(QWidget):
    """Lists `list_webhooks()` in a table with Refresh; failures go to the banner.

    Signals:
        loaded(int): the list arrived with this many subscriptions.
        error_occurred(str): loading failed.
    """

    loaded = Signal(int)
    error_occurred = Signal(str)

    def __init__(
        self,
        list_webhooks: Callable[[], Awaitable[list[dict[str, Any]]]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("webhooksPage")
        self.setAccessibleName("Webhooks")
        self._list = list_webhooks
        self._tasks = TaskKeeper()
        self._task: asyncio.Task[None] | None = None
        self.banner = Banner(self)
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setObjectName("webhooksTable")
        self.table.setAccessibleName("Webhook subscriptions")
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setCornerButtonEnabled(False)
        for button in self.table.findChildren(QAbstractButton):  # the corner button
            button.setAccessibleName("Select all")
        for header, name in (
            (self.table.horizontalHeader(), "webhooksHeader"),
            (self.table.verticalHeader(), "webhooksRowHeader"),
        ):
            header.setObjectName(name)
            header.setAccessibleName("Columns" if name == "webhooksHeader" else "Rows")
        self.table.horizontalHeader().setStretchLastSection(False)
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.setObjectName("webhooksRefresh")
        self.refresh_button.setAccessibleName("Refresh webhooks")
        self.status = QLabel(self)
        self.status.setObjectName("webhooksStatus")
        self.status.setAccessibleName("Webhooks status")
        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self.refresh_button.clicked.connect(self.refresh)
        self.banner.retry_requested.connect(self.refresh)

    @property
    def loading(self) -> bool:
        return self._task is not None and not self._task.done()

    def refresh(self) -> None:
        """Load the list again (a load already running is replaced)."""
        if self._task is not None:
            self._task.cancel()
        self._task = self._tasks.spawn(self.reload(), name="WebhooksPage.reload")

    async def reload(self) -> None:
        self.status.setText("Loading…")
        self.refresh_button.setEnabled(False)
        try:
            hooks = await self._list()
        except CopperError as exc:
            self.status.setText("")
            self.banner.show_error(f"Could not load webhooks: {exc}")
            self.error_occurred.emit(str(exc))
            return
        finally:
            self.refresh_button.setEnabled(True)
        self.banner.clear()
        self.show_hooks(hooks)

    def show_hooks(self, hooks: list[dict[str, Any]]) -> None:
        self.table.setRowCount(len(hooks))
        for row, hook in enumerate(hooks):
            for column, text in enumerate(_cells(hook)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.status.setText(f"{len(hooks)} subscription{'s' if len(hooks) != 1 else ''}")
        self.loaded.emit(len(hooks))

    async def aclose(self) -> None:
        await self._tasks.aclose()
