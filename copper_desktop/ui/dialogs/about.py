"""Help ▸ About: the app's version and the versions it runs on (Qt, PySide6, Python), which
is what a bug report needs, selectable and copyable; and a link to the licence."""

from __future__ import annotations

import platform
import sys
from importlib import metadata

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from copper_desktop import __version__
from copper_desktop.ui.common.icons import app_icon

DISTRIBUTION = "copper-desktop"
LICENSE_NAME = "MIT"
LICENSE_URL = "https://opensource.org/license/mit"


def app_version() -> str:
    """The installed distribution's version, else the package's own (a bare checkout)."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return __version__


def versions() -> dict[str, str]:
    """What the About box lists, in its order."""
    return {
        "Copper Desktop": app_version(),
        "Qt": qVersion(),
        "PySide6": PySide6.__version__,
        "Python": f"{platform.python_version()} ({sys.implementation.name})",
        "Platform": f"{platform.system()} {platform.release()} ({QGuiApplication.platformName()})",
    }


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setAccessibleName("About Copper Desktop")
        self.setWindowTitle("About Copper Desktop")
        self.info = versions()
        logo = QLabel(self)
        logo.setObjectName("aboutIcon")
        logo.setAccessibleName("Copper Desktop icon")
        logo.setPixmap(app_icon().pixmap(64, 64))
        title = QLabel("<h2>Copper Desktop</h2>", self)
        title.setObjectName("aboutTitle")
        title.setAccessibleName("Copper Desktop")
        blurb = QLabel(
            "A desktop client for the Copper CRM Developer API: browse, edit and bulk-edit "
            "records, with a Copper-compatible sandbox to try it on.",
            self,
        )
        blurb.setObjectName("aboutBlurb")
        blurb.setAccessibleName("What Copper Desktop is")
        blurb.setWordWrap(True)
        rows = "".join(
            f"<tr><td><b>{name}</b>&nbsp;&nbsp;</td><td>{value}</td></tr>"
            for name, value in self.info.items()
        )
        self.versions_label = QLabel(f"<table>{rows}</table>", self)
        self.versions_label.setObjectName("aboutVersions")
        self.versions_label.setAccessibleName("Versions")
        self.versions_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.license_label = QLabel(
            f'Released under the <a href="{LICENSE_URL}">{LICENSE_NAME} licence</a>. '
            "Icons: Lucide (ISC licence).",
            self,
        )
        self.license_label.setObjectName("aboutLicense")
        self.license_label.setAccessibleName("Licence")
        self.license_label.setOpenExternalLinks(True)
        self.license_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        buttons = QDialogButtonBox(self)
        buttons.setObjectName("aboutButtons")
        self.copy_button = buttons.addButton(
            "&Copy versions", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.copy_button.setObjectName("aboutCopy")
        self.copy_button.setAccessibleName("Copy versions")
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("aboutClose")
        close.setAccessibleName("Close")
        self.copy_button.clicked.connect(self.copy_versions)
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(logo, 0, Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        for widget in (title, blurb, self.versions_label, self.license_label):
            text.addWidget(widget)
        top.addLayout(text, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(buttons)

    def text(self) -> str:
        return "\n".join(f"{name}: {value}" for name, value in self.info.items())

    def copy_versions(self) -> None:
        QGuiApplication.clipboard().setText(self.text())
