"""The fake client (tests/helpers/fakes.py) stands in for ``CopperClient`` at every seam the app
declares: mypy checks it against each protocol (``as_each_protocol``, in pyproject's mypy
files), and each protocol's user runs once on it here."""

from __future__ import annotations

from asyncio import AbstractEventLoop
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from copper_desktop.api import ClientStatus, NotFoundError
from copper_desktop.domain.catalog import LookupKind, entity
from copper_desktop.domain.custom_fields import entity_fields
from copper_desktop.jobs.kinds import JobClient, fetch_records
from copper_desktop.journal import DeletionJournal, JournalClient, delete_record, recreate
from copper_desktop.models.client_status import ClientStatusModel, StatusSource
from copper_desktop.models.lookups import LookupClient, Lookups, SearchClient
from copper_desktop.models.quiet_collector import ActivitySource
from copper_desktop.models.record_model import RecordModel
from copper_desktop.models.record_save import RecordClient, save
from copper_desktop.models.related import RelatedClient, RelatedModel
from copper_desktop.models.webhook_subscriptions import WebhookClient, WebhookCreator
from tests.helpers.fakes import Call, FakeClient
from tests.helpers.loop import Run

PERSON = {"type": "person", "id": 1}


def as_each_protocol(fake: FakeClient) -> tuple[object, ...]:
    """Typed assignments only: mypy fails here when the fake drifts from a protocol."""
    lookups: LookupClient = fake
    search: SearchClient = fake
    records: RecordClient = fake
    related: RelatedClient = fake
    journal: JournalClient = fake
    jobs: JobClient = fake
    webhooks: WebhookClient = fake
    creator: WebhookCreator = fake
    status: StatusSource = fake
    activity: ActivitySource = fake
    return (lookups, search, records, related, journal, jobs, webhooks, creator, status, activity)


def people(n: int) -> dict[int, dict[str, Any]]:
    return {i: {"id": i, "name": f"Person {i:03d}", "date_modified": 100} for i in range(1, n + 1)}


def test_one_fake_serves_every_protocol() -> None:
    fake = FakeClient()
    assert all(seam is fake for seam in as_each_protocol(fake))


def test_search_filters_sorts_and_pages_like_copper(run: Run) -> None:
    fake = FakeClient({"people": people(30)})
    page = run(fake.search("people", {"name": "person 00"}, page_size=5, sort_by="name",
                           sort_direction="desc"))  # fmt: skip
    assert [r["id"] for r in page.records] == [9, 8, 7, 6, 5] and page.total == 9
    second = run(fake.search("people", {"ids": [3, 4, 99]}, page_number=2, page_size=1))
    assert [r["id"] for r in second.records] == [4] and second.total == 2
    assert fake.searches == [("people", {"name": "person 00"}), ("people", {"ids": [3, 4, 99]})]


def test_lookups_load_from_the_fake(run: Run) -> None:
    fake = FakeClient(lookups={"users": [{"id": 7, "name": "Ada", "email": "ada@x.test"}]})
    lookups = Lookups()
    run(lookups.load(fake))
    assert lookups.is_loaded and not lookups.failed
    assert lookups.name(LookupKind.USERS, 7) == "Ada"


def test_a_save_sends_the_changed_key_only(run: Run) -> None:
    fake = FakeClient({"people": people(1)})
    spec = entity("people")
    model = RecordModel(spec, entity_fields(spec, ()), run(fake.get("people", 1)))
    model.set_value("title", "Boss")
    outcome = run(save(model, fake))
    assert outcome.kind == "saved"
    assert fake.writes == [Call("update", ("people", 1, {"title": "Boss"}))]
    assert fake.records["people"][1]["title"] == "Boss"


def test_related_records_load_from_the_fake(qtbot: QtBot, running_loop: AbstractEventLoop) -> None:
    fake = FakeClient(
        {
            "companies": {11: {"id": 11, "name": "Acme"}},
            "activities": {5: {"id": 5, "parent": PERSON, "activity_date": 3, "details": "hi"}},
        },
        related={("people", 1): [{"id": 11, "type": "company"}]},
    )
    model = RelatedModel(fake, Lookups(), entity("people"), {"id": 1, "name": "P"})
    with qtbot.waitSignal(model.loaded):
        model.reload()
    assert [a["id"] for a in model.activities] == [5]
    assert model.related.rows == {"companies": [(11, "Acme")]}


def test_the_journal_deletes_and_recreates_through_the_fake(run: Run, tmp_path: Path) -> None:
    fake = FakeClient({"people": people(1)})
    journal = DeletionJournal(tmp_path / "journal")
    entry = run(delete_record(journal, fake, entity("people"), fake.records["people"][1]))
    assert entry.state == "deleted" and fake.records["people"] == {}
    again = run(recreate(journal, fake, entry))
    assert again["name"] == "Person 001" and again["id"] != 1
    try:
        run(fake.get("people", 1))
    except NotFoundError:
        pass
    else:
        raise AssertionError("a deleted record is not found")


def test_jobs_fetch_records_in_ids_searches_of_200(run: Run) -> None:
    fake = FakeClient({"people": people(450)})
    found = run(fetch_records(fake, "people", list(range(1, 452))))
    assert sorted(found) == list(range(1, 451))
    assert [len(body["ids"]) for _entity, body in fake.searches] == [200, 200, 51]


def test_webhooks_and_status_events(run: Run) -> None:
    fake = FakeClient()
    hook = run(fake.create_webhook({"target": "https://x.test", "type": "person"}))
    assert run(fake.delete_webhook(hook["id"])) == {"id": hook["id"], "is_deleted": True}
    model = ClientStatusModel(fake, poll_ms=60_000)
    fake.emit(ClientStatus(3, 2, 168, 170, 60.0, 0.0))
    assert model.in_flight_text == "3 in flight, 2 queued"
    model.close()
    assert fake.observers == []
