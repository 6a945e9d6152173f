"""What every operation group of the client stands on: the transport, path checks, the
generic record calls (get, update, delete) and search.

``CopperClient`` (``client`` module) is this base plus one mixin per group of operations
(creates and bulk calls, leads, the account's catalog, the OpenAPI names).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Self

from .errors import (
    AuthenticationError,
    CopperError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from .events import ClientStatus, Observer
from .limiter import RateLimits, RetryPolicy
from .recovery import Claims
from .results import BulkItemResult, BulkResult
from .search import MAX_PAGE_SIZE, SearchPage, SearchWalk, default_sort
from .secret import Credentials, Secret
from .transport import Timeouts, Transport

__all__ = ["DEFAULT_BASE_URL", "PLURAL", "SINGULAR", "ClientBase", "Json", "rid", "segment"]

DEFAULT_BASE_URL = "https://api.copper.com/developer_api/v1"
SINGULAR = {
    "people": "person",
    "companies": "company",
    "leads": "lead",
    "opportunities": "opportunity",
    "projects": "project",
    "tasks": "task",
    "activities": "activity",
}
PLURAL = {v: k for k, v in SINGULAR.items()}
_SEGMENT = re.compile(r"^[a-z][a-z_]*$")

Json = dict[str, Any]


def segment(entity: str) -> str:
    """``entity`` checked to be a plain path segment (nothing to smuggle into the URL)."""
    if not _SEGMENT.match(entity):
        raise ValueError(f"not a Copper path segment: {entity!r}")
    return entity


def rid(value: int) -> int:
    """``value`` checked to be a Copper id."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"Copper ids are positive integers, not {value!r}")
    return value


