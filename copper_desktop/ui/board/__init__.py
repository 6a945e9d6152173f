"""The pipeline board (``install_board_ui``): a navigation page, made when first shown, and
View ▸ Pipeline board.

Only this module is imported at start-up; the board's widgets and model are imported when the
page is first made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from copper_desktop.ui.main_window import MainWindow

PAGE_KEY = "board"
SHORTCUT = "Ctrl+Shift+B"


def install_board_ui(window: MainWindow) -> None:
    """Add the board to the window: a navigation entry and View ▸ Pipeline board."""

    def make() -> QWidget:
        from copper_desktop.ui.board.board_page import BoardPage

        return BoardPage(
            window.session.client,
            window.lookups,
            window.open_record,
            parent=window.stack,
            settings=window.session.settings,
        )

    window.add_page(PAGE_KEY, "Pipeline board", make)
    action = QAction("Pipeline &board", window)
    action.setObjectName("actionPipelineBoard")
    action.setShortcut(QKeySequence(SHORTCUT))
    action.triggered.connect(lambda: window.show_page(PAGE_KEY))
    window.addAction(action)
    window.menu("view").addAction(action)
