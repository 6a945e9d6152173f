"""Asking the user something without a nested event loop.

`dialog.exec()` inside a coroutine would spin a second Qt loop under qasync's; instead the
dialog is opened window-modal with `open()` and the coroutine awaits its `finished` signal.
"""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QAbstractButton, QDialog, QMessageBox, QWidget


async def result_of(dialog: QDialog) -> int:
    """Open `dialog` (window-modal) and wait until it is closed; its result code."""
    future: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def finished(code: int) -> None:
        if not future.done():
            future.set_result(code)

    dialog.finished.connect(finished)
    dialog.open()
    try:
        return await future
    finally:
        dialog.finished.disconnect(finished)
        if dialog.isVisible():  # the awaiting task was cancelled
            dialog.reject()


def message_box(
    parent: QWidget,
    name: str,
    title: str,
    text: str,
    buttons: list[tuple[str, str, QMessageBox.ButtonRole]],
    *,
    icon: QMessageBox.Icon = QMessageBox.Icon.Question,
    informative: str = "",
) -> QMessageBox:
    """A message box whose buttons carry stable objectNames: (objectName, text, role) each;
    the first button is the default."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName(name)
    box.setAccessibleName(title)
    if informative:
        box.setInformativeText(informative)
    for index, (object_name, label, role) in enumerate(buttons):
        button = box.addButton(label, role)
        button.setObjectName(object_name)
        button.setAccessibleName(label.replace("&", ""))
        if index == 0:
            box.setDefaultButton(button)
    return box


async def choose(box: QMessageBox) -> str | None:
    """Open `box` and wait: the objectName of the button pressed (None if closed otherwise)."""
    try:
        await result_of(box)
        clicked: QAbstractButton | None = box.clickedButton()
        return clicked.objectName() if clicked is not None else None
    finally:
        box.deleteLater()
