"""CSV import/export tests' helpers: people made on the sandbox under a unique prefix, files
written to tmp_path, and the import run through the real functions (plan, jobs)."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

from copper_desktop.api import CopperClient
from copper_desktop.domain.catalog import entity
from copper_desktop.domain.cell_input import Names
from copper_desktop.domain.csv_files import CsvTable, encode_rows
from copper_desktop.domain.import_plan import (
    ImportPlan,
    ImportSetup,
    Mode,
    auto_mapping,
    importable_fields,
    mapping_notes,
)
from copper_desktop.jobs import Job, JobState, JobStore
from copper_desktop.models.bulk import bulk_context
from copper_desktop.models.import_run import create_jobs, plan_import, read_table
from copper_desktop.models.lookups import PICKABLE, Lookups

Json = dict[str, Any]


def prefix() -> str:
    return f"Transfer {uuid.uuid4().hex[:8]}"


async def make_people(client: CopperClient, items: list[Json]) -> list[Json]:
    result = await client.bulk_create("people", items)
    assert not result.failed, [f.message for f in result.failed]
    return result.records


def write_file(folder: Path, name: str, headers: list[str], rows: list[list[str]],
               *, delimiter: str = ",", encoding: str = "utf-8") -> Path:  # fmt: skip
    """A CSV file as a spreadsheet would save it (any delimiter and encoding)."""
    data = encode_rows(headers, rows).decode("utf-8")
    if delimiter != ",":
        import csv
        import io

        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows(rows)
        data = buffer.getvalue()
    path = folder / name
    path.write_bytes(data.encode(encoding))
    return path


def setup_for(lookups: Lookups, table: CsvTable, mode: Mode = Mode.UPDATE,
              entity_key: str = "people") -> tuple[ImportSetup, list[str]]:  # fmt: skip
    ctx = bulk_context(entity(entity_key), lookups)
    mapping = auto_mapping(table.headers, importable_fields(ctx.fields, mode))
    notes = mapping_notes(table.headers, mapping, ctx.fields)
    setup = ImportSetup(ctx, table.headers, tuple(mapping), mode, Names.of(lookups, PICKABLE),
                        lookups.name)  # fmt: skip
    return setup, notes


async def plan_file(client: CopperClient, lookups: Lookups, path: Path,
                    mode: Mode = Mode.UPDATE) -> ImportPlan:  # fmt: skip
    table = read_table(path)
    setup, notes = setup_for(lookups, table, mode)
    return await plan_import(client, setup, table, notes=notes)


async def run_import(store: JobStore, plan: ImportPlan, journal_dir: Path | None = None
                     ) -> list[Job]:  # fmt: skip
    jobs = await create_jobs(store, plan, title="Test import", journal_dir=journal_dir)
    for job in jobs:
        state = await asyncio.wait_for(job.start(), timeout=60)
        assert state is JobState.FINISHED, (job.title, state, job.message)
    return jobs


async def people_named(client: CopperClient, name_prefix: str) -> list[Json]:
    """Every person whose name contains ``name_prefix``, sorted by name."""
    found = await client.search_all("people", {"name": name_prefix})
    return sorted(found, key=lambda p: p["name"])
