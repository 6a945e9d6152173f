"""The bulk edit model with a fake at the search seam: refusing before any request, loading
the selection in ids searches of 200, the counts, a superseded load, failures, names in the
preview table, the CSV, and journaling the job without writing."""

from __future__ import annotations

import asyncio
import csv
import io
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from copper_desktop.api import ServerError
from copper_desktop.domain.bulk import (
    BulkOperation,
    EditTags,
    Preview,
    Refusal,
    SetField,
    TagMode,
    Typed,
    clear_field,
    reassign_owner,
)
from copper_desktop.domain.catalog import LookupKind
from copper_desktop.jobs import Job, JobStore, RowStatus, read_journal
from copper_desktop.models.bulk import (
    MISSING_REASON,
    BulkEditModel,
    PreviewTableModel,
    counts_line,
)
from copper_desktop.models.lookups import Lookups
from tests.helpers.fakes import FakeClient

Json = dict[str, Any]
ADA, BOB = 501, 502


def person(i: int, **fields: Any) -> Json:
    return {"id": i, "name": f"Person {i:04d}", "date_modified": 1_700_000_000 + i,
            "tags": ["keep"], "assignee_id": ADA, "custom_fields": [], **fields}  # fmt: skip


class Recorder:
    def __init__(self, model: BulkEditModel) -> None:
        self.refused: list[dict[int, str]] = []
        self.progress: list[tuple[int, int]] = []
        self.previews: list[Preview] = []
        self.failures: list[str] = []
        self.jobs: list[Job] = []
        model.refused.connect(self.refused.append)
        model.progress.connect(lambda done, total: self.progress.append((done, total)))
        model.preview_ready.connect(self.previews.append)
        model.preview_failed.connect(self.failures.append)
        model.job_created.connect(self.jobs.append)


@pytest.fixture
def run(qtbot: QtBot, running_loop: asyncio.AbstractEventLoop) -> Callable[..., Any]:
    """Await a coroutine on the qasync loop from this sync test."""

    def go(coro: Coroutine[Any, Any, Any]) -> Any:
        task = running_loop.create_task(coro)
        qtbot.waitUntil(task.done, timeout=5000)
        return task.result()

    return go


@pytest.fixture
def lookups() -> Lookups:
    names = Lookups()
    names.remember(LookupKind.USERS, ADA, "Ada Admin")
    names.remember(LookupKind.USERS, BOB, "Bob Builder")
    return names


@pytest.fixture
def fake() -> FakeClient:
    return FakeClient({"people": {i: person(i) for i in range(1, 451)}})


def make_model(
    tmp_path: Path, fake: FakeClient, lookups: Lookups, ids: Any, entity: str = "people"
) -> tuple[BulkEditModel, Recorder, JobStore]:
    store = JobStore(tmp_path / "jobs", fake)
    model = BulkEditModel(store, entity, lookups, ids, start_job=False)
    return model, Recorder(model), store


def wait_loaded(qtbot: QtBot, model: BulkEditModel) -> None:
    qtbot.waitUntil(lambda: not model.loading, timeout=5000)


def test_an_invalid_edit_is_refused_before_any_request(
    qtbot: QtBot, tmp_path: Path, fake: FakeClient, lookups: Lookups
) -> None:
    model, seen, _store = make_model(tmp_path, fake, lookups, [1, 2])
    ops: list[BulkOperation] = [
        EditTags(TagMode.ADD, ("vip",)), clear_field("name"), EditTags(TagMode.ADD, ())
    ]  # fmt: skip

    assert model.request_preview(ops) is False
    assert seen.refused == [
        {1: "Name is required and cannot be cleared.", 2: "Name at least one tag."}
    ]
    assert model.request_preview([]) is False
    assert seen.refused[-1] == {-1: "Choose at least one change."}
    assert fake.searches == [] and not model.loading and model.preview is None


