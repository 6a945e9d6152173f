"""Light and dark: every top-level window renders in both themes without a Qt warning (pytest
fails on those) and with readable text, and a switch of theme restyles what was built before."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from copper_desktop.config import StoredCredentials
from copper_desktop.domain.catalog import FieldSpec
from copper_desktop.jobs import JobStore
from copper_desktop.models.connection_check import connection_tester
from copper_desktop.models.convert import ConvertLeadModel
from copper_desktop.models.lookups import Lookups
from copper_desktop.ui.browse.browser import EntityBrowser
from copper_desktop.ui.common import style, theme
from copper_desktop.ui.common.banner import Banner
from copper_desktop.ui.common.inline_error import error_label, show_error
from copper_desktop.ui.convert.convert_dialog import ConvertDialog
from copper_desktop.ui.fields.text_editors import TextEditor
from copper_desktop.ui.main_window import MainWindow
from tests.helpers.clients import FAST_RETRY, UNLIMITED
from tests.helpers.editor import make_record
from tests.helpers.leads import ConvertFake, fake_lead
from tests.helpers.loop import Run
from tests.helpers.qt import MakeWindow

Role = QPalette.ColorRole


@pytest.fixture
def themed(qapp: QApplication) -> Iterator[theme.ThemeFollower]:
    """The app's theme follower; the system's theme is back after the test."""
    follower = theme.follower(qapp)
    assert follower is not None
    yield follower
    follower.set_mode("system")


TEXTUAL = (QLabel, QAbstractButton, QLineEdit, QAbstractItemView, QTextEdit, QPlainTextEdit)
"""Widgets that draw text (frames and marks are not checked here)."""


def ratio(widget: QWidget, text: Role, ground: Role) -> float:
    palette = widget.palette()
    return style.contrast_ratio(palette.color(text), palette.color(ground))


def unreadable(top: QWidget) -> list[str]:
    """Visible, enabled widgets whose text colour is below 4.5:1 on their background."""
    bad: list[str] = []
    for widget in [top, *top.findChildren(QWidget)]:
        if not widget.isVisible() or not widget.isEnabled() or not isinstance(widget, TEXTUAL):
            continue
        pairs: list[tuple[Role, Role]] = [(widget.foregroundRole(), widget.backgroundRole())]
        if isinstance(widget, QLineEdit | QAbstractItemView | QTextEdit | QPlainTextEdit):
            pairs = [(Role.Text, Role.Base)]
        elif isinstance(widget, QAbstractButton):
            pairs = [(Role.ButtonText, Role.Button)]
        elif isinstance(widget, QLabel):
            pairs = [(Role.WindowText, Role.Window)]
        for text, ground in pairs:
            if ratio(widget, text, ground) < style.TEXT_CONTRAST:
                bad.append(f"{widget.objectName() or type(widget).__name__}: {text.name}")
    return bad


def every_window(window: MainWindow, qtbot: QtBot, run: Run) -> list[QWidget]:
    """Every top-level window the app has, opened on the live sandbox."""
    for key in window.page_keys():  # the webhooks page and the features' pages too
        window.show_page(key)
    people = window.show_page("people")
    assert isinstance(people, EntityBrowser)
    qtbot.waitUntil(lambda: people.model.is_loaded(0))
    people.banner.show_error("A page failed to load.")  # the error banner, in both themes
    windows: list[QWidget] = [window]
    editor = window.open_record("people", make_record(window, run, "people"))
    windows.append(editor)
    editor.banner.show_error("Could not save.")
    people.table.selectRow(0)
    bulk = window.bulk_edit("people")
    assert bulk is not None
    windows.append(bulk)
    jobs = window.ensure_jobs()
    windows.append(jobs.show_jobs_window())
    windows.append(window.show_journal())
    windows.append(window.workspace.show_about())
    windows.append(window.workspace.show_shortcuts())
    from copper_desktop.ui.dialogs.settings_dialog import SettingsDialog

    settings = SettingsDialog(
        StoredCredentials("https://api.copper.com/developer_api/v1", "me@example.com", "t"),
        connection_tester(retry=FAST_RETRY, limits=UNLIMITED),
        token_file=window.session.paths.credentials_file,
        keyring_name=None,
        parent=window,
    )
    settings.show()
    windows.append(settings)
    transfer = getattr(window, "transfer", None)
    if transfer is not None:  # CSV export and import, where installed
        export = transfer.export(people)
        if export is not None:
            windows.append(export)
        windows.append(transfer.import_csv())
    for top in windows:
        qtbot.waitExposed(top)
    return windows


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_every_window_renders_readably_in_both_themes(
    qtbot: QtBot, make_window: MakeWindow, run: Run, themed: theme.ThemeFollower, mode: str
) -> None:
    assert themed.set_mode(mode) == (mode == "dark")
    window = make_window()
    assert style.is_dark(window.palette()) == (mode == "dark")
    windows = every_window(window, qtbot, run)
    for top in windows:
        assert not top.grab().isNull(), top.objectName()  # painted, every child with it
        assert unreadable(top) == [], top.objectName()
        assert style.is_dark(top.palette()) == (mode == "dark"), top.objectName()
    for top in windows[1:]:
        top.close()


def test_a_theme_switch_restyles_what_was_built(qtbot: QtBot, themed: theme.ThemeFollower) -> None:
    themed.set_mode("light")
    banner = Banner()
    qtbot.addWidget(banner)
    banner.show_error("Something failed.")
    light_sheet = banner.styleSheet()
    themed.set_mode("dark")
    dark = QApplication.palette()
    qtbot.waitUntil(lambda: banner.styleSheet() != light_sheet)  # palette events are posted
    assert style.error_background(dark).name() in banner.styleSheet()
    assert unreadable(banner) == []


def themed_as(dark: bool, *tops: QWidget) -> bool:
    return all(style.is_dark(top.palette()) == dark for top in tops)


def drawn_contrast(widget: QWidget) -> float:
    """The contrast of the widget's text with the window it is drawn on (a label fills no
    background of its own: the window's shows through)."""
    text = widget.palette().color(Role.WindowText)
    return style.contrast_ratio(text, widget.window().palette().color(Role.Window))


