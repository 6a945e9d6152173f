"""Reviewing and saving a grid's staged edits: the bulk edit's preview table, then a job.

Review… shows the staged changes at once (before → after as the grid holds them). "Check
with Copper" (or Save in the grid) loads the edited records fresh and shows what saving would
change, what already matches and what cannot be changed and why (a record changed in Copper
since its cells were edited, a value Copper would refuse). Only "Save N records" writes: it
journals the job and hands it on (``model.job_created``), then the dialog closes.
Window-modal through ``open()``, no nested loop; it deletes itself when closed.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Executor
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from copper_desktop.domain.bulk import Preview
from copper_desktop.jobs import Job, JobStore
from copper_desktop.models.grid_save import GridSaveModel
from copper_desktop.models.lookups import Lookups
from copper_desktop.models.staged_edits import StagedEdits
from copper_desktop.ui.common.inline_error import error_label, show_error
from copper_desktop.ui.common.naming import named, named_button
from copper_desktop.ui.common.tables import preview_table

__all__ = ["GridSaveDialog", "save_text"]


def save_text(count: int) -> str:
    """The confirm button names what will be written."""
    if count <= 0:
        return "Nothing to save"
    return f"Save {count:,} record{'s' if count != 1 else ''}"


class GridSaveDialog(QDialog):
    """The review and save of one grid's staged edits (see the module docstring)."""

    def __init__(
        self,
        store: JobStore,
        entity_key: str,
        lookups: Lookups,
        staged: StagedEdits,
        held: Mapping[int, Mapping[str, Any]],
        executor: Executor | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = GridSaveModel(store, entity_key, lookups, staged, executor=executor,
                                   parent=self)  # fmt: skip
        spec = self.model.spec
        title = f"Save changes to {spec.plural_label.lower()}"
        named(self, "gridSaveDialog", title)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.status = named(QLabel(self), "gridSaveStatus", "Save status")
        self.status.setWordWrap(True)
        self.counts = named(QLabel(self), "gridSaveCounts", "Save counts")
        self.counts.setWordWrap(True)
        font = self.counts.font()
        font.setBold(True)
        self.counts.setFont(font)
        self.table = preview_table(self.model.table, "gridSaveTable", "Changes per record",
                                   (200, 160, 200), self)  # fmt: skip
        self.error = error_label("gridSaveError", "Save error", self)
        self.close_button = named_button(self, "gridSaveClose", "Close", "Close without saving")
        self.check_button = named_button(self, "gridSaveCheck", "Check with Copper",
                                         "Load the records and preview the save")  # fmt: skip
        self.save_button = named_button(self, "gridSaveApply", save_text(0), save_text(0))
        self.save_button.setAutoDefault(False)  # writing takes a click, never a stray Enter
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.counts)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.resize(820, 480)

        self.close_button.clicked.connect(self.reject)
        self.check_button.clicked.connect(self.check)
        self.save_button.clicked.connect(self.apply)
        self.model.loading_changed.connect(self._loading)
        self.model.preview_ready.connect(self._ready)
        self.model.preview_failed.connect(self._failed)
        self.model.apply_failed.connect(self._failed)
        self.model.job_created.connect(self._created)
        self.model.review(held)
        invalid = len(staged.invalid())
        self.status.setText(
            "Staged in the grid, not yet checked against Copper:"
            + (f" {invalid:,} cells cannot be read and are left out." if invalid else "")
        )

    def check(self) -> bool:
        """Load the edited records fresh and preview the save."""
        show_error(self.error, None)
        started = self.model.request_preview()
        self._update()
        return started

    def apply(self) -> bool:
        """Journal the job (the only step that writes)."""
        show_error(self.error, None)
        started = self.model.apply()
        if started:
            self.status.setText("Creating the job…")
        self._update()
        return started

    def _loading(self, loading: bool) -> None:
        if loading:
            noun = self.model.spec.plural_label.lower()
            self.status.setText(f"Loading the edited {noun} from Copper…")
        self._update()

    def _ready(self, result: Preview) -> None:
        if self.model.checked:
            self.status.setText("Checked against Copper just now:")
        self.counts.setText(self.model.counts_line())
        self.counts.setToolTip("\n".join(f"{r.name}: {r.reason}" for r in result.refused[:20]))
        self._update()

    def _failed(self, message: str) -> None:
        show_error(self.error, message)
        self._update()

    def _created(self, _job: Job) -> None:
        self.accept()

    def _update(self) -> None:
        model = self.model
        result = model.preview
        count = result.will_change if result is not None and model.checked else 0
        busy = model.loading or model.runner.running("apply")
        self.check_button.setEnabled(not busy)
        self.check_button.setVisible(not model.checked)
        self.save_button.setText(save_text(count))
        self.save_button.setAccessibleName(save_text(count))
        self.save_button.setEnabled(bool(count) and not busy and model.job is None)
