"""Retakes every README screenshot (docs/*.png), in the light and the dark theme.

    .venv/bin/python scripts/screenshots.py [SCENE ...]

Offscreen (``QT_QPA_PLATFORM=offscreen`` by default: no display or window manager needed). The
real app runs as ``copper-desktop --sandbox`` would: a fresh embedded sandbox (the default seed,
2,000 people, deterministic) with all its files in a temporary folder, the real main window and
its features. The script drives it as a user would (pages, saved views, an editor, the board,
staged grid edits, the import and convert dialogs, a bulk edit run as a job) and grabs each
window with ``QWidget.grab()``. SCENEs pick some (``browser editor board grid imports convert
bulk``); none means all. The app quits through its normal shutdown.

The app runs twice, once per theme, each started with View ▸ Theme already chosen (saved in
its settings): a theme switched while the app runs leaves the red of inline errors computed for
the old palette on child widgets, so a switch mid-run would not show what a user sees.
"""

from __future__ import annotations

import asyncio
import csv
import os
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
BOTH = ("light", "dark")
WINDOW_SIZE = (1100, 700)
EDITED_DEAL = "Crestpath Partners LLC - Data Migration"
"""A seeded open opportunity with activities, a company, a person and a task related."""

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

from PySide6.QtCore import QItemSelectionModel  # noqa: E402
from PySide6.QtGui import QPainter, QPixmap  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from copper_desktop.app import DesktopApp, run_desktop  # noqa: E402
from copper_desktop.config import AppPaths, save_settings  # noqa: E402
from copper_desktop.domain.catalog import LookupKind  # noqa: E402
from copper_desktop.models.paged import RecordRole  # noqa: E402
from copper_desktop.ui.browse.browser import EntityBrowser  # noqa: E402
from copper_desktop.ui.main_window import MainWindow  # noqa: E402

Json = dict[str, Any]
SELECT = QItemSelectionModel.SelectionFlag.ClearAndSelect


async def wait_until(ready: Callable[[], object], what: str, limit_s: float = 90) -> None:
    """Let the loop run until ``ready()`` holds (or fail saying what never happened)."""
    deadline = time.monotonic() + limit_s
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError(f"screenshots: {what} did not happen in {limit_s:.0f} s")
        await asyncio.sleep(0.05)


async def settle(seconds: float = 0.4) -> None:
    """Time for layouts, late names and repaints after a change."""
    await asyncio.sleep(seconds)
    QApplication.processEvents()