def test_the_selection_is_loaded_fresh_in_ids_searches_of_200(
    qtbot: QtBot, tmp_path: Path, fake: FakeClient, lookups: Lookups
) -> None:
    fake.records["people"][7] = person(7, tags=["keep", "vip"])  # already holds the change
    ids = [*range(1, 448), 3, 5, 9001, 9002, 9003]  # repeats counted once; 3 are gone
    model, seen, _store = make_model(tmp_path, fake, lookups, ids)
    assert model.selected == 450

    assert model.request_preview([EditTags(TagMode.ADD, ("vip",))]) is True
    wait_loaded(qtbot, model)

    assert [len(body["ids"]) for _entity, body in fake.searches] == [200, 200, 50]
    assert [i for _e, body in fake.searches for i in body["ids"]] == list(dict.fromkeys(ids))
    assert seen.progress == [(0, 450), (200, 450), (400, 450), (450, 450)]
    [result] = seen.previews
    assert (result.will_change, result.already_match, result.cannot_change) == (446, 1, 3)
    assert result.refused[-3:] == tuple(
        Refusal(i, f"#{i}", MISSING_REASON) for i in (9001, 9002, 9003)
    )
    assert model.counts_line() == (
        f"446 will change, 1 already match, 3 cannot be changed ({MISSING_REASON})"
    )
    assert model.table.rowCount() == 446
    assert fake.writes == []


def test_ids_may_come_from_a_provider(
    qtbot: QtBot, tmp_path: Path, fake: FakeClient, lookups: Lookups
) -> None:
    asked: list[int] = []

    async def matching() -> list[int]:
        asked.append(1)
        return [10, 11, 12]

    model, seen, _store = make_model(tmp_path, fake, lookups, matching)
    assert model.selected is None
    model.request_preview([reassign_owner(BOB)])
    wait_loaded(qtbot, model)
    assert asked == [1] and model.selected == 3
    assert seen.previews[0].will_change == 3


def test_a_failed_load_is_reported_and_leaves_no_preview(
    qtbot: QtBot, tmp_path: Path, fake: FakeClient, lookups: Lookups
) -> None:
    fake.fail["search"] = ServerError(status=503)
    model, seen, _store = make_model(tmp_path, fake, lookups, [1, 2, 3])
    model.request_preview([reassign_owner(BOB)])
    wait_loaded(qtbot, model)
    assert seen.failures == [
        "Could not load the selected records: Copper had a server error. Try again later."
    ]
    assert model.preview is None and seen.previews == []
    assert model.apply() is False


def test_a_new_preview_replaces_one_still_loading(
    qtbot: QtBot, tmp_path: Path, fake: FakeClient, lookups: Lookups
) -> None:
    fake.gate = asyncio.Event()
    model, seen, _store = make_model(tmp_path, fake, lookups, [1, 2])
    model.request_preview([reassign_owner(BOB)])
    qtbot.waitUntil(lambda: len(fake.searches) == 1)
    model.request_preview([EditTags(TagMode.ADD, ("second",))])
    qtbot.waitUntil(lambda: len(fake.searches) == 2)
    assert model.loading  # the first load's end does not end the second's
    fake.gate.set()
    wait_loaded(qtbot, model)
    [result] = seen.previews
    assert result.touched == ("tags",)
    assert model.preview is result


def test_the_table_shows_names_and_repaints_when_they_arrive(
    qtbot: QtBot, tmp_path: Path, fake: FakeClient, lookups: Lookups
) -> None:
    fake.records["opportunities"] = {
        1: {"id": 1, "name": "Deal", "company_id": 77, "date_modified": 5}
    }
    fake.records["companies"] = {88: {"id": 88, "name": "Globex"}}
    lookups.set_client(fake)
    lookups.remember(LookupKind.COMPANIES, 77, "Initech")
    model, _seen, _store = make_model(tmp_path, fake, lookups, [1], entity="opportunities")
    table: PreviewTableModel = model.table

    model.request_preview([SetField("company_id", Typed(88)), reassign_owner(BOB)])
    wait_loaded(qtbot, model)
    qtbot.waitUntil(lambda: table.text(0, 3) == "Globex")  # resolved after the preview

    assert [tuple(table.text(r, c) for c in range(4)) for r in range(table.rowCount())] == [
        ("Deal", "Company", "Initech", "Globex"),
        ("Deal", "Owner", "—", "Bob Builder"),
    ]
    assert ("companies", {"ids": [88]}) in fake.searches


