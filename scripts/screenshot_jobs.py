"""Takes docs/jobs.png: the jobs panel and the Jobs window after a finished bulk edit.

Offscreen, no display needed: an in-memory sandbox, the real client, the jobs UI installed in a
bare main window. Three jobs are run: a bulk edit, its undo, and a second bulk edit where one
record was deleted and another changed after the preview (so the ledger shows a failure and a
conflict). The panel and the Jobs window are grabbed and stacked into one image.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "jobs.png"
WIDTH = 1060


async def take(home: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QPainter, QPixmap
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    from copper_desktop.api import CopperClient
    from copper_desktop.config import AppPaths
    from copper_desktop.domain.bulk import BulkContext, EditTags, SetField, TagMode, Typed, preview
    from copper_desktop.domain.catalog import entity
    from copper_desktop.domain.custom_fields import parse_definitions
    from copper_desktop.jobs import Job, fetch_records
    from copper_desktop.sandbox.server import SandboxServer
    from copper_desktop.sandbox.settings import SandboxConfig
    from copper_desktop.session import Session
    from copper_desktop.ui.jobs import install_jobs_ui

    # Copper's own limits (180 requests a minute, 3 bulk requests a second), on both sides
    server = SandboxServer(SandboxConfig(port=0, db=":memory:", seed=300))
    server.start()
    admin = server.users[0]
    client = CopperClient(admin["email"], admin["token"], base_url=server.base_url)
    host = QMainWindow()
    central = QLabel("(the entity browsers)", host)
    central.setObjectName("placeholder")
    central.setAlignment(Qt.AlignmentFlag.AlignCenter)
    host.setCentralWidget(central)
    host.setWindowTitle("Copper Desktop")
    ui = install_jobs_ui(host, Session(AppPaths.resolve(home), client, {}))
    try:
        people = (await client.search("people", {"sort_by": "name"}, page_size=60)).records
        ids = [p["id"] for p in people]
        definitions = parse_definitions(await client.custom_field_definitions())
        account = next(d.id for d in definitions if d.name == "Account Number")
        ctx = BulkContext(entity("people"), definitions, await client.pipelines())

        async def edit(chosen: list[int], ops: list[Any], title: str) -> Job:
            found = await fetch_records(client, "people", chosen)
            shown = preview(ctx, [found[i] for i in chosen if i in found], ops)
            return await ui.store.create_bulk_edit(shown, title=title)

        first = await edit(ids[40:52], [EditTags(TagMode.ADD, ("newsletter",))],
                           "Add tag “newsletter”")  # fmt: skip
        await ui.model.run(first)
        await ui.model.undo(first)
        main = await edit(
            ids[:40],
            [SetField(f"cf_{account}", Typed("Q3-2025")), EditTags(TagMode.ADD, ("q3 outreach",))],
            "Set Account Number to “Q3-2025”, add tag “q3 outreach”",
        )
        await client.delete("people", ids[2])  # deleted after the preview: fails
        await client.update("people", ids[5], {"title": "Head of Sales"})  # changed: skipped
        host.resize(WIDTH, 700)
        host.show()
        await ui.model.run(main)
        window = ui.show_jobs_window()
        window.resize(WIDTH, 600)
        await ui.model.reload()
        window.select(main.id)
        for _ in range(200):
            if window.shown_job is main:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.3)  # let both windows paint
        panel_shot = ui.panel.grab()
        window_shot = window.grab()
        image = QPixmap(WIDTH, panel_shot.height() + window_shot.height())
        image.fill(host.palette().window().color())
        painter = QPainter(image)
        painter.drawPixmap(0, 0, window_shot)
        painter.drawPixmap(0, window_shot.height(), panel_shot)
        painter.end()
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(OUTPUT)):
            raise RuntimeError(f"could not save {OUTPUT}")
        QApplication.processEvents()
    finally:
        await ui.aclose()
        host.close()
        await client.aclose()
        server.stop()


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_API", "pyside6")
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    app.setApplicationName("Copper Desktop")
    app.setQuitOnLastWindowClosed(False)  # closing the windows must not stop the loop
    with (
        tempfile.TemporaryDirectory(prefix="copper-jobs-shot-") as home,
        asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner,
    ):
        runner.run(take(Path(home)))
    print(f"saved {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
