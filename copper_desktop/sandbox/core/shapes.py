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
# Webhook subscription types: Copper calls activities "activity_log" there.
WEBHOOK_TYPES = ("lead", "person", "company", "opportunity", "project", "task", "activity_log")


class EventSink(Protocol):
    """Receives every create, update and delete so the webhooks part can notify subscribers.

    ``entity_type`` is a webhook type (``activity_log`` for activities). ``updated_attributes``
    maps each changed field to ``[old, new]`` in the record's own encoding (updates only).
    Must not block: delivery happens in the background.
    """

    def emit(
        self,
        entity_type: str,
        event: WebhookEvent,
        ids: list[int],
        updated_attributes: dict[str, list[Any]] | None = None,
    ) -> None: ...


class NullEventSink:
    """An event sink that drops everything (for tests of the routes alone)."""

    def emit(
        self,
        entity_type: str,
        event: WebhookEvent,
        ids: list[int],
        updated_attributes: dict[str, list[Any]] | None = None,
    ) -> None:
        return None


@dataclass
class SeedData:
    """Deterministic demo data, in Copper's own JSON shapes (copper-api.md §4, §11).

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
