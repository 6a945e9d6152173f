"""CSV import against Copper: reading the file, finding the records rows match, planning,
remembering mappings, the jobs and the errors file. Plain async functions (no widgets): the
import wizard's model calls them, and so does the benchmark.

Planning goes through the file 200 rows at a time: the rows' match keys are looked up (one
``ids`` search, or one ``emails`` search for people, per 200; one search per row for a lead's
e-mail or a company's name, which Copper cannot look up in bulk), then the rows are judged
against those fresh records (``domain.import_plan.decide``) in the executor given, and the
records are dropped: a 100,000-row file never holds more than a chunk of records.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any, Final, Protocol

from copper_desktop.api.search import SearchWalk
from copper_desktop.config import read_json, write_private_json
from copper_desktop.domain.catalog import EntitySpec
from copper_desktop.domain.csv_files import CsvTable, read_csv, write_rows
from copper_desktop.domain.import_plan import (
    Action,
    ImportPlan,
    ImportSetup,
    RowPlan,
    decide,
    errors_table,
    find_duplicates,
    header_signature,
    match_keys_of,
    match_value,
    normal,
    parse_row,
)
from copper_desktop.jobs import Job, JobClient, JobStore, RecordCreate, RowStatus, fetch_records
from copper_desktop.jobs.model import Reason
from copper_desktop.models.async_support import off_loop

__all__ = [
    "CHUNK",
    "MAPPINGS_FILE",
    "ImportClient",
    "MappingMemory",
    "create_jobs",
    "find_matches",
    "job_errors",
    "plan_import",
    "read_table",
    "write_errors",
]

Json = dict[str, Any]
Progress = Callable[[int, int], None]
CHUNK: Final = 200
MAPPINGS_FILE: Final = "import_mappings.json"
ONE_AT_A_TIME: Final = 8
"""Look-ups by lead e-mail or company name in flight at once (the limiter paces them)."""


class ImportClient(JobClient, Protocol):
    def iter_search(self, entity: str, filters: Json | None = None) -> SearchWalk: ...


# --- the file and remembered mappings ------------------------------------------------------------


def read_table(path: Path) -> CsvTable:
    """The file at ``path`` (blocking: run it off the UI thread)."""
    return read_csv(Path(path).read_bytes())


class MappingMemory:
    """Mappings the user confirmed, per entity and set of headers, in the config folder
    (``import_mappings.json``, private like every settings file)."""

    def __init__(self, config_dir: Path) -> None:
        self.path = Path(config_dir) / MAPPINGS_FILE

    def _load(self) -> dict[str, Any]:
        if not self.path.exists():
            return {}
        data = read_json(self.path, "remembered import mappings")
        entities = data.get("entities")
        return entities if isinstance(entities, dict) else {}

    def recall(self, entity_key: str, headers: Sequence[str]) -> list[str | None] | None:
        """The mapping last used for these headers, column by column; None if none."""
        saved = self._load().get(entity_key, {}).get(header_signature(headers))
        if not isinstance(saved, dict):
            return None
        return [saved.get(normal(h)) if isinstance(saved.get(normal(h)), str) else None
                for h in headers]  # fmt: skip

    def remember(self, entity_key: str, headers: Sequence[str],
                 mapping: Sequence[str | None]) -> None:  # fmt: skip
        entities = self._load()
        mine = entities.setdefault(entity_key, {})
        mine[header_signature(headers)] = {
            normal(h): k for h, k in zip(headers, mapping, strict=False) if k is not None
        }
        write_private_json(self.path, {"version": 1, "entities": entities})


# --- matching ------------------------------------------------------------------------------------


async def find_matches(
    client: ImportClient, spec: EntitySpec, match_field: str, keys: Sequence[Any]
) -> dict[Any, list[Json]]:
    """Match key → the records answering to it, fresh from Copper."""
    out: dict[Any, list[Json]] = {k: [] for k in keys}
    if not keys:
        return out

    def add(records: Sequence[Json]) -> None:
        for record in records:
            for key in match_keys_of(match_field, record):
                found = out.get(key)
                if found is not None and all(r.get("id") != record.get("id") for r in found):
                    found.append(record)

    if match_field == "id":
        records = await fetch_records(client, spec.path, [int(k) for k in keys])
        add(list(records.values()))
        return out
    if match_field == "emails":  # people: a list of e-mails per search
        for start in range(0, len(keys), CHUNK):
            page = await client.search(spec.path, {"emails": list(keys[start : start + CHUNK])},
                                       page_size=CHUNK)  # fmt: skip
            add(page.records)
        return out
    gate = asyncio.Semaphore(ONE_AT_A_TIME)

    async def one(key: Any) -> None:
        async with gate:
            filters = {"emails": key} if match_field == "email" else {"name": key}
            add(await client.iter_search(spec.path, filters).collect())

    await asyncio.gather(*(one(k) for k in keys))
    return out


def _judge(
    setup: ImportSetup,
    table: CsvTable,
    part: range,
    keys: Mapping[int, Any],
    matches: Mapping[Any, list[Json]],
    duplicates: Mapping[int, str],
) -> list[RowPlan]:
    out = []
    for i in part:
        cells = table.rows[i]
        key = keys.get(i)
        found = matches.get(key, []) if key is not None else []
        out.append(decide(setup, parse_row(setup, cells), i + 1, table.lines[i], cells, found,
                          duplicate=duplicates.get(i, ""), key=key))  # fmt: skip
    return out


async def plan_import(
    client: ImportClient,
    setup: ImportSetup,
    table: CsvTable,
    *,
    notes: Sequence[str] = (),
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> ImportPlan:
    """What every row of ``table`` would do (nothing is written)."""
    total = len(table.rows)
    duplicates = find_duplicates(setup, table.rows, table.lines)
    match_field = setup.match_field
    rows: list[RowPlan] = []
    claimed: dict[int, int] = {}
    for start in range(0, total, CHUNK):
        part = range(start, min(start + CHUNK, total))
        keys = {i: match_value(setup, table.rows[i]) for i in part if i not in duplicates}
        wanted = [k for k in dict.fromkeys(keys.values()) if k is not None]
        matches: dict[Any, list[Json]] = {}
        if match_field is not None and wanted:
            matches = await find_matches(client, setup.ctx.spec, match_field, wanted)
        judged = await off_loop(executor, _judge, setup, table, part, keys, matches, duplicates)
        for row in judged:
            if row.action in (Action.UPDATE, Action.UNCHANGED) and row.record_id is not None:
                first = claimed.setdefault(row.record_id, row.line)
                if first != row.line:  # two keys of one record (a person's two e-mails)
                    row.action, row.changes = Action.ERROR, ()
                    row.error = f"Line {first} matches this record too: keep one of them."
        rows.extend(judged)
        if progress is not None:
            progress(len(rows), total)
    return ImportPlan(setup, rows, list(notes))


# --- jobs and the errors file -------------------------------------------------------------------


async def create_jobs(store: JobStore, plan: ImportPlan, *, title: str,
                      journal_dir: Path | None = None) -> list[Job]:  # fmt: skip
    """Journal the import's jobs (nothing is sent yet): the updates as a bulk edit (guarded by
    ``date_modified``, undone like one), the creates as ``record_create`` rows (undone by
    deleting them, journaled in the delete journal at ``journal_dir``)."""
    jobs: list[Job] = []
    spec = plan.setup.ctx.spec
    preview = plan.updates_preview()
    if preview.will_change:
        noun = spec.label if preview.will_change == 1 else spec.plural_label
        jobs.append(await store.create_bulk_edit(
            preview, title=f"{title}: update {preview.will_change:,} {noun.lower()}"))  # fmt: skip
    creates = plan.create_rows()
    if creates:
        noun = spec.label if len(creates) == 1 else spec.plural_label
        meta: Json = {"journal_dir": str(journal_dir)} if journal_dir is not None else {}
        jobs.append(await store.create(RecordCreate.kind, spec.key, creates,
                                       title=f"{title}: create {len(creates):,} {noun.lower()}",
                                       meta=meta))  # fmt: skip
    return jobs


def job_errors(plan: ImportPlan, jobs: Sequence[Job]) -> list[tuple[tuple[str, ...], str]]:
    """(cells, why) of the rows the jobs could not write: Copper's refusals, and records
    changed in Copper since the preview (import them again to compare afresh)."""
    by_id = {r.record_id: r for r in plan.with_action(Action.UPDATE)}
    out: list[tuple[tuple[str, ...], str]] = []
    for job in jobs:
        for row in job.rows:
            refused = row.status is RowStatus.FAILED
            changed = row.status is RowStatus.SKIPPED and row.reason is Reason.CONFLICT
            if not (refused or changed):
                continue
            why = row.message or (row.reason.value if row.reason else "not written")
            if job.kind_name == RecordCreate.kind:
                out.append((tuple(row.data.get("cells") or ()), f"Copper: {why}"))
            elif (planned := by_id.get(row.key)) is not None:
                out.append((planned.cells, f"Copper: {why}"))
    return out


def write_errors(path: Path, headers: Sequence[str],
                 rows: Sequence[tuple[Sequence[str], str]]) -> int:  # fmt: skip
    """The errors file (blocking): the input columns and ``error``, UTF-8 with a BOM so
    Excel opens it as it is. Returns the number of rows."""
    out_headers, out_rows = errors_table(headers, rows)
    with Path(path).open("w", encoding="utf-8-sig", newline="") as stream:
        return write_rows(stream, out_headers, out_rows)
