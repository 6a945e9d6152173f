"""PagedSearchModel keeps the display texts it computed (a repaint of unchanged cells does
not format them again) and never shows a stale one: names arriving, a record saved, a page
fetched again, columns added or a new query all show what the cells hold now."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from pytestqt.qtbot import QtBot

from copper_desktop.models.paged import Column, PagedSearchModel
from tests.helpers.fakes import FakeSearch, synthetic_records
from tests.helpers.qt import display, wait_idle


class Owners:
    """A column that names each record's owner from `names` (as the app's lookups do) and
    counts how often it formatted each record."""

    def __init__(self) -> None:
        self.names: dict[int, str] = {}
        self.reads: Counter[int] = Counter()

    def __call__(self, record: Mapping[str, Any]) -> str:
        self.reads[record["id"]] += 1
        return f"{self.names.get(record['id'], '#' + str(record['id']))} / {record['name']}"


def model_with(qtbot: QtBot, fake: FakeSearch, owners: Owners, **options: Any) -> PagedSearchModel:
    model = PagedSearchModel(fake, [Column("owner", "Owner", owners)], **options)
    model.set_query({}, None)
    wait_idle(qtbot, model)
    return model


def first_id(model: PagedSearchModel, row: int) -> int:
    record = model.record(row)
    assert record is not None
    return int(record["id"])


def test_a_repaint_reuses_the_texts_it_painted(qtbot: QtBot) -> None:
    owners = Owners()
    model = model_with(qtbot, FakeSearch(450), owners)
    try:
        first = [display(model, row) for row in range(30)]
        second = [display(model, row) for row in range(30)]
        assert first == second
        assert set(owners.reads.values()) == {1}  # each formatted once, not per repaint
    finally:
        model.close()


def test_names_arriving_replace_the_ids_shown(qtbot: QtBot) -> None:
    owners = Owners()
    model = model_with(qtbot, FakeSearch(450), owners)
    try:
        record_id = first_id(model, 7)
        assert str(display(model, 7)).startswith(f"#{record_id} /")
        owners.names.update({r["id"]: f"Owner {r['id']}" for r in synthetic_records(450)})

        model.refresh_display()  # what the browser and the main window call when names come

        assert str(display(model, 7)).startswith(f"Owner {record_id} /")
    finally:
        model.close()


def test_a_saved_record_shows_its_new_text(qtbot: QtBot) -> None:
    owners = Owners()
    model = model_with(qtbot, FakeSearch(450), owners)
    try:
        record = model.record(3)
        assert record is not None and display(model, 3) == f"#{record['id']} / {record['name']}"
        assert model.update_record({**record, "name": "Renamed"})
        assert display(model, 3) == f"#{record['id']} / Renamed"
    finally:
        model.close()


def test_a_page_fetched_again_shows_its_new_records(qtbot: QtBot) -> None:
    owners = Owners()
    fake = FakeSearch(450)
    model = model_with(qtbot, fake, owners)
    try:
        record = model.record(5)
        assert record is not None and display(model, 5) == f"#{record['id']} / {record['name']}"
        fake.overrides[record["id"]] = {**record, "name": "Changed on the server"}
        model.refresh()
        wait_idle(qtbot, model)
        assert display(model, 5) == f"#{record['id']} / Changed on the server"
    finally:
        model.close()


def test_an_evicted_page_loaded_again_shows_its_new_records(qtbot: QtBot) -> None:
    owners = Owners()
    fake = FakeSearch(2_000)
    model = model_with(qtbot, fake, owners, max_pages=2)
    try:
        record = model.record(0)
        assert record is not None and display(model, 0) == f"#{record['id']} / {record['name']}"
        for first in (400, 800, 1200):  # page 0 is evicted on the way
            model.ensure_rows(first, first + 10)
            wait_idle(qtbot, model)
        assert 0 not in model.loaded_pages()
        fake.overrides[record["id"]] = {**record, "name": "Changed while away"}
        model.ensure_rows(0, 10)
        wait_idle(qtbot, model)
        assert display(model, 0) == f"#{record['id']} / Changed while away"
    finally:
        model.close()


def test_a_new_query_and_new_columns_show_their_own_texts(qtbot: QtBot) -> None:
    owners = Owners()
    model = model_with(qtbot, FakeSearch(450), owners)
    try:
        before = display(model, 0)
        model.set_query({}, "name", "desc")
        wait_idle(qtbot, model)
        record = model.record(0)
        assert record is not None and display(model, 0) == f"#{record['id']} / {record['name']}"
        assert display(model, 0) != before
        model.add_columns([Column("name", "Name", lambda r: r["name"])])
        assert display(model, 0, 1) == record["name"]
    finally:
        model.close()
