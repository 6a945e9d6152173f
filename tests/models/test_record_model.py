"""RecordModel without a server: rows and roles, dirty tracking, revert, validation, bodies."""

from __future__ import annotations

from typing import Any

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from copper_desktop.domain.catalog import entity
from copper_desktop.domain.custom_fields import (
    custom_field_key,
    entity_fields,
    get_custom_value,
    parse_definitions,
)
from copper_desktop.models.record_model import (
    ChangedRole,
    EditableRole,
    ErrorRole,
    KeyRole,
    OriginalRole,
    RecordModel,
    ValueRole,
)

DEFINITIONS = parse_definitions(
    [
        {"id": 11, "name": "Budget", "data_type": "Float", "available_on": ["person", "lead"]},
        {"id": 12, "name": "Nickname", "data_type": "String", "available_on": ["person"]},
        {
            "id": 13,
            "name": "Tier",
            "data_type": "Dropdown",
            "available_on": ["person", "opportunity"],
            "options": [
                {"id": 131, "name": "Gold", "rank": 0},
                {"id": 132, "name": "Lead", "rank": 1},
            ],
        },
        {"id": 14, "name": "Linked", "data_type": "Connect", "available_on": ["person"]},
    ]
)
PEOPLE = entity("people")
BUDGET, NICKNAME, TIER = custom_field_key(11), custom_field_key(12), custom_field_key(13)


def person(**overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": 42,
        "name": "Ada Lovelace",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "emails": [{"email": "ada@example.com", "category": "work"}],
        "phone_numbers": [],
        "title": None,
        "assignee_id": 7,
        "tags": ["math"],
        "address": {
            "street": "1 St",
            "city": "London",
            "state": None,
            "postal_code": None,
            "country": "GB",
        },
        "custom_fields": [
            {"custom_field_definition_id": 11, "value": 100.0},
            {"custom_field_definition_id": 13, "value": 131},
        ],
        "date_created": 1_700_000_000,
        "date_modified": 1_700_000_500,
        "interaction_count": 3,
        "some_future_key": {"kept": True},
    }
    record.update(overrides)
    return record


def make(record: dict[str, Any] | None = None, **kw: Any) -> RecordModel:
    fields = entity_fields(PEOPLE, DEFINITIONS)
    return RecordModel(PEOPLE, fields, person() if record is None else record, DEFINITIONS, **kw)


def row(model: RecordModel, key: str) -> int:
    found = model.row_of(key)
    assert found >= 0, key
    return found


def role(model: RecordModel, key: str, data_role: int) -> Any:
    return model.data(model.index(row(model, key), 0), data_role)


def test_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = make()
    qtmodeltester.check(model)
    model.set_value("name", "Ada King")
    model.set_error("name", "Too royal.")
    qtmodeltester.check(model)


def test_rows_and_roles() -> None:
    model = make()
    assert model.rowCount() == len(entity_fields(PEOPLE, DEFINITIONS))
    index = model.index(row(model, "name"), 0)
    assert model.data(index) == "Name"
    assert model.data(index, KeyRole) == "name"
    assert model.data(index, ValueRole) == "Ada Lovelace"
    assert model.data(index, OriginalRole) == "Ada Lovelace"
    assert model.data(index, ChangedRole) is False
    assert model.data(index, ErrorRole) is None
    assert model.data(index, EditableRole) is True
    assert role(model, BUDGET, ValueRole) == 100.0
    assert role(model, NICKNAME, ValueRole) is None
    assert role(model, "date_modified", EditableRole) is False
    assert role(model, custom_field_key(14), EditableRole) is False  # Connect
    assert role(model, "custom_fields", EditableRole) is False  # edited through cf_ rows
    assert model.record_id == 42
    assert model.date_modified == 1_700_000_500
    assert not model.is_new and not model.is_dirty


def test_value_is_a_copy() -> None:
    model = make()
    emails = model.value("emails")
    emails.append({"email": "x@example.com", "category": "work"})
    assert len(model.value("emails")) == 1
    assert not model.is_dirty


