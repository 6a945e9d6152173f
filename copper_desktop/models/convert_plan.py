"""The lead conversion planner's table (issue #10): one row per selected lead, what it
becomes, editable per row, checked before anything runs; the runnable rows become one job.

Loading runs 200 leads at a time (the dialog's progress) through
``jobs.conversion_plan.plan_conversions``, the look-up path the convert dialog and the
benchmark use: each company search is asked once over all batches, and the matching runs in
the app's executor so the window keeps painting. Leads naming the same new company share it:
the table says so, and the job creates it once.

Each row may override the template's opportunity: create one or not, its name (the planner's
row box), and its pipeline, stage, value and owner (editable cells). Picking a row's pipeline
picks that pipeline's first stage; ``domain.convert.validate_rows`` refuses a stage of another
pipeline or an unknown owner. QtCore only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from typing import Any, Final

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from copper_desktop.api.search import SearchClient
from copper_desktop.domain.catalog import LookupKind
from copper_desktop.domain.convert import (
    CompanyDecision,
    ConversionPlanRow,
    OpportunityTemplate,
    validate_rows,
)
from copper_desktop.domain.formats import format_number
from copper_desktop.jobs import Job, JobStore, fetch_records
from copper_desktop.jobs.conversion_plan import CompanySearches, plan_conversions
from copper_desktop.models.actions import ActionRunner
from copper_desktop.models.columns_table import ColumnsTable
from copper_desktop.models.convert import (
    Busy,
    company_text,
    default_contact_type,
    opportunity_pipelines,
    reason_text,
    user_ids,
)
from copper_desktop.models.lookups import Lookups

__all__ = ["COLUMNS", "LEAD_BATCH", "OVERRIDABLE", "ConversionPlanModel", "IdSource"]

Json = dict[str, Any]
IdSource = Sequence[int] | Callable[[], Awaitable[Sequence[int]]]
"""The planner's leads: ids, or a coroutine function finding them ("all matching")."""
LEAD_BATCH: Final = 200
"""Leads per ``ids`` search while the planner loads (its progress steps)."""
COLUMNS: Final = ("Lead", "Person", "Company", "Duplicate people", "Opportunity", "Pipeline",
                  "Stage", "Value", "Owner", "Problems")  # fmt: skip
(LEAD, PERSON, COMPANY, DUPLICATES, OPPORTUNITY, PIPELINE, STAGE, VALUE, OWNER,
 PROBLEMS) = range(len(COLUMNS))  # fmt: skip
OVERRIDABLE: Final = {PIPELINE: "pipeline_id", STAGE: "pipeline_stage_id",
                      VALUE: "monetary_value", OWNER: "assignee_id"}  # fmt: skip
"""The editable cells and the opportunity key each sets for its row."""


def _counted(count: int, one: str, many: str) -> str:
    """ "1 lead", "2 leads": the count with the words that agree with it."""
    return f"{count:,} {one if count == 1 else many}"


@dataclass(slots=True)
class _Overrides:
    """A row's own choices over the template: create an opportunity or not (None: as the
    template), and the opportunity keys it sets itself (name, pipeline, stage, value, owner)."""

    create: bool | None = None
    fields: Json = field(default_factory=dict)


