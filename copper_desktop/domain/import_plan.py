"""CSV import: which column writes which field, and what each row of a file would do.

An import writes one entity in one of three modes: update the records rows match, create new
ones, or both. A row matches on the record id when an ID column is mapped, else on the
entity's natural key: a person's or a lead's e-mail, a company's name (others: id only).

* :func:`auto_mapping` maps columns to fields by header: the field's label or key,
  case-insensitive, spaces, ``_`` and ``-`` alike or left out, a plural ``s`` optional;
  custom fields by their name. A column named ``error`` (the errors file's) is left out, as
  are columns that match no field or a read-only one (:func:`mapping_notes` says so).
* :func:`find_duplicates` flags rows sharing a match key (both rows, by file line).
* :func:`parse_row` reads a row's cells (``domain.cell_input``); :func:`decide` compares it
  with the record it matches, freshly loaded: a cell whose text is what an export of the
  record would write (names or raw) is no change, others are parsed and compared by value, so
  an exported file re-imported unchanged plans no write at all.

The result is one :class:`RowPlan` per row: create / update / no change / error, with the
changes (before → after) or the reason. :class:`ImportPlan` gathers them, turns the updates
into a bulk edit ``Preview`` (the job is a bulk edit's) and the creates into ``record_create``
job rows, and lists the rows that failed for the errors file. Pure Python: no Qt, no HTTP.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from copper_desktop.domain.bulk import (
    BulkContext,
    FieldChange,
    Preview,
    RecordChange,
    is_blank_value,
    same_field_value,
    write_body,
)
from copper_desktop.domain.catalog import FieldSpec
from copper_desktop.domain.cell_input import NOT_IMPORTABLE, Names, cell_text, parse_cell
from copper_desktop.domain.custom_fields import get_field_value
from copper_desktop.domain.display import NameOf
from copper_desktop.domain.formats import LIST_KINDS, VALUE_KEYS, DateOrder, FormatError

__all__ = [
    "ERROR_COLUMN",
    "MATCH_FIELDS",
    "Action",
    "ImportPlan",
    "ImportSetup",
    "Mode",
    "Parsed",
    "RowPlan",
    "auto_mapping",
    "decide",
    "errors_table",
    "find_duplicates",
    "header_signature",
    "importable_fields",
    "mapping_notes",
    "match_keys_of",
    "match_value",
    "normal",
    "parse_row",
]

ERROR_COLUMN: Final = "error"
"""The errors file's last column; ignored on import, so a fixed file imports as it is."""
MATCH_FIELDS: Final = {"people": "emails", "leads": "email", "companies": "name"}
"""Each entity's natural match key besides the id."""


class Mode(StrEnum):
    UPDATE = "update"
    CREATE = "create"
    BOTH = "both"


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "no change"
    ERROR = "error"


# --- mapping ----------------------------------------------------------------------------------


def normal(text: str) -> str:
    """A header or label for matching: case-folded, ``_``/``-``/spaces as one space."""
    return " ".join(re.sub(r"[_\-\s]+", " ", text).split()).casefold()


def _forms(text: str) -> set[str]:
    """The spellings a header may match a field by ("E-mail" = "Emails" = "email")."""
    base = normal(text)
    joined = base.replace(" ", "")
    return {base, base.removesuffix("s"), joined, joined.removesuffix("s")} if base else set()


def importable_fields(fields: Mapping[str, FieldSpec], mode: Mode) -> list[FieldSpec]:
    """The fields a column may write in ``mode`` (the ID first: the match key)."""
    out = [f for f in fields.values() if f.key == "id"]
    for spec in fields.values():
        if spec.type in NOT_IMPORTABLE:
            continue
        if spec.editable or (mode is not Mode.UPDATE and spec.creatable):
            out.append(spec)
    return out


ALIASES: Final = {
    "recordid": ("id",), "fullname": ("name",), "jobtitle": ("title",),
    "emailaddress": ("emails", "email"), "phone": ("phone_numbers",),
    "phonenumber": ("phone_numbers",), "assignee": ("assignee_id",),
}  # fmt: skip
"""Headers other tools write for a field whose label says it otherwise (spaces left out)."""


