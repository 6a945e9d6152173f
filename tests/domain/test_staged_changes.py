"""The preview of a grid's staged edits: a different value per record, checked against the
records as Copper has them now; a record changed since its cells were edited is refused."""

from __future__ import annotations

from copper_desktop.domain.bulk import BulkContext
from copper_desktop.domain.catalog import entity
from copper_desktop.domain.staged_changes import CONFLICT_REASON, MISSING_REASON, preview_staged

CONTEXT = BulkContext(entity("people"))


def test_each_record_gets_its_own_values_guarded_by_the_date_the_grid_showed() -> None:
    fresh = [
        {"id": 1, "name": "Ann", "title": "CEO", "date_modified": 100},
        {"id": 2, "name": "Bob", "title": "CTO", "date_modified": 200},
        {"id": 3, "name": "Cy", "title": "COO", "date_modified": 301},  # changed since
        {"id": 5, "name": "Di", "title": "CFO", "date_modified": 500},
    ]
    staged = {
        1: {"title": "Chair"},
        2: {"title": "CTO", "name": "Robert"},
        3: {"title": "Boss"},
        4: {"title": "Gone"},
        5: {"title": "CFO"},
    }
    result = preview_staged(CONTEXT, fresh, staged, {1: 100, 2: 200, 3: 300, 4: 400, 5: 500})
    assert [(c.record_id, c.date_modified, c.after) for c in result.changes] == [
        (1, 100, {"title": "Chair"}),
        (2, 200, {"name": "Robert"}),  # the unchanged title is not written
    ]
    assert [(r.record_id, r.reason) for r in result.refused] == [
        (3, CONFLICT_REASON),
        (4, MISSING_REASON),
    ]
    assert result.unchanged == (5,)
    assert result.summary() == "2 will change, 1 already match, 2 cannot be changed"
    assert result.labels == {"title": "Title", "name": "Name"}
    assert result.job_rows()[1]["before"] == {"name": "Bob"}


def test_a_value_copper_would_refuse_is_refused_before_anything_is_sent() -> None:
    fresh = [{"id": 1, "name": "Ann", "date_modified": 1}]
    result = preview_staged(CONTEXT, fresh, {1: {"name": None}}, {1: 1})
    assert [r.reason for r in result.refused] == ["Name is required."]
    assert not result.changes