class ConversionPlanModel(ColumnsTable, Busy):
    """The planner's table: one row per lead (see ``COLUMNS``), its company decision and
    opportunity editable per row, checked before anything runs.

    Signals (besides the table's):
        loading_changed(bool), creating_changed(bool): loading; the job being journaled.
        progress(int, int): leads looked up so far, of how many.
        loaded(): the plan is complete.
        load_failed(str): loading failed; nothing was written.
        plan_changed(): a decision, an override or the template changed (rows re-checked).
        job_created(object): the journaled `Job` of the runnable rows.
        run_failed(str): the job could not be made; nothing was sent.
    """

    COLUMNS = COLUMNS

    loading_changed = Signal(bool)
    creating_changed = Signal(bool)
    progress = Signal(int, int)
    loaded = Signal()
    load_failed = Signal(str)
    plan_changed = Signal()
    job_created = Signal(object)
    run_failed = Signal(str)

    DecisionRole: Final = Qt.ItemDataRole.UserRole + 1
    LeadIdRole: Final = Qt.ItemDataRole.UserRole + 2

    def __init__(
        self,
        store: JobStore,
        lookups: Lookups,
        parent: QObject | None = None,
        *,
        executor: Executor | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("conversionPlanModel")
        self.store = store
        self.client: SearchClient = store.client
        self.lookups = lookups
        self.executor = executor
        """The app's executor: the matching runs there (None: on the loop, in tests)."""
        self.runner = ActionRunner(self)
        self.template = OpportunityTemplate()
        self.contact_type_id: int | None = default_contact_type(lookups)
        self.rows: list[ConversionPlanRow] = []
        self.missing = 0
        """Selected leads Copper no longer returns (converted, deleted or not visible)."""
        self.selected: int | None = None
        self.job: Job | None = None
        self._overrides: list[_Overrides] = []
        self._sharing: dict[str, int] = {}
        lookups.loaded.connect(self.check)

    # ------------------------------------------------------------------ loading
    def load(self, ids: IdSource) -> None:
        """Load the leads (200 at a time), their candidates and duplicates; the plan then."""
        self._set_loading(True)
        self.runner.run(
            self._load(ids),
            success=self._loaded,
            failure=lambda failure: self.load_failed.emit(failure.message),
            done=lambda: self._set_loading(self.runner.running("load")),
            what="Could not load the leads",
            key="load",
        )

    async def _load(self, ids: IdSource) -> list[ConversionPlanRow]:
        raw = await ids() if callable(ids) else ids
        chosen = [i for i in dict.fromkeys(raw) if isinstance(i, int) and not isinstance(i, bool)]
        self.selected = len(chosen)
        self.progress.emit(0, len(chosen))
        rows: list[ConversionPlanRow] = []
        searches = CompanySearches()
        for start in range(0, len(chosen), LEAD_BATCH):
            batch = chosen[start : start + LEAD_BATCH]
            found = await fetch_records(self.store.client, "leads", batch)
            leads = [found[i] for i in batch if i in found]
            rows += await plan_conversions(
                self.client, leads, self.template, contact_type_id=self.contact_type_id,
                executor=self.executor, searches=searches,
            )  # fmt: skip
            self.progress.emit(min(start + LEAD_BATCH, len(chosen)), len(chosen))
        self.missing = len(chosen) - len(rows)
        return rows

    def _loaded(self, rows: list[ConversionPlanRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self._overrides = [_Overrides() for _ in rows]
        self._recheck()
        self.endResetModel()
        self.loaded.emit()

    # ------------------------------------------------------------------ editing
    def set_template(self, template: OpportunityTemplate) -> None:
        """Apply a new template to every row (rows keep their own overrides)."""
        self.template = template
        self._rebuild()

    def set_contact_type(self, contact_type_id: int | None) -> None:
        self.contact_type_id = contact_type_id
        for row in self.rows:
            row.person["contact_type_id"] = contact_type_id
        self._rebuild()

    def set_decision(self, index: int, decision: CompanyDecision) -> None:
        self.rows[index].company = decision
        self._rebuild()

    def set_opportunity(self, index: int, create: bool | None, name: str | None = None) -> None:
        """Row ``index``'s own choice: create an opportunity or not (None: as the template),
        and its name (None: from the template's pattern)."""
        own = self._overrides[index]
        own.create = create
        if name is None:
            own.fields.pop("name", None)
        else:
            own.fields["name"] = name
        self._rebuild()

    def set_override(self, index: int, key: str, value: Any) -> None:
        """Row ``index``'s own opportunity ``key`` (one of ``OVERRIDABLE``'s). A pipeline
        brings its first stage (None when it has none: validation then says so)."""
        if key not in OVERRIDABLE.values():
            raise ValueError(f"{key!r} is not a per-row opportunity setting")
        fields = self._overrides[index].fields
        fields[key] = value
        if key == "pipeline_id":
            stages = self.lookups.stages(value) if isinstance(value, int) else []
            fields["pipeline_stage_id"] = stages[0][0] if stages else None
        self._rebuild()

    def clear_overrides(self, index: int) -> None:
        """Row ``index`` as the template makes it again."""
        self._overrides[index] = _Overrides()
        self._rebuild()

    def opportunity_override(self, index: int) -> tuple[bool | None, str | None]:
        own = self._overrides[index]
        return own.create, own.fields.get("name")

    def overridden(self, index: int, key: str) -> bool:
        """Whether row ``index`` sets opportunity ``key`` itself."""
        return key in self._overrides[index].fields

    def company_choices(self, index: int) -> list[tuple[str, CompanyDecision]]:
        """What row ``index`` may attach to: its candidates (with why), a new company named
        as on the lead, no company."""
        row = self.rows[index]
        out = [(f"{c.name} — {reason_text(c)}", CompanyDecision.existing(c.id, c.name))
               for c in row.candidates]  # fmt: skip
        named = str(row.lead.get("company_name") or "").strip()
        if row.company.mode == "new" and row.company.name.strip() and row.company.name != named:
            out.append((f"New company “{row.company.name}”", row.company))
        if named:
            out.append((f"New company “{named}”", CompanyDecision.new(named)))
        out.append(("No company", CompanyDecision.none()))
        return out

    def _rebuild(self) -> None:
        for row, own in zip(self.rows, self._overrides, strict=True):
            create = self.template.create if own.create is None else own.create
            opp = replace(self.template, create=create).for_lead(row.lead, row.company)
            if opp is not None:
                opp.update(own.fields)
            row.opportunity = opp
        self._recheck()
        if self.rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self.rows) - 1, len(COLUMNS) - 1)
            )
        self.plan_changed.emit()

    def check(self) -> None:
        """Work every row's problems out again (the lookups changed)."""
        if self.rows:
            self._rebuild()

    def _recheck(self) -> None:
        self.rows = validate_rows(self.rows, user_ids=user_ids(self.lookups),
                                  pipelines=opportunity_pipelines(self.lookups))  # fmt: skip
        self._sharing = {}
        for row in self.rows:
            key = row.company.key
            if key and row.runnable:
                self._sharing[key] = self._sharing.get(key, 0) + 1

    # ------------------------------------------------------------------ reading
    def sharing(self, index: int) -> int:
        """How many runnable leads share row ``index``'s new company (1: none other)."""
        key = self.rows[index].company.key
        return self._sharing.get(key, 1) if key else 1

    def problem_rows(self) -> list[int]:
        return [i for i, row in enumerate(self.rows) if row.problems]

    def runnable_rows(self) -> list[ConversionPlanRow]:
        return [row for row in self.rows if row.runnable]

    def counts_line(self) -> str:
        """ "12 leads: 10 ready, 2 with problems (left out). Creates 3 new companies, attaches
        5 to existing ones, creates 7 opportunities." (each count agrees with its noun and
        verb: "1 shares an email", "1 selected lead is converted already")."""
        ready = self.runnable_rows()
        total = len(self.rows)
        parts = [f"{_counted(total, 'lead', 'leads')}: {len(ready):,} ready"]
        bad = total - len(ready)
        if bad:
            parts[0] += f", {bad:,} with problems (left out)"
        new = len({r.company.key for r in ready if r.company.key})
        existing = sum(1 for r in ready if r.company.mode == "existing")
        opps = sum(1 for r in ready if r.opportunity is not None)
        dupes = sum(1 for r in ready if r.duplicate_people)
        parts.append(
            f"Creates {_counted(new, 'new company', 'new companies')}, attaches "
            f"{_counted(existing, 'to an existing one', 'to existing ones')}, creates "
            f"{_counted(opps, 'opportunity', 'opportunities')}"
        )
        if dupes:
            shares = _counted(dupes, "shares", "share")
            parts.append(f"{shares} an email with an existing person")
        if self.missing:
            missing = _counted(self.missing, "selected lead is", "selected leads are")
            parts.append(f"{missing} converted already, deleted or not visible")
        return ". ".join(parts) + "."

    def text(self, index: int, column: int) -> str:
        row = self.rows[index]
        opp = row.opportunity
        if column == LEAD:
            return row.label
        if column == PERSON:
            owner = self.lookups.name(LookupKind.USERS, row.person.get("assignee_id"))
            name = str(row.person.get("name") or "")
            return f"{name} (owner {owner})" if owner else name
        if column == COMPANY:
            return company_text(row.company, self.sharing(index))
        if column == DUPLICATES:
            if not row.duplicate_people:
                return ""
            names = ", ".join(str(p.get("name") or f"#{p.get('id')}") for p in row.duplicate_people)
            return f"⚠ Same email as {names}"
        if column == PROBLEMS:
            return " ".join(row.problems)
        if opp is None:
            return "No" if column == OPPORTUNITY else ""
        value = opp.get(OVERRIDABLE.get(column, "name"))
        if column == PIPELINE:
            return self.lookups.name(LookupKind.PIPELINES, value) or f"#{value}"
        if column == STAGE:
            return (self.lookups.name(LookupKind.PIPELINE_STAGES, value) or f"#{value}"
                    if value is not None else "First stage")  # fmt: skip
        if column == VALUE:
            return format_number(value) if isinstance(value, int | float) else ""
        if column == OWNER:
            return self.lookups.name(LookupKind.USERS, value) or (f"#{value}" if value else "")
        return f"“{value}”"

    # ------------------------------------------------------------------ table
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            key = OVERRIDABLE.get(column)
            own = key is not None and self.overridden(row, key)
            return self.text(row, column) + (" (set for this lead)" if own else "")
        if role == Qt.ItemDataRole.EditRole:
            opp = self.rows[row].opportunity
            key = OVERRIDABLE.get(column)
            return opp.get(key) if opp is not None and key is not None else None
        if role == self.DecisionRole:
            return self.rows[row].company
        if role == self.LeadIdRole:
            return self.rows[row].lead_id
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        """Pipeline, stage, value and owner are editable where the row has an opportunity."""
        flags = super().flags(index)
        if (index.isValid() and index.column() in OVERRIDABLE
                and 0 <= index.row() < len(self.rows)
                and self.rows[index.row()].opportunity is not None):  # fmt: skip
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = 2
    ) -> bool:
        if role != Qt.ItemDataRole.EditRole or not self.flags(index) & Qt.ItemFlag.ItemIsEditable:
            return False
        self.set_override(index.row(), OVERRIDABLE[index.column()], value)
        return True

    # ------------------------------------------------------------------ running
    def run(self) -> bool:
        """Journal one job for the runnable rows and hand it on (``job_created``). False,
        sending nothing, when no row can run or a job exists already."""
        ready = self.runnable_rows()
        if not ready or self._creating or self.job is not None or self._loading:
            return False
        self._journal(ready, self.run_failed.emit)
        return True

    def _created(self, job: Job) -> None:
        self.job = job
        self.job_created.emit(job)

    async def aclose(self) -> None:
        await self.runner.aclose()
