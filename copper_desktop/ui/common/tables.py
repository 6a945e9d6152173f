"""Read-only lists of records shown as a table (the deletion journal, the webhooks page): one
set-up, so each is named for tests and screen readers the same way, and one way to read which
single row is selected; and one view of a preview's model (the bulk edit's, a grid save's, an
import's)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QHeaderView,
    QTableView,
    QTableWidget,
    QWidget,
)


def record_table(
    prefix: str,
    accessible: str,
    headers: Sequence[str],
    parent: QWidget | None = None,
    *,
    single: bool = False,
) -> QTableWidget:
    """An empty, read-only table selecting whole rows, named ``{prefix}Table`` (its headers
    ``{prefix}Header`` and ``{prefix}RowHeader``, its corner button ``{prefix}Corner``);
    no row numbers. ``single`` allows one selected row at a time."""
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(f"{prefix}Table")
    table.setAccessibleName(accessible)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    if single:
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.setCornerButtonEnabled(False)
    for button in table.findChildren(QAbstractButton):  # the corner button
        button.setObjectName(f"{prefix}Corner")
        button.setAccessibleName("Select all")
    for header, suffix, name in (
        (table.horizontalHeader(), "Header", "Columns"),
        (table.verticalHeader(), "RowHeader", "Rows"),
    ):
        header.setObjectName(f"{prefix}{suffix}")
        header.setAccessibleName(name)
    return table


def preview_table(
    model: QAbstractItemModel,
    name: str,
    accessible: str,
    widths: Sequence[int],
    parent: QWidget | None = None,
) -> QTableView:
    """A read-only view of ``model``, named ``name``: whole rows selected, no row numbers, no
    wrapping, the first columns ``widths`` wide (movable by hand) and the last stretched."""
    table = QTableView(parent)
    table.setObjectName(name)
    table.setAccessibleName(accessible)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    for column, width in enumerate(widths):
        table.setColumnWidth(column, width)
    return table


def selected_row(table: QTableWidget) -> int:
    """The row selected when exactly one is, else -1."""
    rows = {index.row() for index in table.selectionModel().selectedRows()}
    return rows.pop() if len(rows) == 1 else -1
