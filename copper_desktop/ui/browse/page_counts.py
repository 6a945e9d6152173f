"""Record counts beside the navigation's entity pages.

Each count is one search for one record per entity (its X-PW-TOTAL), asked one after another
once the first rows are on screen, so they never delay the start nor crowd the rate limit. A
browser showing its entity unfiltered knows the count already: its total replaces the number
when it changes (after a create, a delete, a refresh). A count that fails stays blank.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from copper_desktop.domain.catalog import ENTITIES
from copper_desktop.models.actions import ActionRunner, Failure
from copper_desktop.models.workspace import count_records
from copper_desktop.session import Session
from copper_desktop.ui.browse.navigation import Navigation

if TYPE_CHECKING:
    from copper_desktop.ui.browse.browser import EntityBrowser

log = logging.getLogger(__name__)


class PageCounts(QObject):
    def __init__(self, nav: Navigation, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pageCounts")
        self.nav = nav
        self.session = session
        self.runner = ActionRunner(self)
        self.counts: dict[str, int] = {}

    def start(self, keys: Sequence[str]) -> None:
        """Count the records of these entities, one search after another (not awaited)."""
        wanted = [k for k in keys if k in ENTITIES and k not in self.counts]
        if wanted:
            self.runner.run(self._count(wanted), failure=self._failed, key="counts")

    async def _count(self, keys: Sequence[str]) -> None:
        for key in keys:
            total = await count_records(self.session.client, ENTITIES[key].path)
            if total is not None and key not in self.counts:
                self.set_count(key, total)

    def _failed(self, failure: Failure) -> None:
        log.info("record counts unavailable: %s", failure.reason)

    def set_count(self, key: str, total: int) -> None:
        self.counts[key] = total
        self.nav.set_count(key, total)

    def watch(self, key: str, browser: EntityBrowser) -> None:
        """Follow the browser's total while it shows the entity unfiltered."""

        def follow(_rows: int) -> None:
            total = browser.model.server_total
            if total is not None and not browser.filters():
                self.set_count(key, total)

        browser.model.total_changed.connect(follow)

    async def aclose(self) -> None:
        await self.runner.aclose()
