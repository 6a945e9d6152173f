"""The text of one cell as a field's value, and a value as the text of a cell: what the grid
reads when a person types or pastes, what the CSV import reads from a file, and what the CSV
export writes (so a file the app exported reads back as the values it came from).

* :func:`parse_cell` reads a text per the field's type with the record editor's readers
  (``domain.formats``, ``domain.parsing``): what people read ("$1,234.50 USD", local dates,
  "a@b.test (work); c@d.test", names) and raw values (ids, unix seconds, JSON for lists and
  objects; an address, a related record and other objects are read as JSON only).
* :class:`Names` reads names of owners, stages, statuses, sources, contact types, ... back into
  ids, case-insensitively ("#123" or "123" is an id as it is); a stage is looked for in its
  record's pipeline first.
* :func:`cell_text` is the text an export writes for a value, and what an imported cell is
  compared with to tell an unchanged cell: what people read (``domain.display``) or raw.
* The grid edits fewer fields than the import writes (:func:`grid_editable`) and checks a
  value against the record it goes to (:func:`check_cell`: required, the field's rules, a
  stage of the record's pipeline); the import judges whole rows (``domain.import_plan``).

Every failure is a ``FormatError`` whose text can be shown as is. Pure Python: no Qt.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Protocol

from copper_desktop.domain.catalog import FieldSpec, FieldType, LookupKind
from copper_desktop.domain.custom_fields import get_field_value
from copper_desktop.domain.display import NameOf, format_field, plain_text
from copper_desktop.domain.formats import (
    LIST_KINDS,
    CloseDateCodec,
    DateOrder,
    FormatError,
    ListKind,
    format_close_date,
    parse_boolean,
    parse_choice,
    parse_choices,
    parse_entries,
)
from copper_desktop.domain.parsing import NUMBER_READERS, parse_day, parse_day_time, split_tags

if TYPE_CHECKING:  # the bulk edit's rules are imported when a cell is first checked
    from copper_desktop.domain.bulk import BulkContext

__all__ = [
    "GRID_LOOKUPS",
    "GRID_TYPES",
    "JSON_ONLY",
    "NOT_IMPORTABLE",
    "Names",
    "PickLists",
    "blank_value",
    "cell_text",
    "check_cell",
    "grid_editable",
    "parse_cell",
]

GRID_TYPES: Final = frozenset(
    {
        FieldType.TEXT, FieldType.URL, FieldType.MULTILINE, FieldType.NUMBER,
        FieldType.INTEGER, FieldType.MONEY, FieldType.PERCENT, FieldType.CURRENCY_CODE,
        FieldType.DATE, FieldType.DATETIME, FieldType.CLOSE_DATE, FieldType.ENUM,
        FieldType.TAGS, FieldType.BOOLEAN,
    }
)  # fmt: skip
"""Field types a grid cell edits in place (lists of entries are the record editor's job)."""
GRID_LOOKUPS: Final = frozenset(
    {
        LookupKind.USERS, LookupKind.CONTACT_TYPES, LookupKind.LEAD_STATUSES,
        LookupKind.CUSTOMER_SOURCES, LookupKind.LOSS_REASONS, LookupKind.PIPELINE_STAGES,
    }
)  # fmt: skip
"""References a grid cell picks by name. Not the pipeline (a new pipeline needs its stage),
not companies or people (too many to name: the record editor's picker searches them)."""
NOT_IMPORTABLE: Final = frozenset(
    {FieldType.CONNECT, FieldType.JSON, FieldType.CUSTOM_FIELDS, FieldType.STRING_MAP,
     FieldType.ID}
)  # fmt: skip
"""Types no cell writes (ids are the import's match key, not a value)."""
JSON_ONLY: Final = frozenset(
    {FieldType.ADDRESS, FieldType.RELATED_RESOURCE, FieldType.PARENT, FieldType.ACTIVITY_TYPE}
)
"""Objects whose readable text cannot be read back: a changed cell must be JSON."""
_LISTS: Final = frozenset({FieldType.TAGS, FieldType.MULTI_ENUM, *LIST_KINDS})
_REF_ID: Final = re.compile(r"#?\s*(\d+)")
_NOUNS: Final = {
    LookupKind.USERS: ("user", "users"),
    LookupKind.CONTACT_TYPES: ("contact type", "contact types"),
    LookupKind.COMPANIES: ("company", "companies"),
    LookupKind.PEOPLE: ("person", "people"),
    LookupKind.LEADS: ("lead", "leads"),
    LookupKind.OPPORTUNITIES: ("opportunity", "opportunities"),
    LookupKind.PROJECTS: ("project", "projects"),
    LookupKind.TASKS: ("task", "tasks"),
    LookupKind.PIPELINES: ("pipeline", "pipelines"),
    LookupKind.PIPELINE_STAGES: ("stage", "stages"),
    LookupKind.LEAD_STATUSES: ("lead status", "lead statuses"),
    LookupKind.CUSTOMER_SOURCES: ("source", "sources"),
    LookupKind.LOSS_REASONS: ("loss reason", "loss reasons"),
    LookupKind.CUSTOM_ACTIVITY_TYPES: ("activity type", "activity types"),
    LookupKind.ACTIVITY_TYPES: ("activity type", "activity types"),
}


def grid_editable(spec: FieldSpec) -> bool:
    """Whether a grid edits this field in place (and pastes into it)."""
    if not spec.editable:
        return False
    if spec.type is FieldType.REF:
        return spec.lookup in GRID_LOOKUPS
    return spec.type in GRID_TYPES


# --- names ----------------------------------------------------------------------------------------


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 60 else flat[:59] + "…"


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


class PickLists(Protocol):
    """Where :meth:`Names.of` takes the lists from (``models.lookups.Lookups``)."""

    def choices(self, kind: LookupKind) -> list[tuple[int, str]]: ...

    def stages(self, pipeline_id: int | None = None) -> list[tuple[int, str]]: ...


@dataclass(frozen=True)
class Names:
    """The account's pick lists as (id, name) pairs, to read names back into ids.

    ``lists``: kind → pairs; ``stages``: pipeline id → its stages' pairs (stage names repeat
    across pipelines, so a stage is looked for in its record's pipeline first).
    """

    lists: Mapping[LookupKind, Sequence[tuple[int, str]]] = field(default_factory=dict)
    stages: Mapping[int, Sequence[tuple[int, str]]] = field(default_factory=dict)

    @staticmethod
    def of(source: PickLists, kinds: Iterable[LookupKind]) -> Names:
        """The lists of ``kinds`` (those loaded whole) as ``source`` holds them now, and the
        stages of each pipeline."""
        lists = {
            kind: source.stages() if kind is LookupKind.PIPELINE_STAGES else source.choices(kind)
            for kind in kinds
        }
        pipelines = source.choices(LookupKind.PIPELINES)
        return Names(lists, {pid: source.stages(pid) for pid, _name in pipelines})

    def pipeline_of(self, stage_id: int) -> int | None:
        for pipeline, pairs in self.stages.items():
            if any(sid == stage_id for sid, _ in pairs):
                return pipeline
        return None

    def resolve(
        self, kind: LookupKind | None, text: str, pipeline_id: int | None = None
    ) -> int | None:
        """The id ``text`` gives: "#42", "42" (an id as it is), or a name ("Ann Lee", "ann
        lee"); None for blank. FormatError when no entry or several entries have that name."""
        wanted = _folded(text)
        if not wanted:
            return None
        as_id = _REF_ID.fullmatch(wanted)
        if as_id is not None:
            return int(as_id.group(1))
        pairs: Iterable[tuple[int, str]] = self.lists.get(kind, ()) if kind is not None else ()
        if kind is LookupKind.PIPELINE_STAGES and pipeline_id is not None:
            pairs = self.stages.get(pipeline_id, pairs)
        found = sorted({item_id for item_id, name in pairs if _folded(name) == wanted})
        if len(found) == 1:
            return found[0]
        noun, plural = _NOUNS.get(kind, ("entry", "entries")) if kind else ("entry", "entries")
        if found:
            ids = ", ".join(f"#{i}" for i in found)
            raise FormatError(f"“{_short(text)}” names {len(found)} {plural} ({ids}): give the id.")
        if kind not in self.lists:  # companies, people, ...: too many to load, read by id
            raise FormatError(f"“{_short(text)}” is not an id of a {noun} (write it as #123).")
        staged = kind is LookupKind.PIPELINE_STAGES and pipeline_id is not None
        where = " in this record's pipeline" if staged else ""
        raise FormatError(f"“{_short(text)}” is not a {noun}{where}.")


# --- text → value ---------------------------------------------------------------------------------


def blank_value(spec: FieldSpec) -> Any:
    """What an empty cell holds: ``[]`` for list fields, ``False`` for a custom check box
    (Copper has no unset one), else ``None`` (clears)."""
    if spec.type in _LISTS:
        return []
    if spec.type is FieldType.BOOLEAN and spec.is_custom:
        return False
    return None


def _json(text: str, what: type) -> Any:
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, what):
        shape = "a list" if what is list else "an object"
        raise FormatError(f"“{_short(text)}” is not {shape} in JSON.")
    return value


