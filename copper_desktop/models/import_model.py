"""The import wizard's model: the file, the entity and mode, the mapping, the preview, the jobs.

Steps, each started by the wizard and answered by a signal (nothing is written before
:meth:`ImportModel.apply`):

1. :meth:`load` reads the file off the UI thread (``file_loaded`` / ``failed``);
2. :meth:`set_target` (entity, mode) maps the columns: the mapping remembered for this entity
   and these headers, else by header (``mapping_changed``); :meth:`set_column` changes one;
   :meth:`samples` shows how a column's first values parse;
3. :meth:`request_plan` remembers the mapping and plans every row against fresh records
   (``progress``, then ``plan_ready`` with the counts in :attr:`plan`; :attr:`table` lists
   the rows);
4. :meth:`apply` journals the jobs and hands each to ``job_created`` (the jobs panel runs
   them); :meth:`write_errors` saves the rows that failed, at the preview or after the jobs.

QtCore only.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from concurrent.futures import Executor
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
from copper_desktop.domain.bulk import BulkContext, FieldChange
from copper_desktop.domain.catalog import EntitySpec, FieldSpec, entity
from copper_desktop.domain.cell_input import Names, parse_cell
from copper_desktop.domain.csv_files import CsvTable
from copper_desktop.domain.formats import FormatError
from copper_desktop.domain.import_plan import (
    Action,
    ImportPlan,
    ImportSetup,
    Mode,
    RowPlan,
    auto_mapping,
    importable_fields,
    mapping_notes,
)
from copper_desktop.jobs import Job, JobError, JobStore
from copper_desktop.models.actions import ActionRunner
from copper_desktop.models.async_support import off_loop
from copper_desktop.models.bulk import bulk_context, show_value
from copper_desktop.models.columns_table import ColumnsTable
from copper_desktop.models.import_run import (
    ImportClient,
    MappingMemory,
    create_jobs,
    job_errors,
    plan_import,
    read_table,
    write_errors,
)
from copper_desktop.models.lookups import PICKABLE, Lookups

__all__ = ["IMPORT_ENTITIES", "ImportModel", "ImportPreviewModel", "change_text"]

IMPORT_ENTITIES: Final = ("people", "companies", "leads", "opportunities", "tasks", "projects")
SAMPLES: Final = 3
EXPECTED: Final = (CopperError, JobError, OSError, ValueError)


def change_text(change: FieldChange, field: FieldSpec, lookups: Lookups, create: bool) -> str:
    """ "Title: Sales → Head of sales" (or "Title: Sales" for a create)."""
    after = show_value(field, change.after, lookups) or "—"
    if create:
        return f"{change.label}: {after}"
    before = show_value(field, change.before, lookups) or "—"
    return f"{change.label}: {before} → {after}"


class ImportPreviewModel(ColumnsTable):
    """One line per file row: line, what it does, the record, the changes or the error."""

    COLUMNS = ("Line", "Action", "Record", "Changes")

    def __init__(self, lookups: Lookups, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importPreviewModel")
        self.lookups = lookups
        self.plan: ImportPlan | None = None
        self._rows: list[RowPlan] = []

    def set_plan(self, plan: ImportPlan | None) -> None:
        self.beginResetModel()
        self.plan = plan
        self._rows = list(plan.rows) if plan is not None else []
        self.endResetModel()

    def text(self, row: int, column: int) -> str:
        plan = self._rows[row]
        if column == 0:
            return str(plan.line)
        if column == 1:
            return plan.action.value
        if column == 2:
            shown = plan.name or ""
            return f"{shown} (#{plan.record_id})" if plan.record_id else shown
        if plan.action is Action.ERROR:
            return plan.error
        assert self.plan is not None
        fields = self.plan.setup.ctx.fields
        create = plan.action is Action.CREATE
        return "; ".join(change_text(c, fields[c.key], self.lookups, create) for c in plan.changes)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.text(index.row(), index.column())
        if role == Qt.ItemDataRole.UserRole:
            return self._rows[index.row()].action.value
        return None


class ImportModel(QObject):
    """One import (see the module docstring).

    Signals:
        file_loaded(object): the `CsvTable` read.
        mapping_changed(): the mapping (or the fields offered) changed.
        progress(int, int): rows planned so far, of how many.
        plan_ready(object): the `ImportPlan` (also :attr:`plan`).
        job_created(object): a journaled `Job` to run.
        failed(str): a step failed (user-fit text); nothing was written.
        busy_changed(bool): a step started or ended.
    """

    file_loaded = Signal(object)
    mapping_changed = Signal()
    progress = Signal(int, int)
    plan_ready = Signal(object)
    job_created = Signal(object)
    failed = Signal(str)
    busy_changed = Signal(bool)

    def __init__(
        self,
        client: ImportClient,
        store: JobStore,
        lookups: Lookups,
        config_dir: Path,
        *,
        journal_dir: Path | None = None,
        executor: Executor | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("importModel")
        self.client = client
        self.store = store
        self.lookups = lookups
        self.memory = MappingMemory(config_dir)
        self.journal_dir = journal_dir
        self.executor = executor
        self.runner = ActionRunner(self)
        self.table_model = ImportPreviewModel(lookups, self)
        self.path: Path | None = None
        self.table: CsvTable | None = None
        self.entity_key = "people"
        self.mode = Mode.UPDATE
        self.mapping: list[str | None] = []
        self.recalled = False
        """The mapping came from memory (the user confirmed it for these headers before)."""
        self.plan: ImportPlan | None = None
        self.jobs: list[Job] = []
        self.busy = False

    # ------------------------------------------------------------------ the file
    @property
    def spec(self) -> EntitySpec:
        return entity(self.entity_key)

    def context(self) -> BulkContext:
        return bulk_context(self.spec, self.lookups)

    def load(self, path: Path) -> None:
        self.path = Path(path)
        self._busy(True)
        self.runner.run(
            self._read(self.path), success=self._loaded, what=f"Could not read {self.path.name}",
            failure=lambda f: self.failed.emit(f.message), done=lambda: self._busy(False),
            expected=EXPECTED, key="load",
        )  # fmt: skip

    async def _read(self, path: Path) -> CsvTable:
        table: CsvTable = await off_loop(self.executor, read_table, path)
        return table

    def _loaded(self, table: CsvTable) -> None:
        if not table.headers:
            self.failed.emit("The file is empty: it needs a header line and rows.")
            return
        self.table = table
        self.plan = None
        self.table_model.set_plan(None)
        self._remap()
        self.file_loaded.emit(table)

    # ------------------------------------------------------------------ the mapping
    def fields(self) -> list[FieldSpec]:
        """The fields a column may write for the entity and mode."""
        return importable_fields(self.context().fields, self.mode)

    def set_target(self, entity_key: str, mode: Mode) -> None:
        if entity_key not in IMPORT_ENTITIES:
            raise ValueError(f"Import is not offered for {entity_key!r}.")
        self.entity_key, self.mode = entity_key, Mode(mode)
        self.plan = None
        self.table_model.set_plan(None)
        self._remap()

    def _remap(self) -> None:
        if self.table is None:
            return
        headers = self.table.headers
        offered = {f.key for f in self.fields()}
        try:
            recalled = self.memory.recall(self.entity_key, headers)
        except (OSError, ValueError):
            recalled = None
        if recalled is not None:
            self.mapping = [k if k in offered else None for k in recalled]
        else:
            self.mapping = auto_mapping(headers, self.fields())
        self.recalled = recalled is not None
        self.mapping_changed.emit()

    def set_column(self, column: int, key: str | None) -> None:
        """Column ``column`` writes ``key`` (None: not imported); a field another column
        wrote goes to this one alone."""
        if key is not None:
            self.mapping = [None if k == key else k for k in self.mapping]
        self.mapping[column] = key
        self.plan = None
        self.mapping_changed.emit()

    def notes(self) -> list[str]:
        if self.table is None:
            return []
        return mapping_notes(self.table.headers, self.mapping, self.context().fields)

    def setup(self) -> ImportSetup:
        assert self.table is not None
        return ImportSetup(self.context(), self.table.headers, tuple(self.mapping), self.mode,
                           Names.of(self.lookups, PICKABLE), self.lookups.name)  # fmt: skip

    def samples(self, column: int) -> list[tuple[str, str, bool]]:
        """How the first values of a column parse: (text, what it becomes or why not, ok)."""
        if self.table is None:
            return []
        key = self.mapping[column]
        texts = [r[column] for r in self.table.rows if column < len(r) and r[column].strip()]
        out: list[tuple[str, str, bool]] = []
        spec = self.context().fields.get(key) if key else None
        names = Names.of(self.lookups, PICKABLE) if spec is not None else None
        for text in texts[:SAMPLES]:
            if spec is None or names is None:
                out.append((text, "not imported", True))
                continue
            if key == "id":
                digits = text.strip().lstrip("#")
                out.append((text, f"#{digits}" if digits.isdigit() else "not an id",
                            digits.isdigit()))  # fmt: skip
                continue
            try:
                value = parse_cell(spec, text, names)
            except (FormatError, ValueError) as error:
                out.append((text, str(error), False))
                continue
            problem = self.context().validate(spec.key, value)
            shown = show_value(spec, value, self.lookups) or "(blank)"
            out.append((text, problem or shown, problem is None))
        return out

    # ------------------------------------------------------------------ the preview
    def request_plan(self) -> bool:
        if self.table is None or self.busy:
            return False
        self._busy(True)
        self.runner.run(
            self._plan(self.setup(), self.table, list(self.mapping)),
            success=self._planned, failure=lambda f: self.failed.emit(f.message),
            done=lambda: self._busy(False), what="Could not preview the import",
            expected=EXPECTED, key="plan",
        )  # fmt: skip
        return True

    async def _plan(self, setup: ImportSetup, table: CsvTable,
                    mapping: list[str | None]) -> ImportPlan:  # fmt: skip
        with contextlib.suppress(OSError):  # remembering is a convenience: the import goes on
            await off_loop(
                self.executor, self.memory.remember, self.entity_key, table.headers, mapping
            )
        return await plan_import(self.client, setup, table, notes=self.notes(),
                                 executor=self.executor, progress=self.progress.emit)  # fmt: skip

    def cancel(self) -> None:
        self.runner.cancel("plan")
        self.runner.cancel("load")

    def _planned(self, plan: ImportPlan) -> None:
        self.plan = plan
        self.table_model.set_plan(plan)
        self.plan_ready.emit(plan)

    # ------------------------------------------------------------------ writing
    def apply(self) -> bool:
        """Journal the jobs and hand them on; False when there is nothing to write."""
        plan = self.plan
        if plan is None or not plan.writes or self.busy or self.jobs:
            return False
        title = f"Import of {self.path.name if self.path else 'a file'}"
        self._busy(True)
        self.runner.run(
            create_jobs(self.store, plan, title=title, journal_dir=self.journal_dir),
            success=self._created, failure=lambda f: self.failed.emit(f.message),
            done=lambda: self._busy(False), what="Could not create the import's jobs",
            expected=EXPECTED, key="apply",
        )  # fmt: skip
        return True

    def _created(self, jobs: Sequence[Job]) -> None:
        self.jobs = list(jobs)
        for job in jobs:
            self.job_created.emit(job)

    def error_rows(self) -> list[tuple[tuple[str, ...], str]]:
        """The rows that failed: at the preview, and (once run) the jobs' refusals."""
        if self.plan is None:
            return []
        return self.plan.error_rows() + job_errors(self.plan, self.jobs)

    def default_errors_path(self) -> Path | None:
        if self.path is None:
            return None
        return self.path.with_name(f"{self.path.stem}-errors.csv")

    def write_errors(self, path: Path) -> int:
        """Save the errors file (blocking, small); OSError when it cannot be written."""
        if self.table is None:
            raise ValueError("No file is loaded.")
        return write_errors(path, self.table.headers, self.error_rows())

    def _busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.busy_changed.emit(busy)

    async def aclose(self) -> None:
        await self.runner.aclose()