def auto_mapping(headers: Sequence[str], fields: Sequence[FieldSpec]) -> list[str | None]:
    """Column → field key (None: not imported) by header (see the module docstring), else
    by a common alias ("Full name", "Job title", "Record ID"); a field two columns name goes
    to the first."""
    taken: set[str] = set()
    out: list[str | None] = []
    for header in headers:
        found = None
        if normal(header) != ERROR_COLUMN:
            wanted = _forms(header)
            for spec in fields:
                if spec.key not in taken and wanted & (_forms(spec.label) | _forms(spec.key)):
                    found = spec.key
                    break
            joined = normal(header).replace(" ", "")
            aliased = ALIASES.get(joined) or ALIASES.get(joined.removesuffix("s"), ())
            offered = {f.key for f in fields}
            if found is None:
                found = next((k for k in aliased if k in offered and k not in taken), None)
        if found is not None:
            taken.add(found)
        out.append(found)
    return out


def mapping_notes(
    headers: Sequence[str], mapping: Sequence[str | None], fields: Mapping[str, FieldSpec]
) -> list[str]:
    """What the import leaves out and why: unknown and read-only columns, repeats."""
    notes: list[str] = []
    seen: dict[str, str] = {}
    for header, key in zip(headers, mapping, strict=False):
        if key is not None:
            if key in seen:
                notes.append(f"“{header}” and “{seen[key]}” both write {fields[key].label}: "
                             f"“{header}” is ignored.")  # fmt: skip
            seen.setdefault(key, header)
            continue
        if normal(header) == ERROR_COLUMN:
            notes.append(f"The “{header}” column of an errors file is ignored.")
            continue
        known = next((f for f in fields.values() if _forms(header) & _forms(f.label)), None)
        if known is not None:
            notes.append(f"“{header}” is read-only in Copper ({known.label}): ignored.")
        else:
            notes.append(f"“{header}” matches no field: ignored.")
    return notes


def header_signature(headers: Sequence[str]) -> str:
    """The key a remembered mapping is filed under: the set of headers, case-insensitive."""
    return "\x1f".join(sorted({normal(h) for h in headers if normal(h) != ERROR_COLUMN}))


# --- one row ------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ImportSetup:
    """Everything a row is read and judged with."""

    ctx: BulkContext
    headers: tuple[str, ...]
    mapping: tuple[str | None, ...]
    mode: Mode
    names: Names = field(default_factory=Names)
    name_of: NameOf | None = None
    order: DateOrder = DateOrder.MDY

    @property
    def entity_key(self) -> str:
        return self.ctx.spec.key

    def columns(self) -> list[tuple[int, FieldSpec]]:
        """(column index, field) of every mapped column but the ID (first one per field)."""
        out: list[tuple[int, FieldSpec]] = []
        taken: set[str] = set()
        for index, key in enumerate(self.mapping):
            if key is None or key == "id" or key in taken or key not in self.ctx.fields:
                continue
            taken.add(key)
            out.append((index, self.ctx.fields[key]))
        return out

    @property
    def match_field(self) -> str | None:
        """ "id", the natural key's field, or None (nothing to match on: creates only)."""
        if "id" in self.mapping:
            return "id"
        natural = MATCH_FIELDS.get(self.entity_key)
        return natural if natural is not None and natural in self.mapping else None

    def match_column(self) -> int | None:
        key = self.match_field
        return self.mapping.index(key) if key is not None else None


def _norm_name(text: str) -> str:
    return " ".join(text.split()).casefold()


