"""Result types of multi-record operations: bulk calls and lead conversion."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import CopperError, FieldError

__all__ = ["BulkItemResult", "BulkResult", "ConversionResult"]

Json = dict[str, Any]


@dataclass(slots=True)
class BulkItemResult:
    """What happened to one input item (``index`` into the caller's list)."""

    index: int
    item: Json
    record: Json | None = None
    errors: list[FieldError] = field(default_factory=list)
    error: CopperError | None = None
    """Set when the item's whole request failed (not a per-item refusal)."""
    recovered: bool = False
    """The record was found by the duplicate check after a lost answer, not sent twice."""

    @property
    def ok(self) -> bool:
        return self.record is not None

    @property
    def message(self) -> str:
        """Why it failed, for a results table."""
        if self.ok:
            return ""
        if self.errors:
            return "; ".join(str(e) for e in self.errors)
        return str(self.error) if self.error else "Copper did not report a result for this item."


@dataclass(slots=True)
class BulkResult:
    items: list[BulkItemResult]

    @property
    def succeeded(self) -> list[BulkItemResult]:
        return [i for i in self.items if i.ok]

    @property
    def failed(self) -> list[BulkItemResult]:
        return [i for i in self.items if not i.ok]

    @property
    def records(self) -> list[Json]:
        return [i.record for i in self.items if i.record is not None]


@dataclass(frozen=True, slots=True)
class ConversionResult:
    """The records a lead became. ``company``/``opportunity`` are None when none was made or
    attached; ``person`` is None only if the lead was converted but the person could not be
    found after a lost answer (``recovered`` is then True)."""

    person: Json | None
    company: Json | None
    opportunity: Json | None
    recovered: bool = False
