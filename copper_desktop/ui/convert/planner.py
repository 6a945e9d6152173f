"""The conversion planner: many leads (the selection, or all matching the filters) converted
as one job (issue #10).

The plan table has one row per lead: the person, the company decision, people who already
have the lead's email, the opportunity (its name, pipeline, stage, value, owner) and any
problem. A template above it (create an opportunity?, pipeline, stage, name, value from the
lead, owner from the lead, contact type) applies to every row. A row overrides it in its own
cells (pipeline, stage, value and owner: double-click or F2, a combo box or a spin box) and in
the selected row's box (its company: candidates, a new company, none; its opportunity: as the
template, create, don't, and its name). Rows with problems are listed and left out; leads that
name the same new company are shown sharing it (the job creates it once). Run journals the job
and hands it to the jobs UI (progress, ETA, pause, cancel, ledger, results CSV, retry failed),
and the planner closes.

Opened window-modal with ``open()`` (no nested loop).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QAbstractItemModel,
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from copper_desktop.domain.catalog import LookupKind
from copper_desktop.domain.convert import CompanyDecision, OpportunityTemplate
from copper_desktop.jobs import Job
from copper_desktop.models.convert_plan import (
    COLUMNS,
    OVERRIDABLE,
    OWNER,
    PIPELINE,
    STAGE,
    ConversionPlanModel,
)
from copper_desktop.models.lookups import Lookups
from copper_desktop.ui.common.inline_error import error_label, show_error
from copper_desktop.ui.common.naming import named, named_button, named_combo

__all__ = ["CellDelegate", "PlannerDialog", "run_text"]

AS_TEMPLATE, CREATE, SKIP = "template", "create", "skip"
DEFAULT_NAME = OpportunityTemplate().name_pattern
"""The opportunity name pattern to start from (the one-lead dialog names its opportunity so)."""


def run_text(count: int) -> str:
    """The Run button names what it converts."""
    if count <= 0:
        return "Nothing to convert"
    return f"Convert {count:,} lead{'s' if count != 1 else ''}"


Index = QModelIndex | QPersistentModelIndex


class CellDelegate(QStyledItemDelegate):
    """A row's own pipeline, stage and owner (a combo box of the choices: stages of the row's
    pipeline, known users) and value (a spin box). A choice picked with the mouse or Enter is
    committed at once; Esc keeps the cell as it was."""

    def __init__(self, lookups: Lookups, parent: QTableView) -> None:
        super().__init__(parent)
        self.lookups = lookups

    def choices(self, index: Index) -> list[tuple[int, str]]:
        column = index.column()
        if column == PIPELINE:
            return self.lookups.choices(LookupKind.PIPELINES)
        if column == STAGE:
            pipeline = index.model().index(index.row(), PIPELINE).data(Qt.ItemDataRole.EditRole)
            return self.lookups.stages(pipeline) if isinstance(pipeline, int) else []
        return self.lookups.choices(LookupKind.USERS)

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        what = f"{COLUMNS[index.column()]} of this lead's opportunity"
        if index.column() not in (PIPELINE, STAGE, OWNER):
            spin = named(QDoubleSpinBox(parent), "planCellValue", what)
            spin.setDecimals(2)
            spin.setRange(0, 1e12)
            spin.setGroupSeparatorShown(True)
            return spin
        combo = named_combo(parent, "planCellChoice", what)
        for item_id, text in self.choices(index):
            combo.addItem(text, item_id)
        combo.activated.connect(lambda _i: self._commit(combo))
        return combo

    def _commit(self, editor: QWidget) -> None:
        self.commitData.emit(editor)
        self.closeEditor.emit(editor)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(editor.findData(value), 0))
        elif isinstance(editor, QDoubleSpinBox):
            editor.setValue(float(value) if isinstance(value, int | float) else 0.0)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if isinstance(editor, QComboBox):
            if editor.currentIndex() >= 0:
                model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)
        elif isinstance(editor, QDoubleSpinBox):
            editor.interpretText()
            value = editor.value()
            model.setData(index, int(value) if value.is_integer() else value,
                          Qt.ItemDataRole.EditRole)  # fmt: skip


class PlannerDialog(QDialog):
    """The plan of ``model`` (loading when opened); ``on_job`` gets the journaled job."""

    def __init__(
        self,
        model: ConversionPlanModel,
        on_job: Callable[[Job], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = model
        model.setParent(self)
        self.lookups = model.lookups
        named(self, "convertPlanner", "Convert leads")
        self.setWindowTitle("Convert leads")
        self._current = -1
        self._showing = False
        """The row editor is being filled (its signals are not the user's)."""

        self.intro = named(QLabel(self), "planIntro", "What is being converted")
        self.intro.setWordWrap(True)
        self.status = named(QLabel(self), "planStatus", "Planner status")

        template = named(QGroupBox("For every lead", self), "planTemplate", "For every lead")
        self.contact_type = named_combo(template, "planContactType", "Contact type of the people")
        self.create_opp = named(QCheckBox("Create an opportunity", template),
                                "planCreateOpportunity", "Create an opportunity")  # fmt: skip
        self.pipeline = named_combo(template, "planPipeline", "Opportunity pipeline")
        self.stage = named_combo(template, "planStage", "Opportunity stage")
        self.name_pattern = named(QLineEdit(DEFAULT_NAME, template), "planOpportunityName",
                                  "Opportunity name pattern")  # fmt: skip
        self.name_pattern.setToolTip("{lead name} and {company} are replaced for each lead.")
        self.value_from_lead = named(QCheckBox("Value from the lead", template),
                                     "planValueFromLead", "Value from the lead")  # fmt: skip
        self.value_from_lead.setChecked(True)
        self.owner = named_combo(template, "planOwner", "Opportunity owner")
        form = QFormLayout(template)
        form.addRow("People's contact &type", self.contact_type)
        form.addRow(self.create_opp)
        form.addRow("&Pipeline", self.pipeline)
        form.addRow("&Stage", self.stage)
        form.addRow("&Name", self.name_pattern)
        form.addRow(self.value_from_lead)
        form.addRow("&Owner", self.owner)

        self.table = named(QTableView(self), "planTable", "Plan: one row per lead")
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        triggers = QAbstractItemView.EditTrigger
        self.table.setEditTriggers(triggers.DoubleClicked | triggers.EditKeyPressed)
        self.delegate = CellDelegate(self.lookups, self.table)
        for column in OVERRIDABLE:
            self.table.setItemDelegateForColumn(column, self.delegate)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((140, 170, 230, 150, 150, 110, 110, 80, 110)):
            self.table.setColumnWidth(column, width)

        row_box = named(QGroupBox("Selected lead", self), "planRowGroup", "Selected lead")
        self.row_company = named_combo(row_box, "planRowCompany", "Company of the selected lead")
        self.row_opp = named_combo(
            row_box, "planRowOpportunity", "Opportunity of the selected lead"
        )
        self.row_opp.addItem("As for every lead", AS_TEMPLATE)
        self.row_opp.addItem("Create one", CREATE)
        self.row_opp.addItem("Create none", SKIP)
        self.row_opp_name = named(QLineEdit(row_box), "planRowOpportunityName",
                                  "Opportunity name of the selected lead")  # fmt: skip
        self.row_opp_name.setPlaceholderText("From the name above")
        self.row_dupes = named(QLabel(row_box), "planRowDuplicates", "Duplicate people")
        self.row_dupes.setWordWrap(True)
        self.row_reset = named_button(row_box, "planRowReset", "&Reset to the template",
                                      "Reset the selected lead to the template")  # fmt: skip
        self.row_reset.setAutoDefault(False)
        row_form = QFormLayout(row_box)
        row_form.addRow("&Company", self.row_company)
        row_form.addRow("Opp&ortunity", self.row_opp)
        row_form.addRow("Opportunity na&me", self.row_opp_name)
        row_form.addRow(self.row_dupes)
        row_form.addRow(self.row_reset)
        row_box.setEnabled(False)
        self.row_box = row_box

        self.counts = named(QLabel(self), "planCounts", "Plan counts")
        self.counts.setWordWrap(True)
        font = QFont(self.counts.font())
        font.setBold(True)
        self.counts.setFont(font)
        self.problems = error_label("planProblems", "Leads left out", self)
        self.error = error_label("planError", "Planner error", self)
        self.cancel_button = named_button(self, "planCancel", "Cancel", "Cancel the planner")
        self.run_button = named_button(self, "planRun", run_text(0), "Convert")
        self.run_button.setAutoDefault(False)  # converting takes a click, never a stray Enter
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.run_button)

        top = QHBoxLayout()
        top.addWidget(template, 1)
        top.addWidget(row_box, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.status)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.counts)
        layout.addWidget(self.problems)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.resize(1000, 650)

        self._fill_template()
        self.contact_type.currentIndexChanged.connect(self._contact_type_changed)
        self.pipeline.currentIndexChanged.connect(self._pipeline_changed)
        for widget in (self.create_opp, self.value_from_lead):
            widget.toggled.connect(self._template_changed)
        self.stage.currentIndexChanged.connect(self._template_changed)
        self.owner.currentIndexChanged.connect(self._template_changed)
        self.name_pattern.editingFinished.connect(self._template_changed)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.row_company.currentIndexChanged.connect(self._row_company_chosen)
        self.row_opp.currentIndexChanged.connect(self._row_opportunity_chosen)
        self.row_opp_name.editingFinished.connect(self._row_opportunity_chosen)
        self.row_reset.clicked.connect(self._row_reset)
        self.cancel_button.clicked.connect(self.reject)
        self.run_button.clicked.connect(self.run)
        model.progress.connect(self._progress)
        model.loaded.connect(self._loaded)
        model.load_failed.connect(self._load_failed)
        model.plan_changed.connect(self._plan_changed)
        model.loading_changed.connect(self._update_buttons)
        model.creating_changed.connect(self._update_buttons)
        model.job_created.connect(on_job)
        model.job_created.connect(lambda _job: self.accept())
        model.run_failed.connect(self._run_failed)
        self._template_changed()

    # ------------------------------------------------------------------ the template
    def _fill_template(self) -> None:
        lookups = self.lookups
        self.contact_type.addItem("No contact type", None)
        for cid, name in lookups.choices(LookupKind.CONTACT_TYPES):
            self.contact_type.addItem(name, cid)
        index = self.contact_type.findData(self.model.contact_type_id)
        self.contact_type.setCurrentIndex(max(index, 0))
        for pid, name in lookups.choices(LookupKind.PIPELINES):
            self.pipeline.addItem(name, pid)
        self.owner.addItem("The lead's owner", None)
        for uid, name in lookups.choices(LookupKind.USERS):
            self.owner.addItem(name, uid)
        self._fill_stages()

    def _fill_stages(self) -> None:
        self.stage.clear()
        self.stage.addItem("First stage", None)
        pipeline = self.pipeline.currentData()
        if isinstance(pipeline, int):
            for sid, name in self.lookups.stages(pipeline):
                self.stage.addItem(name, sid)

    def _pipeline_changed(self, *_: object) -> None:
        self._fill_stages()
        self._template_changed()

    def template(self) -> OpportunityTemplate:
        owner = self.owner.currentData()
        return OpportunityTemplate(
            create=self.create_opp.isChecked(),
            pipeline_id=self.pipeline.currentData(),
            stage_id=self.stage.currentData(),
            name_pattern=self.name_pattern.text().strip() or DEFAULT_NAME,
            value_from_lead=self.value_from_lead.isChecked(),
            owner_from_lead=owner is None,
            assignee_id=owner,
        )

    def _template_changed(self, *_: object) -> None:
        on = self.create_opp.isChecked()
        for widget in (self.pipeline, self.stage, self.name_pattern, self.value_from_lead,
                       self.owner):  # fmt: skip
            widget.setEnabled(on)
        self.model.set_template(self.template())

    def _contact_type_changed(self, *_: object) -> None:
        self.model.set_contact_type(self.contact_type.currentData())

    # ------------------------------------------------------------------ the selected row
    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        self._current = rows[0].row() if rows else -1
        self._show_row()

    def _show_row(self) -> None:
        self._showing = True
        try:
            self._fill_row()
        finally:
            self._showing = False

    def _fill_row(self) -> None:
        index = self._current
        model = self.model
        self.row_box.setEnabled(0 <= index < len(model.rows))
        self.row_company.clear()
        if not 0 <= index < len(model.rows):
            self.row_dupes.clear()
            return
        row = model.rows[index]
        self.row_box.setTitle(f"Selected lead: {row.label}")
        for text, decision in model.company_choices(index):
            self.row_company.addItem(text, decision)
            if decision == row.company:
                self.row_company.setCurrentIndex(self.row_company.count() - 1)
        create, name = model.opportunity_override(index)
        choice = AS_TEMPLATE if create is None else CREATE if create else SKIP
        self.row_opp.setCurrentIndex(self.row_opp.findData(choice))
        self.row_opp_name.setText(name or "")
        dupes = row.duplicate_people
        self.row_dupes.setText(
            "⚠ Same email as " + ", ".join(str(p.get("name") or f"#{p.get('id')}") for p in dupes)
            if dupes
            else "No existing person has this lead's email."
        )

    def _row_company_chosen(self, *_: object) -> None:
        decision = self.row_company.currentData()
        if not self._showing and self._current >= 0 and isinstance(decision, CompanyDecision):
            self.model.set_decision(self._current, decision)

    def _row_opportunity_chosen(self, *_: object) -> None:
        if self._showing or self._current < 0:
            return
        choice = self.row_opp.currentData()
        create = None if choice == AS_TEMPLATE else choice == CREATE
        name = self.row_opp_name.text().strip() or None
        self.model.set_opportunity(self._current, create, name)

    def _row_reset(self) -> None:
        if self._current >= 0:
            self.model.clear_overrides(self._current)
            self._show_row()

    # ------------------------------------------------------------------ loading
    def describe(self, count: int | None) -> None:
        what = (
            "the leads matching the current filters"
            if count is None
            else f"{count:,} selected lead{'s' if count != 1 else ''}"
        )
        self.intro.setText(
            f"Converting {what}. Each lead becomes a person; choose the company per lead and "
            "whether to create opportunities. Nothing is written until you convert."
        )

    def _progress(self, done: int, total: int) -> None:
        self.status.setText(f"Loading leads: {done:,} of {total:,}…")

    def _loaded(self) -> None:
        self.status.setText("Plan ready: check the rows, then convert.")
        if self.model.rows:
            self.select_row(0)
        self._plan_changed()

    def _load_failed(self, message: str) -> None:
        self.status.setText("The leads could not be loaded; nothing was written.")
        show_error(self.error, message)
        self._update_buttons()

    def _plan_changed(self) -> None:
        model = self.model
        self.counts.setText(model.counts_line() if model.rows else "")
        bad = model.problem_rows()
        lines = [f"{model.rows[i].label}: {' '.join(model.rows[i].problems)}" for i in bad[:10]]
        if len(bad) > 10:
            lines.append(f"… and {len(bad) - 10:,} more")
        show_error(self.problems,
                   f"Left out ({len(bad):,}):\n" + "\n".join(lines) if bad else None)  # fmt: skip
        self._update_buttons()

    # ------------------------------------------------------------------ running
    def run(self) -> bool:
        """Journal the job for the rows without problems and hand it on."""
        show_error(self.error, None)
        started = self.model.run()
        if started:
            self.status.setText("Creating the conversion job…")
        self._update_buttons()
        return started

    def _run_failed(self, message: str) -> None:
        show_error(self.error, message)
        self._update_buttons()

    def _update_buttons(self, *_: object) -> None:
        model = self.model
        count = len(model.runnable_rows())
        busy = model.loading or model.creating
        self.run_button.setText(run_text(count))
        self.run_button.setAccessibleName(run_text(count))
        self.run_button.setEnabled(bool(count) and not busy and model.job is None)

    # ------------------------------------------------------------------ closing
    def reject(self) -> None:
        if self.model.creating:
            return  # the job is being journaled: it is handed on in a moment
        super().reject()

    async def aclose(self) -> None:
        await self.model.aclose()
