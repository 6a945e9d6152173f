"""Saving a grid's staged edits: the preview against fresh records, then a job.

:meth:`GridSaveModel.review` shows the staged cells as a preview at once (before → after as the
grid holds them; nothing is sent). :meth:`GridSaveModel.request_preview` loads the edited
records fresh from Copper (``ids`` searches of 200, through the model's `ActionRunner`) and
computes ``domain.staged_changes.preview_staged`` in the app's executor; records changed in
Copper since their cells were edited cannot be changed (``conflicts`` holds them fresh).
:meth:`GridSaveModel.apply` journals the job with ``JobStore.create_bulk_edit``: the bulk
edit's job, so the save is conflict-safe, resumable and undoable like one. The preview table is
the bulk edit's own (`PreviewTableModel`).

QtCore only.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Executor
from typing import Any

from PySide6.QtCore import QObject, Signal

from copper_desktop.api.errors import CopperError
from copper_desktop.domain.bulk import BulkContext, Preview
from copper_desktop.domain.catalog import entity
from copper_desktop.domain.custom_fields import set_field_value
from copper_desktop.domain.staged_changes import CONFLICT_REASON, preview_staged
from copper_desktop.jobs import Job, JobError, JobStore, fetch_records
from copper_desktop.models.actions import ActionRunner
from copper_desktop.models.async_support import off_loop
from copper_desktop.models.bulk import PreviewTableModel, bulk_context, counts_line, edit_title
from copper_desktop.models.lookups import Lookups
from copper_desktop.models.staged_edits import StagedEdits

__all__ = ["GridSaveModel"]

Json = dict[str, Any]


class GridSaveModel(QObject):
    """Saving one grid's staged edits of ``entity_key`` records.

    Signals:
        loading_changed(bool): the fresh records started or stopped loading.
        preview_ready(object): a `Preview` (also ``preview``; shown by ``table``).
        preview_failed(str): loading failed; nothing was written.
        job_created(object): the journaled `Job` (not started: the caller runs it).
        apply_failed(str): the job could not be created; nothing was written.
    """

    loading_changed = Signal(bool)
    preview_ready = Signal(object)
    preview_failed = Signal(str)
    job_created = Signal(object)
    apply_failed = Signal(str)

    def __init__(
        self,
        store: JobStore,
        entity_key: str,
        lookups: Lookups,
        staged: StagedEdits,
        *,
        executor: Executor | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"gridSave_{entity_key}")
        self.store = store
        self.spec = entity(entity_key)
        self.lookups = lookups
        self.staged = staged
        self._executor = executor
        self.runner = ActionRunner(self)
        self.table = PreviewTableModel(lookups, self)
        self.preview: Preview | None = None
        self.checked = False
        """Whether ``preview`` was made against records fresh from Copper (only then can it
        be applied)."""
        self.conflicts: list[Json] = []
        """Fresh records changed in Copper since their cells were edited."""
        self.job: Job | None = None
        self._loading = False

    @property
    def context(self) -> BulkContext:
        return bulk_context(self.spec, self.lookups)

    @property
    def loading(self) -> bool:
        return self._loading

    def counts_line(self) -> str:
        return counts_line(self.preview) if self.preview is not None else ""

    def review(self, held: Mapping[int, Mapping[str, Any]]) -> Preview:
        """The staged cells as a preview now, against their original values (``held``: the
        records the grid shows, for their names); nothing is sent."""
        records = []
        for record_id, values in self.staged.values_by_record().items():
            record: dict[str, Any] = {"id": record_id, "name": f"#{record_id}"}
            record.update({k: v for k, v in (held.get(record_id) or {}).items()
                           if k in ("name", "title")})  # fmt: skip
            for key in values:
                cell = self.staged.cell(record_id, key)
                record = set_field_value(record, key, cell.original if cell else None)
            records.append(record)
        context = self.context
        result = preview_staged(context, records, self.staged.values_by_record(), {})
        self._show(context, result, checked=False)
        return result

    def request_preview(self) -> bool:
        """Load the edited records fresh and preview the save; False when nothing can be
        saved (no valid staged cell) or a load is running."""
        values = self.staged.values_by_record()
        if not values or self._loading:
            return False
        context, edited_at = self.context, self.staged.edited_at()
        self._set_loading(True)
        self.runner.run(
            self._load(context, values, edited_at),
            success=lambda answer: self._previewed(context, *answer),
            failure=lambda failure: self.preview_failed.emit(failure.message),
            done=lambda: self._set_loading(False),
            what=f"Could not load the edited {self.spec.plural_label.lower()}",
            expected=(CopperError,),
            key="preview",
        )
        return True

    async def _load(
        self,
        context: BulkContext,
        values: dict[int, dict[str, Any]],
        edited_at: dict[int, int | None],
    ) -> tuple[Preview, dict[int, Json]]:
        found = await fetch_records(self.store.client, self.spec.key, list(values))
        records = list(found.values())
        result = await off_loop(self._executor, preview_staged, context, records, values,
                                edited_at)  # fmt: skip
        return result, found

    def _previewed(self, context: BulkContext, result: Preview, fresh: dict[int, Json]) -> None:
        self.conflicts = [
            fresh[r.record_id]
            for r in result.refused
            if r.reason == CONFLICT_REASON and r.record_id in fresh
        ]
        self._show(context, result, checked=True)

    def _show(self, context: BulkContext, result: Preview, *, checked: bool) -> None:
        self.preview = result
        self.checked = checked
        self.table.set_preview(result, context)
        self.preview_ready.emit(result)

    def job_title(self) -> str:
        """ "Grid edit of 7 people: Owner, Stage"."""
        return edit_title("Grid edit", self.spec, self.preview)

    def apply(self) -> bool:
        """Journal the job for the checked preview and hand it on (``job_created``). False
        when there is nothing checked to apply, or a job is being made."""
        result = self.preview
        if result is None or not self.checked or not result.will_change:
            return False
        if self.runner.running("apply") or self.job is not None:
            return False
        self.runner.run(
            self.store.create_bulk_edit(result, title=self.job_title()),
            success=self._created,
            failure=lambda failure: self.apply_failed.emit(failure.message),
            what="Could not create the job",
            expected=(CopperError, JobError, OSError),
            key="apply",
        )
        return True

    def _created(self, job: Job) -> None:
        self.job = job
        self.job_created.emit(job)

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    async def aclose(self) -> None:
        await self.runner.aclose()
