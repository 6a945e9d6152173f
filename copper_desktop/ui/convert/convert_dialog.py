"""The convert dialog: one lead becomes a person, maybe attached to a company, maybe with an
opportunity (issue #10).

Prefilled from the lead, read fresh: the person (name, contact type, owner); the company
(candidates listed with why they match, "create new company", "no company": only an id or an
exact name is ever sent); the people who already have the lead's email, with a warning and
Open; the opportunity (name, opportunity pipeline, a stage of it, value from the lead, owner).
A summary line says what will be created and linked. Inline errors block Convert and nothing
is sent. Convert journals a one-row conversion job and hands it to the window's jobs UI (so it
is resumable and revertible); once it ends, buttons open the new records.

Opened window-modal with ``open()`` (no nested loop).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from copper_desktop.domain.catalog import LookupKind
from copper_desktop.domain.convert import (
    CompanyDecision,
    ConversionPlanRow,
    OpportunityTemplate,
    default_decision,
)
from copper_desktop.domain.formats import FormatError, format_number, parse_money
from copper_desktop.jobs import Job
from copper_desktop.models.convert import (
    ConversionOutcome,
    ConvertLeadModel,
    decision_text,
    default_contact_type,
    reason_text,
)
from copper_desktop.ui.common.inline_error import error_label, show_error
from copper_desktop.ui.common.naming import named, named_button, named_combo
from copper_desktop.ui.common.style import error_text_style, follow_palette

__all__ = ["ConvertDialog", "summary_text"]

DecisionRole: Final = Qt.ItemDataRole.UserRole + 1
IdRole: Final = Qt.ItemDataRole.UserRole + 2
OpenRecord = Callable[[str, int], object]
"""``window.open_record_id``: opens a record's editor by (entity key, id)."""


def summary_text(
    person: str, company: CompanyDecision, opportunity: str | None, where: str | None
) -> str:
    """ "Creates person Ann Lee, links to company Acme (existing), creates opportunity 'Ann
    Lee' in Sales ▸ Qualified"."""
    parts = [f"Creates person {person}"]
    if company.mode == "existing":
        parts.append(f"links to company {company.name or f'#{company.id}'} (existing)")
    elif company.mode == "new":
        parts.append(f"creates company {company.name} and links to it")
    else:
        parts.append("links to no company")
    if opportunity is not None:
        parts.append(f"creates opportunity '{opportunity}'" + (f" in {where}" if where else ""))
    else:
        parts.append("creates no opportunity")
    return ", ".join(parts) + "."


def _fill(combo: QComboBox, items: list[tuple[int, str]], none: str | None = None) -> None:
    combo.clear()
    if none is not None:
        combo.addItem(none, None)
    for item_id, text in items:
        combo.addItem(text, item_id)


def _select(combo: QComboBox, value: Any) -> None:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)


