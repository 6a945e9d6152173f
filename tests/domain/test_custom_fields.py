"""Custom field definitions from Copper's example answers, joined to the catalog."""

from __future__ import annotations

from typing import Any

import pytest

from copper_desktop.domain.catalog import Editability, FieldType, FilterType, entity
from copper_desktop.domain.custom_fields import (
    CustomFieldDefinition,
    DataType,
    DefinitionError,
    custom_field_id,
    custom_field_key,
    custom_filter_entry,
    custom_values,
    definitions_for,
    entity_fields,
    entity_filters,
    field_for,
    filter_for,
    get_custom_value,
    get_field_value,
    parse_definition,
    parse_definitions,
    set_custom_value,
    set_field_value,
)
from tests.helpers.data import example


def _definition(data_type: str, **extra: Any) -> CustomFieldDefinition:
    body = {
        "id": 900,
        "name": f"A {data_type}",
        "data_type": data_type,
        "available_on": ["person", "lead"],
        "is_filterable": True,
        **extra,
    }
    return parse_definition(body)


def test_list_answer_parses_with_options_sorted_by_rank() -> None:
    definitions = parse_definitions(example("custom_field_definitions.json"))
    assert [(d.id, d.data_type) for d in definitions] == [
        (100764, DataType.STRING),
        (103481, DataType.TEXT),
        (126240, DataType.DROPDOWN),
    ]
    color = definitions[2]
    assert [o.name for o in color.options] == ["Red", "Green", "Blue", "Orange", "Yellow"]
    assert [o.rank for o in color.options] == [0, 1, 2, 3, 4]
    assert color.available_on == ("opportunity", "project")
    assert color.is_filterable is None  # older sample: key absent
    assert not color.searchable


def test_current_docs_answer_has_is_filterable() -> None:
    current = parse_definition(example("custom_field_definition_current_docs.json"))
    older = parse_definition(example("custom_field_definition.json"))
    assert current.is_filterable is False
    assert current.options == older.options
    assert filter_for(current) is None


def test_create_and_update_answers() -> None:
    currency = parse_definition(example("custom_field_definition_create_currency_response.json"))
    assert currency.data_type is DataType.CURRENCY
    assert currency.currency == "CAD"
    assert currency.canonical_name is None
    assert currency.options == ()
    dropdown = parse_definition(example("custom_field_definition_create_dropdown_response.json"))
    assert [o.id for o in dropdown.options] == [5, 6]
    updated = parse_definition(example("custom_field_definition_update_current_docs.json"))
    assert updated.is_filterable is True
    assert updated.searchable
    spec = filter_for(updated)
    assert spec is not None
    assert spec.type is FilterType.CUSTOM_DROPDOWN
    assert spec.allow_empty
    assert [(c.value, c.label) for c in spec.choices] == [
        (7, "Option 1"), (8, "Option 2"), (9, "Option 3"),
    ]  # fmt: skip


def test_definitions_join_the_entities_they_are_available_on() -> None:
    definitions = parse_definitions(example("custom_field_definitions.json"))
    people = entity("people")
    assert [d.id for d in definitions_for(people, definitions)] == [100764, 103481]
    assert [d.id for d in definitions_for(entity("projects"), definitions)] == [126240]
    assert definitions_for(entity("webhooks"), definitions) == ()
    fields = entity_fields(people, definitions)
    assert fields[: len(people.fields)] == people.fields
    extra = fields[len(people.fields) :]
    assert [(f.key, f.type, f.label) for f in extra] == [
        ("cf_100764", FieldType.TEXT, "A Text Field"),
        ("cf_103481", FieldType.MULTILINE, "A Text Area Field"),
    ]
    assert extra[0].max_length == 255
    assert extra[0].custom_field_id == 100764
    assert extra[0].data_type == "String"
    # String/Text are never searchable, so no filter joins.
    assert entity_filters(people, definitions) == people.filters


@pytest.mark.parametrize(
    ("data_type", "field_type", "filter_type"),
    [
        ("String", FieldType.TEXT, None),
        ("Text", FieldType.MULTILINE, None),
        ("URL", FieldType.URL, None),
        ("Dropdown", FieldType.ENUM, FilterType.CUSTOM_DROPDOWN),
        ("MultiSelect", FieldType.MULTI_ENUM, FilterType.CUSTOM_MULTI_SELECT),
        ("Date", FieldType.DATE, FilterType.CUSTOM_RANGE),
        ("Float", FieldType.NUMBER, FilterType.CUSTOM_RANGE),
        ("Percentage", FieldType.PERCENT, FilterType.CUSTOM_RANGE),
        ("Currency", FieldType.MONEY, FilterType.CUSTOM_RANGE),
        ("Checkbox", FieldType.BOOLEAN, FilterType.CUSTOM_CHECKBOX),
        ("Connect", FieldType.CONNECT, None),
    ],
)
def test_field_and_filter_per_data_type(
    data_type: str, field_type: FieldType, filter_type: FilterType | None
) -> None:
    definition = _definition(data_type, options=[{"id": 1, "name": "One", "rank": 0}])
    field = field_for(definition)
    assert field.type is field_type
    assert field.key == "cf_900"
    expected = Editability.READ_ONLY if data_type == "Connect" else Editability.EDITABLE
    assert field.editability is expected
    spec = filter_for(definition)
    assert (spec.type if spec else None) is filter_type
    if spec is not None and spec.is_range:
        assert (spec.minimum_key, spec.maximum_key) == ("minimum_value", "maximum_value")
        assert spec.body_keys == ("custom_fields",)
        assert spec.value_type is field_type
    if spec is not None:
        assert spec.allow_empty is (data_type in ("Dropdown", "MultiSelect"))


