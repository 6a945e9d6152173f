"""CSV import and export: the export dialog, the import wizard, ``install_transfer_ui``."""

from copper_desktop.ui.transfer.transfer_ui import TransferUi, install_transfer_ui

__all__ = ["TransferUi", "install_transfer_ui"]