class ConvertDialog(QDialog):
    """Converts ``model.lead``. ``on_job`` receives the journaled job (the jobs UI runs it);
    ``open_record`` opens a record's editor by id."""

    def __init__(
        self,
        model: ConvertLeadModel,
        on_job: Callable[[Job], object],
        open_record: OpenRecord,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = model
        model.setParent(self)
        self.lookups = model.lookups
        self.open_record = open_record
        lead_name = str(model.lead.get("name") or f"Lead {model.lead_id}")
        named(self, "convertDialog", f"Convert lead {lead_name}")
        self.setWindowTitle(f"Convert lead — {lead_name}")
        self._blocked = False
        """A problem is shown inline: Convert is off until it is fixed."""

        self.status = named(QLabel(self), "convertStatus", "Conversion status")
        self.status.setWordWrap(True)

        person = named(QGroupBox("Person", self), "convertPersonGroup", "Person")
        self.person_name = named(QLineEdit(person), "convertPersonName", "Person name")
        self.contact_type = named_combo(person, "convertContactType", "Contact type")
        self.person_owner = named_combo(person, "convertPersonOwner", "Person owner")
        self.person_error = error_label("convertPersonError", "Person error", person)
        form = QFormLayout(person)
        form.addRow("&Name", self.person_name)
        form.addRow("Contact &type", self.contact_type)
        form.addRow("&Owner", self.person_owner)
        form.addRow(self.person_error)

        company = named(QGroupBox("Company", self), "convertCompanyGroup", "Company")
        self.companies = named(QListWidget(company), "convertCompanyChoices", "Company choices")
        self.new_company = named(QLineEdit(company), "convertNewCompanyName", "New company name")
        self.company_error = error_label("convertCompanyError", "Company error", company)
        box = QVBoxLayout(company)
        box.addWidget(self.companies)
        row = QHBoxLayout()
        row.addWidget(QLabel("New company name:", company))
        row.addWidget(self.new_company, 1)
        box.addLayout(row)
        box.addWidget(self.company_error)

        self.dupes_group = named(QGroupBox("People with this email", self), "convertDuplicateGroup",
                                 "People with this email")  # fmt: skip
        self.dupes_warning = named(QLabel(self.dupes_group), "convertDuplicateWarning",
                                   "Duplicate warning")  # fmt: skip
        self.dupes_warning.setWordWrap(True)
        follow_palette(self.dupes_warning, error_text_style)
        self.dupes = named(
            QListWidget(self.dupes_group), "convertDuplicates", "People with this email"
        )
        self.dupes.setMaximumHeight(60)
        self.open_dupe = named_button(self.dupes_group, "convertOpenDuplicate", "Open",
                                      "Open the person with this email")  # fmt: skip
        dupes_box = QVBoxLayout(self.dupes_group)
        dupes_box.addWidget(self.dupes_warning)
        dupes_row = QHBoxLayout()
        dupes_row.addWidget(self.dupes, 1)
        dupes_row.addWidget(self.open_dupe)
        dupes_box.addLayout(dupes_row)
        self.dupes_group.hide()

        self.opportunity = named(QGroupBox("Create an opportunity", self), "convertOpportunity",
                                 "Create an opportunity")  # fmt: skip
        self.opportunity.setCheckable(True)
        self.opportunity.setChecked(False)
        self.opp_name = named(QLineEdit(self.opportunity), "convertOpportunityName",
                              "Opportunity name")  # fmt: skip
        self.pipeline = named_combo(self.opportunity, "convertPipeline", "Pipeline")
        self.stage = named_combo(self.opportunity, "convertStage", "Stage")
        self.value = named(QLineEdit(self.opportunity), "convertValue", "Opportunity value")
        self.opp_owner = named_combo(
            self.opportunity, "convertOpportunityOwner", "Opportunity owner"
        )
        self.opp_error = error_label("convertOpportunityError", "Opportunity error",
                                     self.opportunity)  # fmt: skip
        opp_form = QFormLayout(self.opportunity)
        opp_form.addRow("N&ame", self.opp_name)
        opp_form.addRow("&Pipeline", self.pipeline)
        opp_form.addRow("&Stage", self.stage)
        opp_form.addRow("&Value", self.value)
        opp_form.addRow("O&wner", self.opp_owner)
        opp_form.addRow(self.opp_error)

        self.summary = named(QLabel(self), "convertSummary", "What converting does")
        self.summary.setWordWrap(True)
        font = QFont(self.summary.font())
        font.setBold(True)
        self.summary.setFont(font)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error = error_label("convertError", "Conversion error", self)

        self.result_label = named(QLabel(self), "convertResult", "Conversion result")
        self.result_label.setWordWrap(True)
        self.result_label.hide()
        self.open_person = named_button(self, "convertOpenPerson", "Open person",
                                        "Open the new person")  # fmt: skip
        self.open_company = named_button(self, "convertOpenCompany", "Open company",
                                         "Open the company")  # fmt: skip
        self.open_opportunity = named_button(self, "convertOpenOpportunity", "Open opportunity",
                                             "Open the new opportunity")  # fmt: skip
        self.cancel_button = named_button(self, "convertCancel", "Cancel", "Cancel the conversion")
        self.convert_button = named_button(self, "convertButton", "Convert", "Convert the lead")
        self.convert_button.setAutoDefault(False)  # converting takes a click, never a stray Enter
        buttons = QHBoxLayout()
        for button in (self.open_person, self.open_company, self.open_opportunity):
            button.hide()
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.convert_button)

        columns = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(person)
        left.addWidget(company, 1)
        right = QVBoxLayout()
        right.addWidget(self.opportunity)
        right.addWidget(self.dupes_group)
        right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addLayout(columns, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.error)
        layout.addWidget(self.result_label)
        layout.addLayout(buttons)
        self.resize(1000, 650)

        self._fill_lookups()
        self._prefill()
        self.companies.currentItemChanged.connect(self._company_changed)
        self.pipeline.currentIndexChanged.connect(self._pipeline_changed)
        for edit in (self.person_name, self.new_company, self.opp_name, self.value):
            edit.textEdited.connect(self._edited)
        for combo in (self.contact_type, self.person_owner, self.stage, self.opp_owner):
            combo.currentIndexChanged.connect(self._edited)
        self.opportunity.toggled.connect(self._edited)
        self.open_dupe.clicked.connect(self._open_duplicate)
        self.open_person.clicked.connect(lambda: self._open("people", "person_id"))
        self.open_company.clicked.connect(lambda: self._open("companies", "company_id"))
        self.open_opportunity.clicked.connect(lambda: self._open("opportunities", "opportunity_id"))
        self.cancel_button.clicked.connect(self.reject)
        self.convert_button.clicked.connect(self.convert)
        model.loading_changed.connect(self._loading)
        model.creating_changed.connect(self._update_buttons)
        model.loaded.connect(self._loaded)
        model.load_failed.connect(self._load_failed)
        model.job_created.connect(on_job)
        model.job_created.connect(self._job_created)
        model.convert_failed.connect(self._convert_failed)
        model.finished.connect(self._finished)
        self._update_buttons()

    # ------------------------------------------------------------------ filling
    def _fill_lookups(self) -> None:
        lookups = self.lookups
        users = lookups.choices(LookupKind.USERS)
        _fill(self.contact_type, lookups.choices(LookupKind.CONTACT_TYPES), "No contact type")
        _fill(self.person_owner, users, "No owner")
        _fill(self.opp_owner, users, "No owner")
        _fill(self.pipeline, lookups.choices(LookupKind.PIPELINES))
        self._pipeline_changed()

    def _prefill(self) -> None:
        """The lead's values (again when it has been read fresh)."""
        lead = self.model.lead
        name = str(lead.get("name") or "").strip()
        self.person_name.setText(name)
        _select(self.contact_type, default_contact_type(self.lookups))
        _select(self.person_owner, lead.get("assignee_id"))
        _select(self.opp_owner, lead.get("assignee_id"))
        self.new_company.setText(str(lead.get("company_name") or "").strip())
        decision = default_decision(lead, self.model.candidates)
        self.opp_name.setText(OpportunityTemplate().name_for(lead, decision))  # as the planner
        value = lead.get("monetary_value")
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        self.value.setText(format_number(value, grouping=False) if is_number else "")
        self._fill_companies()
        self._edited()

    def _fill_companies(self) -> None:
        self.companies.clear()
        for candidate in self.model.candidates:
            text = f"{candidate.name} — {reason_text(candidate)}"
            self._company_item(text, CompanyDecision.existing(candidate.id, candidate.name))
        self._company_item("Create a new company (name below)", CompanyDecision.new(""))
        self._company_item("No company", CompanyDecision.none())
        default = self._default_decision()
        for row in range(self.companies.count()):
            item = self.companies.item(row)
            if item.data(DecisionRole) == default:
                self.companies.setCurrentRow(row)
                break
        self._company_changed()

    def _company_item(self, text: str, decision: CompanyDecision) -> None:
        item = QListWidgetItem(text, self.companies)
        item.setData(DecisionRole, decision)

    def _default_decision(self) -> CompanyDecision:
        """As the planner decides (``domain.convert.default_decision``); a new company is the
        list's "Create a new company" item, named in the box below it."""
        decision = default_decision(self.model.lead, self.model.candidates)
        return CompanyDecision.new("") if decision.mode == "new" else decision

    def _loaded(self) -> None:
        self._prefill()
        dupes = self.model.duplicates
        self.dupes.clear()
        for person in dupes:
            item = QListWidgetItem(str(person.get("name") or f"#{person.get('id')}"), self.dupes)
            item.setData(IdRole, person.get("id"))
        if dupes:
            self.dupes.setCurrentRow(0)
            email = self.model.lead.get("email") or {}
            address = email.get("email") if isinstance(email, dict) else email
            self.dupes_warning.setText(
                f"⚠ {len(dupes)} existing person{'s' if len(dupes) != 1 else ''} already "
                f"{'have' if len(dupes) != 1 else 'has'} the email {address}. Copper may join "
                "the lead to that person instead of creating another."
            )
        self.dupes_group.setVisible(bool(dupes))
        found = len(self.model.candidates)
        self.status.setText(
            f"{found} matching compan{'ies' if found != 1 else 'y'} found. Check the choices, "
            "then Convert."
        )
        self._update_buttons()

    def _load_failed(self, message: str) -> None:
        self.status.setText("The lead could not be loaded; nothing was sent.")
        show_error(self.error, message)
        self._update_buttons()

    # ------------------------------------------------------------------ editing
    def _company_changed(self, *_: object) -> None:
        self.new_company.setEnabled(self._chosen_mode() == "new")
        self._edited()

    def _chosen_mode(self) -> str:
        item = self.companies.currentItem()
        decision = item.data(DecisionRole) if item is not None else None
        return decision.mode if isinstance(decision, CompanyDecision) else "none"

    def _pipeline_changed(self, *_: object) -> None:
        pipeline = self.pipeline.currentData()
        _fill(self.stage, self.lookups.stages(pipeline) if isinstance(pipeline, int) else [])
        self._edited()

    def decision(self) -> CompanyDecision:
        item = self.companies.currentItem()
        chosen = item.data(DecisionRole) if item is not None else None
        if not isinstance(chosen, CompanyDecision) or chosen.mode == "none":
            return CompanyDecision.none()
        if chosen.mode == "new":
            return CompanyDecision.new(self.new_company.text().strip())
        return chosen

    def plan(self) -> tuple[ConversionPlanRow | None, dict[str, str]]:
        """The row the dialog stands for, and where each problem shows (person, company,
        opportunity, general); the row is None when the typing cannot be read."""
        errors: dict[str, str] = {}
        name = self.person_name.text().strip()
        if not name:
            errors["person"] = "The person needs a name."
        decision = self.decision()
        if decision.mode == "new" and not decision.name:
            errors["company"] = "Name the new company, or choose another."
        opportunity: dict[str, Any] | None = None
        if self.opportunity.isChecked():
            try:
                value = parse_money(self.value.text())
            except FormatError as error:
                errors["opportunity"] = str(error)
                value = None
            pipeline = self.pipeline.currentData()
            if not self.opp_name.text().strip():
                errors.setdefault("opportunity", "The opportunity needs a name.")
            elif not isinstance(pipeline, int):
                errors.setdefault("opportunity", "Choose an opportunity pipeline.")
            elif self.stage.count() == 0:
                errors.setdefault("opportunity", "This pipeline has no stages.")
            opportunity = {
                "name": self.opp_name.text().strip(),
                "pipeline_id": pipeline,
                "pipeline_stage_id": self.stage.currentData(),
                "monetary_value": value,
                "assignee_id": self.opp_owner.currentData(),
            }
        if errors:
            return None, errors
        person = {
            "name": name,
            "contact_type_id": self.contact_type.currentData(),
            "assignee_id": self.person_owner.currentData(),
        }
        row = self.model.row(person, decision, opportunity)
        if row.problems:
            errors["general"] = " ".join(row.problems)
        return row, errors

    def _edited(self, *_: object) -> None:
        _row, errors = self.plan()
        self._blocked = bool(errors)
        show_error(self.person_error, errors.get("person"))
        show_error(self.company_error, errors.get("company"))
        show_error(self.opp_error, errors.get("opportunity"))
        show_error(self.error, errors.get("general"))
        opportunity = self.opp_name.text().strip() if self.opportunity.isChecked() else None
        where = None
        if opportunity is not None:
            stage = self.stage.currentText()
            where = f"{self.pipeline.currentText()} ▸ {stage}" if stage else None
        name = self.person_name.text().strip() or "(no name)"
        decision = self.decision()
        self.summary.setText(summary_text(name, decision, opportunity, where))
        self.summary.setToolTip(decision_text(decision))
        self._update_buttons()

    # ------------------------------------------------------------------ converting
    def convert(self) -> bool:
        """Check everything (problems shown inline; nothing sent), then journal the job."""
        if self.model.loading:
            return False
        row, errors = self.plan()
        if row is None or errors:
            self._edited()
            return False
        started = self.model.convert(row)
        if started:
            self.status.setText("Creating the conversion job…")
        self._update_buttons()
        return started

    def _job_created(self, _job: Job) -> None:
        self.status.setText("Converting… (the jobs panel shows the job)")
        self._update_buttons()

    def _convert_failed(self, message: str) -> None:
        show_error(self.error, message)
        self.status.setText("Nothing was sent.")
        self._update_buttons()

    def _finished(self, outcome: ConversionOutcome) -> None:
        if outcome.converted:
            made = ["person"]
            if outcome.company_id is not None:
                made.append("new company" if outcome.company_created else "existing company")
            if outcome.opportunity_id is not None:
                made.append("opportunity")
            self.status.setText("Converted.")
            self.result_label.setText(f"Converted: {', '.join(made)}. Open them below.")
            self.result_label.show()
            show_error(self.error, None)
            self.cancel_button.setText("Close")
            self.cancel_button.setAccessibleName("Close")
        else:
            self.status.setText("The lead was not converted.")
            show_error(self.error, outcome.message or "The conversion did not finish.")
        self.open_person.setVisible(outcome.person_id is not None)
        self.open_company.setVisible(outcome.company_id is not None)
        self.open_opportunity.setVisible(outcome.opportunity_id is not None)
        self._update_buttons()

    def _open(self, key: str, field: str) -> None:
        outcome = self.model.outcome
        record_id = getattr(outcome, field, None) if outcome is not None else None
        if isinstance(record_id, int):
            self.open_record(key, record_id)

    def _open_duplicate(self) -> None:
        item = self.dupes.currentItem()
        person_id = item.data(IdRole) if item is not None else None
        if isinstance(person_id, int):
            self.open_record("people", person_id)

    def _update_buttons(self, *_: object) -> None:
        model = self.model
        outcome = model.outcome
        done = outcome is not None and outcome.converted
        busy = model.loading or model.creating or model.running
        editable = not busy and not done
        for part in (self.person_name, self.contact_type, self.person_owner, self.companies,
                     self.opportunity):  # fmt: skip
            part.setEnabled(editable)
        self.new_company.setEnabled(editable and self._chosen_mode() == "new")
        self.convert_button.setEnabled(editable and not self._blocked)
        self.convert_button.setVisible(not done)

    def _loading(self, loading: bool) -> None:
        if loading:
            self.status.setText("Loading the lead, matching companies and people with its email…")
        self._update_buttons()

    # ------------------------------------------------------------------ closing
    def reject(self) -> None:
        if self.model.creating:
            return  # the job is being journaled: it is handed on in a moment
        super().reject()

    async def aclose(self) -> None:
        await self.model.aclose()