def test_not_filterable_definitions_get_no_filter() -> None:
    assert filter_for(_definition("Float", is_filterable=False)) is None


def test_unknown_data_type_is_kept_read_only() -> None:
    definition = _definition("Hologram")
    assert definition.data_type is None
    assert definition.raw_data_type == "Hologram"
    field = field_for(definition)
    assert field.type is FieldType.JSON
    assert not field.editable
    assert filter_for(definition) is None


def test_currency_field_carries_the_currency() -> None:
    definition = _definition("Currency", currency="UAH")
    assert field_for(definition).currency == "UAH"
    spec = filter_for(definition)
    assert spec is not None and spec.currency == "UAH"


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "data_type": "String"},
        {"id": "7", "name": "x", "data_type": "String"},
        {"id": 7, "data_type": "String"},
        {"id": 7, "name": "x"},
        {"id": True, "name": "x", "data_type": "String"},
    ],
)
def test_malformed_definitions_raise(body: dict[str, Any]) -> None:
    with pytest.raises(DefinitionError):
        parse_definition(body)


def test_custom_filter_entries() -> None:
    multi = _definition("MultiSelect", options=[{"id": 1, "name": "A", "rank": 0}])
    assert custom_filter_entry(multi, value=[1], option="ALL", allow_empty=True) == {
        "custom_field_definition_id": 900,
        "option": "ALL",
        "allow_empty": True,
        "value": [1],
    }
    date = _definition("Date")
    assert custom_filter_entry(date, minimum=0, maximum=10) == {
        "custom_field_definition_id": 900,
        "minimum_value": 0,
        "maximum_value": 10,
    }
    assert custom_filter_entry(_definition("Checkbox"), value=False)["value"] is False
    with pytest.raises(ValueError, match="cannot be used"):
        custom_filter_entry(_definition("String"), value="x")
    with pytest.raises(ValueError, match="ANY, ALL or NONE"):
        custom_filter_entry(_definition("Dropdown"), value=[1], option="ANY")
    with pytest.raises(ValueError, match="ANY, ALL or NONE"):
        custom_filter_entry(multi, value=[1], option="SOME")
    with pytest.raises(ValueError, match="empty values"):
        custom_filter_entry(_definition("Float"), allow_empty=True, minimum=1)
    with pytest.raises(ValueError, match="range"):
        custom_filter_entry(_definition("Dropdown"), minimum=1)
    with pytest.raises(ValueError, match="Choose a value"):
        custom_filter_entry(_definition("Dropdown"), allow_empty=True)  # Copper answers 500
    with pytest.raises(ValueError, match="Choose a value"):
        custom_filter_entry(date)


def test_read_values_by_definition_id() -> None:
    lead = example("lead_update_response.json")
    assert get_custom_value(lead, 184997) == [262644, 262645]
    assert get_custom_value(lead, 128735) == 1511942400
    assert get_custom_value(lead, 103481) is None
    assert get_custom_value(lead, 1, default="absent") == "absent"
    assert custom_values(lead)[100764] == "A Text Value"
    assert get_field_value(lead, "cf_100764") == "A Text Value"
    assert get_field_value(lead, "name") == "Test Lead"
    assert get_custom_value({"custom_fields": None}, 1) is None


def test_set_value_copies_and_keeps_the_original() -> None:
    person = example("person.json")
    edited = set_custom_value(person, 103481, "long text")
    assert get_custom_value(edited, 103481) == "long text"
    assert get_custom_value(person, 103481) is None
    assert [e["custom_field_definition_id"] for e in edited["custom_fields"]] == [100764, 103481]
    appended = set_custom_value(person, 5, [1])
    assert appended["custom_fields"][-1] == {"custom_field_definition_id": 5, "value": [1]}
    assert set_field_value(person, "title", "Boss")["title"] == "Boss"
    assert person["title"] is None
    assert get_field_value(set_field_value(person, "cf_100764", "x"), "cf_100764") == "x"


def test_set_value_drops_a_stale_computed_value() -> None:
    record = {"custom_fields": example("computed_custom_fields_docs.json")["custom_fields"]}
    edited = set_custom_value(record, 1, [2])
    assert edited["custom_fields"] == [{"custom_field_definition_id": 1, "value": [2]}]


def test_keys() -> None:
    assert custom_field_key(12) == "cf_12"
    assert custom_field_id("cf_12") == 12
    assert custom_field_id("cf_x") is None
    assert custom_field_id("name") is None
    assert _definition("MultiSelect").empty_value == []
    assert _definition("Float").empty_value is None
    assert _definition("Float").applies_to("lead")
    assert not _definition("Float").applies_to("company")
