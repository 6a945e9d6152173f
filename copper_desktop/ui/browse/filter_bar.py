"""The filter bar above an entity browser, built from the catalog's search filters.

Only filters the entity supports appear: a name search (debounced, always visible) and the
common pickers (owner, status, pipeline and stage, contact type, tags) in one compact row;
dates, numbers, text fields and filterable custom fields behind "More filters". Every change
produces a search body of exactly the keys Copper expects (checked against the catalog's
`body_keys`) and emits it once through `filters_changed`.

`state()` is what the controls show, as JSON (the name, and each filter's chosen values or
bounds by catalog key); `set_state()` puts it back, also for filters that exist only once the
account's lookups arrive (custom fields, the choices of owners and tags): those parts wait and
are applied then. The workspace saves it per browser and in saved views.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from copper_desktop.domain.catalog import (
    NONE_SENTINEL,
    EntitySpec,
    FieldType,
    FilterSpec,
    FilterType,
    LookupKind,
)
from copper_desktop.domain.custom_fields import (
    CustomFieldDefinition,
    custom_filter_entry,
    entity_filters,
)
from copper_desktop.domain.formats import date_to_unix, format_number, summary_text
from copper_desktop.models.lookups import PICKABLE, Lookups
from copper_desktop.ui.browse.filter_widgets import ChoiceButton, Choices, RangeEdit
from copper_desktop.ui.common.naming import clearable, name_popup

DEBOUNCE_MS: Final = 300
"""Typing pauses this long before the search is sent: one request per pause, not per key."""


COMPACT_KEYS: Final = (
    "assignee_ids",
    "status_ids",
    "statuses",
    "pipeline_ids",
    "pipeline_stage_ids",
    "contact_type_ids",
    "tags",
)
"""Filters shown in the always-visible row, in this order; the rest go behind "More"."""

Body = dict[str, Any]


def _name(key: str) -> str:
    return "filter" + "".join(part.capitalize() for part in key.split("_"))


def _number(value: float, integer: bool) -> int | float:
    return int(value) if integer or value.is_integer() else value


@dataclass(frozen=True, slots=True, eq=False)
class _Control:
    """One filter's widget and how it turns into search-body keys."""

    spec: FilterSpec
    widget: QWidget
    body: Callable[[], Body]
    describe: Callable[[], str | None]
    reset: Callable[[], None]
    definition: CustomFieldDefinition | None = None
    save: Callable[[], Any] = lambda: None
    """The control's state as JSON (None: untouched)."""
    load: Callable[[Any], None] = lambda _state: None