def test_the_csv_shows_names_not_ids(
    qtbot: QtBot, tmp_path: Path, fake: FakeClient, lookups: Lookups
) -> None:
    model, _seen, _store = make_model(tmp_path, fake, lookups, [1, 2])
    with pytest.raises(ValueError):
        model.export_csv(tmp_path / "none.csv")
    model.request_preview([reassign_owner(BOB)])
    wait_loaded(qtbot, model)
    assert model.export_csv(tmp_path / "p.csv") == 2
    rows = list(csv.reader(io.StringIO((tmp_path / "p.csv").read_text(encoding="utf-8"))))
    assert rows == [
        ["record_id", "name", "field", "before", "after"],
        ["1", "Person 0001", "Owner", "Ada Admin", "Bob Builder"],
        ["2", "Person 0002", "Owner", "Ada Admin", "Bob Builder"],
    ]


def test_apply_journals_the_job_and_hands_it_on_without_writing(
    qtbot: QtBot, tmp_path: Path, fake: FakeClient, lookups: Lookups, run: Callable[..., Any]
) -> None:
    model, seen, store = make_model(tmp_path, fake, lookups, [1, 2, 3])
    assert model.apply() is False  # no preview yet
    model.request_preview([reassign_owner(BOB)])
    wait_loaded(qtbot, model)
    searches = len(fake.searches)

    assert model.apply() is True
    assert model.apply() is False  # one job per preview, even while it is being made
    qtbot.waitUntil(lambda: bool(seen.jobs))
    [job] = seen.jobs
    assert job.title == "Bulk edit of 3 people: Owner"
    assert [r.status for r in job.rows] == [RowStatus.PENDING] * 3
    data = read_journal(store.path(job.id))
    assert data is not None and data.planned
    assert [line["data"]["after"] for line in data.rows] == [{"assignee_id": BOB}] * 3
    assert fake.writes == [] and len(fake.searches) == searches
    assert not job.running  # start_job=False: the jobs panel starts it
    run(store.close())


def test_counts_line_names_every_reason() -> None:
    result = Preview("people", (), (), (), (1,), (
        Refusal(2, "A", "Name is required."), Refusal(3, "B", MISSING_REASON),
        Refusal(4, "C", MISSING_REASON)), {}, {})  # fmt: skip
    assert counts_line(result) == (
        "0 will change, 1 already match, 3 cannot be changed "
        f"(Name is required: 1; {MISSING_REASON}: 2)"
    )


class CountingExecutor(ThreadPoolExecutor):
    """The app's executor, counting what it is handed and on which thread it ran."""

    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self.threads: list[int] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        def spy() -> Any:
            self.threads.append(threading.get_ident())
            return fn(*args, **kwargs)

        return super().submit(spy)


def test_the_preview_is_computed_in_the_apps_executor(
    qtbot: QtBot, tmp_path: Path, fake: FakeClient, lookups: Lookups
) -> None:
    executor = CountingExecutor()
    store = JobStore(tmp_path / "jobs", fake)
    model = BulkEditModel(store, "people", lookups, [1, 2, 3], start_job=False, executor=executor)
    seen = Recorder(model)
    try:
        assert model.request_preview([EditTags(TagMode.ADD, ("vip",))]) is True
        wait_loaded(qtbot, model)
        [result] = seen.previews
        assert result.will_change == 3
        assert len(executor.threads) == 1 and executor.threads[0] != threading.get_ident()
    finally:
        executor.shutdown(wait=True)
