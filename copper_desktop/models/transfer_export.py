"""CSV export of records: the selection, the current view, or every record of an entity.

The records stream from Copper a page (200) at a time and each page is written before the
next is asked for, so memory stays flat whatever the count: the selection through ``ids``
searches of 200 (in selection order), the view through the client's ``iter_search`` walk
with the view's filters and sort, "all" through the same walk without filters (the walk
splits past Copper's 100,000 cap by created-date windows, oldest first).

Cells are what people read (``domain.display.format_field``: names from `Lookups`, whose
unknown company, person, ... names are resolved a page at a time) or raw values
(``domain.cell_input.cell_text``); either way the import reads them back. Formatting and
writing run in the executor given (the app's), a page per step, while the next page is on
its way, so the UI thread only awaits. The file is written to a hidden temporary file in the
target's folder and renamed over the target at the end; a failure or a cancel removes it and
leaves any old file alone.

Plain async code (no widgets): the export dialog runs it through an ActionRunner, the
benchmark calls it as is.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Final, Protocol, TextIO, TypeVar

from copper_desktop.api.search import SearchWalk
from copper_desktop.domain.catalog import EntitySpec, FieldSpec, FieldType, LookupKind, entity
from copper_desktop.domain.cell_input import cell_text
from copper_desktop.domain.csv_files import CsvWriter
from copper_desktop.jobs import JobClient, fetch_records
from copper_desktop.models.async_support import off_loop
from copper_desktop.models.lookups import RESOLVABLE, Lookups
from copper_desktop.models.record_columns import references

__all__ = ["PAGE", "ExportClient", "ExportRequest", "Scope", "export_csv", "export_fields"]

Json = dict[str, Any]
T = TypeVar("T")
Progress = Callable[[int, int | None], None]
"""Called with (rows written so far, rows expected; None while unknown)."""
IdSource = Sequence[int] | Callable[[], Awaitable[Sequence[int]]]
PAGE: Final = 200


class Scope(StrEnum):
    SELECTION = "selection"
    VIEW = "view"
    ALL = "all"


class ExportClient(JobClient, Protocol):
    """What an export asks of :class:`CopperClient` (its searches)."""

    def iter_search(
        self,
        entity: str,
        filters: Json | None = None,
        *,
        sort_by: str | None = None,
        sort_direction: str | None = None,
        page_size: int = PAGE,
        computed: bool = False,
    ) -> SearchWalk: ...


@dataclass(frozen=True)
class ExportRequest:
    """What to export and how. ``fields`` are the columns in order (see `export_fields`)."""

    entity_key: str
    fields: tuple[FieldSpec, ...]
    scope: Scope = Scope.VIEW
    filters: Mapping[str, Any] = field(default_factory=dict)
    sort_by: str | None = None
    sort_direction: str = "asc"
    ids: IdSource = ()
    raw: bool = False
    """Ids and Copper's values instead of names and readable text."""
    bom: bool = False
    """A UTF-8 byte-order mark first (Excel needs it to read UTF-8)."""

    @property
    def spec(self) -> EntitySpec:
        return entity(self.entity_key)


def export_fields(
    spec: EntitySpec, shown: Sequence[FieldSpec], *, include_id: bool = True
) -> tuple[FieldSpec, ...]:
    """The columns of an export: those shown, in their order, and the record id first when
    asked and not shown (so the file can be imported back as updates)."""
    fields = [f for f in shown if f.type is not FieldType.CUSTOM_FIELDS]
    if include_id and spec.has_field("id") and all(f.key != "id" for f in fields):
        fields.insert(0, spec.field("id"))
    return tuple(fields)


async def _pages(client: ExportClient, request: ExportRequest,
                 expected: list[int | None]) -> AsyncIterator[list[Json]]:  # fmt: skip
    """The records to export, a page at a time; ``expected[0]`` is set once known."""
    path = request.spec.path
    if request.scope is Scope.SELECTION:
        source = request.ids
        ids = list(await source() if callable(source) else source)
        ids = [i for i in dict.fromkeys(ids) if isinstance(i, int) and not isinstance(i, bool)]
        expected[0] = len(ids)
        for start in range(0, len(ids), PAGE):
            part = ids[start : start + PAGE]
            found = await fetch_records(client, path, part)
            yield [found[i] for i in part if i in found]
        return
    if request.scope is Scope.VIEW:
        walk = client.iter_search(path, dict(request.filters), sort_by=request.sort_by,
                                  sort_direction=request.sort_direction)  # fmt: skip
    else:
        walk = client.iter_search(path, {})
    page: list[Json] = []
    async for record in walk:
        expected[0] = walk.total if expected[0] is None else expected[0]
        page.append(record)
        if len(page) >= PAGE:
            yield page
            page = []
    if page:
        yield page


class _PartFile:
    """The export's temporary file next to the target (see the module docstring)."""

    def __init__(self, target: Path, bom: bool) -> None:
        self.target = target
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        self.path = Path(name)
        self.stream: TextIO = os.fdopen(fd, "w", encoding="utf-8-sig" if bom else "utf-8",
                                        newline="")  # fmt: skip
        self.writer = CsvWriter(self.stream)

    def commit(self) -> None:
        self.stream.flush()
        os.fsync(self.stream.fileno())
        self.stream.close()
        os.replace(self.path, self.target)

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.stream.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


async def _resolve(lookups: Lookups, spec: EntitySpec, kinds: set[LookupKind],
                   records: Sequence[Json]) -> None:  # fmt: skip
    """Names of the companies, people, ... a page refers to; ids stay ("#12") if not found."""
    for kind, ids in references(spec, records).items():
        if kind in kinds and lookups.unknown(kind, ids):
            with contextlib.suppress(Exception):  # a name is a nicety: the cell shows "#id"
                await lookups.resolve(kind, ids)


async def export_csv(
    client: ExportClient,
    request: ExportRequest,
    target: Path,
    *,
    lookups: Lookups | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> int:
    """Write the export to ``target``; returns the number of records written. OSError when
    the folder cannot be written; CopperError when Copper fails (the partial file is gone)."""
    spec, fields, raw = request.spec, request.fields, request.raw
    name_of = lookups.name if lookups is not None else None
    kinds = {f.lookup for f in fields if f.lookup in RESOLVABLE and f.lookup is not None}
    if any(f.type in (FieldType.RELATED_RESOURCE, FieldType.PARENT) for f in fields):
        kinds |= set(RESOLVABLE)

    def write(part: _PartFile, records: Sequence[Json]) -> int:
        return part.writer.rows([cell_text(f, r, name_of, raw=raw) for f in fields]
                                for r in records)  # fmt: skip

    part = await off_loop(executor, _PartFile, Path(target), request.bom)
    written = 0
    expected: list[int | None] = [None]
    writing: asyncio.Task[int] | None = None
    try:
        await off_loop(executor, part.writer.row, [f.label for f in fields])
        async for records in _pages(client, request, expected):
            if lookups is not None and kinds and not raw:
                await _resolve(lookups, spec, kinds, records)
            if writing is not None:  # one page is written while the next one is fetched
                written += await writing
                if progress is not None:
                    progress(written, expected[0])
            writing = asyncio.ensure_future(off_loop(executor, write, part, records))
        if writing is not None:
            written += await writing
            writing = None
        await off_loop(executor, part.commit)
    except BaseException:
        if writing is not None:
            writing.cancel()
            await asyncio.wait([writing])  # its thread is done with the file before it goes
        part.discard()
        raise
    if progress is not None:
        progress(written, written)
    return written
