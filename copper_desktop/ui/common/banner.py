"""A non-modal error banner with Retry and dismiss: transient failures never block the window."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from copper_desktop.models.actions import Failure
from copper_desktop.ui.common.style import banner_style, follow_palette


class Banner(QFrame):
    """Shows one failure message above a view; hidden until `show_error`.

    Signals:
        retry_requested(): the user pressed Retry (the banner hides itself first).
        dismissed(): the user closed the banner.
    """

    retry_requested = Signal()
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorBanner")
        self.setAccessibleName("Error")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        follow_palette(self, lambda palette: banner_style("errorBanner", palette))
        self._label = QLabel(self)
        self._label.setObjectName("bannerMessage")
        self._label.setAccessibleName("Error message")
        self._label.setWordWrap(True)
        self._retry = QPushButton("Retry", self)
        self._retry.setObjectName("bannerRetry")
        self._retry.setAccessibleName("Retry")
        self._dismiss = QToolButton(self)
        self._dismiss.setText("✕")
        self._dismiss.setObjectName("bannerDismiss")
        self._dismiss.setAccessibleName("Dismiss error")
        self._dismiss.setToolTip("Dismiss")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self._label, 1)
        layout.addWidget(self._retry)
        layout.addWidget(self._dismiss)
        self._retry.clicked.connect(self._on_retry)
        self._dismiss.clicked.connect(self._on_dismiss)
        self.hide()

    @property
    def message(self) -> str:
        return self._label.text()

    def show_error(self, message: str, *, retry: bool = True) -> None:
        """Show `message` (already fit for a user); `retry=False` hides the Retry button."""
        self._label.setText(message)
        self._retry.setVisible(retry)
        self.show()

    def show_failure(self, failure: Failure, *, retry: bool | None = None) -> None:
        """Show a failed action's message; Retry only when trying again may help (unless
        `retry` says otherwise)."""
        self.show_error(failure.message, retry=failure.retryable if retry is None else retry)

    def clear(self) -> None:
        self._label.clear()
        self.hide()

    def _on_retry(self) -> None:
        self.hide()
        self.retry_requested.emit()

    def _on_dismiss(self) -> None:
        self.hide()
        self.dismissed.emit()