def test_dirty_tracking_and_setting_back(qtbot: QtBot) -> None:
    model = make()
    changed: list[str] = []
    model.value_changed.connect(changed.append)
    with qtbot.waitSignal(model.dirty_changed) as dirty:
        model.set_value("title", "Countess")
    assert dirty.args == [True]
    assert model.is_dirty and model.changed_keys() == ["title"]
    assert role(model, "title", ChangedRole) is True
    assert role(model, "title", OriginalRole) is None
    with qtbot.assertNotEmitted(model.dirty_changed):
        model.set_value(BUDGET, 250)
    assert model.changed_keys() == ["title", BUDGET]
    with qtbot.assertNotEmitted(model.dirty_changed):
        model.set_value("title", None)  # back to the original: no longer changed
    assert model.changed_keys() == [BUDGET]
    with qtbot.waitSignal(model.dirty_changed) as dirty:
        model.set_value(BUDGET, 100)  # 100 == 100.0
    assert dirty.args == [False]
    assert not model.is_dirty and model.changed_keys() == []
    assert changed == ["title", BUDGET, "title", BUDGET]


def test_setting_the_same_value_emits_nothing(qtbot: QtBot) -> None:
    model = make()
    with qtbot.assertNotEmitted(model.value_changed), qtbot.assertNotEmitted(model.dataChanged):
        model.set_value("name", "Ada Lovelace")
        model.set_value(NICKNAME, None)  # absent and None are the same
    assert get_custom_value(model.edited_record(), 12, "absent") == "absent"


def test_set_data_edits_through_the_value_role(qtbot: QtBot) -> None:
    model = make()
    index = model.index(row(model, "title"), 0)
    with qtbot.waitSignal(model.dataChanged) as changed:
        assert model.setData(index, "Countess", ValueRole)
    assert changed.args[0].row() == index.row()
    assert ValueRole in changed.args[2] and ChangedRole in changed.args[2]
    assert model.value("title") == "Countess"
    assert not model.setData(index, "Other", int(ChangedRole))
    assert not model.setData(model.index(row(model, "date_created"), 0), 1, ValueRole)


def test_revert_one_field_or_all(qtbot: QtBot) -> None:
    model = make()
    model.set_value("name", "Ada King")
    model.set_value(NICKNAME, "Enchantress")
    model.set_value("address", {"street": "2 Rd", "city": "Paris", "state": None,
                                "postal_code": None, "country": "FR"})  # fmt: skip
    model.revert(NICKNAME)
    assert model.changed_keys() == ["name", "address"]
    # The definition had no entry: reverting removes it rather than leaving a null entry.
    assert get_custom_value(model.edited_record(), 12, "absent") == "absent"
    with qtbot.waitSignal(model.dirty_changed) as dirty:
        model.revert()
    assert dirty.args == [False]
    assert model.edited_record() == person()
    with pytest.raises(KeyError):
        model.revert("no_such_field")


def test_read_only_fields_are_refused() -> None:
    model = make()
    for key in ("date_created", "date_modified", "id", "interaction_count", "company_name",
                custom_field_key(14), "custom_fields"):  # fmt: skip
        with pytest.raises(ValueError):
            model.set_value(key, 1)
    with pytest.raises(KeyError):
        model.set_value("no_such_field", 1)
    assert not model.is_dirty


def test_create_only_fields_are_writable_only_when_creating() -> None:
    webhooks = entity("webhooks")
    existing = RecordModel(
        webhooks, webhooks.fields, {"id": 5, "target": "https://h.example/x", "type": "person",
                                    "event": "new"},
    )  # fmt: skip
    assert existing.data(existing.index(existing.row_of("type"), 0), EditableRole) is False
    with pytest.raises(ValueError):
        existing.set_value("type", "lead")
    new = RecordModel(webhooks, webhooks.fields, None, defaults={"event": "new"})
    new.set_value("type", "lead")
    new.set_value("target", "https://h.example/hook")
    assert new.create_body() == {"type": "lead", "event": "new", "target": "https://h.example/hook"}


def test_update_body_holds_only_changed_keys() -> None:
    model = make()
    model.set_value("title", "Countess")
    model.set_value(TIER, 132)
    model.set_value(NICKNAME, "Enchantress")
    model.set_value("tags", ["math", "poetry"])
    body = model.update_body()
    assert set(body) == {"title", "custom_fields", "tags"}
    assert body["title"] == "Countess"
    assert sorted(body["custom_fields"], key=lambda e: e["custom_field_definition_id"]) == [
        {"custom_field_definition_id": 12, "value": "Enchantress"},
        {"custom_field_definition_id": 13, "value": 132},
    ]
    edited = model.edited_record()
    assert edited["some_future_key"] == {"kept": True}
    assert get_custom_value(edited, 11) == 100.0
    assert model.original_record() == person()