def _single_email(text: str) -> Any:
    if text.startswith("{"):
        value = json.loads(text) if text.endswith("}") else None
        if isinstance(value, dict):
            return value
    entries = parse_entries(ListKind.EMAILS, text, "work")
    if len(entries) != 1:
        raise FormatError("A lead has one e-mail address.")
    return entries[0]


def _pipeline(record: Mapping[str, Any]) -> int | None:
    pipeline = record.get("pipeline_id")
    return pipeline if isinstance(pipeline, int) and not isinstance(pipeline, bool) else None


def parse_cell(
    spec: FieldSpec,
    text: str,
    names: Names,
    record: Mapping[str, Any] | None = None,
    *,
    order: DateOrder | None = None,
) -> Any:
    """The value ``text`` gives ``spec`` (Copper's encoding; :func:`blank_value` for blank);
    FormatError with a user-fit message when it gives none. ``record`` (the row the cell is
    on) tells a stage's pipeline and the order its account writes close dates in; ``order``
    says that order instead."""
    record = record or {}
    kind = spec.type
    cleaned = text.strip()
    if not cleaned:
        return blank_value(spec)
    if kind in NOT_IMPORTABLE:
        raise FormatError(f"{spec.label} cannot be set from text.")
    if kind in (FieldType.TEXT, FieldType.URL):
        if spec.max_length is not None and len(cleaned) > spec.max_length:
            raise FormatError(
                f"{spec.label} is limited to {spec.max_length} characters (now {len(cleaned)})."
            )
        return cleaned
    if kind is FieldType.MULTILINE:
        return text
    if kind in NUMBER_READERS:
        return NUMBER_READERS[kind](cleaned)
    if kind in (FieldType.DATE, FieldType.DATETIME):
        return parse_day_time(cleaned)
    if kind is FieldType.CLOSE_DATE:
        if order is None:
            codec = CloseDateCodec()
            codec.observe(record.get(spec.key))
            order = codec.order
        return format_close_date(parse_day(cleaned, order), order)
    if kind is FieldType.BOOLEAN:
        return parse_boolean(cleaned)
    if kind is FieldType.ENUM:
        return parse_choice(spec.choices, cleaned)
    if kind in _LISTS and cleaned.startswith("["):
        items = _json(cleaned, list)
        return [str(t) for t in items] if kind is FieldType.TAGS else items
    if kind is FieldType.TAGS:
        return split_tags(cleaned)
    if kind is FieldType.MULTI_ENUM:
        return parse_choices(spec.choices, cleaned)
    if kind in LIST_KINDS:
        return parse_entries(LIST_KINDS[kind], cleaned)
    if kind is FieldType.SINGLE_EMAIL:
        return _single_email(cleaned)
    if kind is FieldType.REF:
        return names.resolve(spec.lookup, cleaned, _pipeline(record))
    if kind in JSON_ONLY:
        return _json(cleaned, dict)
    return cleaned


