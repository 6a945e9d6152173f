"""Read-only lists of records shown as a table (the deletion journal, the webhooks page): one
set-up, so each is named for tests and screen readers the same way, and one way to read which
single row is selected."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QTableWidget, QWidget


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


def selected_row(table: QTableWidget) -> int:
    """The row selected when exactly one is, else -1."""
    rows = {index.row() for index in table.selectionModel().selectedRows()}
    return rows.pop() if len(rows) == 1 else -1