class FilterBar(QWidget):
    """Search filters for one entity.

    Signals:
        filters_changed(dict): the search-body filter keys, emitted once per change (typing
            is debounced) and once with {} on `clear()`.
    """

    filters_changed = Signal(dict)

    def __init__(self, spec: EntitySpec, lookups: Lookups, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.lookups = lookups
        self.setObjectName("filterBar")
        self.setAccessibleName(f"{spec.plural_label} filters")
        self._controls: dict[str, _Control] = {}
        self._custom_built = False
        self._last: Body = {}
        self._silent = False
        self._pending: dict[str, Any] = {}
        """Saved states of controls not built yet, or of choices not offered yet."""

        self.debounce = QTimer(self)
        self.debounce.setObjectName("filterDebounce")
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(DEBOUNCE_MS)
        self.debounce.timeout.connect(self._emit_if_changed)

        self.search = QLineEdit(self)
        self.search.setObjectName("filterSearch")
        clearable(self.search)
        self._name_filter = self._find("name")
        if self._name_filter is not None:
            self.search.setPlaceholderText(f"Search {spec.plural_label.lower()} by name (Ctrl+F)")
            self.search.setAccessibleName(f"Search {spec.plural_label} by name")
        else:
            self.search.setPlaceholderText("Name search is not available here")
            self.search.setAccessibleName("Name search (not available)")
            self.search.setEnabled(False)
        self.search.textEdited.connect(self._schedule)
        self.search.returnPressed.connect(self._flush)

        self.more_button = QToolButton(self)
        self.more_button.setObjectName("moreFilters")
        self.more_button.setAccessibleName("More filters")
        self.more_button.setText("More filters")
        self.more_button.setCheckable(True)
        self.more_button.toggled.connect(self._toggle_more)

        self.clear_button = QPushButton("Clear filters", self)
        self.clear_button.setObjectName("clearFilters")
        self.clear_button.setAccessibleName("Clear all filters")
        self.clear_button.clicked.connect(self.clear)

        self.summary = QLabel("", self)
        self.summary.setObjectName("resultSummary")
        self.summary.setAccessibleName("Result count")
        self.active = QLabel("", self)
        self.active.setObjectName("activeFilters")
        self.active.setAccessibleName("Active filters")
        self.active.setWordWrap(True)
        self.active.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.compact = QHBoxLayout()
        self.compact.setContentsMargins(0, 0, 0, 0)
        self.compact.addWidget(self.search, 2)
        self.more_panel = QWidget(self)
        self.more_panel.setObjectName("moreFiltersPanel")
        self.more_panel.setAccessibleName("More filters")
        self.more_grid = QGridLayout(self.more_panel)
        self.more_grid.setContentsMargins(0, 0, 0, 0)
        self.more_panel.setVisible(False)

        self._build_builtin()
        self._build_custom()

        self.compact.addWidget(self.more_button)
        self.compact.addWidget(self.clear_button)
        self.compact.addStretch(1)
        self.compact.addWidget(self.summary)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.compact)
        layout.addWidget(self.more_panel)
        layout.addWidget(self.active)
        self.more_button.setVisible(self.more_grid.count() > 0)
        self.lookups.loaded.connect(self._on_lookups_loaded)
        self._update_active()

    # ------------------------------------------------------------------ public API

    def filters(self) -> Body:
        """The current search-body filter keys (no paging or sort keys)."""
        body: Body = {}
        text = self.search.text().strip()
        if text and self._name_filter is not None:
            body["name"] = text
        custom: list[Body] = []
        for control in self._controls.values():
            part = control.body()
            if control.definition is not None:
                custom.extend(part.get("custom_fields", ()))
            else:
                body.update(part)
        if custom:
            body["custom_fields"] = custom
        unknown = set(body) - self.allowed_keys()
        assert not unknown, f"filter bar built keys Copper does not take: {unknown}"
        return body

    def allowed_keys(self) -> frozenset[str]:
        """Every top-level key the catalog says this entity's search body may carry."""
        filters = entity_filters(self.spec, self.lookups.definitions)
        return frozenset(key for f in filters for key in f.body_keys)

    def clear(self) -> None:
        """Reset every control and emit one `filters_changed({})`."""
        self.debounce.stop()
        self._silent = True
        try:
            self.search.clear()
            for control in self._controls.values():
                control.reset()
        finally:
            self._silent = False
        self._last = {}
        self._update_active()
        self.filters_changed.emit({})

    def state(self) -> dict[str, Any]:
        """What the controls show, as JSON: ``{"name": str, "filters": {key: state}}``; a
        saved state not applied yet (its control or choices still to come) is kept in it."""
        controls = dict(self._pending)
        for key, control in self._controls.items():
            saved = control.save()
            if saved is not None:
                controls[key] = saved
            else:
                controls.pop(key, None)
        return {
            "name": self.search.text(),
            "filters": controls,
            "more": self.more_button.isChecked(),
        }

    def set_state(self, state: Any, *, emit: bool = True) -> None:
        """Show a `state()` again (unknown keys and malformed parts are ignored); emits
        `filters_changed` once when the body changed, unless `emit` is False (the caller
        then queries with `filters()` itself)."""
        if not isinstance(state, dict):
            state = {}
        self.debounce.stop()
        self._silent = True
        try:
            name = state.get("name")
            self.search.setText(name if isinstance(name, str) else "")
            for control in self._controls.values():
                control.reset()
            filters = state.get("filters")
            self._pending = dict(filters) if isinstance(filters, dict) else {}
            self._apply_pending()
        finally:
            self._silent = False
        self.more_button.setChecked(bool(state.get("more")) and self.more_grid.count() > 0)
        self._update_active()
        body = self.filters()
        changed = body != self._last
        self._last = body
        if emit and changed:
            self.filters_changed.emit(body)

    def assume_sent(self, body: Body) -> None:
        """The browser queried with `body` (a saved one, custom field filters included) while
        parts of the state still wait for the lookups: once they are applied, the bar emits
        only if its body then differs from that."""
        self._last = dict(body)

    def _apply_pending(self) -> None:
        """Apply the pending states whose controls exist; keep those still waiting for
        their control or their choices (the lookups)."""
        waiting: dict[str, Any] = {}
        for key, saved in self._pending.items():
            control = self._controls.get(key)
            if control is None:
                waiting[key] = saved
                continue
            try:
                control.load(saved)
            except (TypeError, ValueError):
                continue
            if control.save() != saved and not self.lookups.is_loaded:
                waiting[key] = saved  # its choices arrive with the lookups
        self._pending = waiting

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def set_summary(self, first: int, last: int, total: int) -> None:
        """Show which rows are on screen: "1–200 of 12,345" (1-based, inclusive)."""
        self.summary.setText(summary_text(first, last, total))

    def control(self, key: str) -> QWidget:
        """The widget of one filter by its catalog key (`cf_<id>` for custom fields)."""
        return self._controls[key].widget

    def has_filter(self, key: str) -> bool:
        return key in self._controls

    def describe(self) -> str:
        """ "Name: “acme” · Owner: Alice": the line `activeFilters` shows after "Filtered by:"."""
        parts: list[str] = []
        text = self.search.text().strip()
        if text and self._name_filter is not None:
            parts.append(f"Name: “{text}”")
        parts.extend(p for c in self._controls.values() if (p := c.describe()))
        return " · ".join(parts)

    # ------------------------------------------------------------------ emission

    def _schedule(self, *_: object) -> None:
        """Typing: (re)start the debounce so one pause sends one search."""
        if not self._silent:
            self.debounce.start()

    def _flush(self) -> None:
        self.debounce.stop()
        self._emit_if_changed()

    def _changed(self, *_: object) -> None:
        """A picker changed: send at once (pending typing goes with it)."""
        if not self._silent:
            self._flush()

    def _emit_if_changed(self) -> None:
        self._update_active()
        body = self.filters()
        if body != self._last:
            self._last = body
            self.filters_changed.emit(body)

    def _update_active(self) -> None:
        text = self.describe()
        self.active.setText(f"Filtered by: {text}" if text else "")
        self.active.setVisible(bool(text))
        self.clear_button.setEnabled(bool(text))

    def _toggle_more(self, on: bool) -> None:
        self.more_panel.setVisible(on)
        self.more_button.setText("Fewer filters" if on else "More filters")

    # ------------------------------------------------------------------ building

    def _find(self, key: str) -> FilterSpec | None:
        for spec in self.spec.filters:
            if spec.key == key:
                return spec
        return None

    def _place(self, control: _Control, compact: bool) -> None:
        self._controls[control.spec.key] = control
        if compact:
            self.compact.addWidget(control.widget)
            return
        row, col = divmod(self.more_grid.count(), 3)
        self.more_grid.addWidget(control.widget, row, col)

    def _build_builtin(self) -> None:
        ordered = sorted(
            self.spec.filters,
            key=lambda f: COMPACT_KEYS.index(f.key) if f.key in COMPACT_KEYS else 99,
        )
        for spec in ordered:
            control = self._make(spec)
            if control is not None:
                self._place(control, spec.key in COMPACT_KEYS)

    def _build_custom(self) -> None:
        """Filterable custom fields of this entity (once the definitions are known)."""
        if self._custom_built or not self.lookups.definitions:
            return
        self._custom_built = True
        builtin = len(self.spec.filters)
        for spec in entity_filters(self.spec, self.lookups.definitions)[builtin:]:
            definition = self.lookups.definition(spec.custom_field_id or 0)
            if definition is None:
                continue
            control = self._make_custom(spec, definition)
            if control is not None:
                self._place(control, False)

    def _on_lookups_loaded(self) -> None:
        for control in self._controls.values():
            if isinstance(control.widget, ChoiceButton) and control.definition is None:
                with QSignalBlocker(control.widget):
                    control.widget.set_choices(self._choices(control.spec))
        self._update_stages()
        self._build_custom()
        self.more_button.setVisible(self.more_grid.count() > 0)
        if self._pending:
            self._silent = True
            try:
                self._apply_pending()
            finally:
                self._silent = False
            self._pending = {}
        self._emit_if_changed()

    def _choices(self, spec: FilterSpec) -> Choices:
        if spec.type is FilterType.TAGS:
            return [(tag, tag) for tag in self.lookups.tags]
        if spec.type is FilterType.ENUM_LIST:
            return [(c.value, c.label) for c in spec.choices]
        if spec.type is FilterType.ACTIVITY_TYPES:
            return list(self.lookups.choices(LookupKind.ACTIVITY_TYPES))
        assert spec.lookup is not None
        items: Choices = list(self.lookups.choices(spec.lookup))
        if spec.lookup is LookupKind.PIPELINE_STAGES:
            items = self._stage_choices()
        if spec.allows_none:
            label = "Unassigned" if spec.lookup is LookupKind.USERS else "None"
            items.insert(0, (NONE_SENTINEL, label))
        return items

    def _stage_choices(self) -> Choices:
        """Stages of the chosen pipelines; all stages, named with their pipeline, otherwise."""
        pipes = self._controls.get("pipeline_ids")
        chosen = pipes.widget.selected() if pipes and isinstance(pipes.widget, ChoiceButton) else []
        pipelines = chosen or [p for p, _ in self.lookups.choices(LookupKind.PIPELINES)]
        items: Choices = []
        for pipeline_id in pipelines:
            pipeline = self.lookups.name(LookupKind.PIPELINES, pipeline_id) or ""
            for stage_id, stage in self.lookups.stages(pipeline_id):
                label = stage if len(pipelines) == 1 else f"{pipeline} › {stage}"
                items.append((stage_id, label))
        return items

    def _update_stages(self) -> None:
        stages = self._controls.get("pipeline_stage_ids")
        if stages is not None and isinstance(stages.widget, ChoiceButton):
            stages.widget.set_choices(self._choices(stages.spec))

    def _make(self, spec: FilterSpec) -> _Control | None:
        kind = spec.type
        if kind is FilterType.ID_LIST and spec.lookup in PICKABLE:
            return self._picker(spec)
        if kind in (FilterType.ENUM_LIST, FilterType.TAGS, FilterType.ACTIVITY_TYPES):
            return self._picker(spec)
        if kind in (FilterType.DATE_RANGE, FilterType.NUMBER_RANGE):
            return self._range(spec, None)
        if kind in (FilterType.TEXT, FilterType.TEXT_LIST, FilterType.COUNTRY, FilterType.PHONE):
            return None if spec.key == "name" else self._text(spec)
        if kind is FilterType.BOOLEAN:
            return self._flag(spec)
        if kind is FilterType.FOLLOWED:
            return self._combo(spec, [(c.value, c.label) for c in spec.choices], None)
        return None  # ids, parent, age: chosen elsewhere (record pickers), not in this bar

    def _make_custom(self, spec: FilterSpec, definition: CustomFieldDefinition) -> _Control | None:
        if spec.type in (FilterType.CUSTOM_DROPDOWN, FilterType.CUSTOM_MULTI_SELECT):
            return self._picker(spec, definition)
        if spec.type is FilterType.CUSTOM_CHECKBOX:
            return self._combo(spec, [(True, "Checked"), (False, "Not checked")], definition)
        if spec.type is FilterType.CUSTOM_RANGE:
            return self._range(spec, definition)
        return None

    # --- pickers -------------------------------------------------------------------------------

    def _picker(
        self, spec: FilterSpec, definition: CustomFieldDefinition | None = None
    ) -> _Control:
        button = ChoiceButton(spec.label, _name(spec.key), self)
        if definition is not None:
            button.set_choices([(c.value, c.label) for c in spec.choices])
        else:
            button.set_choices(self._choices(spec))
        if spec.key == "pipeline_ids":
            # Narrow the stages first, so one click sends one query without stale stages.
            button.selection_changed.connect(self._update_stages)
        button.selection_changed.connect(self._changed)

        def body() -> Body:
            values = button.selected()
            if not values:
                return {}
            if definition is not None:
                option = "ANY" if spec.type is FilterType.CUSTOM_MULTI_SELECT else None
                entry = custom_filter_entry(definition, value=values, option=option)
                return {"custom_fields": [entry]}
            if spec.type is FilterType.ACTIVITY_TYPES:
                return {
                    spec.key: [
                        {"id": v, "category": self.lookups.activity_category(v) or "user"}
                        for v in values
                    ]
                }
            return {spec.key: values}

        def describe() -> str | None:
            labels = button.selected_labels()
            return f"{spec.label}: {', '.join(labels)}" if labels else None

        def load(saved: Any) -> None:
            button.set_selected(list(saved))

        return _Control(
            spec, button, body, describe, lambda: button.set_selected([]), definition,
            save=lambda: button.selected() or None, load=load,
        )  # fmt: skip

    def _combo(
        self, spec: FilterSpec, choices: Choices, definition: CustomFieldDefinition | None
    ) -> _Control:
        combo = QComboBox(self)
        combo.setObjectName(_name(spec.key))
        combo.setAccessibleName(f"{spec.label} filter")
        name_popup(combo)
        combo.addItem(f"{spec.label}: any", None)
        for value, label in choices:
            combo.addItem(f"{spec.label}: {label}", value)
        combo.currentIndexChanged.connect(self._changed)

        def body() -> Body:
            value = combo.currentData()
            if value is None:
                return {}
            if definition is not None:
                return {"custom_fields": [custom_filter_entry(definition, value=value)]}
            return {spec.key: value}

        def describe() -> str | None:
            return combo.currentText() if combo.currentIndex() > 0 else None

        def load(saved: Any) -> None:
            index = combo.findData(saved)
            combo.setCurrentIndex(max(index, 0))

        return _Control(
            spec, combo, body, describe, lambda: combo.setCurrentIndex(0), definition,
            save=lambda: combo.currentData(), load=load,
        )  # fmt: skip

    def _flag(self, spec: FilterSpec) -> _Control:
        box = QCheckBox(spec.label, self)
        box.setObjectName(_name(spec.key))
        box.setAccessibleName(spec.label)
        box.toggled.connect(self._changed)

        def body() -> Body:
            return {spec.key: True} if box.isChecked() else {}

        def describe() -> str | None:
            return spec.label if box.isChecked() else None

        return _Control(
            spec, box, body, describe, lambda: box.setChecked(False),
            save=lambda: True if box.isChecked() else None,
            load=lambda s: box.setChecked(s is True),
        )  # fmt: skip

    def _text(self, spec: FilterSpec) -> _Control:
        edit = QLineEdit(self)
        edit.setObjectName(_name(spec.key))
        edit.setAccessibleName(f"{spec.label} filter")
        edit.setPlaceholderText(spec.label)
        clearable(edit)
        if spec.type is FilterType.COUNTRY:
            edit.setMaxLength(2)
            edit.setPlaceholderText(f"{spec.label} (two letters, e.g. US)")
        edit.textEdited.connect(self._schedule)
        edit.returnPressed.connect(self._flush)

        def body() -> Body:
            text = edit.text().strip()
            if not text:
                return {}
            if spec.type is FilterType.TEXT_LIST:
                return {spec.key: [text]}
            if spec.type is FilterType.COUNTRY:
                return {spec.key: text.upper()}
            return {spec.key: text}

        def describe() -> str | None:
            text = edit.text().strip()
            return f"{spec.label}: “{text}”" if text else None

        return _Control(
            spec, edit, body, describe, edit.clear,
            save=lambda: edit.text() or None, load=lambda s: edit.setText(str(s)),
        )  # fmt: skip

    def _range(self, spec: FilterSpec, definition: CustomFieldDefinition | None) -> _Control:
        dates = spec.type is FilterType.DATE_RANGE or spec.value_type in (
            FieldType.DATE,
            FieldType.DATETIME,
        )
        edit = RangeEdit(spec.label, _name(spec.key), dates=dates, parent=self)
        edit.changed.connect(self._changed)
        integer = spec.value_type is FieldType.INTEGER

        def values() -> tuple[int | float, int | float] | None:
            bounds = edit.bounds()
            if bounds is None:
                return None
            low, high = bounds
            if isinstance(low, date) and isinstance(high, date):
                return date_to_unix(low), date_to_unix(high, end_of_day=True)
            assert isinstance(low, float) and isinstance(high, float)
            return _number(low, integer), _number(high, integer)

        def body() -> Body:
            bounds = values()
            if bounds is None:
                return {}
            low, high = bounds
            if definition is not None:
                entry = custom_filter_entry(definition, minimum=low, maximum=high)
                return {"custom_fields": [entry]}
            return {spec.minimum_key: low, spec.maximum_key: high}

        def describe() -> str | None:
            bounds = edit.bounds()
            if bounds is None:
                return None
            low, high = bounds
            if isinstance(low, date) and isinstance(high, date):
                return f"{spec.label}: {low.isoformat()} – {high.isoformat()}"
            assert isinstance(low, float) and isinstance(high, float)
            return f"{spec.label}: {format_number(low)} – {format_number(high)}"

        def save() -> Any:
            bounds = edit.bounds()
            if bounds is None:
                return None
            low, high = bounds
            if isinstance(low, date) and isinstance(high, date):
                return [low.isoformat(), high.isoformat()]
            return [low, high]

        def load(saved: Any) -> None:
            low, high = saved
            if edit.dates:
                edit.set_dates(date.fromisoformat(low), date.fromisoformat(high))
            else:
                edit.set_numbers(float(low), float(high))
            edit.enabled.setChecked(True)

        return _Control(spec, edit, body, describe, edit.reset, definition, save=save, load=load)
