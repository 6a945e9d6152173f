"""The navigation at the main window's first width: saved-view names show whole beside the
pages' record counts, and a name too long for it is cut in the middle, whole in its tooltip."""

from __future__ import annotations

from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTreeWidgetItem

from copper_desktop.ui.browse.navigation import Navigation
from tests.helpers.qt import MakeWindow

NAMES = ["Customers in Germany", "Won deals this quarter", "Open deals over 10k"]
"""Names of about 20 letters, as users give them (170 px showed about 12)."""
LONG = "Open deals of the enterprise team, this quarter"


def shown_text(nav: Navigation, item: QTreeWidgetItem) -> str:
    """The name as the view draws it: the delegate's text rectangle, less the style's margins,
    with the view's elide mode."""
    index = nav.indexFromItem(item, 0)
    option = QStyleOptionViewItem()
    nav.initViewItemOption(option)
    delegate = nav.itemDelegate()
    assert isinstance(delegate, QStyledItemDelegate)
    delegate.initStyleOption(option, index)
    option.rect = nav.visualRect(index)
    style = nav.style()
    rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, nav)
    margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, nav) + 1
    metrics = QFontMetrics(option.font)
    return metrics.elidedText(option.text, nav.textElideMode(), rect.width() - 2 * margin)


def test_saved_view_names_show_whole_beside_the_counts(make_window: MakeWindow) -> None:
    window = make_window(start=False)
    nav = window.nav
    assert window.splitter.sizes()[0] == Navigation.DEFAULT_WIDTH
    for key in nav.page_keys():
        nav.set_count(key, 12_345)
    nav.set_views("opportunities", [*NAMES, LONG])
    for name in NAMES:
        item = nav.view_item("opportunities", name)
        assert item is not None
        assert shown_text(nav, item) == name
    item = nav.view_item("opportunities", LONG)
    assert item is not None
    shown = shown_text(nav, item)
    head, _, tail = shown.partition("…")
    assert tail and LONG.startswith(head) and LONG.endswith(tail)  # cut in the middle
    assert LONG in item.toolTip(0)
    assert nav.page_item("opportunities").text(1) == "12,345"  # the counts keep their column
