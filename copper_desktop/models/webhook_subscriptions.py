"""The webhooks page's requests: list the account's subscriptions, create one, delete one, so
that neither the page nor its dialog calls the client itself.

No Qt: the page runs these coroutines with its `ActionRunner`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

Json = dict[str, Any]
ListWebhooks = Callable[[], Awaitable[list[Json]]]
"""``CopperClient.list_webhooks`` (or a stand-in): the subscriptions, as Copper lists them."""


class WebhookCreator(Protocol):
    """What the new-webhook dialog needs (``CopperClient`` has it)."""

    async def create_webhook(self, body: Json) -> Json: ...


class WebhookClient(WebhookCreator, Protocol):
    """What create and delete need (``CopperClient`` has it)."""

    async def delete_webhook(self, webhook_id: int) -> Json: ...


class WebhookAccount(WebhookClient, Protocol):
    """All three calls (``CopperClient``): what the window's webhooks page is made from."""

    async def list_webhooks(self) -> list[Json]: ...


class WebhookSubscriptions:
    """The subscriptions' calls. Without a client (the read-only form) only `load` works:
    `can_change` is False and the page hides New and Delete."""

    def __init__(self, list_webhooks: ListWebhooks, client: WebhookClient | None = None) -> None:
        self._list = list_webhooks
        self._client = client

    @classmethod
    def of(cls, client: WebhookAccount) -> WebhookSubscriptions:
        """List, create and delete through `client`."""
        return cls(client.list_webhooks, client)

    @property
    def can_change(self) -> bool:
        return self._client is not None

    def load(self) -> Awaitable[list[Json]]:
        return self._list()

    async def create(self, body: Json) -> Json:
        """POST /webhooks (the client checks a lost create's outcome before any retry)."""
        return await self._changer().create_webhook(body)

    async def delete(self, webhook_id: int) -> Json:
        return await self._changer().delete_webhook(webhook_id)

    def _changer(self) -> WebhookClient:
        if self._client is None:
            raise RuntimeError("this webhooks list is read-only (no client)")
        return self._client


__all__ = [
    "ListWebhooks",
    "WebhookAccount",
    "WebhookClient",
    "WebhookCreator",
    "WebhookSubscriptions",
]
