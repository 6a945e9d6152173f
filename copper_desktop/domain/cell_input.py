"""Reading what a person pastes or types into one cell of a grid: text → Copper's value.

Which fields a grid edits in place (:func:`grid_editable`: text, numbers, money, dates, pick
lists, owner, status, stage, tags, check boxes, and custom fields of those kinds), how a text
becomes a value of that field (:func:`parse_cell`: the readers the record editor's widgets use,
``domain.formats`` and ``domain.parsing``), names of owners, stages, statuses, contact types
and dropdown options resolved to ids case-insensitively (:class:`Names`), and whether the value
may be written to that record (:func:`check_cell`). Every failure is a user-fit message.
Pure Python: no Qt.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from copper_desktop.domain.catalog import FieldSpec, FieldType, LookupKind
from copper_desktop.domain.formats import (
    CloseDateCodec,
    FormatError,
    date_to_unix,
    parse_boolean,
    parse_choice,
    parse_integer,
    parse_money,
    parse_number,
    parse_percent,
)
from copper_desktop.domain.parsing import parse_day, parse_day_time

if TYPE_CHECKING:  # the bulk edit's rules are imported when a cell is first checked
    from copper_desktop.domain.bulk import BulkContext

__all__ = [
    "GRID_LOOKUPS",
    "GRID_TYPES",
    "Names",
    "check_cell",
    "grid_editable",
    "parse_cell",
    "split_tags",
]

GRID_TYPES: Final = frozenset(
    {
        FieldType.TEXT, FieldType.URL, FieldType.MULTILINE, FieldType.NUMBER,
        FieldType.INTEGER, FieldType.MONEY, FieldType.PERCENT, FieldType.CURRENCY_CODE,
        FieldType.DATE, FieldType.DATETIME, FieldType.CLOSE_DATE, FieldType.ENUM,
        FieldType.TAGS, FieldType.BOOLEAN,
    }
)  # fmt: skip
"""Field types a cell edits in place (references need their own kind of list, below)."""
GRID_LOOKUPS: Final = frozenset(
    {
        LookupKind.USERS, LookupKind.CONTACT_TYPES, LookupKind.LEAD_STATUSES,
        LookupKind.CUSTOMER_SOURCES, LookupKind.LOSS_REASONS, LookupKind.PIPELINE_STAGES,
    }
)  # fmt: skip
"""References picked by name in a cell. Not the pipeline (a new pipeline needs its stage),
not companies or people (too many to name: the record editor's picker searches them)."""

NOUNS: Final = {
    LookupKind.USERS: "user",
    LookupKind.CONTACT_TYPES: "contact type",
    LookupKind.LEAD_STATUSES: "lead status",
    LookupKind.CUSTOMER_SOURCES: "source",
    LookupKind.LOSS_REASONS: "loss reason",
    LookupKind.PIPELINE_STAGES: "stage",
}


def grid_editable(spec: FieldSpec) -> bool:
    """Whether a grid edits this field in place (and pastes into it)."""
    if not spec.editable:
        return False
    if spec.type is FieldType.REF:
        return spec.lookup in GRID_LOOKUPS
    return spec.type in GRID_TYPES


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class Names:
    """The account's pick lists as (id, name) pairs, to read names back into ids.

    ``lists``: kind → pairs; ``stages``: pipeline id → its stages' pairs (stage names repeat
    across pipelines, so a stage is looked for in its record's pipeline first).
    """

    lists: Mapping[LookupKind, Sequence[tuple[int, str]]] = field(default_factory=dict)
    stages: Mapping[int, Sequence[tuple[int, str]]] = field(default_factory=dict)

    def pipeline_of(self, stage_id: int) -> int | None:
        for pipeline, pairs in self.stages.items():
            if any(sid == stage_id for sid, _ in pairs):
                return pipeline
        return None

    def resolve(self, kind: LookupKind, text: str, pipeline_id: int | None = None) -> int | None:
        """The id named by ``text`` ("Ann Lee", "ann lee", "#42", "42"); None for blank.
        FormatError when no entry or several entries have that name."""
        wanted = _folded(text)
        if not wanted:
            return None
        noun = NOUNS.get(kind, kind.value.replace("_", " "))
        pairs: Iterable[tuple[int, str]] = self.lists.get(kind, ())
        if kind is LookupKind.PIPELINE_STAGES and pipeline_id is not None:
            pairs = self.stages.get(pipeline_id, pairs)
        pairs = list(pairs)
        digits = wanted.removeprefix("#")
        if digits.isdigit() and any(item_id == int(digits) for item_id, _ in pairs):
            return int(digits)
        found = sorted({item_id for item_id, name in pairs if _folded(name) == wanted})
        if len(found) == 1:
            return found[0]
        shown = text.strip()
        if found:
            ids = ", ".join(f"#{i}" for i in found)
            raise FormatError(f"“{shown}” names {len(found)} {noun}s ({ids}): paste the id.")
        where = " in this record's pipeline" if kind is LookupKind.PIPELINE_STAGES else ""
        raise FormatError(f"“{shown}” is not a {noun}{where}.")


def split_tags(text: str) -> list[str]:
    """ "a, b,, a" → ["a", "b"]: trimmed, blanks and repeats dropped, order kept (as the
    record editor's tags box reads them)."""
    tags: list[str] = []
    for part in text.split(","):
        tag = part.strip()
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def _currency_code(text: str) -> str | None:
    cleaned = text.strip()
    if not cleaned:
        return None
    if len(cleaned) != 3 or not cleaned.isalpha() or not cleaned.isascii():
        raise FormatError(f"“{cleaned}” is not a currency code; use three letters such as USD.")
    return cleaned.upper()


_NUMBER_READERS: Final = {
    FieldType.NUMBER: parse_number,
    FieldType.INTEGER: parse_integer,
    FieldType.MONEY: parse_money,
    FieldType.PERCENT: parse_percent,
    FieldType.CURRENCY_CODE: _currency_code,
}


def _pipeline(record: Mapping[str, Any]) -> int | None:
    pipeline = record.get("pipeline_id")
    return pipeline if isinstance(pipeline, int) and not isinstance(pipeline, bool) else None


def parse_cell(
    spec: FieldSpec, text: str, names: Names, record: Mapping[str, Any] | None = None
) -> Any:
    """The value of ``spec`` that ``text`` stands for (None, or [] for tags, when blank);
    FormatError with a user-fit message when it stands for none. ``record`` (the row the cell
    is on) tells a stage's pipeline and the order its account writes close dates in."""
    record = record or {}
    kind = spec.type
    if not grid_editable(spec):
        raise FormatError(f"{spec.label} cannot be changed in the grid.")
    if kind in (FieldType.TEXT, FieldType.URL):
        cleaned = text.strip()
        if spec.max_length is not None and len(cleaned) > spec.max_length:
            raise FormatError(
                f"{spec.label} is limited to {spec.max_length} characters (now {len(cleaned)})."
            )
        return cleaned or None
    if kind is FieldType.MULTILINE:
        return text if text.strip() else None
    if kind in _NUMBER_READERS:
        return _NUMBER_READERS[kind](text)
    if kind is FieldType.DATETIME:
        return parse_day_time(text)
    if kind is FieldType.DATE:
        return date_to_unix(parse_day(text)) if text.strip() else None
    if kind is FieldType.CLOSE_DATE:
        if not text.strip():
            return None
        codec = CloseDateCodec()
        codec.observe(record.get(spec.key))
        return codec.format(parse_day(text, codec.order))
    if kind is FieldType.BOOLEAN:
        value = parse_boolean(text)
        return bool(value) if spec.is_custom or value is not None else None
    if kind is FieldType.ENUM:
        return parse_choice(spec.choices, text)
    if kind is FieldType.TAGS:
        return split_tags(text)
    assert spec.lookup is not None  # grid_editable: a REF of GRID_LOOKUPS
    return names.resolve(spec.lookup, text, _pipeline(record))


def check_cell(
    context: BulkContext, names: Names, key: str, value: Any, record: Mapping[str, Any]
) -> str | None:
    """Why ``value`` cannot be written to ``key`` of ``record``, else None: a required field
    left blank, a value the field does not take (the checks a save makes), a stage outside the
    record's pipeline."""
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
