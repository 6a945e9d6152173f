"""The status bar: requests in flight, rate-limit headroom, retry waits and the last error.

It renders a `ClientStatusModel` (models/client_status.py), which follows the client; the
last error is whatever a window reports with `show_error`.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from copper_desktop.models.client_status import ClientStatusModel


class ClientStatusBar(QStatusBar):
    """Shows the client's state; `close_source()` stops the model (the window calls it on
    quit)."""

    def __init__(self, model: ClientStatusModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self.setAccessibleName("Status")
        self.model = model
        if model.parent() is None:
            model.setParent(self)
        self.in_flight_label = self._label("statusInFlight", "Requests in flight")
        self.headroom_label = self._label("statusHeadroom", "Rate limit headroom")
        self.retry_label = self._label("statusRetry", "Retry wait")
        self.error_label = self._label("statusLastError", "Last error")
        self.addWidget(self.error_label, 1)
        self.addPermanentWidget(self.retry_label)
        self.addPermanentWidget(self.in_flight_label)
        self.addPermanentWidget(self.headroom_label)
        model.changed.connect(self._render)
        self._render()

    def _label(self, name: str, accessible: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setAccessibleName(accessible)
        return label

    def _render(self) -> None:
        self.in_flight_label.setText(self.model.in_flight_text)
        self.in_flight_label.setToolTip(self.model.in_flight_tip)
        self.headroom_label.setText(self.model.headroom_text)
        self.retry_label.setText(self.model.retry_text)

    def show_error(self, message: str) -> None:
        """The last error, kept until the next one (a tooltip holds the full text)."""
        first_line = message.splitlines()[0] if message else ""
        self.error_label.setText(f"Last error: {first_line}" if first_line else "")
        self.error_label.setToolTip(message)

    def close_source(self) -> None:
        """Stop listening and polling: the client may be closed after this."""
        self.model.close()