def _first_email(text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    if text.startswith(("[", "{")):
        try:
            value = json.loads(text)
        except ValueError:
            return None
        entries = value if isinstance(value, list) else [value]
        for entry in entries:
            if isinstance(entry, dict) and isinstance(entry.get("email"), str):
                return str(entry["email"]).strip().lower() or None
        return None
    first = text.split(";", 1)[0]
    return re.sub(r"\s*\([^()]*\)\s*$", "", first).strip().lower() or None


def match_value(setup: ImportSetup, cells: Sequence[str]) -> Any:
    """The row's match key, normalised (an int id, a lower-case e-mail, a folded name), or
    None when the row has none (or an id that is not a number)."""
    column = setup.match_column()
    if column is None or column >= len(cells):
        return None
    text = cells[column].strip()
    kind = setup.match_field
    if kind == "id":
        found = re.fullmatch(r"#?(\d+)", text)
        return int(found.group(1)) if found else None
    if kind in ("emails", "email"):
        return _first_email(text)
    return _norm_name(text) or None


def match_keys_of(match_field: str, record: Mapping[str, Any]) -> list[Any]:
    """The match keys a record answers to (every e-mail of a person)."""
    if match_field == "id":
        return [record.get("id")]
    if match_field == "emails":
        return [str(e.get("email")).strip().lower() for e in record.get("emails") or ()
                if isinstance(e, dict) and e.get("email")]  # fmt: skip
    if match_field == "email":
        email = record.get("email")
        return [str(email["email"]).strip().lower()] if isinstance(email, dict) and email.get(
            "email") else []  # fmt: skip
    name = record.get(match_field)
    return [_norm_name(name)] if isinstance(name, str) and name.strip() else []


def find_duplicates(setup: ImportSetup, rows: Sequence[Sequence[str]],
                    lines: Sequence[int]) -> dict[int, str]:  # fmt: skip
    """Row index → why it errs, for every row whose match key another row has too."""
    where: dict[Any, list[int]] = {}
    for index, cells in enumerate(rows):
        key = match_value(setup, cells)
        if key is not None:
            where.setdefault(key, []).append(index)
    what = {"id": "id", "emails": "e-mail", "email": "e-mail", "name": "name"}.get(
        setup.match_field or "", "key"
    )
    out: dict[int, str] = {}
    for indices in where.values():
        if len(indices) > 1:
            shown = ", ".join(str(lines[i]) for i in indices)
            for i in indices:
                out[i] = f"The same {what} is on lines {shown}: fix the file so it is on one."
    return out


@dataclass(slots=True)
class Parsed:
    """A row's cells read as values; ``errors`` name the column and why."""

    values: dict[str, Any]
    texts: dict[str, str]
    errors: list[str]
    name: str


def parse_row(setup: ImportSetup, cells: Sequence[str]) -> Parsed:
    values: dict[str, Any] = {}
    texts: dict[str, str] = {}
    errors: list[str] = []
    width = len(setup.headers)
    if len(cells) != width:
        errors.append(f"The row has {len(cells)} field{'s' if len(cells) != 1 else ''}, the "
                      f"header {width}: a delimiter or a quote is missing or extra.")  # fmt: skip
        return Parsed(values, texts, errors, _row_name(setup, cells))
    for index, spec in setup.columns():
        text = cells[index]
        texts[spec.key] = text
        try:
            values[spec.key] = parse_cell(spec, text, setup.names, order=setup.order)
        except (FormatError, ValueError) as error:
            errors.append(f"{setup.headers[index]}: {error}")
    return Parsed(values, texts, errors, _row_name(setup, cells))


def _row_name(setup: ImportSetup, cells: Sequence[str]) -> str:
    for key in ("name", "title", "emails", "email"):
        if key in setup.mapping:
            index = setup.mapping.index(key)
            if index < len(cells) and cells[index].strip():
                return " ".join(cells[index].split())[:80]
    return ""


@dataclass(slots=True)
class RowPlan:
    """What one row of the file would do."""

    number: int
    """1-based data row."""
    line: int
    """The file line it starts on."""
    action: Action
    name: str
    record_id: int | None = None
    date_modified: int | None = None
    changes: tuple[FieldChange, ...] = ()
    body: dict[str, Any] | None = None
    """A create's request body."""
    error: str = ""
    cells: tuple[str, ...] = ()
    """The row as read (kept for rows that may end in the errors file)."""


def _unchanged_text(setup: ImportSetup, spec: FieldSpec, record: Mapping[str, Any],
                    text: str) -> bool:  # fmt: skip
    """The cell holds what an export of the record writes (names, or raw values)."""
    return text == cell_text(spec, record, setup.name_of) or text == cell_text(
        spec, record, None, raw=True
    )


def _keep_categories(spec: FieldSpec, text: str, before: Any, after: Any) -> Any:
    """A list cell written without "(category)" keeps the entries the record has for the same
    addresses, numbers or links, whatever their case (plain e-mails change no category)."""
    kind = LIST_KINDS.get(spec.type)
    if kind is None or "(" in text or text.lstrip().startswith("["):
        return after
    if not isinstance(before, list) or not isinstance(after, list):
        return after
    key = VALUE_KEYS[kind]
    known = {str(e.get(key)).casefold(): e for e in before if isinstance(e, dict) and e.get(key)}
    return [dict(known[str(e.get(key)).casefold()])
            if isinstance(e, dict) and str(e.get(key)).casefold() in known else e
            for e in after]  # fmt: skip


def _update(setup: ImportSetup, parsed: Parsed, record: Mapping[str, Any],
            base: RowPlan) -> RowPlan:  # fmt: skip
    changes: list[FieldChange] = []
    problems: list[str] = []
    for key, after in parsed.values.items():
        spec = setup.ctx.fields[key]
        if not spec.editable:
            continue  # create-only fields are written when creating
        if _unchanged_text(setup, spec, record, parsed.texts[key]):
            continue
        before = get_field_value(record, key)
        after = _keep_categories(spec, parsed.texts[key], before, after)
        if same_field_value(spec.type.value, before, after):
            continue
        if spec.required and is_blank_value(after):
            problems.append(f"{spec.label} is required and cannot be cleared.")
            continue
        message = setup.ctx.validate(key, after)
        if message:
            problems.append(f"{spec.label}: {message}")
            continue
        changes.append(FieldChange(key, spec.label, before, after))
    base.record_id = record.get("id")
    base.name = str(record.get("name") or base.name)
    stamp = record.get("date_modified")
    base.date_modified = stamp if isinstance(stamp, int) and not isinstance(stamp, bool) else None
    if problems:
        base.action, base.error = Action.ERROR, "; ".join(problems)
    elif changes:
        base.action, base.changes = Action.UPDATE, tuple(changes)
    else:
        base.action, base.cells = Action.UNCHANGED, ()
    return base


def _create(setup: ImportSetup, parsed: Parsed, base: RowPlan) -> RowPlan:
    values = {k: v for k, v in parsed.values.items()
              if setup.ctx.fields[k].creatable and not is_blank_value(v)}  # fmt: skip
    problems = [f"{spec.label} is required to create a {setup.ctx.spec.label.lower()}."
                for spec in setup.ctx.fields.values()
                if spec.required and spec.creatable and spec.key not in values]  # fmt: skip
    for key, value in values.items():
        message = setup.ctx.validate(key, value)
        if message:
            problems.append(f"{setup.ctx.fields[key].label}: {message}")
    if problems:
        base.action, base.error = Action.ERROR, "; ".join(problems)
        return base
    base.action = Action.CREATE
    base.body = write_body(values)
    base.changes = tuple(FieldChange(k, setup.ctx.fields[k].label, None, v)
                         for k, v in values.items())  # fmt: skip
    return base


def decide(
    setup: ImportSetup,
    parsed: Parsed,
    number: int,
    line: int,
    cells: Sequence[str],
    matches: Sequence[Mapping[str, Any]],
    *,
    duplicate: str = "",
    key: Any = None,
) -> RowPlan:
    """The row's plan, given the records its match key found (fresh from Copper)."""
    base = RowPlan(number, line, Action.ERROR, parsed.name, cells=tuple(cells))
    label = setup.ctx.spec.label.lower()
    if duplicate:
        base.error = duplicate
    elif parsed.errors:
        base.error = "; ".join(parsed.errors)
    elif len(matches) > 1:
        ids = ", ".join(f"#{m.get('id')}" for m in matches[:5])
        base.error = (
            f"{len(matches)} {setup.ctx.spec.plural_label.lower()} match ({ids}): "
            "add an ID column to say which."
        )
    elif matches:
        record = matches[0]
        if setup.mode is Mode.CREATE:
            base.record_id = record.get("id")
            base.error = f"A {label} with this {_what(setup)} exists already (#{record.get('id')})."
        else:
            return _update(setup, parsed, record, base)
    elif setup.mode is Mode.UPDATE or (setup.match_field == "id" and key is not None):
        if key is None:
            base.error = f"Nothing to match on: the {_what(setup)} is blank."
        else:
            base.error = f"No {label} with this {_what(setup)} (deleted, or not visible to you)."
    else:
        return _create(setup, parsed, base)
    return base


def _what(setup: ImportSetup) -> str:
    return {"id": "id", "emails": "e-mail", "email": "e-mail", "name": "name"}.get(
        setup.match_field or "", "key"
    )


# --- the whole file ----------------------------------------------------------------------------


@dataclass
class ImportPlan:
    """Every row's plan, in file order."""

    setup: ImportSetup
    rows: list[RowPlan]
    notes: list[str] = field(default_factory=list)

    def count(self, action: Action) -> int:
        return sum(1 for r in self.rows if r.action is action)

    def with_action(self, action: Action) -> list[RowPlan]:
        return [r for r in self.rows if r.action is action]

    @property
    def writes(self) -> int:
        """Rows that would write (create or update)."""
        return self.count(Action.CREATE) + self.count(Action.UPDATE)

    def summary(self) -> str:
        """ "3 to create, 12 to update, 980 unchanged, 2 with errors"."""
        return (f"{self.count(Action.CREATE):,} to create, {self.count(Action.UPDATE):,} to "
                f"update, {self.count(Action.UNCHANGED):,} unchanged, "
                f"{self.count(Action.ERROR):,} with errors")  # fmt: skip

    def updates_preview(self) -> Preview:
        """The updates as a bulk edit's preview: the job is a bulk edit's (``date_modified``
        guard, undo)."""
        updates = self.with_action(Action.UPDATE)
        touched: list[str] = []
        for row in updates:
            touched.extend(c.key for c in row.changes if c.key not in touched)
        fields = self.setup.ctx.fields
        changes = tuple(RecordChange(r.record_id or 0, r.name or f"#{r.record_id}",
                                     r.date_modified, r.changes) for r in updates)  # fmt: skip
        unchanged = tuple(r.record_id for r in self.with_action(Action.UNCHANGED)
                          if r.record_id is not None)  # fmt: skip
        return Preview(
            entity_key=self.setup.entity_key,
            operations=(),
            touched=tuple(touched),
            changes=changes,
            unchanged=unchanged,
            refused=(),
            labels={k: fields[k].label for k in touched},
            types={k: fields[k].type.value for k in touched},
        )

    def create_rows(self) -> list[dict[str, Any]]:
        """The ``record_create`` job's rows: key (file line), label, data (body, line, cells)."""
        return [
            {"key": r.line, "label": r.name or f"Line {r.line}",
             "data": {"body": r.body, "line": r.line, "cells": list(r.cells)}}
            for r in self.with_action(Action.CREATE)
        ]  # fmt: skip

    def error_rows(self) -> list[tuple[tuple[str, ...], str]]:
        """(cells, why) of every row in error, for the errors file."""
        return [(r.cells, r.error) for r in self.with_action(Action.ERROR)]


def errors_table(headers: Sequence[str], rows: Iterable[tuple[Sequence[str], str]]
                 ) -> tuple[list[str], list[list[str]]]:  # fmt: skip
    """The errors file: the input's columns (an ``error`` column of its own dropped) plus
    ``error``. Short rows are padded; the cells of a long row past the header are named in
    its error (the file stays rectangular, so it reads back column for column)."""
    keep = [i for i, h in enumerate(headers) if normal(h) != ERROR_COLUMN]
    out_rows: list[list[str]] = []
    for cells, why in rows:
        padded = list(cells) + [""] * (len(headers) - len(cells))
        extra = list(cells[len(headers) :])
        if extra:
            why = f"{why} Cells past the last column: {' | '.join(extra)}"
        out_rows.append([*(padded[i] for i in keep), why])
    return [*(headers[i] for i in keep), ERROR_COLUMN], out_rows
