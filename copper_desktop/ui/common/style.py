"""Colours that follow the palette, so the app reads as well on a dark theme as on a light one.

Nothing here is a fixed colour for text: each one is picked for the palette it will be drawn
on. An error red, for instance, keeps its hue but moves its lightness until its contrast with
the palette's window and base colours reaches WCAG's 4.5:1 for text (3:1 for marks that are not
text). Colours are computed for the palette in force; every colour kept past one paint goes
through the app's one re-styler, which computes it again when the theme changes: a style sheet
through `follow_palette`, anything else (a model's brush, an item's colour) through
`when_palette_changes`. Never `setStyleSheet` a palette-derived colour once. `dark_palette`
and `light_palette` are the app's own themes (View ▸ Theme, ui/common/theme.py) for when the
platform has none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QWidget

TEXT_CONTRAST = 4.5
"""WCAG 2 AA for normal text."""
MARK_CONTRAST = 3.0
"""WCAG 2 AA for graphical objects and user-interface components (1.4.11)."""

ERROR_HUE = 350 / 360
"""Red, leaning to crimson (the light-theme error colour was #b00020)."""
ERROR_SATURATION = 1.0
ERROR_LIGHTNESS_ON_LIGHT = 0.35
ERROR_LIGHTNESS_ON_DARK = 0.7
"""Where the search for a readable error red starts: clear of the threshold on usual themes."""
CHANGED_HUE = 38 / 360
"""Amber: an edited, not yet saved field."""
CHANGED_SATURATION = 0.95


def relative_luminance(color: QColor) -> float:
    """WCAG 2 relative luminance of an sRGB colour, 0 (black) to 1 (white)."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    rgb = color.toRgb()
    return (
        0.2126 * channel(rgb.redF())
        + 0.7152 * channel(rgb.greenF())
        + 0.0722 * channel(rgb.blueF())
    )


def contrast_ratio(first: QColor, second: QColor) -> float:
    """WCAG 2 contrast ratio, 1 (none) to 21 (black on white)."""
    a, b = relative_luminance(first), relative_luminance(second)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def is_dark(palette: QPalette) -> bool:
    """Whether the palette draws light text on a dark window."""
    window = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.WindowText)
    return relative_luminance(window) < relative_luminance(text)


def _palette(palette: QPalette | None) -> QPalette:
    return palette if palette is not None else QGuiApplication.palette()


def _backgrounds(palette: QPalette) -> list[QColor]:
    return [palette.color(QPalette.ColorRole.Window), palette.color(QPalette.ColorRole.Base)]


def readable(
    hue: float,
    saturation: float,
    backgrounds: Iterable[QColor],
    target: float,
    *,
    dark: bool,
    start: float = 0.5,
) -> QColor:
    """A colour of this hue and saturation whose contrast with every background reaches
    `target`: from lightness `start`, lighter step by step on a dark theme, darker on a light
    one, until it is enough (at worst white or black)."""
    grounds = list(backgrounds)
    steps = 64
    end = 1.0 if dark else 0.0
    for i in range(steps + 1):
        lightness = start + (end - start) * i / steps
        candidate = QColor.fromHslF(hue, saturation, lightness)
        if all(contrast_ratio(candidate, ground) >= target for ground in grounds):
            return candidate
    return QColor.fromHslF(hue, saturation, end)


def error_color(palette: QPalette | None = None) -> QColor:
    """Text colour of error messages, readable on the palette's window and base colours."""
    pal = _palette(palette)
    dark = is_dark(pal)
    return readable(
        ERROR_HUE,
        ERROR_SATURATION,
        _backgrounds(pal),
        TEXT_CONTRAST,
        dark=dark,
        start=ERROR_LIGHTNESS_ON_DARK if dark else ERROR_LIGHTNESS_ON_LIGHT,
    )


def changed_color(palette: QPalette | None = None) -> QColor:
    """The mark of a changed, unsaved field (a mark, not text: 3:1 is enough)."""
    pal = _palette(palette)
    return readable(
        CHANGED_HUE, CHANGED_SATURATION, _backgrounds(pal), MARK_CONTRAST, dark=is_dark(pal)
    )


def _mix(base: QColor, tint: QColor, amount: float) -> QColor:
    b, t = base.toRgb(), tint.toRgb()
    return QColor.fromRgbF(
        b.redF() + (t.redF() - b.redF()) * amount,
        b.greenF() + (t.greenF() - b.greenF()) * amount,
        b.blueF() + (t.blueF() - b.blueF()) * amount,
    )


def tinted_background(
    hue: float, palette: QPalette | None = None, *, role: QPalette.ColorRole | None = None
) -> QColor:
    """A background of this hue for text in the palette's own text colour: the `role` colour
    (Window by default; Base for item views) tinted, light on a light theme and dark on a dark
    one, with less tint while the tint would cost the text its 4.5:1 contrast."""
    pal = _palette(palette)
    ground_role = role if role is not None else QPalette.ColorRole.Window
    text_role = (
        QPalette.ColorRole.Text
        if ground_role == QPalette.ColorRole.Base
        else QPalette.ColorRole.WindowText
    )
    ground, text = pal.color(ground_role), pal.color(text_role)
    tint = QColor.fromHslF(hue, 1.0, 0.5)
    amount = 0.22 if is_dark(pal) else 0.12
    tinted = _mix(ground, tint, amount)
    while amount > 0 and contrast_ratio(text, tinted) < TEXT_CONTRAST:
        amount = max(0.0, amount - 0.02)
        tinted = _mix(ground, tint, amount)
    return tinted


def error_background(palette: QPalette | None = None) -> QColor:
    """Background of an error banner: the window colour tinted red (the palette's text colour
    stays readable on it)."""
    return tinted_background(ERROR_HUE, palette)


def changed_background(palette: QPalette | None = None) -> QColor:
    """Background of a changed or conflicting cell in an item view: the base colour tinted
    amber; draw its text in the palette's Text colour (never a fixed black)."""
    return tinted_background(CHANGED_HUE, palette, role=QPalette.ColorRole.Base)


def error_border(palette: QPalette | None = None) -> QColor:
    pal = _palette(palette)
    window = pal.color(QPalette.ColorRole.Window)
    red = QColor.fromHslF(ERROR_HUE, ERROR_SATURATION, 0.5)
    return _mix(window, red, 0.45 if is_dark(pal) else 0.3)


def error_text_style(palette: QPalette | None = None) -> str:
    """A style sheet for a label that shows an error message."""
    return f"color: {error_color(palette).name()};"


def banner_style(object_name: str, palette: QPalette | None = None) -> str:
    """A style sheet for an error banner (a QFrame named `object_name`)."""
    pal = _palette(palette)
    text = pal.color(QPalette.ColorRole.WindowText).name()
    return (
        f"#{object_name} {{ background: {error_background(pal).name()}; "
        f"border: 1px solid {error_border(pal).name()}; }} "
        f"#{object_name} QLabel {{ color: {text}; }}"
    )


# ---------------------------------------------------------------------- the app's own themes

Role = QPalette.ColorRole
Group = QPalette.ColorGroup

DARK_COLORS: dict[QPalette.ColorRole, str] = {
    Role.Window: "#2b2b2e",
    Role.WindowText: "#e6e6e6",
    Role.Base: "#1f1f22",
    Role.AlternateBase: "#27272b",
    Role.Text: "#e6e6e6",
    Role.Button: "#38383c",
    Role.ButtonText: "#e6e6e6",
    Role.BrightText: "#ffffff",
    Role.ToolTipBase: "#38383c",
    Role.ToolTipText: "#e6e6e6",
    Role.Highlight: "#2d5fa8",
    Role.HighlightedText: "#ffffff",
    Role.Link: "#8ab4f8",
    Role.LinkVisited: "#c9a3f5",
    Role.PlaceholderText: "#a3a3a8",
    Role.Light: "#55555a",
    Role.Midlight: "#46464a",
    Role.Mid: "#303034",
    Role.Dark: "#1a1a1c",
    Role.Shadow: "#0a0a0a",
}
"""The dark theme (on the Fusion style) when the platform has none: every text role reaches
4.5:1 on the background it is drawn on (tests/ui/test_style.py checks each pair)."""
DARK_DISABLED: dict[QPalette.ColorRole, str] = {
    Role.WindowText: "#8c8c90",
    Role.Text: "#8c8c90",
    Role.ButtonText: "#8c8c90",
    Role.Highlight: "#4a4a4f",
    Role.HighlightedText: "#c8c8c8",
}
"""Disabled controls: dimmed, still legible (3:1 and more; WCAG asks nothing of them)."""
LIGHT_COLORS: dict[QPalette.ColorRole, str] = {
    Role.Window: "#efefef",
    Role.WindowText: "#000000",
    Role.Base: "#ffffff",
    Role.AlternateBase: "#f5f5f5",
    Role.Text: "#000000",
    Role.Button: "#efefef",
    Role.ButtonText: "#000000",
    Role.BrightText: "#ffffff",
    Role.ToolTipBase: "#ffffdc",
    Role.ToolTipText: "#000000",
    Role.Highlight: "#1f63a8",
    Role.HighlightedText: "#ffffff",
    Role.Link: "#0b57d0",
    Role.LinkVisited: "#6f2da8",
    Role.PlaceholderText: "#6b6b6b",
    Role.Light: "#ffffff",
    Role.Midlight: "#cacaca",
    Role.Mid: "#b8b8b8",
    Role.Dark: "#9f9f9f",
    Role.Shadow: "#767676",
}
"""The light theme, used only when the platform's palette is dark and the user chose light."""
LIGHT_DISABLED: dict[QPalette.ColorRole, str] = {
    Role.WindowText: "#767676",
    Role.Text: "#767676",
    Role.ButtonText: "#767676",
    Role.Highlight: "#c8c8c8",
    Role.HighlightedText: "#303030",
}
TEXT_PAIRS: tuple[tuple[QPalette.ColorRole, QPalette.ColorRole], ...] = (
    (Role.WindowText, Role.Window),
    (Role.Text, Role.Base),
    (Role.Text, Role.AlternateBase),
    (Role.ButtonText, Role.Button),
    (Role.ToolTipText, Role.ToolTipBase),
    (Role.HighlightedText, Role.Highlight),
    (Role.PlaceholderText, Role.Base),
    (Role.Link, Role.Base),
    (Role.Link, Role.Window),
    (Role.LinkVisited, Role.Base),
)
"""(text, background) roles drawn together: each pair must reach TEXT_CONTRAST."""


def _built(
    colors: dict[QPalette.ColorRole, str], disabled: dict[QPalette.ColorRole, str]
) -> QPalette:
    palette = QPalette()
    for role, name in colors.items():
        palette.setColor(role, QColor(name))
    for role, name in disabled.items():
        palette.setColor(Group.Disabled, role, QColor(name))
    return palette


def dark_palette() -> QPalette:
    return _built(DARK_COLORS, DARK_DISABLED)


def light_palette() -> QPalette:
    return _built(LIGHT_COLORS, LIGHT_DISABLED)


def weakest_text_pair(palette: QPalette) -> tuple[float, str]:
    """The lowest contrast among `TEXT_PAIRS` (active group) and which pair it is."""
    ratios = [
        (contrast_ratio(palette.color(text), palette.color(ground)), f"{text.name}/{ground.name}")
        for text, ground in TEXT_PAIRS
    ]
    return min(ratios)


class _Restyler(QObject):
    """The app's one re-styler: tells every palette follower that the app's palette changed.

    Qt tells only the app object and top-level widgets (ApplicationPaletteChange); a child
    widget with a style sheet of its own gets no PaletteChange either (its sheet pins its
    palette), so a widget listening for its own events misses a switch of theme. Followers
    connect to `changed` instead: Qt drops the connection when a follower (a child of its
    widget) is destroyed, so this registry never holds a dead widget. The source is
    QGuiApplication's `paletteChanged`, deprecated for the event but emitted by every Qt 6:
    an event filter on the app would run Python for every event of every object.
    """

    changed = Signal()

    def __init__(self, app: QCoreApplication) -> None:
        super().__init__(app)
        self.setObjectName("paletteRestyler")
        if isinstance(app, QGuiApplication):
            app.paletteChanged.connect(self.changed)


def _restyler() -> _Restyler | None:
    """The app's re-styler, made on first use (None without an application)."""
    app = QCoreApplication.instance()
    if app is None:
        return None
    found = app.findChild(_Restyler, "paletteRestyler", Qt.FindChildOption.FindDirectChildrenOnly)
    return found if isinstance(found, _Restyler) else _Restyler(app)


class _PaletteWatcher(QObject):
    """Calls `callback` whenever the app's palette changes, as long as `owner` lives."""

    def __init__(self, owner: QObject, callback: Callable[[], None], name: str) -> None:
        super().__init__(owner)
        self.setObjectName(name)
        self.callback = callback
        restyler = _restyler()
        if restyler is not None:
            restyler.changed.connect(self._changed)

    @Slot()
    def _changed(self) -> None:
        self.callback()


def when_palette_changes(owner: QObject, callback: Callable[[], None]) -> None:
    """Call `callback` after each change of the app's palette (View ▸ Theme, or the system
    switching), for as long as `owner` lives: for colours kept outside a style sheet (a
    brush in a model, an item's foreground) that must be computed again."""
    _PaletteWatcher(owner, callback, "paletteWatcher")


def _no_sheet(_palette: QPalette) -> str:
    return ""


def follow_palette(widget: QWidget, sheet: Callable[[QPalette], str] | None) -> None:
    """Give `widget` the style sheet `sheet(palette)` now, and again whenever the app's
    palette changes (View ▸ Theme, or the system switching between light and dark), whether
    the widget is a window or a child. Calling it again replaces the widget's sheet function
    (a widget whose colour depends on its state calls it on each change of state); None
    clears the sheet and keeps it clear."""
    make = sheet if sheet is not None else _no_sheet
    option = Qt.FindChildOption.FindDirectChildrenOnly
    found = widget.findChild(_PaletteWatcher, "paletteFollower", option)
    if isinstance(found, _PaletteWatcher):
        follower = found
    else:
        follower = _PaletteWatcher(widget, lambda: None, "paletteFollower")

    def apply(palette: QPalette | None = None) -> None:
        text = make(palette if palette is not None else QGuiApplication.palette())
        if text != widget.styleSheet():
            widget.setStyleSheet(text)

    follower.callback = apply
    apply(_drawn_on(widget))


def _drawn_on(widget: QWidget) -> QPalette:
    """The palette a widget's colours are for: its own, or, once a style sheet of its own has
    pinned it (a red text colour would pass for the theme's text), the nearest ancestor's
    without one; the app's when there is none."""
    current: QWidget | None = widget
    while current is not None:
        if not current.styleSheet():
            return current.palette()
        current = current.parentWidget()
    return QGuiApplication.palette()
