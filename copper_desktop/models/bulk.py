"""The bulk edit dialog's model: the edit's operations, the preview (dry run) and the job.

The dialog builds operations (``copper_desktop.domain.bulk``) from its rows and hands them
here. :meth:`BulkEditModel.request_preview` refuses an invalid edit before anything is sent,
then loads the selected records fresh from Copper (``jobs.fetch_records``: ``ids`` searches
of 200) through the model's `ActionRunner`, and computes the preview; selected records Copper
no longer returns (deleted, or not visible to this user) count as "cannot be changed".
:meth:`BulkEditModel.apply` journals the job (``JobStore.create_bulk_edit``) and hands it on;
nothing is written before that. :class:`PreviewTableModel` shows the preview's lines (record,
field, before, after) with names from `Lookups`, through ``domain.display.format_field``.

QtCore only: widgets observe the signals and never see the client.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import replace
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from copper_desktop.api.errors import CopperError
from copper_desktop.domain.bulk import (
    MISSING_REASON,
    BulkContext,
    BulkEditError,
    BulkOperation,
    Preview,
    Refusal,
    check_operations,
    is_blank_value,
    preview,
)
from copper_desktop.domain.catalog import EntitySpec, FieldSpec, FieldType, LookupKind, entity
from copper_desktop.domain.custom_fields import set_field_value
from copper_desktop.domain.display import format_field
from copper_desktop.jobs import Job, JobError, JobStore, fetch_records
from copper_desktop.models.actions import ActionRunner, Failure
from copper_desktop.models.async_support import off_loop
from copper_desktop.models.columns_table import ColumnsTable
from copper_desktop.models.lookups import RESOLVABLE, Lookups

__all__ = [
    "BULK_ENTITIES",
    "FETCH_BATCH",
    "BulkEditModel",
    "IdSource",
    "PreviewTableModel",
    "bulk_context",
    "counts_line",
    "edit_title",
    "show_value",
]

Json = dict[str, Any]
IdSource = Sequence[int] | Callable[[], Awaitable[Sequence[int]]]
"""The selection: ids, or a coroutine function finding them ("all N matching the filters")."""

BULK_ENTITIES: Final = ("people", "companies", "leads", "opportunities", "tasks", "projects")
"""Entities the bulk edit is offered for."""
FETCH_BATCH: Final = 200
"""Ids per ``fetch_records`` call: one search each (Copper's largest page), so the dialog can
say how far loading got."""
BLANK_TEXT: Final = "—"
"""How the preview table shows "no value" (the CSV leaves it empty)."""


def _pipelines(spec: EntitySpec, lookups: Lookups) -> list[Json]:
    """``GET /pipelines`` as `BulkContext` needs it, rebuilt from the loaded lookups (so an
    edit is checked without a request): the pipelines this entity may use, with stage ids."""
    if not spec.has_field("pipeline_stage_id"):
        return []
    return [
        {"id": pid, "type": spec.type, "stages": [{"id": sid} for sid, _ in lookups.stages(pid)]}
        for pid, _ in lookups.choices(LookupKind.PIPELINES)
    ]


def bulk_context(spec: EntitySpec, lookups: Lookups) -> BulkContext:
    """What an edit of ``spec`` is checked against: the account's custom fields and
    pipelines, as the lookups hold them."""
    return BulkContext(spec, lookups.definitions, _pipelines(spec, lookups))


def show_value(field: FieldSpec, value: Any, lookups: Lookups) -> str:
    """One value of ``field`` as a person reads it (names, dates, money): the formatter the
    tables and the editor use, on a record holding just this value."""
    if field.type is not FieldType.BOOLEAN and is_blank_value(value):
        return ""
    return format_field(field, set_field_value({}, field.key, value), lookups.name)


def counts_line(result: Preview) -> str:
    """ "1,204 will change, 96 already match, 3 cannot be changed (why)"."""
    reasons = result.refusal_reasons()
    if not reasons:
        return result.summary()
    if len(reasons) == 1:
        why = next(iter(reasons)).rstrip(".")
    else:
        why = "; ".join(f"{reason.rstrip('.')}: {count:,}" for reason, count in reasons.items())
    return f"{result.summary()} ({why})"


def edit_title(what: str, spec: EntitySpec, result: Preview | None) -> str:
    """A job's title: "<what> of 1,204 people: Account Number, Tags" ("" without a preview)."""
    if result is None:
        return ""
    noun = (spec.label if result.will_change == 1 else spec.plural_label).lower()
    return f"{what} of {result.will_change:,} {noun}: {', '.join(result.labels.values())}"


class PreviewTableModel(ColumnsTable):
    """The preview's lines: record, field, before, after (one per changed field)."""

    COLUMNS = ("Record", "Field", "Before", "After")
    RecordIdRole: Final = Qt.ItemDataRole.UserRole + 1
    KeyRole: Final = Qt.ItemDataRole.UserRole + 2

    def __init__(self, lookups: Lookups, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bulkPreviewModel")
        self.lookups = lookups
        self._fields: Mapping[str, FieldSpec] = {}
        self._lines: list[tuple[int, str, FieldSpec, Any, Any]] = []
        lookups.names_resolved.connect(self._repaint)
        lookups.loaded.connect(self._repaint)

    def set_preview(self, result: Preview | None, context: BulkContext | None = None) -> None:
        self.beginResetModel()
        self._lines = []
        if result is not None and context is not None:
            self._fields = context.fields
            self._lines = [
                (rec.record_id, rec.name, context.fields[ch.key], ch.before, ch.after)
                for rec, ch in result.table()
            ]
        self.endResetModel()

    def text(self, row: int, column: int) -> str:
        _record_id, name, field, before, after = self._lines[row]
        if column == 0:
            return name
        if column == 1:
            return field.label
        return show_value(field, before if column == 2 else after, self.lookups) or BLANK_TEXT

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._lines)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._lines):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.text(index.row(), index.column())
        if role == self.RecordIdRole:
            return self._lines[index.row()][0]
        if role == self.KeyRole:
            return self._lines[index.row()][2].key
        return None

    def _repaint(self) -> None:
        if self._lines:
            self.dataChanged.emit(self.index(0, 2), self.index(len(self._lines) - 1, 3))


