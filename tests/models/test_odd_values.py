"""Any JSON value the server accepts can be shown: every column of every entity (custom field
columns of every data type included), the detail view's text and every role of the record
model take whatever a record holds without raising (issue 14.3)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from copper_desktop.domain.catalog import ENTITIES, EntitySpec, FieldSpec, FieldType, LookupKind
from copper_desktop.domain.custom_fields import (
    DataType,
    entity_fields,
    parse_definitions,
)
from copper_desktop.domain.display import format_field
from copper_desktop.models.lookups import Lookups
from copper_desktop.models.record_columns import column_for
from copper_desktop.models.record_model import RecordModel

_OPTIONS = [{"id": 900 + i, "name": f"Option {i}", "rank": i} for i in range(3)]
DEFINITIONS = parse_definitions(
    {
        "id": 800 + i,
        "name": f"CF {data_type}",
        "data_type": data_type,
        "available_on": sorted({spec.type for spec in ENTITIES.values()}),
        "options": _OPTIONS if data_type in ("Dropdown", "MultiSelect") else [],
        "currency": "EUR" if data_type == "Currency" else None,
    }
    for i, data_type in enumerate([*(t.value for t in DataType), "SomeFutureType"])
)
"""One definition of every data type (and one this app does not know), on every entity."""

FIELDS: list[tuple[EntitySpec, FieldSpec]] = [
    (spec, field) for spec in ENTITIES.values() for field in entity_fields(spec, DEFINITIONS)
]
CUSTOM_TYPES = {f.data_type for _, f in FIELDS if f.is_custom}
ROLES = [
    int(Qt.ItemDataRole.DisplayRole),
    int(Qt.ItemDataRole.ToolTipRole),
    int(Qt.ItemDataRole.EditRole),
    *range(int(Qt.ItemDataRole.UserRole) + 1, int(Qt.ItemDataRole.UserRole) + 8),
]

ODD = st.sampled_from(
    [
        10**26, 1e26, 10**28, 1e28, 1e300, -1e300, 10**40, 2**31, 2**33, -(2**31) - 1,
        -86_400 * 365 * 80, 1_700_000_000_000, 253_402_300_800, math.nan, math.inf, -math.inf,
        "1/32/2020", "13/13/2020", "NaN", "x" * 500, {"id": 1, "type": "company"},
        {"id": "x", "type": 5}, {"email": ["x"]}, [{"email": 5}], [{"id": "x"}],
    ]
)  # fmt: skip
"""The values issue 14.3 reported crashing; hypothesis adds everything else JSON can hold."""
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats()
    | st.text(max_size=20)
    | ODD
)
KEYS = st.sampled_from(["id", "type", "category", "email", "number", "url", "name", "value"])
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(KEYS | st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
SIDE_KEYS = st.sampled_from(["monetary_unit", "converted_unit", "company_name", "name", "id"])


def record_with(
    spec: EntitySpec, value: Any, extra: dict[str, Any], raw_custom: bool
) -> dict[str, Any]:
    """`value` in every field of `spec` (custom fields included), then `extra` (currencies,
    names); with `raw_custom` the custom_fields list itself is `value`."""
    record = {field.key: value for field in spec.fields}
    entries = [{"custom_field_definition_id": d.id, "value": value} for d in DEFINITIONS]
    record["custom_fields"] = value if raw_custom else entries
    record.update(extra)
    return record


@pytest.fixture(scope="module")
def lookups() -> Lookups:
    """Some names known, most not: both paths of every reference are taken."""
    known = Lookups()
    for kind in LookupKind:
        known.remember(kind, 1, f"{kind.value} one")
    return known


def test_every_field_type_and_custom_data_type_is_covered() -> None:
    assert {f.type for _, f in FIELDS} == set(FieldType)
    assert {t.value for t in DataType} | {"SomeFutureType"} <= CUSTOM_TYPES


@settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    spec=st.sampled_from(list(ENTITIES.values())),
    value=JSON,
    extra=st.dictionaries(SIDE_KEYS, JSON, max_size=2),
    raw_custom=st.booleans(),
)
def test_any_json_value_is_shown_without_raising(
    qtbot: QtBot,
    lookups: Lookups,
    spec: EntitySpec,
    value: Any,
    extra: dict[str, Any],
    raw_custom: bool,
) -> None:
    """Each case puts one value in every field of an entity: every column (text, sort value,
    detail text) and the record model (every row, every role)."""
    record = record_with(spec, value, extra, raw_custom)
    fields = entity_fields(spec, DEFINITIONS)
    for field in fields:
        if field.type is FieldType.CUSTOM_FIELDS:  # the raw list has no column
            continue
        column = column_for(spec, field, lookups)
        assert isinstance(column.value(record), str)
        assert column.sort_value is not None
        column.sort_value(record)
        assert isinstance(format_field(field, record, lookups.name), str)
    model = RecordModel(spec, fields, record, DEFINITIONS)
    for row in range(model.rowCount()):
        for role in ROLES:
            model.data(model.index(row, 0), role)
    assert model.changed_keys() == []  # as loaded: nothing to save, nothing to ask
    model.validate()