class Shots:
    """Drives one running app and saves its windows under docs/."""

    def __init__(self, desktop: DesktopApp, home: Path, mode: str) -> None:
        assert desktop.window is not None and desktop.session is not None
        self.window: MainWindow = desktop.window
        self.client = desktop.session.client
        self.home = home
        self.mode = mode
        """The theme of this run: only images wanted in it are saved."""
        self.saved: list[Path] = []

    def wanted(self, themes: Sequence[str]) -> bool:
        return self.mode in themes

    async def save(self, widget: QWidget, name: str, themes: Sequence[str] = BOTH) -> None:
        """``docs/<name>.png`` (``<name>-dark.png`` in the dark run) of ``widget`` as it is."""
        if self.wanted(themes):
            await settle(0.6)
            self.write(widget.grab(), name)

    def write(self, image: QPixmap, name: str) -> None:
        path = DOCS / f"{name}{'-dark' if self.mode == 'dark' else ''}.png"
        if not image.save(str(path)):
            raise RuntimeError(f"could not save {path}")
        self.saved.append(path)
        print(f"saved {path.relative_to(ROOT)} ({image.width()}x{image.height()})", flush=True)

    # ------------------------------------------------------------------ helpers
    async def browser(self, key: str) -> EntityBrowser:
        """The page of ``key``, shown, with its visible rows loaded and named."""
        page = self.window.show_page(key)
        assert isinstance(page, EntityBrowser)
        await self.rows_shown(page)
        return page

    async def rows_shown(self, page: EntityBrowser) -> None:
        model = page.model

        def shown() -> bool:
            first, last = page.visible_rows()
            return (
                model.rowCount() > 0
                and not model.loading
                and all(model.index(r, 0).data(RecordRole) is not None for r in (first, last))
            )

        await wait_until(shown, f"the {page.spec.key} rows")
        await wait_until(lambda: self.window.lookups.is_loaded, "the lookups")
        await settle()

    async def search(self, entity: str, body: Json, size: int = 25) -> list[Json]:
        return list((await self.client.search(entity, body, page_size=size)).records)

    def user(self, name: str) -> int:
        return next(i for i, n in self.window.lookups.choices(LookupKind.USERS) if n == name)

    # ------------------------------------------------------------------ scenes
    async def browser_scene(self) -> None:
        """The people list with the toolbar, counts in the navigation and two saved views."""
        deals = await self.browser("opportunities")
        views = self.window.workspace.views
        for name, status, sort in (("Open deals", 0, "value"), ("Won deals", 1, "close_date")):
            state = {"status_ids": [status]}
            deals.apply_view({"filters": state, "bar": {"filters": state}, "sort": [sort, "desc"]})
            await self.rows_shown(deals)
            views.save("opportunities", name)
        people = await self.browser("people")
        await wait_until(lambda: len(self.window.workspace.counts.counts) >= 7, "the counts")
        people.table.selectRow(2)
        await self.save(self.window, "screenshot")

    async def editor_scene(self) -> None:
        """An opportunity in its editor: the form, its activities and related records."""
        deal = (await self.search("opportunities", {"name": EDITED_DEAL}))[0]
        editor = self.window.open_record("opportunities", deal)
        related = editor.related
        assert related is not None
        await wait_until(lambda: not related.loading and related.activities, "the activities")
        editor.resize(1100, 720)
        editor.splitter.setSizes([500, 600])  # the user drags the divider, then fits the columns
        for column in range(3):
            related.activity_list.resizeColumnToContents(column)
        await settle(1)
        await self.save(editor, "editor")
        editor.close()

    async def board_scene(self) -> None:
        from copper_desktop.ui.board.board_page import BoardPage

        board = self.window.show_page("board")
        assert isinstance(board, BoardPage)
        model = board.model

        await wait_until(lambda: model.columns and not model.busy and all(
            c.count is not None for c in model.columns), "the board's columns")  # fmt: skip
        await wait_until(lambda: model.complete, "the board's totals", limit_s=240)
        await settle(1)
        await self.save(self.window, "board")

    async def grid_scene(self) -> None:
        """The people grid with pasted edits staged, one of them an owner nobody is."""
        people = await self.browser("people")
        grid = self.window.grid_editing.grid("people")
        assert grid is not None
        keys = ["name", "title", "assignee_id", "contact_type_id", "tags"]
        header = people.header
        for key in people.column_keys():
            people.set_column_visible(key, key in keys)
        for visual, key in enumerate(keys):
            header.moveSection(header.visualIndex(people.column_keys().index(key)), visual)
        await settle()

        def paste(row: int, key: str, text: str) -> None:
            index = people.model.index(row, people.column_keys().index(key))
            people.table.selectionModel().setCurrentIndex(index, SELECT)
            grid.paste(text)

        paste(1, "assignee_id", "Jordan Rivera\tCurrent Customer\nMarcus Chen\tOther")
        paste(3, "assignee_id", "Jordan Rivera\tCurrent Customer")
        paste(5, "title", "VP Operations & Finance")
        paste(7, "assignee_id", "Sam from sales")
        for key, width in (("name", 190), ("title", 210), ("assignee_id", 150),
                           ("contact_type_id", 160), ("tags", 230)):  # fmt: skip
            header.resizeSection(people.column_keys().index(key), width)
        people.table.selectRow(10)  # the staged cells show their marks, not the selection
        await self.save(self.window, "grid-staged")
        grid.discard()

    async def import_scene(self) -> None:
        """The import's mapping page on an export-like file, with a value it cannot read."""
        from copper_desktop.domain.import_plan import Mode
        from copper_desktop.ui.transfer.import_wizard import MAPPING_PAGE

        people = await self.search("people", {"sort_by": "name"}, 8)
        names = dict(self.window.lookups.choices(LookupKind.USERS))
        path = self.home / "people-export.csv"
        with path.open("w", newline="", encoding="utf-8-sig") as out:
            rows = csv.writer(out)
            rows.writerow(["Record ID", "Full Name", "Job title", "E-mail", "Owner",
                           "Lead score", "Tags", "Shoe size"])  # fmt: skip
            for n, person in enumerate(people):
                emails: list[Json] = person.get("emails") or [{}]
                rows.writerow([
                    person["id"], person["name"], person.get("title") or "",
                    emails[0].get("email", ""), names.get(person.get("assignee_id") or 0, ""),
                    "high" if n == 1 else 40 + n, ", ".join(person.get("tags") or []), 38 + n,
                ])  # fmt: skip
        wizard = self.window.transfer.import_csv()
        wizard.path_edit.setText(str(path))
        wizard.entity_combo.setCurrentIndex(wizard.entity_combo.findData("people"))
        wizard.mode_buttons[Mode.UPDATE].click()
        wizard.next()
        await wait_until(lambda: wizard.page == MAPPING_PAGE, "the mapping page")
        await self.save(wizard, "import-mapping", ("light",))
        wizard.reject()

    async def convert_scene(self) -> None:
        """A lead whose company exists (and one like it) and whose email a person has; then
        seven leads planned at once."""
        client = self.client
        for name in ("Northwind Traders", "Northwind Traders Ltd"):
            await client.create("companies", {"name": name})
        email = "ann.lee@northwind.example"
        work_email = {"email": email, "category": "work"}
        await client.create("people", {"name": "Dana Whitfield", "emails": [work_email]})
        leads: list[Json] = []
        owner = self.user("Elena Petrova")
        for name, company in (
            ("Ann Lee", "Northwind Traders"), ("Bo Carter", "Lumen Labs"),
            ("Cy Duarte", "Lumen Labs Inc."), ("Di Evans", "Northwind Traders"),
            ("Ed Fox", ""), ("Flo Grant", "Quarry & Sons"), ("Gus Hale", "Lumen Labs"),
        ):  # fmt: skip
            body: Json = {"name": name, "monetary_value": 12500, "assignee_id": owner}
            if company:
                body["company_name"] = company
            if name == "Ann Lee":
                body["email"] = work_email
            leads.append(await client.create("leads", body))
        convert = self.window.convert_ui
        dialog = convert.convert_lead(leads[0])
        assert dialog is not None
        await wait_until(lambda: not dialog.model.loading, "the convert dialog's look-ups")
        dialog.opportunity.setChecked(True)
        sales = next(i for i, n in self.window.lookups.choices(LookupKind.PIPELINES)
                     if n == "Sales")  # fmt: skip
        dialog.pipeline.setCurrentIndex(dialog.pipeline.findData(sales))
        dialog.stage.setCurrentIndex(1)
        await self.save(dialog, "convert-dialog", ("light",))
        dialog.reject()

        page = await self.browser("leads")
        page.set_filters({"ids": [lead["id"] for lead in leads]})
        await wait_until(lambda: page.model.rowCount() == len(leads), "the new leads")
        await self.rows_shown(page)
        page.table.selectAll()
        planner = convert.plan()
        assert planner is not None
        await wait_until(lambda: not planner.model.loading and planner.model.rows, "the plan")
        planner.create_opp.setChecked(True)
        await wait_until(lambda: not planner.model.loading, "the plan with opportunities")
        planner.select_row(0)
        await self.save(planner, "convert-planner", ("light",))
        planner.reject()

    async def bulk_scene(self) -> None:
        """A bulk edit of 60 people: its changes, its preview, then run as a job."""
        from copper_desktop.domain.bulk import Where
        from copper_desktop.ui.bulk.operation_row import Kind
        from copper_desktop.ui.fields.choice_editors import ChoiceEditor

        people = await self.search("people", {"sort_by": "name"}, 60)
        dialog = self.window.bulk_edit_ids("people", [p["id"] for p in people])
        assert dialog is not None
        industry = next(d for d in self.window.lookups.definitions if d.name == "Industry")
        software = next(o.id for o in industry.options if o.name == "Software")
        first, tags, owner = dialog.rows[0], dialog.add_row(), dialog.add_row()
        first.set_kind(Kind.SET)
        first.set_field(industry.key)
        first.set_where(Where.BLANK)
        assert isinstance(first.editor, ChoiceEditor)
        first.editor.select(software)
        tags.set_kind(Kind.TAGS)
        assert tags.editor is not None
        QTest.keyClicks(tags.editor.focus_widget(), "VIP")
        owner.set_kind(Kind.OWNER)
        owner.set_where(Where.BLANK)
        assert isinstance(owner.editor, ChoiceEditor)
        owner.editor.select(self.user("Elena Petrova"))
        await self.save(dialog, "bulk-changes", ("light",))
        assert dialog.request_preview(), dialog.operations()[1]
        await wait_until(lambda: dialog.model.preview is not None, "the preview")
        await self.save(dialog, "bulk-preview")
        if not self.wanted(("light",)):  # the job and its window are shot in the light run
            dialog.reject()
            return
        # Someone edits a person after the preview: the job skips it rather than overwrite.
        await self.client.update("people", people[3]["id"], {"title": "Head of Sales"})
        jobs = self.window.ensure_jobs()
        assert dialog.apply()
        await wait_until(lambda: jobs.panel.job is not None and jobs.panel.job.state.final,
                         "the bulk job", limit_s=180)  # fmt: skip
        job = jobs.panel.job
        assert job is not None
        shown = jobs.show_jobs_window()
        shown.resize(jobs.panel.width(), 620)
        await jobs.model.reload()
        shown.select(job.id)
        await wait_until(lambda: shown.shown_job is job, "the job's ledger")
        await settle(1)
        self.write(self.stacked(shown.grab(), jobs.panel.grab()), "jobs")
        shown.close()

    def stacked(self, top: QPixmap, bottom: QPixmap) -> QPixmap:
        image = QPixmap(max(top.width(), bottom.width()), top.height() + bottom.height())
        image.fill(self.window.palette().window().color())
        painter = QPainter(image)
        painter.drawPixmap(0, 0, top)
        painter.drawPixmap(0, top.height(), bottom)
        painter.end()
        return image