def mark_contrast(bar: QWidget) -> float:
    """The contrast of a mark painted by its style sheet's background with its window."""
    found = re.search(r"background-color: (#[0-9a-f]{6})", bar.styleSheet())
    assert found is not None, bar.styleSheet()
    return style.contrast_ratio(QColor(found[1]), bar.window().palette().color(Role.Window))


@pytest.mark.parametrize(("built", "other"), [("light", "dark"), ("dark", "light")])
def test_a_theme_switch_restyles_child_widgets_both_ways(
    qtbot: QtBot, themed: theme.ThemeFollower, run: Run, tmp_path: Path, built: str, other: str
) -> None:
    """Children with a style sheet get no PaletteChange from Qt: an error label in a window, a
    field editor's error and changed mark, the convert dialog's duplicate warning."""
    themed.set_mode(built)
    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    label = error_label("childError", "Child error", window)
    show_error(label, "Something is wrong.")
    editor = TextEditor(FieldSpec("name", "Name"), window)
    editor.set_error("Name is required.")
    layout.addWidget(label)
    layout.addWidget(editor)
    window.show()
    qtbot.waitExposed(window)
    editor.set_changed(True)  # restyled once shown, its own sheet set (it must not misread it)

    fake = ConvertFake(
        records={"people": {601: {"id": 601, "name": "Zed", "emails": [{"email": "z@g.io"}]}},
                 "leads": {4: fake_lead(4, "Lee Four", "", "z@g.io")}},
        lookups={"users": [{"id": 1, "name": "Ann Owner"}]},
    )  # fmt: skip
    lookups = Lookups()
    run(lookups.load(fake))
    store = JobStore(tmp_path / "jobs", fake)
    model = ConvertLeadModel(store, lookups, {"id": 4, "name": "Lee Four"})
    dialog = ConvertDialog(model, lambda _job: None, lambda _kind, _id: None)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(model.loaded):
        model.load()
    assert dialog.dupes_warning.isVisible()

    texts = [label, editor.error_label, dialog.dupes_warning]
    for mode in (built, other, built, other):  # as built, then switched each way
        themed.set_mode(mode)
        dark = mode == "dark"
        qtbot.waitUntil(functools.partial(themed_as, dark, window, dialog))  # posted events
        for widget in texts:
            assert drawn_contrast(widget) >= style.TEXT_CONTRAST, (mode, widget.objectName())
        assert mark_contrast(editor.changed_bar) >= style.MARK_CONTRAST, mode
        assert unreadable(window) == [] and unreadable(dialog) == [], mode
    dialog.close()
    run(store.close())


def test_a_palette_watcher_lives_as_long_as_its_owner(
    qtbot: QtBot, themed: theme.ThemeFollower
) -> None:
    themed.set_mode("light")
    calls: list[str] = []
    owner = QWidget()
    style.when_palette_changes(owner, lambda: calls.append("owner"))
    kept = QWidget()
    qtbot.addWidget(kept)
    style.when_palette_changes(kept, lambda: calls.append("kept"))
    themed.set_mode("dark")
    assert sorted(calls) == ["kept", "owner"]
    owner.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(owner))
    themed.set_mode("light")
    assert sorted(calls) == ["kept", "kept", "owner"]


def test_the_chosen_theme_is_remembered(
    qtbot: QtBot, make_window: MakeWindow, themed: theme.ThemeFollower
) -> None:
    window = make_window(start=False)
    window.workspace.theme_actions["dark"].trigger()
    assert window.session.settings["theme"] == "dark"
    assert style.is_dark(QApplication.palette())
    assert theme.theme_of(window.session.settings) == "dark"
    window.workspace.theme_actions["system"].trigger()
    assert not style.is_dark(QApplication.palette())  # the offscreen system is light
