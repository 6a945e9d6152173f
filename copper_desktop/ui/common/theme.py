"""Light and dark: the app follows the system's colour scheme, or the user's View ▸ Theme.

``apply_theme(app, mode)`` with ``mode`` one of ``THEMES`` ("system", "light", "dark"):

1. the wish goes to the platform first (``QStyleHints.setColorScheme``, Qt ≥ 6.8), which on
   Windows, macOS and desktops with a settings portal switches the native palette;
2. if the platform's palette still is not the wanted one (no such support, or the offscreen
   and plain X11 platforms), the app's own palette from ``style.py`` is set on the Fusion
   style, which draws every control from the palette.

While the mode is "system", ``ThemeFollower`` re-applies it when the system switches
(``colorSchemeChanged``). Widgets take their colours from the palette or from ``style.py``
(``follow_palette`` recomputes style sheets), so a switch needs no restart.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from copper_desktop.ui.common.style import dark_palette, is_dark, light_palette

THEMES: Final = ("system", "light", "dark")
SETTING: Final = "theme"
"""The key of the chosen mode in the app's settings."""
OWN_STYLE: Final = "Fusion"
"""The style that draws the app's own palettes faithfully."""


def theme_of(settings: dict[str, object]) -> str:
    """The saved mode, "system" when none (or an unknown one) is saved."""
    mode = settings.get(SETTING)
    return mode if isinstance(mode, str) and mode in THEMES else "system"


def wants_dark(app: QGuiApplication, mode: str) -> bool:
    if mode == "system":
        return app.styleHints().colorScheme() == Qt.ColorScheme.Dark
    return mode == "dark"


class _State:
    """What the platform gave before the app set a palette of its own."""

    native_style: str | None = None
    own_palette = False


def apply_theme(app: QApplication, mode: str) -> bool:
    """Make the app light or dark as `mode` says; returns whether it is dark now."""
    if mode not in THEMES:
        mode = "system"
    hints = app.styleHints()
    if mode == "system":
        hints.unsetColorScheme()
    else:
        hints.setColorScheme(Qt.ColorScheme.Dark if mode == "dark" else Qt.ColorScheme.Light)
    dark = wants_dark(app, mode)
    if _State.native_style is None:
        _State.native_style = app.style().name()
    if _State.own_palette:  # back to the platform's palette (and style) first
        _State.own_palette = False
        if app.style().name().casefold() != _State.native_style.casefold():
            app.setStyle(_State.native_style)
        app.setPalette(QPalette())
    if is_dark(app.palette()) != dark:
        if app.style().name().casefold() != OWN_STYLE.casefold():
            app.setStyle(OWN_STYLE)
        app.setPalette(dark_palette() if dark else light_palette())
        _State.own_palette = True
    return is_dark(app.palette())


class ThemeFollower(QObject):
    """Keeps the app in the chosen mode: re-applies "system" when the system switches."""

    def __init__(self, app: QApplication, mode: str = "system") -> None:
        super().__init__(app)
        self.setObjectName("themeFollower")
        self.app = app
        self.mode = mode if mode in THEMES else "system"
        app.styleHints().colorSchemeChanged.connect(self._scheme_changed)

    def set_mode(self, mode: str) -> bool:
        self.mode = mode if mode in THEMES else "system"
        return apply_theme(self.app, self.mode)

    def _scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self.mode == "system":
            apply_theme(self.app, self.mode)


def follower(app: QApplication | None = None) -> ThemeFollower | None:
    """The app's one follower, made on first use (None without a QApplication)."""
    app = app or QApplication.instance()  # type: ignore[assignment]
    if not isinstance(app, QApplication):
        return None
    found = app.findChild(ThemeFollower, "themeFollower")
    return found if found is not None else ThemeFollower(app)
