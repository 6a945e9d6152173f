"""The answers other than 200 that Copper's rules raise, rendered by the HTTP routes as Copper's
error envelope (copper-behaviour.md §9)."""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]

VALIDATION_PREFIX = "Invalid input: Validation errors: "


def label(field: str) -> str:
    """Copper's field label in messages: ``company_id`` -> ``Company Id``."""
    return " ".join(w.capitalize() for w in field.split("_")) or "Base"


class ApiError(Exception):
    """An answer other than 200: rendered as Copper's error envelope by the routes."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class NotFound(ApiError):
    def __init__(self) -> None:
        super().__init__(404, "Resource not found")


class Invalid(ApiError):
    """A 422 with one or more ``(field, message)`` pairs (field ``base`` for the whole body)."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        text = "\n".join(f"{label(f) if f != 'base' else 'Base'}: {m}" for f, m in errors)
        super().__init__(422, VALIDATION_PREFIX + text)

    def as_bulk(self) -> Json:
        """The per-item ``message`` of a failed bulk item: ``{field: [{"error": ...}]}``."""
        out: dict[str, list[Json]] = {}
        for f, m in self.errors:
            out.setdefault(f, []).append({"error": m})
        return out


def unknown_keys_error(keys: list[str]) -> Invalid:
    return Invalid([("base", f"Unrecognized attributes specified: {', '.join(keys)}")])
