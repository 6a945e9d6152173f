"""Lead conversion tests' helpers: leads, people and companies made on the sandbox with unique
names, the leads browser filtered to them, the convert dialog opened by its shortcut, the
sandbox's log read as conversions; and for fast tests a fake Copper with the searches a
conversion plan uses (``ConvertFake``), a lead factory (``fake_lead``) and an executor that
counts what it runs (``CountingExecutor``)."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from copper_desktop.api import CopperClient, SearchPage
from copper_desktop.jobs import Job
from copper_desktop.ui.browse.browser import EntityBrowser
from copper_desktop.ui.browse.filter_bar import FilterBar
from copper_desktop.ui.convert.convert_dialog import ConvertDialog
from copper_desktop.ui.main_window import MainWindow
from tests.helpers.fakes import Call, FakeClient
from tests.helpers.sandbox import SandboxControl

Json = dict[str, Any]
Run = Callable[..., Any]
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def tag() -> str:
    return uuid.uuid4().hex[:8]


def make_lead(client: CopperClient, run: Run, name: str, **fields: Any) -> Json:
    """A lead named ``name``; ``email="a@b.c"`` becomes Copper's one email object."""
    body: Json = {"name": name, **fields}
    if isinstance(body.get("email"), str):
        body["email"] = {"email": body["email"], "category": "work"}
    lead: Json = run(client.create("leads", body))
    return lead


def make_company(client: CopperClient, run: Run, name: str, **fields: Any) -> Json:
    company: Json = run(client.create("companies", {"name": name, **fields}))
    return company


def leads_browser(qtbot: QtBot, window: MainWindow, prefix: str, count: int) -> EntityBrowser:
    """The window's leads browser showing just the leads named ``prefix …``, all loaded."""
    page = window.show_page("leads")
    assert isinstance(page, EntityBrowser) and isinstance(page.filter_bar, FilterBar)
    page.filter_bar.search.setText(prefix)  # typed in the filter bar, so its flags add to it
    QTest.keyClick(page.filter_bar.search, Qt.Key.Key_Return)
    model = page.model
    qtbot.waitUntil(lambda: model.rowCount() == count and model.is_loaded(count - 1))
    return page


def row_of(browser: EntityBrowser, lead_id: int) -> int:
    for row in range(browser.model.rowCount()):
        if (browser.model.record(row) or {}).get("id") == lead_id:
            return row
    raise AssertionError(f"lead {lead_id} is not listed")


def click(widget: QWidget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def click_row(browser: EntityBrowser, row: int) -> None:
    table = browser.table
    column = browser.column_keys().index(browser.visible_column_keys()[0])
    center = table.visualRect(browser.model.index(row, column)).center()
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     center)  # fmt: skip


def open_dialog(
    qtbot: QtBot, window: MainWindow, browser: EntityBrowser, row: int
) -> ConvertDialog:
    """Click the lead's row, press Ctrl+Shift+K, wait until the dialog has loaded."""
    click_row(browser, row)
    window.activateWindow()
    browser.table.setFocus()
    QTest.keyClick(browser.table, Qt.Key.Key_K, CTRL_SHIFT)
    qtbot.waitUntil(lambda: window.convert_ui.dialog is not None)
    dialog = window.convert_ui.dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: not dialog.model.loading, timeout=15_000)
    return dialog


def ended_job(qtbot: QtBot, window: MainWindow) -> Job:
    """The job the window's jobs panel shows, once it ended."""
    jobs = window.jobs
    assert jobs is not None
    panel = jobs.panel
    qtbot.waitUntil(lambda: panel.job is not None and panel.job.state.final, timeout=30_000)
    assert panel.job is not None
    return panel.job


def convert_posts(control: SandboxControl) -> list[tuple[int, int | None]]:
    """(lead id, status) of every ``POST /leads/{id}/convert`` the sandbox received."""
    out = []
    for entry in control.requests(limit=5000):
        path = entry["path"]
        if entry["method"] == "POST" and path.startswith("/leads/") and path.endswith("/convert"):
            out.append((int(path.split("/")[2]), entry["status"]))
    return out


def converted_lead(client: CopperClient, run: Run, lead_id: int) -> Json | None:
    """The lead as a search with ``include_converted_leads`` finds it (None: gone)."""
    page = run(client.search("leads", {"ids": [lead_id], "include_converted_leads": True}))
    return page.records[0] if page.records else None


def companies_named(client: CopperClient, run: Run, name: str) -> list[Json]:
    page = run(client.search("companies", {"name": name}))
    return [c for c in page.records if c["name"].casefold().startswith(name.casefold())]


@dataclass
class ConvertFake(FakeClient):
    """FakeClient with Copper's ``email_domains`` and people ``emails`` filters (paged) and
    ``fetch_by_email``; ``pages`` logs the page number of every search."""

    pages: list[int] = field(default_factory=list)

    async def search(self, entity: str, filters: Json | None = None, **kw: Any) -> SearchPage:
        self.pages.append(kw.get("page_number", 1))
        wanted = dict(filters or {})
        domains = wanted.pop("email_domains", None)
        emails = wanted.pop("emails", None)
        if domains is None and emails is None:
            return await super().search(entity, filters, **kw)
        self.calls.append(Call("search", (entity, copy.deepcopy(filters))))
        found = []
        for record in self.table(entity).values():
            if domains is not None and record.get("email_domain") in domains:
                found.append(copy.deepcopy(record))
            held = {e["email"].casefold() for e in record.get("emails") or ()}
            if emails is not None and held & set(emails):
                found.append(copy.deepcopy(record))
        number, size = kw.get("page_number", 1), kw.get("page_size", 200)
        return SearchPage(found[(number - 1) * size : number * size], len(found), number, size)

    async def fetch_by_email(self, email: str) -> Json | None:
        await self._enter("fetch_by_email", email)
        for person in self.table("people").values():
            if email in {e["email"] for e in person.get("emails") or ()}:
                return copy.deepcopy(person)
        return None


def fake_lead(lead_id: int, name: str, company: str = "", email: str = "", **extra: Any) -> Json:
    """A lead as Copper returns it (owner 1, value 500 unless given)."""
    return {"id": lead_id, "name": name, "company_name": company or None,
            "email": {"email": email, "category": "work"} if email else None,
            "assignee_id": 1, "monetary_value": 500, **extra}  # fmt: skip


class CountingExecutor(ThreadPoolExecutor):
    """A one-thread executor counting what it was handed."""

    def __init__(self) -> None:
        super().__init__(max_workers=1, thread_name_prefix="plan-test")
        self.submitted = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        self.submitted += 1
        return super().submit(fn, *args, **kwargs)