SCENES: Mapping[str, tuple[Callable[[Shots], Any], tuple[str, ...]]] = {
    "browser": (Shots.browser_scene, BOTH),
    "editor": (Shots.editor_scene, BOTH),
    "board": (Shots.board_scene, BOTH),
    "grid": (Shots.grid_scene, BOTH),
    "imports": (Shots.import_scene, ("light",)),
    "convert": (Shots.convert_scene, ("light",)),
    "bulk": (Shots.bulk_scene, BOTH),
}
"""Each scene and the themes it has images in."""


def run_app(app: QApplication, mode: str, scenes: Sequence[str]) -> list[Path]:
    """One run of the app in a fresh temporary home, its theme chosen beforehand (View ▸
    Theme, remembered), taking the scenes' images of that theme."""
    taken: list[Path] = []

    async def drive(desktop: DesktopApp, home: Path) -> None:
        try:
            await wait_until(desktop.connected.is_set, "the start", limit_s=180)
            assert desktop.window is not None
            desktop.window.resize(*WINDOW_SIZE)
            shots = Shots(desktop, home, mode)
            await shots.browser("people")
            for name in scenes:
                scene, themes = SCENES[name]
                if mode in themes:
                    await scene(shots)
            taken.extend(shots.saved)
        finally:
            desktop.quit()

    with tempfile.TemporaryDirectory(prefix="copper-screenshots-") as folder:
        home = Path(folder)
        paths = AppPaths.resolve(home / "app")
        paths.make_dirs()
        save_settings(paths, {"theme": mode})
        desktop = DesktopApp(paths, use_sandbox=True)
        code = run_desktop(app, desktop, lambda d: drive(d, home))
    if code != 0:
        raise RuntimeError(f"the app ended with {code}")
    return taken


def main(argv: Sequence[str]) -> int:
    chosen = list(argv) or list(SCENES)
    unknown = [n for n in chosen if n not in SCENES]
    if unknown:
        print(f"screenshots: unknown scene(s) {unknown}; known: {list(SCENES)}", file=sys.stderr)
        return 2
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Copper Desktop")
    app.setQuitOnLastWindowClosed(False)
    DOCS.mkdir(exist_ok=True)
    taken = [path for mode in BOTH for path in run_app(app, mode, chosen)]
    print(f"{len(taken)} screenshots saved")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
