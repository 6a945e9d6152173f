"""CSV export and import end to end against the live sandbox, through the functions the
dialogs and the benchmark use: the file's bytes (quoting, BOM, names or ids), a cancelled
export leaving no file, an unchanged round trip planning no write, creates and updates
applied by the jobs, the errors file fixed and re-imported as it is, and every kind of bad
input (ragged rows, unknown columns, a key twice, invalid values, Windows-1252, ``;`` and
tab, quoted newlines)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from copper_desktop.api import CopperClient
from copper_desktop.domain.catalog import PEOPLE
from copper_desktop.domain.csv_files import read_csv
from copper_desktop.domain.import_plan import Action, Mode
from copper_desktop.jobs import JobStore, RowStatus
from copper_desktop.models.import_run import job_errors, write_errors
from copper_desktop.models.lookups import Lookups
from copper_desktop.models.record_columns import column_fields
from copper_desktop.models.transfer_export import (
    ExportRequest,
    Scope,
    export_csv,
    export_fields,
)
from tests.helpers.loop import Run
from tests.helpers.sandbox import SandboxControl
from tests.helpers.transfer import (
    make_people,
    people_named,
    plan_file,
    prefix,
    run_import,
    write_file,
)

Json = dict[str, Any]
COLUMNS = ("name", "title", "emails", "assignee_id", "tags")


@pytest.fixture
def store(tmp_path: Path, client: CopperClient, run: Run) -> Any:
    made = JobStore(tmp_path / "jobs", client)
    yield made
    run(made.close())


def request(lookups: Lookups, name: str, **kw: Any) -> ExportRequest:
    fields = {f.key: f for f in column_fields(PEOPLE, lookups)}
    return ExportRequest("people", export_fields(PEOPLE, [fields[k] for k in COLUMNS]),
                         Scope.VIEW, {"name": name}, "name", "asc", **kw)  # fmt: skip


def tricky(name: str, owner: int) -> list[Json]:
    return [
        {"name": f"{name} A", "title": 'Says "hi", then, leaves', "assignee_id": owner,
         "emails": [{"email": f"{name[-8:]}a@x.test", "category": "work"}], "tags": ["vip", "é"]},
        {"name": f"{name} B Zoë", "title": "Ünïcödé — ✓", "assignee_id": owner,
         "emails": [{"email": f"{name[-8:]}b@x.test", "category": "personal"}]},
    ]  # fmt: skip


def test_export_writes_names_quoted_with_or_without_a_bom(
    client: CopperClient, loaded: Lookups, run: Run, tmp_path: Path, admin: Json
) -> None:
    name = prefix()
    people = run(make_people(client, tricky(name, admin["id"])))
    owner = loaded.name(*_users(admin))
    path = tmp_path / "people.csv"
    assert run(export_csv(client, request(loaded, name, bom=True), path, lookups=loaded)) == 2
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfID,Name,Title,Emails,Owner,Tags\r\n")
    assert b'"Says ""hi"", then, leaves"' in data  # RFC 4180 quoting
    table = read_csv(data)
    ids = sorted(p["id"] for p in people)
    assert table.rows == (
        (str(ids[0]), f"{name} A", 'Says "hi", then, leaves', f"{name[-8:]}a@x.test (work)",
         owner, "vip, é"),
        (str(ids[1]), f"{name} B Zoë", "Ünïcödé — ✓", f"{name[-8:]}b@x.test (personal)",
         owner, ""),
    )  # fmt: skip
    raw = tmp_path / "raw.csv"
    run(export_csv(client, request(loaded, name, raw=True), raw, lookups=loaded))
    data = raw.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    first = read_csv(data).rows[0]
    assert first[4] == str(admin["id"])  # the owner's id, not a name
    assert first[3] == f'[{{"category": "work", "email": "{name[-8:]}a@x.test"}}]'
    assert first[5] == '["vip", "é"]'


def _users(admin: Json) -> tuple[Any, int]:
    from copper_desktop.domain.catalog import LookupKind

    return LookupKind.USERS, admin["id"]


def test_a_cancelled_export_removes_its_partial_file(
    client: CopperClient, loaded: Lookups, run: Run, qtbot: QtBot, tmp_path: Path,
    control: SandboxControl, running_loop: asyncio.AbstractEventLoop,
) -> None:  # fmt: skip
    path = tmp_path / "all.csv"
    path.write_text("the old file\n")
    control.add_fault("latency", ms=150, path="^/people/search$")
    fields = export_fields(PEOPLE, [PEOPLE.field("name")])
    parts: list[list[str]] = []
    tasks: list[asyncio.Task[int]] = []

    def progress(_done: int, _total: int | None) -> None:
        """Mid-way (a page written, another on its way): what is on disk, then Cancel."""
        parts.append([p.name for p in tmp_path.iterdir() if p.name.endswith(".part")])
        tasks[0].cancel()

    task = running_loop.create_task(export_csv(
        client, ExportRequest("people", fields, Scope.ALL), path, lookups=loaded,
        progress=progress))  # fmt: skip
    tasks.append(task)
    qtbot.waitUntil(task.done, timeout=10_000)
    assert len(parts) == 1 and len(parts[0]) == 1  # it was being written
    assert task.cancelled()
    assert [p.name for p in tmp_path.iterdir()] == ["all.csv"]
    assert path.read_text() == "the old file\n"  # the target is only ever replaced whole


@pytest.mark.parametrize("raw", [False, True])
def test_an_exported_file_imported_back_unchanged_plans_no_write(
    client: CopperClient, loaded: Lookups, run: Run, tmp_path: Path, admin: Json, raw: bool
) -> None:
    name = prefix()
    run(make_people(client, tricky(name, admin["id"])))
    path = tmp_path / "people.csv"
    run(export_csv(client, request(loaded, name, raw=raw), path, lookups=loaded))
    plan = run(plan_file(client, loaded, path))
    assert plan.summary() == "0 to create, 0 to update, 2 unchanged, 0 with errors"
    assert plan.writes == 0
    assert plan.updates_preview().will_change == 0


def test_import_creates_and_updates_and_copper_holds_every_change(
    client: CopperClient, loaded: Lookups, run: Run, tmp_path: Path, store: JobStore,
    control: SandboxControl,
) -> None:  # fmt: skip
    name = prefix()
    old = run(make_people(client, [{"name": f"{name} Old", "title": "Clerk",
                                    "emails": [{"email": f"{name[-8:]}o@x.test",
                                                "category": "work"}]}]))[0]  # fmt: skip
    path = write_file(tmp_path, "in.csv", ["Name", "Email", "Title", "Tags"], [
        [f"{name} Old", f"{name[-8:]}o@x.test", "Manager", "imported"],
        [f"{name} New", f"{name[-8:]}n@x.test", "Intern", "imported, new"],
    ])  # fmt: skip
    plan = run(plan_file(client, loaded, path, Mode.BOTH))
    assert plan.summary() == "1 to create, 1 to update, 0 unchanged, 0 with errors"
    jobs = run(run_import(store, plan), timeout=60_000)
    assert [j.kind_name for j in jobs] == ["record_update", "record_create"]
    people = {p["name"]: p for p in run(people_named(client, name))}
    assert set(people) == {f"{name} Old", f"{name} New"}
    assert people[f"{name} Old"]["id"] == old["id"]
    assert (people[f"{name} Old"]["title"], people[f"{name} Old"]["tags"]) == (
        "Manager",
        ["imported"],
    )
    new = people[f"{name} New"]
    assert (new["title"], sorted(new["tags"])) == ("Intern", ["imported", "new"])
    assert new["emails"] == [{"email": f"{name[-8:]}n@x.test", "category": "other"}]
    creates = [i["name"] for e in control.requests(500) if e["path"] == "/people/bulk_create"
               for i in e["body"]["people"]]  # fmt: skip
    assert creates.count(f"{name} New") == 1


def test_the_errors_file_fixed_and_imported_as_it_is(
    client: CopperClient, loaded: Lookups, run: Run, tmp_path: Path, store: JobStore,
) -> None:  # fmt: skip
    name = prefix()
    tag = name[-8:]
    people = run(make_people(client, [
        {"name": f"{name} {i}", "emails": [{"email": f"{tag}{i}@x.test", "category": "work"}]}
        for i in range(3)]))  # fmt: skip
    ids = {p["name"]: p["id"] for p in people}
    path = write_file(tmp_path, "in.csv", ["ID", "Name", "Lead Score", "Emails"], [
        [str(ids[f"{name} 0"]), f"{name} 0", "lots", f"{tag}0@x.test (work)"],  # invalid
        [str(ids[f"{name} 1"]), f"{name} 1", "5", f"{tag}2@x.test (work)"],  # Copper refuses
        [str(ids[f"{name} 2"]), f"{name} 2", "6", f"{tag}2@x.test (work)"],  # fine
    ])  # fmt: skip
    plan = run(plan_file(client, loaded, path))
    assert plan.summary() == "0 to create, 2 to update, 0 unchanged, 1 with errors"
    jobs = run(run_import(store, plan), timeout=60_000)
    refused = [r for r in jobs[0].rows if r.status is RowStatus.FAILED]
    assert [r.key for r in refused] == [ids[f"{name} 1"]]  # the e-mail belongs to another person
    errors = tmp_path / "in-errors.csv"
    assert write_errors(errors, plan.setup.headers,
                        plan.error_rows() + job_errors(plan, jobs)) == 2  # fmt: skip
    table = read_csv(errors.read_bytes())
    assert table.headers == ("ID", "Name", "Lead Score", "Emails", "error")
    assert [r[-1].split(":")[0] for r in table.rows] == ["Lead Score", "Copper"]
    # The user fixes both rows in the file itself and imports it as it is.
    text = errors.read_text(encoding="utf-8-sig").replace(",lots,", ",7,")
    errors.write_text(text.replace(f"{tag}2@x.test (work)", f"{tag}1@x.test (work)", 1),
                      encoding="utf-8-sig")  # fmt: skip
    again = run(plan_file(client, loaded, errors))
    assert again.summary() == "0 to create, 2 to update, 0 unchanged, 0 with errors"
    assert "The “error” column of an errors file is ignored." in again.notes
    run(run_import(store, again), timeout=60_000)
    scores = {p["name"]: _score(loaded, p) for p in run(people_named(client, name))}
    assert scores == {f"{name} 0": 7, f"{name} 1": 5, f"{name} 2": 6}


def _score(lookups: Lookups, person: Json) -> Any:
    definition = next(d for d in lookups.definitions if d.name == "Lead Score")
    return next((e["value"] for e in person["custom_fields"]
                 if e["custom_field_definition_id"] == definition.id), None)  # fmt: skip


@pytest.mark.parametrize(
    ("delimiter", "encoding"), [(";", "cp1252"), ("\t", "utf-8-sig"), (",", "cp1252")]
)
def test_spreadsheet_files_in_other_encodings_and_delimiters(
    client: CopperClient, loaded: Lookups, run: Run, tmp_path: Path, store: JobStore,
    delimiter: str, encoding: str,
) -> None:  # fmt: skip
    name = prefix()
    tag = name[-8:]
    path = write_file(tmp_path, "in.csv", ["Name", "Emails", "Details", "Title"], [
        [f"{name} Zoë", f"{tag}z@x.test", "first line\nsecond; line, with\ttab", "Café €"],
    ], delimiter=delimiter, encoding=encoding)  # fmt: skip
    plan = run(plan_file(client, loaded, path, Mode.CREATE))
    assert plan.summary() == "1 to create, 0 to update, 0 unchanged, 0 with errors"
    run(run_import(store, plan), timeout=60_000)
    [person] = run(people_named(client, name))
    assert (person["name"], person["title"]) == (f"{name} Zoë", "Café €")
    assert person["details"] == "first line\nsecond; line, with\ttab"


def test_bad_rows_are_flagged_and_nothing_is_sent_for_them(
    client: CopperClient, loaded: Lookups, run: Run, tmp_path: Path, store: JobStore,
    control: SandboxControl,
) -> None:  # fmt: skip
    name = prefix()
    tag = name[-8:]
    path = write_file(tmp_path, "in.csv", ["Name", "Emails", "Shoe size", "Lead Score"], [
        [f"{name} ok", f"{tag}ok@x.test", "42", "3"],
        [f"{name} ragged", f"{tag}r@x.test", "41"],
        [f"{name} twice 1", f"{tag}same@x.test", "", ""],
        [f"{name} twice 2", f"{tag}SAME@x.test", "", ""],
        [f"{name} bad score", f"{tag}b@x.test", "", "high"],
    ])  # fmt: skip
    plan = run(plan_file(client, loaded, path, Mode.CREATE))
    assert "“Shoe size” matches no field: ignored." in plan.notes
    assert [(r.line, r.action) for r in plan.rows] == [
        (2, Action.CREATE), (3, Action.ERROR), (4, Action.ERROR), (5, Action.ERROR),
        (6, Action.ERROR)]  # fmt: skip
    errors = [r.error for r in plan.rows[1:]]
    assert errors[0].startswith("The row has 3 fields, the header 4")
    assert errors[1] == errors[2] == ("The same e-mail is on lines 4, 5: fix the file so it is "
                                      "on one.")  # fmt: skip
    assert errors[3] == "Lead Score: “high” is not a number (for example 1,234.50)."
    run(run_import(store, plan), timeout=60_000)
    sent = [e for e in control.requests(500) if e["path"] == "/people/bulk_create"]
    assert [[i["name"] for i in e["body"]["people"]] for e in sent] == [[f"{name} ok"]]
    assert [p["name"] for p in run(people_named(client, name))] == [f"{name} ok"]