def test_a_changed_address_is_sent_whole() -> None:
    model = make()
    model.set_value("address", {"city": "Paris"})
    assert model.update_body() == {
        "address": {
            "street": None,
            "city": "Paris",
            "state": None,
            "postal_code": None,
            "country": None,
        },
    }


def test_validation_blank_name_bad_email_and_numbers(qtbot: QtBot) -> None:
    model = make()
    model.set_value("name", "  ")
    model.set_value("emails", [{"email": "not-an-address", "category": "work"}])
    model.set_value(BUDGET, "lots")
    with qtbot.waitSignal(model.errors_changed):
        errors = model.validate()
    assert errors == {
        "name": "Name is required.",
        "emails": "“not-an-address” is not an e-mail address.",
        BUDGET: errors[BUDGET],
    }
    assert "number" in errors[BUDGET]
    assert model.errors() == errors
    assert role(model, "name", ErrorRole) == "Name is required."
    # Fixing a field clears its message at once; the others stay until validated again.
    with qtbot.waitSignal(model.errors_changed):
        model.set_value("name", "Ada")
    assert role(model, "name", ErrorRole) is None
    assert set(model.errors()) == {"emails", BUDGET}
    model.set_value("emails", [])
    model.set_value(BUDGET, 12.5)
    assert model.validate() == {}
    assert model.errors() == {}


def test_validation_of_integers_percent_and_dropdowns() -> None:
    spec = entity("opportunities")
    fields = entity_fields(spec, DEFINITIONS)
    model = RecordModel(spec, fields, {"id": 3, "name": "Deal", "win_probability": 10},
                        DEFINITIONS)  # fmt: skip
    model.set_value("win_probability", 140)
    model.set_value("monetary_value", "12")
    model.set_value(TIER, 999)
    errors = model.validate()
    assert set(errors) == {"win_probability", "monetary_value", TIER}
    assert "at most 100" in errors["win_probability"]


def test_unchanged_bad_values_do_not_block_an_update() -> None:
    model = make(person(emails=[{"email": "legacy-bad", "category": "work"}]))
    model.set_value("title", "Countess")
    assert model.validate() == {}


def test_set_errors_and_set_error(qtbot: QtBot) -> None:
    model = make()
    with qtbot.waitSignal(model.dataChanged) as changed:
        model.set_errors({"emails": "Already taken."})
    assert changed.args[0].row() == row(model, "emails")
    assert role(model, "emails", ErrorRole) == "Already taken."
    with qtbot.assertNotEmitted(model.errors_changed):
        model.set_errors({"emails": "Already taken."})
    with qtbot.waitSignal(model.errors_changed):
        model.set_error("emails", None)
    assert model.errors() == {}
    model.set_error("not_a_row", "Shown elsewhere.")
    assert model.error("not_a_row") == "Shown elsewhere."


def test_create_mode_starts_from_defaults(qtbot: QtBot) -> None:
    fields = entity_fields(PEOPLE, DEFINITIONS)
    model = RecordModel(PEOPLE, fields, None, DEFINITIONS,
                        defaults={"assignee_id": 7, TIER: 131})  # fmt: skip
    assert model.is_new and not model.is_dirty and model.record_id is None
    assert model.value("assignee_id") == 7 and model.original("assignee_id") == 7
    assert model.value(TIER) == 131
    assert role(model, "emails", EditableRole) is True
    assert model.validate() == {"name": "Name is required."}
    model.set_value("name", "Grace Hopper")
    assert model.is_dirty
    assert model.create_body() == {
        "assignee_id": 7,
        "custom_fields": [{"custom_field_definition_id": 13, "value": 131}],
        "name": "Grace Hopper",
    }
    with qtbot.waitSignal(model.loaded), qtbot.waitSignal(model.dirty_changed) as dirty:
        model.load({**model.edited_record(), "id": 99, "date_modified": 1_700_000_900})
    assert dirty.args == [False]
    assert not model.is_new and model.record_id == 99


def test_load_replaces_the_original_and_drops_edits_and_errors(qtbot: QtBot) -> None:
    model = make()
    model.set_value("title", "Countess")
    model.set_error("title", "Nope.")
    newer = person(title="Dr", date_modified=1_700_000_999)
    with qtbot.waitSignal(model.loaded), qtbot.waitSignal(model.errors_changed):
        model.load(newer)
    assert model.value("title") == "Dr" and model.original("title") == "Dr"
    assert not model.is_dirty and model.errors() == {}
    assert model.date_modified == 1_700_000_999
    newer["title"] = "changed after load"
    assert model.value("title") == "Dr"
