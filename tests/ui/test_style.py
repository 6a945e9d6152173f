"""Palette-aware colours (ui/common/style.py): readable on a light and on a dark theme."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from copper_desktop.ui.common import style
from copper_desktop.ui.common.banner import Banner

Role = QPalette.ColorRole


def palette(window: str, base: str, text: str) -> QPalette:
    pal = QPalette()
    for role, color in (
        (Role.Window, window),
        (Role.Base, base),
        (Role.WindowText, text),
        (Role.Text, text),
        (Role.ButtonText, text),
        (Role.Button, window),
    ):
        pal.setColor(role, QColor(color))
    return pal


DARK = palette("#2b2b2b", "#1e1e1e", "#eeeeee")
LIGHT = palette("#efefef", "#ffffff", "#000000")
THEMES = {
    "dark": DARK,
    "light": LIGHT,
    "black": palette("#000000", "#000000", "#ffffff"),
    "dark red": palette("#3a0000", "#300000", "#ffffff"),  # a red window: the red must move
    "grey": palette("#777777", "#808080", "#000000"),
}


@pytest.fixture
def dark_app(qapp: QApplication) -> Iterator[QApplication]:
    """The app with a dark palette, restored afterwards."""
    previous = QPalette(qapp.palette())
    qapp.setPalette(DARK)
    yield qapp
    qapp.setPalette(previous)


def test_contrast_ratio_matches_wcag() -> None:
    assert style.contrast_ratio(QColor("#000000"), QColor("#ffffff")) == pytest.approx(21.0)
    assert style.contrast_ratio(QColor("#777777"), QColor("#777777")) == pytest.approx(1.0)
    assert style.contrast_ratio(QColor("#767676"), QColor("#ffffff")) == pytest.approx(4.54, 0.01)


def test_with_a_dark_palette_on_the_app_the_error_colour_is_readable(
    dark_app: QApplication,
) -> None:
    color = style.error_color()  # from the application's palette
    for role in (Role.Window, Role.Base):
        assert style.contrast_ratio(color, DARK.color(role)) >= style.TEXT_CONTRAST
    assert style.contrast_ratio(QColor("#b00020"), DARK.color(Role.Base)) < 4.5  # the old one
    assert color.red() > color.green() and color.red() > color.blue()  # still a red


@pytest.mark.parametrize("theme", list(THEMES))
def test_every_colour_contrasts_with_every_theme(theme: str) -> None:
    pal = THEMES[theme]
    for role in (Role.Window, Role.Base):
        ground = pal.color(role)
        assert style.contrast_ratio(style.error_color(pal), ground) >= style.TEXT_CONTRAST
        assert style.contrast_ratio(style.changed_color(pal), ground) >= style.MARK_CONTRAST
    text = pal.color(Role.WindowText)
    assert style.contrast_ratio(text, style.error_background(pal)) >= style.TEXT_CONTRAST
    text = pal.color(Role.Text)
    assert style.contrast_ratio(text, style.changed_background(pal)) >= style.TEXT_CONTRAST


def test_the_light_theme_keeps_a_deep_red() -> None:
    color = style.error_color(LIGHT)
    assert style.relative_luminance(color) < 0.15
    assert not style.is_dark(LIGHT) and style.is_dark(DARK)


def test_widgets_take_their_colours_from_the_palette(qtbot: QtBot, dark_app: QApplication) -> None:
    banner = Banner()
    qtbot.addWidget(banner)
    colors = [QColor(c) for c in re.findall(r"#[0-9a-fA-F]{6}", banner.styleSheet())]
    background = colors[0]
    assert style.is_dark(banner.palette())
    assert style.relative_luminance(background) < 0.1  # a dark red tint, not #fdecea
    label_style = style.error_text_style()
    [label_color] = re.findall(r"#[0-9a-fA-F]{6}", label_style)
    assert style.contrast_ratio(QColor(label_color), DARK.color(Role.Base)) >= 4.5


@pytest.mark.parametrize("make", [style.dark_palette, style.light_palette])
def test_the_apps_own_themes_keep_every_text_readable(make: object) -> None:
    assert callable(make)
    pal = make()
    weakest, pair = style.weakest_text_pair(pal)
    assert weakest >= style.TEXT_CONTRAST, pair
    for role in (Role.WindowText, Role.Text, Role.ButtonText):  # disabled: dimmed, legible
        disabled = pal.color(QPalette.ColorGroup.Disabled, role)
        ground = pal.color(QPalette.ColorGroup.Disabled, Role.Window)
        assert style.contrast_ratio(disabled, ground) >= style.MARK_CONTRAST
    for role in (Role.Window, Role.Base):  # and the derived colours on them
        assert style.contrast_ratio(style.error_color(pal), pal.color(role)) >= style.TEXT_CONTRAST
    assert style.contrast_ratio(pal.color(Role.Text), style.changed_background(pal)) >= 4.5
    assert style.is_dark(pal) == (make is style.dark_palette)