def check_cell(
    context: BulkContext, names: Names, key: str, value: Any, record: Mapping[str, Any]
) -> str | None:
    """Why a grid cannot write ``value`` to ``key`` of ``record``, else None: a field the grid
    does not edit, a required field left blank, a value the field does not take (the checks a
    save makes), a stage outside the record's pipeline."""
    from copper_desktop.domain.bulk import is_blank_value

    spec = context.field(key)
    if spec is None or not grid_editable(spec):
        label = spec.label if spec is not None else key
        return f"{label} cannot be changed in the grid."
    if is_blank_value(value):
        return f"{spec.label} is required." if spec.required else None
    message = context.validate(key, value)
    if message is not None:
        return message
    if spec.lookup is LookupKind.PIPELINE_STAGES and isinstance(value, int):
        pipeline = _pipeline(record)
        if pipeline in names.stages and names.pipeline_of(value) != pipeline:
            return f"Stage #{value} is not a stage of this record's pipeline."
    return None


# --- value → text ---------------------------------------------------------------------------------


def cell_text(
    spec: FieldSpec, record: Mapping[str, Any], name_of: NameOf | None, *, raw: bool = False
) -> str:
    """The text an export writes for ``spec`` of ``record``, and what an imported cell that
    changes nothing holds: what people read (names, every e-mail with its category), or with
    ``raw`` the value as Copper holds it (text as is, numbers and ids as digits, ``true`` /
    ``false``, lists and objects as JSON; "" for no value)."""
    if not raw:
        return format_field(spec, record, name_of)
    value = get_field_value(record, spec.key)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return plain_text(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