class BulkEditModel(QObject):
    """One bulk edit of ``entity_key`` records: check, preview, apply.

    Signals:
        refused(dict): operation index → why; nothing was sent (-1: the edit as a whole).
        loading_changed(bool): the preview's records started or stopped loading.
        progress(int, int): records looked up so far, of how many selected.
        preview_ready(object): a new `Preview` (also in ``preview``, shown by ``table``).
        preview_failed(str): loading failed (user-fit text); nothing was written.
        applying_changed(bool): the job is being journaled.
        job_created(object): the `Job` (journaled, about to start when ``start_job``).
        apply_failed(str): the job could not be created; nothing was written.
    """

    refused = Signal(object)
    loading_changed = Signal(bool)
    progress = Signal(int, int)
    preview_ready = Signal(object)
    preview_failed = Signal(str)
    applying_changed = Signal(bool)
    job_created = Signal(object)
    apply_failed = Signal(str)

    def __init__(
        self,
        store: JobStore,
        entity_key: str,
        lookups: Lookups,
        ids: IdSource,
        *,
        start_job: bool = True,
        executor: Executor | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"bulkEdit_{entity_key}")
        self._executor = executor
        self.store = store
        self.spec = entity(entity_key)
        self.lookups = lookups
        self._ids = ids
        self.start_job = start_job
        self.runner = ActionRunner(self)
        self.table = PreviewTableModel(lookups, self)
        self.preview: Preview | None = None
        self.job: Job | None = None
        self.selected: int | None = None if callable(ids) else len(dict.fromkeys(ids))
        """How many records are selected (None until a provider has been asked)."""
        self._preview_context: BulkContext | None = None
        self._loading = False
        self._applying = False

    # ------------------------------------------------------------------ state
    @property
    def context(self) -> BulkContext:
        """The edit's context now (custom fields and pipelines as the lookups hold them)."""
        return bulk_context(self.spec, self.lookups)

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def applying(self) -> bool:
        return self._applying

    def check(self, operations: Sequence[BulkOperation]) -> dict[int, str]:
        """Operation index → why it cannot run (-1: the edit as a whole); {} when valid."""
        return check_operations(self.context, operations)

    def counts_line(self) -> str:
        return counts_line(self.preview) if self.preview is not None else ""

    # ------------------------------------------------------------------ preview
    def request_preview(self, operations: Sequence[BulkOperation]) -> bool:
        """Load the selection and compute the preview (a load running is replaced). False,
        with ``refused`` emitted and nothing sent, when the edit is invalid."""
        ops = tuple(operations)
        context = self.context
        problems = check_operations(context, ops)
        if problems:
            self.refused.emit(problems)
            return False
        self.clear_preview()
        self._set_loading(True)
        self.runner.run(
            self._load(context, ops),
            success=lambda result: self._previewed(context, result),
            failure=self._preview_failure,
            # A replaced load ends after its successor started: still loading then.
            done=lambda: self._set_loading(self.runner.running("preview")),
            what="Could not load the selected records",
            expected=(CopperError, BulkEditError),
            key="preview",
        )
        return True

    def cancel_preview(self) -> None:
        self.runner.cancel("preview")

    def clear_preview(self) -> None:
        """Forget the preview (the edit changed): nothing can be applied until a new one."""
        self.preview = None
        self._preview_context = None
        self.table.set_preview(None)

    async def selection(self) -> list[int]:
        """The selected ids, each once, in selection order (a provider is asked each time)."""
        raw = await self._ids() if callable(self._ids) else self._ids
        ids = [i for i in dict.fromkeys(raw) if isinstance(i, int) and not isinstance(i, bool)]
        self.selected = len(ids)
        return ids

    async def _load(self, context: BulkContext, ops: tuple[BulkOperation, ...]) -> Preview:
        ids = await self.selection()
        self.progress.emit(0, len(ids))
        found: dict[int, Json] = {}
        for start in range(0, len(ids), FETCH_BATCH):
            found.update(await fetch_records(self.store.client, self.spec.key,
                                             ids[start : start + FETCH_BATCH]))  # fmt: skip
            self.progress.emit(min(start + FETCH_BATCH, len(ids)), len(ids))
        records = [found[i] for i in ids if i in found]
        # A preview of thousands of records is tens of milliseconds of pure Python: in the
        # app's executor the window keeps painting (the thread yields every 5 ms).
        result = await off_loop(self._executor, preview, context, records, ops)
        missing = tuple(Refusal(i, f"#{i}", MISSING_REASON) for i in ids if i not in found)
        return replace(result, refused=result.refused + missing) if missing else result

    def _previewed(self, context: BulkContext, result: Preview) -> None:
        self.preview = result
        self._preview_context = context
        self.table.set_preview(result, context)
        self._resolve_names(context, result)
        self.preview_ready.emit(result)

    def _preview_failure(self, failure: Failure) -> None:
        if isinstance(failure.error, BulkEditError):
            self.refused.emit(failure.error.messages)
        else:
            self.preview_failed.emit(failure.message)

    def _resolve_names(self, context: BulkContext, result: Preview) -> None:
        """Names of companies, people, … the preview refers to (the table repaints)."""
        wanted: dict[LookupKind, set[int]] = {}
        for _rec, change in result.table():
            kind = context.fields[change.key].lookup
            if kind in RESOLVABLE and kind is not None:
                for value in (change.before, change.after):
                    if isinstance(value, int) and not isinstance(value, bool):
                        wanted.setdefault(kind, set()).add(value)
        for kind, ids in wanted.items():
            if self.lookups.unknown(kind, ids):
                # Names are a nicety: the table shows "#id" until (unless) they arrive.
                self.runner.run(self.lookups.resolve(kind, sorted(ids)),
                                failure=lambda _f: None, key=f"names:{kind.value}")  # fmt: skip

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    # ------------------------------------------------------------------ export
    def export_csv(self, path: Path) -> int:
        """Write the preview table as CSV (names, not ids); returns the number of lines.
        OSError when the file cannot be written (the dialog says so)."""
        if self.preview is None or self._preview_context is None:
            raise ValueError("There is no preview to export.")
        fields = self._preview_context.fields

        def shown(key: str, value: Any) -> str:
            return show_value(fields[key], value, self.lookups)

        with Path(path).open("w", encoding="utf-8", newline="") as stream:
            return self.preview.write_csv(stream, format_value=shown)

    # ------------------------------------------------------------------ applying
    def job_title(self) -> str:
        """ "Bulk edit of 1,204 people: Account Number, Tags"."""
        return edit_title("Bulk edit", self.spec, self.preview)

    def apply(self) -> bool:
        """Journal the job for the current preview, hand it on (``job_created``) and start it
        (when ``start_job``). False when there is nothing to apply or a job is being made."""
        result = self.preview
        if result is None or not result.will_change or self._applying or self.job is not None:
            return False
        self._set_applying(True)
        self.runner.run(
            self.store.create_bulk_edit(result, title=self.job_title()),
            success=self._created,
            failure=lambda failure: self.apply_failed.emit(failure.message),
            done=lambda: self._set_applying(False),
            what="Could not create the job",
            expected=(CopperError, JobError, OSError),
            key="apply",
        )
        return True

    def _created(self, job: Job) -> None:
        self.job = job
        self.job_created.emit(job)
        if self.start_job:
            job.start()

    def _set_applying(self, applying: bool) -> None:
        if applying != self._applying:
            self._applying = applying
            self.applying_changed.emit(applying)

    async def aclose(self) -> None:
        """Stop loading (a job already handed on keeps running: it belongs to the store)."""
        await self.runner.aclose()
