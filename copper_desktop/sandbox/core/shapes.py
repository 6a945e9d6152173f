"""The shapes the sandbox's parts share, without HTTP: JSON records, webhook events and the
event sink, and the seed data. ``core`` and ``http`` both import these; nothing here imports
them back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Json = dict[str, Any]
WebhookEvent = Literal["new", "update", "delete"]

# Record kinds as Copper names them in related_resource, activity parents and related items.
ENTITY_TYPES = ("person", "company", "lead", "opportunity", "project", "task", "activity")
# The record kinds by the plural Copper's paths use.
PLURALS: dict[str, str] = {
    "people": "person",
    "companies": "company",
    "leads": "lead",
    "opportunities": "opportunity",
    "projects": "project",
    "tasks": "task",
    "activities": "activity",
}
PLURAL_OF: dict[str, str] = {kind: plural for plural, kind in PLURALS.items()}
# Webhook subscription types: Copper calls activities "activity_log" there.
WEBHOOK_TYPES = ("lead", "person", "company", "opportunity", "project", "task", "activity_log")


Changes = dict[str, list[Any]]
"""Each changed field of an update mapped to ``[old, new]`` in the record's own encoding."""


@dataclass(frozen=True)
class RecordEvent:
    """One create, update or delete of records of one type, as webhooks report it.

    ``entity_type`` is a webhook type (``activity_log`` for activities);
    ``updated_attributes`` is set for updates only.
    """

    entity_type: str
    event: WebhookEvent
    ids: list[int]
    updated_attributes: Changes | None = None


class EventSink(Protocol):
    """Receives every RecordEvent so the webhooks part can notify subscribers. Must not block:
    delivery happens in the background."""

    def emit(self, event: RecordEvent) -> None: ...


class NullEventSink:
    """An event sink that drops everything (for tests of the routes alone)."""

    def emit(self, event: RecordEvent) -> None:
        return None


@dataclass
class SeedData:
    """Deterministic demo data, in Copper's own JSON shapes (copper-behaviour.md §4, §11).

    ``users`` carry a ``token`` key the API never shows; the first user has the config's
    email and token. ``batches()`` yields ``(kind, records)`` in an order that keeps
    references valid: kinds are the ENTITY_TYPES, ``"webhook"`` and ``"relation"`` (a relation
    is ``{"a_type", "a_id", "b_type", "b_id"}``, stored once, read both ways).
    """

    account: Json
    users: list[Json]
    contact_types: list[Json]
    lead_statuses: list[Json]
    customer_sources: list[Json]
    loss_reasons: list[Json]
    activity_types: dict[str, list[Json]]
    custom_activity_types: list[Json]
    pipelines: list[Json]
    custom_field_definitions: list[Json]
    batches: Callable[[], Iterator[tuple[str, list[Json]]]] = field(repr=False)
