"""Bulk edit: the dialog (changes → preview → job) and its change rows."""

from copper_desktop.ui.bulk.dialog import (
    BULK_ENTITIES,
    SHORTCUT,
    BulkEditDialog,
    apply_text,
    open_bulk_edit,
)

__all__ = ["BULK_ENTITIES", "SHORTCUT", "BulkEditDialog", "apply_text", "open_bulk_edit"]