class ClientBase:
    """The transport and the calls every operation group uses."""

    def __init__(
        self,
        email: str,
        token: str | Secret,
        *,
        base_url: str = DEFAULT_BASE_URL,
        limits: RateLimits | None = None,
        retry: RetryPolicy | None = None,
        timeouts: Timeouts | None = None,
        max_connections: int = 10,
        search_cap: int = 100_000,
    ) -> None:
        self.credentials = Credentials.of(email, token)
        self.search_cap = search_cap
        self._t = Transport(
            base_url,
            self.credentials,
            limits=limits or RateLimits(),
            retry=retry or RetryPolicy(),
            timeouts=timeouts or Timeouts(),
            max_connections=max_connections,
        )
        self._claims = Claims(self._t.retry.outcome_wait_s)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, email={self.credentials.email!r})"
        )

    @property
    def base_url(self) -> str:
        return self._t.base_url

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._t.aclose()

    # ------------------------------------------------------------------ observers
    def subscribe(self, observer: Observer) -> Callable[[], None]:
        """Call ``observer`` with every ClientStatus and RetryEvent; returns an unsubscriber.

        Headroom also grows with time alone: a status bar should poll :meth:`status` too."""
        return self._t.subscribe(observer)

    def status(self) -> ClientStatus:
        return self._t.status()

    # ------------------------------------------------------------------ plumbing
    async def _json(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        return (await self._t.call(method, path, body=body, **kw)).data

    @staticmethod
    def _expect(data: Any, kind: type, what: str) -> Any:
        if not isinstance(data, kind):
            raise MalformedResponseError(detail=f"expected {what}")
        return data

    async def _list(self, path: str, params: Mapping[str, Any] | None = None) -> list[Any]:
        return self._expect(await self._json("GET", path, params=params), list, "a list")  # type: ignore[no-any-return]

    def _since(self, sent_at: float) -> float:
        """Earliest server time a request sent at ``sent_at`` could have created something at."""
        return sent_at - (2.0 if self._t.clock_known else 600.0)

    @staticmethod
    def _computed(computed: bool) -> dict[str, Any] | None:
        return {"custom_field_computed_values": True} if computed else None

    # ------------------------------------------------------------------ records
    async def get(self, entity: str, record_id: int, *, computed: bool = False) -> Json:
        path = f"{segment(entity)}/{rid(record_id)}"
        data = await self._json("GET", path, params=self._computed(computed))
        return self._expect(data, dict, "a record")  # type: ignore[no-any-return]

    async def update(
        self, entity: str, record_id: int, changes: Json, *, computed: bool = False
    ) -> Json:
        """PUT is a partial update (only the keys sent change; ``None`` clears)."""
        path = f"{segment(entity)}/{rid(record_id)}"
        data = await self._json("PUT", path, changes, params=self._computed(computed))
        return self._expect(data, dict, "a record")  # type: ignore[no-any-return]

    async def delete(self, entity: str, record_id: int) -> Json:
        path = f"{segment(entity)}/{rid(record_id)}"
        data = await self._delete(path, {"id": record_id, "is_deleted": True})
        return data if isinstance(data, dict) else {"id": record_id, "is_deleted": True}

    async def _delete(self, path: str, result: Json) -> Any:
        """DELETE ``path``; a lost answer is settled by a GET answering 404 (then ``result``)."""

        async def recover(_: float) -> Json | None:
            try:
                await self._json("GET", path)
            except NotFoundError:
                return result
            return None

        return await self._json("DELETE", path, safe=False, recover=recover)

    async def update_many(
        self, entity: str, items: Sequence[Json], *, computed: bool = False
    ) -> BulkResult:
        """Concurrent PUTs (each item carries its ``id``), for entities without bulk_update;
        the limiter paces them. Failures are reported per item."""

        async def one(index: int, item: Json) -> BulkItemResult:
            result = BulkItemResult(index, item)
            changes = {k: v for k, v in item.items() if k != "id"}
            try:
                result.record = await self.update(entity, item["id"], changes, computed=computed)
            except (AuthenticationError, PermissionDeniedError):
                raise
            except ValidationError as err:
                result.errors, result.error = err.errors, err
            except CopperError as err:
                result.error = err
            return result

        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(one(i, item)) for i, item in enumerate(items)]
        return BulkResult([t.result() for t in tasks])

    # ------------------------------------------------------------------ search
    async def search(
        self,
        entity: str,
        filters: Json | None = None,
        *,
        page_number: int = 1,
        page_size: int = MAX_PAGE_SIZE,
        sort_by: str | None = None,
        sort_direction: str | None = None,
        computed: bool = False,
    ) -> SearchPage:
        """One page of ``POST /{entity}/search`` and Copper's total (an upper bound)."""
        body: Json = dict(filters or {})
        body["page_number"] = page_number
        body["page_size"] = page_size
        if sort_by is not None:
            body["sort_by"] = sort_by
        if sort_direction is not None:
            body["sort_direction"] = sort_direction
        answer = await self._t.call(
            "POST", f"{segment(entity)}/search", body=body, params=self._computed(computed)
        )
        records = self._expect(answer.data, list, "a list of records")
        total: int | None = None
        raw = answer.headers.get("x-pw-total")  # httpx headers are case-insensitive
        if raw is not None:
            try:
                total = int(raw.strip())
            except ValueError:
                total = None
        return SearchPage(records, total, page_number, page_size)

    def iter_search(
        self,
        entity: str,
        filters: Json | None = None,
        *,
        sort_by: str | None = None,
        sort_direction: str | None = None,
        page_size: int = MAX_PAGE_SIZE,
        computed: bool = False,
    ) -> SearchWalk:
        """Every matching record, page by page, always with an explicit sort; split by date
        windows past the cap (see SearchWalk.split)."""
        entity = segment(entity)
        sort = (sort_by, sort_direction or "asc") if sort_by else default_sort(entity)

        async def fetch(f: Json, number: int, size: int) -> SearchPage:
            return await self.search(
                entity,
                f,
                page_number=number,
                page_size=size,
                sort_by=sort[0] if sort else None,
                sort_direction=sort[1] if sort else None,
                computed=computed,
            )

        return SearchWalk(entity, dict(filters or {}), fetch, self.search_cap, page_size)

    async def search_all(self, entity: str, filters: Json | None = None, **kw: Any) -> list[Json]:
        return await self.iter_search(entity, filters, **kw).collect()

    async def fetch_person_by_email(self, email: str) -> Json:
        """The person with this email; NotFoundError when there is none."""
        data = await self._json("POST", "people/fetch_by_email", {"email": email})
        return self._expect(data, dict, "a person")  # type: ignore[no-any-return]
