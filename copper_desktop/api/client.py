"""The one async client through which the app talks to Copper.

Design
======

Transport. One ``httpx.AsyncClient`` (one connection pool, TLS verification always on, no
redirects followed, connect/read/write timeouts) behind one :class:`SlidingWindowLimiter`
(170 requests per rolling 60 s by default, under Copper's 180) and a second one for bulk
endpoints (3 per second). Every request waits its turn there, so ordinary work never meets a
429; a 429 anyway pauses the whole client (``Retry-After`` when sent, else exponential backoff
with jitter) and observers see "rate limited, retrying in N s".

Retries and duplicates. A request whose answer is lost may or may not have taken effect.

* Reads and idempotent writes (GET, PUT, searches, ``bulk_update``, lead upsert) are simply sent
  again, a bounded number of times, with backoff, on 5xx, timeouts, dropped connections and
  unreadable answers.
* Creates, ``bulk_create``, conversions, deletes and related-item changes are **never sent
  twice blindly**. When their outcome is unknown (timeout, connection dropped after sending, 5xx,
  an unreadable 200), the client waits one backoff step (a slow server may still be committing)
  and then *looks* for the effect before retrying:

  - people with an email: ``fetch_by_email`` (Copper keeps person emails unique);
  - other records: a search on the unique or identifying keys sent (name, lead email, company
    email domain, parent and type for activities) limited to records created since just before
    the request (Copper's clock, learnt from each answer's ``Date`` header), then a client-side
    match on the name, the ids sent (assignee, pipeline, contact type...) and the details; the
    newest match wins;
  - custom field definitions, custom activity types, webhooks, related links (no created date):
    the ids listed just before the create are compared with those after;
  - lead conversion: whether the lead is hidden from default searches but still found with
    ``include_converted_leads``, and the person whose ``leads_converted_from`` names the lead
    (by the lead's email, else by name and created date), with its company and opportunity;
  - deletes: a GET answering 404; related items: the related list.

  Found: the found record is returned (flagged ``recovered``) and nothing is sent again. Not
  found: the request is sent again (within the retry budget). The check itself failing raises
  :class:`OutcomeUnknownError`, asking the user to look before trying again. The one remaining
  window, a server that commits *after* the check, is narrowed by waiting before checking and is
  a risk the app accepts over failing every lost answer. A 429, or a failure before sending
  (refused connection, connect timeout), means nothing happened: every request is retried then.

Credentials. The token lives in a :class:`Secret` and is added to each request by an httpx
auth hook, so no client header, repr, log line or error message holds it; exceptions httpx
raises get their request replaced by a redacted copy before they are chained. Plain http is
refused for every host but loopback.

Cancellation. Cancelling the awaiting task cancels the request (httpx closes the connection),
frees its connection slot and, if it was still queued, its limiter place; a request already
sent keeps its place, since Copper may have counted it.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from typing import Any, Self

from .errors import (
    AuthenticationError,
    CopperError,
    MalformedResponseError,
    NotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    RequestTimeoutError,
    ValidationError,
    field_errors_from_item,
)
from .events import ClientStatus, Observer, RetryEvent
from .limiter import RateLimits, RetryPolicy
from .results import BulkItemResult, BulkResult, ConversionResult
from .search import MAX_DATE, MAX_PAGE_SIZE, SearchPage, SearchWalk, default_sort
from .secret import Credentials, Secret
from .transport import Answer, Recover, Timeouts, Transport

__all__ = ["BULK_CHUNK", "DEFAULT_BASE_URL", "SINGULAR", "CopperClient"]

DEFAULT_BASE_URL = "https://api.copper.com/developer_api/v1"
BULK_CHUNK = 10
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
_MATCH_IDS = (
    "assignee_id",
    "contact_type_id",
    "pipeline_id",
    "pipeline_stage_id",
    "primary_contact_id",
    "customer_source_id",
    "status_id",
    "custom_activity_type_id",
)
_RECOVERY_SCAN = 1000
"""At most this many recently created records are scanned when looking for a lost create."""

Json = dict[str, Any]


def _segment(entity: str) -> str:
    if not _SEGMENT.match(entity):
        raise ValueError(f"not a Copper path segment: {entity!r}")
    return entity


def _rid(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"Copper ids are positive integers, not {value!r}")
    return value


def _norm(text: Any) -> str:
    return " ".join(unicodedata.normalize("NFKC", str(text)).split()).casefold()


def _emails(body: Json) -> list[str]:
    out = []
    for e in body.get("emails") or []:
        if isinstance(e, dict) and isinstance(e.get("email"), str) and e["email"].strip():
            out.append(e["email"].strip().lower())
    email = body.get("email")
    if isinstance(email, dict) and isinstance(email.get("email"), str) and email["email"].strip():
        out.append(email["email"].strip().lower())
    return out


def _matches(body: Json, record: Json, since: float) -> bool:
    """Whether ``record`` is what creating ``body`` at ``since`` would have produced."""
    created = record.get("date_created")
    if isinstance(created, int | float) and created < since:
        return False
    name = body.get("name")
    if isinstance(name, str) and name.strip() and _norm(record.get("name") or "") != _norm(name):
        return False
    for key in _MATCH_IDS:
        want, have = body.get(key), record.get(key)
        if want is not None and have is not None and want != have:
            return False
    wanted = set(_emails(body))
    if wanted and not wanted <= set(_emails(record)):
        return False
    details = body.get("details")
    theirs = record.get("details")
    return not (
        isinstance(details, str) and isinstance(theirs, str) and _norm(details) != _norm(theirs)
    )


def _newest(records: Sequence[Json]) -> Json | None:
    if not records:
        return None
    return max(records, key=lambda r: (r.get("date_created") or 0, r.get("id") or 0))


def _from_lead(record: Json, lead_id: int) -> bool | None:
    """True/False when ``leads_converted_from`` says; None when the record does not say."""
    sources = record.get("leads_converted_from")
    if not sources:
        return None
    return any(s == lead_id or (isinstance(s, dict) and s.get("lead_id") == lead_id)
               for s in sources)  # fmt: skip


class CopperClient:
    """Async client for the Copper Developer API; use as ``async with CopperClient(...)``.

    Entities are plain path segments (``"people"``, ``"leads"``...). Records are Copper's JSON
    objects, passed through untouched (unknown keys kept).
    """

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

    def __repr__(self) -> str:
        return f"CopperClient(base_url={self.base_url!r}, email={self.credentials.email!r})"

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
    async def _call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        params: Mapping[str, Any] | None = None,
        bulk: bool = False,
        safe: bool = True,
        recover: Recover | None = None,
    ) -> Answer:
        return await self._t.call(
            method, path, body=body, params=params, bulk=bulk, safe=safe, recover=recover
        )

    async def _json(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        return (await self._call(method, path, body, **kw)).data

    @staticmethod
    def _expect(data: Any, kind: type, what: str) -> Any:
        if not isinstance(data, kind):
            raise MalformedResponseError(detail=f"expected {what}")
        return data

    def _since(self, sent_at: float) -> float:
        """Earliest server time the lost request could have created something at."""
        return sent_at - (2.0 if self._t.clock_known else 600.0)

    @staticmethod
    def _computed(computed: bool) -> dict[str, Any] | None:
        return {"custom_field_computed_values": True} if computed else None

    # ------------------------------------------------------------------ records
    async def get(self, entity: str, record_id: int, *, computed: bool = False) -> Json:
        path = f"{_segment(entity)}/{_rid(record_id)}"
        data = await self._json("GET", path, params=self._computed(computed))
        return self._expect(data, dict, "a record")  # type: ignore[no-any-return]

    async def create(self, entity: str, body: Json, *, computed: bool = False) -> Json:
        """Create one record; a lost answer is checked, never blindly re-sent."""
        entity = _segment(entity)

        async def recover(sent_at: float) -> Json | None:
            return await self._find_created(entity, body, self._since(sent_at))

        answer = await self._call(
            "POST", entity, body, params=self._computed(computed), safe=False, recover=recover
        )
        return self._expect(answer.data, dict, "a record")  # type: ignore[no-any-return]

    async def update(
        self, entity: str, record_id: int, changes: Json, *, computed: bool = False
    ) -> Json:
        """PUT is a partial update (only the keys sent change; ``None`` clears)."""
        path = f"{_segment(entity)}/{_rid(record_id)}"
        data = await self._json("PUT", path, changes, params=self._computed(computed))
        return self._expect(data, dict, "a record")  # type: ignore[no-any-return]

    async def delete(self, entity: str, record_id: int) -> Json:
        path = f"{_segment(entity)}/{_rid(record_id)}"

        async def recover(_: float) -> Json | None:
            return await self._gone(path, {"id": record_id, "is_deleted": True})

        data = await self._json("DELETE", path, safe=False, recover=recover)
        return data if isinstance(data, dict) else {"id": record_id, "is_deleted": True}

    async def _gone(self, path: str, result: Json) -> Json | None:
        try:
            await self._json("GET", path)
        except NotFoundError:
            return result
        return None

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
        answer = await self._call(
            "POST", f"{_segment(entity)}/search", body, params=self._computed(computed)
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
        entity = _segment(entity)
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

    # ------------------------------------------------------------------ people and leads
    async def fetch_person_by_email(self, email: str) -> Json:
        """The person with this email; NotFoundError when there is none."""
        data = await self._json("POST", "people/fetch_by_email", {"email": email})
        return self._expect(data, dict, "a person")  # type: ignore[no-any-return]

    async def upsert_lead(self, properties: Json, match_field: str, match_value: Any) -> Json:
        """Create or update the lead matching ``match_field`` ("email", "name" or "custom";
        for "custom" the value is ``{"custom_field_definition_id", "value"}``). Idempotent."""
        body = {"properties": properties,
                "match": {"field_name": match_field, "field_value": match_value}}  # fmt: skip
        data = await self._json("PUT", "leads/upsert", body)
        return self._expect(data, dict, "a lead")  # type: ignore[no-any-return]

    async def convert_lead(
        self,
        lead_id: int,
        *,
        person: Json | None = None,
        company: Json | None = None,
        opportunity: Json | None = None,
    ) -> ConversionResult:
        """Convert a lead. ``company`` is ``{"id": ..}`` or ``{"name": ..}`` (exact match is
        asked for); no ``opportunity`` means none is created. Never converts twice."""
        details: Json = {}
        if person:
            details["person"] = dict(person)
        if company is not None:
            details["company"] = dict(company)
            if "name" in company and "exact_match" not in company:
                details["company"]["exact_match"] = True
        if opportunity is not None:
            details["opportunity"] = dict(opportunity)
        path = f"leads/{_rid(lead_id)}/convert"

        async def recover(sent_at: float) -> ConversionResult | None:
            return await self._find_conversion(lead_id, details, self._since(sent_at))

        answer = await self._call("POST", path, {"details": details}, safe=False, recover=recover)
        if answer.recovered:
            return answer.data  # type: ignore[no-any-return]
        return await self._conversion_from(answer.data)

    async def _conversion_from(self, data: Any) -> ConversionResult:
        """Accept both answer shapes: full objects, or only ``*_id`` keys (then fetch)."""
        data = self._expect(data, dict, "a conversion result")
        found: dict[str, Json | None] = {}
        for kind in ("person", "company", "opportunity"):
            obj = data.get(kind)
            rid = data.get(f"{kind}_id")
            if isinstance(obj, dict) and obj.get("id") is not None and set(obj) - {"id"}:
                found[kind] = obj
            elif rid is None and isinstance(obj, dict):
                rid = obj.get("id")
            if kind not in found:
                found[kind] = await self.get(PLURAL[kind], rid) if isinstance(rid, int) else None
        if found["person"] is None:
            raise MalformedResponseError(detail="the conversion answer named no person")
        return ConversionResult(found["person"], found["company"], found["opportunity"])

    # ------------------------------------------------------------------ bulk
    async def bulk_update(self, entity: str, items: Sequence[Json]) -> BulkResult:
        """``POST /{entity}/bulk_update`` in chunks of 10 (each item has its ``id``); results
        map back to ``items`` by index. Safe to retry: an update applied twice is one update."""
        entity = _segment(entity)

        async def chunk(start: int, part: list[Json]) -> list[BulkItemResult]:
            try:
                answer = await self._call(
                    "POST", f"{entity}/bulk_update", {entity: part}, bulk=True
                )
            except (AuthenticationError, PermissionDeniedError):
                raise
            except CopperError as err:
                return self._failed(start, part, err)
            return self._map_bulk(start, part, answer.data)

        return await self._chunks(items, chunk)

    async def bulk_create(self, entity: str, items: Sequence[Json]) -> BulkResult:
        """``POST /{entity}/bulk_create`` in chunks of 10; results map back to ``items``.

        When a chunk's answer is lost, each of its items is looked for (as for ``create``);
        found ones are reported ``recovered`` and only the others are sent again."""
        entity = _segment(entity)
        policy = self._t.retry.transient

        async def chunk(start: int, part: list[Json]) -> list[BulkItemResult]:
            results = [BulkItemResult(start + i, it) for i, it in enumerate(part)]
            pending = list(range(len(part)))
            for retry in range(policy.max_retries + 1):
                sent_at = self._t.server_now()
                body = {entity: [part[i] for i in pending]}
                try:
                    answer = await self._call(
                        "POST", f"{entity}/bulk_create", body, bulk=True, safe=False
                    )
                except (AuthenticationError, PermissionDeniedError):
                    raise
                except OutcomeUnknownError as err:
                    lost_error: CopperError = err
                except CopperError as err:
                    for i in pending:
                        self._fail(results[i], err)
                    return results
                else:
                    mapped = self._map_bulk(0, [part[i] for i in pending], answer.data)
                    for i, m in zip(pending, mapped, strict=True):
                        m.index, m.item = start + i, part[i]
                        results[i] = m
                    return results
                delay = policy.delay(retry)
                if isinstance(lost_error.__cause__, RequestTimeoutError):
                    delay = max(delay, self._t.retry.settle_s)
                self._t._emit(RetryEvent("network", delay, retry + 1, "POST",
                                         f"{entity}/bulk_create", True))  # fmt: skip
                await asyncio.sleep(delay)
                since = self._since(sent_at)
                still: list[int] = []
                for i in pending:
                    try:
                        found = await self._find_created(entity, part[i], since)
                    except CopperError as check:
                        self._fail(results[i], OutcomeUnknownError(detail=check.message))
                        continue
                    if found is None:
                        still.append(i)
                    else:
                        results[i].record, results[i].recovered = found, True
                pending = still
                if not pending:
                    return results
            for i in pending:
                self._fail(results[i], lost_error)
            return results

        return await self._chunks(items, chunk)

    async def _chunks(
        self,
        items: Sequence[Json],
        run: Callable[[int, list[Json]], Coroutine[Any, Any, list[BulkItemResult]]],
    ) -> BulkResult:
        async with asyncio.TaskGroup() as tg:
            tasks = [
                tg.create_task(run(start, list(items[start : start + BULK_CHUNK])))
                for start in range(0, len(items), BULK_CHUNK)
            ]
        return BulkResult([r for t in tasks for r in t.result()])

    @staticmethod
    def _fail(result: BulkItemResult, err: CopperError) -> None:
        result.error = err
        if isinstance(err, ValidationError):
            result.errors = list(err.errors)

    def _failed(self, start: int, part: list[Json], err: CopperError) -> list[BulkItemResult]:
        out = [BulkItemResult(start + i, it) for i, it in enumerate(part)]
        for r in out:
            self._fail(r, err)
        return out

    @staticmethod
    def _map_bulk(start: int, part: list[Json], data: Any) -> list[BulkItemResult]:
        """Per-item results are in request order: a record (numeric ``id``, no
        ``success: false``) or ``{"success": false, "message": ...}``."""
        if not isinstance(data, list):
            raise MalformedResponseError(detail="expected a list of per-item results")
        out = []
        for i, item in enumerate(part):
            result = BulkItemResult(start + i, item)
            got = data[i] if i < len(data) else None
            if (
                isinstance(got, dict)
                and got.get("success") is not False
                and isinstance(got.get("id"), int)
            ):
                result.record = got
            elif isinstance(got, dict):
                result.errors = field_errors_from_item(got.get("message", got.get("error")))
            else:
                result.error = MalformedResponseError(detail="no result for this item")
            out.append(result)
        return out

    # ------------------------------------------------------------------ finding lost creates
    async def _find_created(self, entity: str, body: Json, since: float) -> Json | None:
        """The record a lost ``create(entity, body)`` made, or None (see module docstring)."""
        if entity == "activities":
            return await self._find_activity(body, since)
        emails = _emails(body)
        if entity == "people" and emails:
            # Person emails are unique in Copper: the email alone settles it.
            for email in emails:
                try:
                    person = await self.fetch_person_by_email(email)
                except NotFoundError:
                    continue
                return person if _matches(body, person, since) else None
            return None
        filters: Json = {"minimum_created_date": max(0, int(since))}
        name = body.get("name")
        if entity in ("people", "companies", "leads", "projects", "opportunities") and (
            isinstance(name, str) and name.strip()
        ):
            filters["name"] = name.strip()
        if entity == "leads" and emails:
            filters["emails"] = emails[0]
        if entity == "companies" and isinstance(body.get("email_domain"), str):
            filters["email_domains"] = [body["email_domain"]]
        if isinstance(body.get("assignee_id"), int):
            filters["assignee_ids"] = [body["assignee_id"]]
        candidates: list[Json] = []
        walk = self.iter_search(entity, filters, sort_by="date_created", sort_direction="desc")
        async for record in walk:
            if _matches(body, record, since):
                candidates.append(record)
            if len(walk._seen) >= _RECOVERY_SCAN:
                break
        return _newest(candidates)

    async def _find_activity(self, body: Json, since: float) -> Json | None:
        filters: Json = {}
        if isinstance(body.get("parent"), dict):
            filters["parent"] = body["parent"]
        if isinstance(body.get("type"), dict):
            filters["activity_types"] = [body["type"]]
        when = body.get("activity_date")
        if isinstance(when, int):
            filters["minimum_activity_date"] = when
            filters["maximum_activity_date"] = min(when, MAX_DATE)
        else:
            filters["minimum_activity_date"] = max(0, int(since))
        candidates = [
            r
            for r in await self.iter_search("activities", filters).collect()
            if _matches(body, r, since)
        ]
        return _newest(candidates)

    async def _find_new(
        self,
        listing: Callable[[], Awaitable[list[Json]]],
        before: set[int],
        match: Callable[[Json], bool],
    ) -> Json | None:
        new = [r for r in await listing() if r.get("id") not in before and match(r)]
        return max(new, key=lambda r: r.get("id") or 0) if new else None

    async def _create_listed(
        self,
        path: str,
        body: Json,
        listing: Callable[[], Awaitable[list[Json]]],
        match: Callable[[Json], bool],
    ) -> Json:
        """Create something without a created date: ids listed before are the reference."""
        before = {r.get("id") for r in await listing() if isinstance(r.get("id"), int)}

        async def recover(_: float) -> Json | None:
            return await self._find_new(listing, before, match)  # type: ignore[arg-type]

        data = await self._json("POST", path, body, safe=False, recover=recover)
        return self._expect(data, dict, "the created item")  # type: ignore[no-any-return]

    async def _find_conversion(
        self, lead_id: int, details: Json, since: float
    ) -> ConversionResult | None:
        every = await self.search("leads", {"ids": [lead_id], "include_converted_leads": True})
        if not every.records:
            return None  # the lead is gone: sending again gives the real error
        lead = every.records[0]
        visible = await self.search("leads", {"ids": [lead_id]})
        person = await self._converted_person(lead, details, since)
        if person is None:
            if visible.records:
                return None  # not converted: send again
            return ConversionResult(None, None, None, recovered=True)
        company = None
        if isinstance(person.get("company_id"), int):
            try:
                company = await self.get("companies", person["company_id"])
            except NotFoundError:
                company = None
        opportunity = None
        if "opportunity" in details:
            opps = await self.iter_search(
                "opportunities",
                {"person_ids": [person["id"]], "minimum_created_date": max(0, int(since))},
            ).collect()
            linked = [o for o in opps if _from_lead(o, lead_id) is not False]
            opportunity = _newest(linked)
        return ConversionResult(person, company, opportunity, recovered=True)

    async def _converted_person(self, lead: Json, details: Json, since: float) -> Json | None:
        lead_id = lead["id"]

        def made_from_lead(p: Json) -> bool:
            said = _from_lead(p, lead_id)
            if said is not None:
                return said
            created = p.get("date_created")
            return isinstance(created, int | float) and created >= since

        email = (
            (lead.get("email") or {}).get("email") if isinstance(lead.get("email"), dict) else None
        )
        if isinstance(email, str) and email:
            try:
                person = await self.fetch_person_by_email(email)
            except NotFoundError:
                return None
            return person if made_from_lead(person) else None
        name = (details.get("person") or {}).get("name") or lead.get("name")
        filters: Json = {"minimum_created_date": max(0, int(since))}
        if isinstance(name, str) and name.strip():
            filters["name"] = name.strip()
        people = await self.iter_search("people", filters).collect()
        return _newest([p for p in people if _from_lead(p, lead_id)])

    # ------------------------------------------------------------------ related items
    async def related_items(
        self, entity: str, record_id: int, other: str | None = None
    ) -> list[Json]:
        """``[{id, type}]`` related to a record, optionally only one kind (plural, e.g.
        ``"opportunities"``)."""
        path = f"{_segment(entity)}/{_rid(record_id)}/related"
        if other:
            path += f"/{_segment(other)}"
        return self._expect(await self._json("GET", path), list, "a list")  # type: ignore[no-any-return]

    async def add_related(
        self, entity: str, record_id: int, resource_type: str, resource_id: int
    ) -> Json:
        """Relate two records (``resource_type`` singular, e.g. ``"opportunity"``)."""
        resource = {"id": _rid(resource_id), "type": resource_type}
        path = f"{_segment(entity)}/{_rid(record_id)}/related"

        async def recover(_: float) -> Json | None:
            if await self._is_related(entity, record_id, resource):
                return {"added": True, "resource": resource}
            return None

        data = await self._json("POST", path, {"resource": resource}, safe=False, recover=recover)
        return self._expect(data, dict, "a result")  # type: ignore[no-any-return]

    async def remove_related(
        self, entity: str, record_id: int, resource_type: str, resource_id: int
    ) -> Json:
        resource = {"id": _rid(resource_id), "type": resource_type}
        path = f"{_segment(entity)}/{_rid(record_id)}/related"

        async def recover(_: float) -> Json | None:
            if not await self._is_related(entity, record_id, resource):
                return {"removed": True, "resource": resource}
            return None

        data = await self._json("DELETE", path, {"resource": resource}, safe=False, recover=recover)
        return self._expect(data, dict, "a result")  # type: ignore[no-any-return]

    async def _is_related(self, entity: str, record_id: int, resource: Json) -> bool:
        items = await self.related_items(entity, record_id)
        return any(
            i.get("id") == resource["id"] and i.get("type") == resource["type"] for i in items
        )

    async def related_links(
        self,
        *,
        custom_field_definition_id: int | None = None,
        source_type: str | None = None,
        source_id: int | None = None,
    ) -> list[Json]:
        """Connect-field links (``GET /related_links``)."""
        params = {"custom_field_definition_id": custom_field_definition_id,
                  "source_type": source_type, "source_id": source_id}  # fmt: skip
        return self._expect(  # type: ignore[no-any-return]
            await self._json("GET", "related_links", params=params), list, "a list"
        )

    async def create_related_link(self, body: Json) -> Json:
        source = body.get("source") or {}
        target = body.get("target") or {}

        async def listing() -> list[Json]:
            return await self.related_links(
                custom_field_definition_id=body.get("custom_field_definition_id"),
                source_type=source.get("entity_type"),
                source_id=source.get("id"),
            )

        def match(link: Json) -> bool:
            return (link.get("target") or {}).get("id") == target.get("id")

        return await self._create_listed("related_links", body, listing, match)

    async def delete_related_link(self, link_id: int) -> Json:
        data = await self._json("DELETE", f"related_links/{_rid(link_id)}")
        return self._expect(data, dict, "a result")  # type: ignore[no-any-return]

    # ------------------------------------------------------------------ activities
    async def record_activities(
        self,
        entity: str,
        record_id: int,
        activity_types: Sequence[Json] | None = None,
        *,
        page_number: int | None = None,
        page_size: int | None = None,
    ) -> list[Json]:
        """Activities of a lead, person or company (``POST /{entity}/{id}/activities``)."""
        body: Json = {}
        if activity_types is not None:
            body["activity_types"] = list(activity_types)
        if page_number is not None:
            body["page_number"] = page_number
        if page_size is not None:
            body["page_size"] = page_size
        path = f"{_segment(entity)}/{_rid(record_id)}/activities"
        return self._expect(await self._json("POST", path, body), list, "a list")  # type: ignore[no-any-return]

    # ------------------------------------------------------------------ account and users
    async def account(self) -> Json:
        return self._expect(await self._json("GET", "account"), dict, "the account")  # type: ignore[no-any-return]

    async def me(self) -> Json:
        """The key's owner (also the cheapest check that the credentials work)."""
        return self._expect(await self._json("GET", "users/me"), dict, "a user")  # type: ignore[no-any-return]

    async def get_user(self, user_id: int) -> Json:
        data = await self._json("GET", f"users/{_rid(user_id)}")
        return self._expect(data, dict, "a user")  # type: ignore[no-any-return]

    async def search_users(self, *, page_number: int = 1, page_size: int = 200) -> list[Json]:
        body = {"page_number": page_number, "page_size": page_size}
        return self._expect(await self._json("POST", "users/search", body), list, "a list")  # type: ignore[no-any-return]

    async def all_users(self) -> list[Json]:
        users: list[Json] = []
        page = 1
        while True:
            batch = await self.search_users(page_number=page, page_size=200)
            users.extend(batch)
            if len(batch) < 200:
                return users
            page += 1

    # ------------------------------------------------------------------ lookups
    async def _list(self, path: str, params: Mapping[str, Any] | None = None) -> list[Any]:
        return self._expect(await self._json("GET", path, params=params), list, "a list")  # type: ignore[no-any-return]

    async def pipelines(self) -> list[Json]:
        return await self._list("pipelines")

    async def pipeline_stages(self, pipeline_id: int | None = None) -> list[Json]:
        if pipeline_id is None:
            return await self._list("pipeline_stages")
        return await self._list(f"pipeline_stages/pipeline/{_rid(pipeline_id)}")

    async def contact_types(self) -> list[Json]:
        return await self._list("contact_types")

    async def lead_statuses(self) -> list[Json]:
        return await self._list("lead_statuses")

    async def customer_sources(self) -> list[Json]:
        return await self._list("customer_sources")

    async def loss_reasons(self) -> list[Json]:
        return await self._list("loss_reasons")

    async def activity_types(self) -> dict[str, list[Json]]:
        """Keyed by category (``"user"``, ``"system"``); a plain list is grouped likewise."""
        data = await self._json("GET", "activity_types")
        if isinstance(data, list):
            grouped: dict[str, list[Json]] = {}
            for t in data:
                if isinstance(t, dict):
                    grouped.setdefault(str(t.get("category")), []).append(t)
            return grouped
        return self._expect(data, dict, "activity types by category")  # type: ignore[no-any-return]

    async def tags(
        self,
        *,
        sort_by: str | None = None,
        tag_names_only: bool = False,
        last_tag_value: str | None = None,
    ) -> list[Any]:
        """Tag summaries, or names with ``tag_names_only``; ``last_tag_value`` pages on."""
        params = {"sort_by": sort_by, "tag_names_only": tag_names_only or None,
                  "last_tag_value": last_tag_value}  # fmt: skip
        return await self._list("tags", params)

    # custom field definitions
    async def custom_field_definitions(self) -> list[Json]:
        return await self._list("custom_field_definitions")

    async def get_custom_field_definition(self, definition_id: int) -> Json:
        data = await self._json("GET", f"custom_field_definitions/{_rid(definition_id)}")
        return self._expect(data, dict, "a definition")  # type: ignore[no-any-return]

    async def create_custom_field_definition(self, body: Json) -> Json:
        def match(d: Json) -> bool:
            return _norm(d.get("name") or "") == _norm(body.get("name") or "") and (
                d.get("data_type") == body.get("data_type")
            )

        return await self._create_listed(
            "custom_field_definitions", body, self.custom_field_definitions, match
        )

    async def update_custom_field_definition(self, definition_id: int, changes: Json) -> Json:
        path = f"custom_field_definitions/{_rid(definition_id)}"
        return self._expect(await self._json("PUT", path, changes), dict, "a definition")  # type: ignore[no-any-return]

    async def delete_custom_field_definition(self, definition_id: int) -> Json:
        path = f"custom_field_definitions/{_rid(definition_id)}"

        async def recover(_: float) -> Json | None:
            return await self._gone(path, {"id": definition_id, "is_deleted": True})

        data = await self._json("DELETE", path, safe=False, recover=recover)
        return self._expect(data, dict, "a result")  # type: ignore[no-any-return]

    # custom activity types
    async def custom_activity_types(self) -> list[Json]:
        return await self._list("custom_activity_types")

    async def get_custom_activity_type(self, type_id: int) -> Json:
        data = await self._json("GET", f"custom_activity_types/{_rid(type_id)}")
        return self._expect(data, dict, "an activity type")  # type: ignore[no-any-return]

    async def create_custom_activity_type(self, body: Json) -> Json:
        def match(t: Json) -> bool:
            return _norm(t.get("name") or "") == _norm(body.get("name") or "")

        return await self._create_listed(
            "custom_activity_types", body, self.custom_activity_types, match
        )

    async def update_custom_activity_type(self, type_id: int, changes: Json) -> Json:
        path = f"custom_activity_types/{_rid(type_id)}"
        return self._expect(await self._json("PUT", path, changes), dict, "an activity type")  # type: ignore[no-any-return]

    # ------------------------------------------------------------------ webhooks
    async def list_webhooks(self) -> list[Json]:
        return await self._list("webhooks")

    async def get_webhook(self, webhook_id: int) -> Json:
        data = await self._json("GET", f"webhooks/{_rid(webhook_id)}")
        return self._expect(data, dict, "a subscription")  # type: ignore[no-any-return]

    async def create_webhook(self, body: Json) -> Json:
        def match(w: Json) -> bool:
            return all(w.get(k) == body.get(k) for k in ("target", "type", "event"))

        return await self._create_listed("webhooks", body, self.list_webhooks, match)

    async def update_webhook(self, webhook_id: int, changes: Json) -> Json:
        data = await self._json("PUT", f"webhooks/{_rid(webhook_id)}", changes)
        return self._expect(data, dict, "a subscription")  # type: ignore[no-any-return]

    async def delete_webhook(self, webhook_id: int) -> Json:
        path = f"webhooks/{_rid(webhook_id)}"

        async def recover(_: float) -> Json | None:
            return await self._gone(path, {"id": webhook_id})

        data = await self._json("DELETE", path, safe=False, recover=recover)
        return self._expect(data, dict, "a result")  # type: ignore[no-any-return]

    # ------------------------------------------------------------------ OpenAPI operations
    # One method per operationId of copper-openapi.yaml, over the generic calls above.
    async def search_people(self, filters: Json | None = None, **kw: Any) -> SearchPage:
        return await self.search("people", filters, **kw)

    async def create_person(self, body: Json) -> Json:
        return await self.create("people", body)

    async def get_person(self, person_id: int) -> Json:
        return await self.get("people", person_id)

    async def update_person(self, person_id: int, changes: Json) -> Json:
        return await self.update("people", person_id, changes)

    async def delete_person(self, person_id: int) -> Json:
        return await self.delete("people", person_id)

    async def search_companies(self, filters: Json | None = None, **kw: Any) -> SearchPage:
        return await self.search("companies", filters, **kw)

    async def create_company(self, body: Json) -> Json:
        return await self.create("companies", body)

    async def get_company(self, company_id: int) -> Json:
        return await self.get("companies", company_id)

    async def update_company(self, company_id: int, changes: Json) -> Json:
        return await self.update("companies", company_id, changes)

    async def delete_company(self, company_id: int) -> Json:
        return await self.delete("companies", company_id)

    async def search_leads(self, filters: Json | None = None, **kw: Any) -> SearchPage:
        return await self.search("leads", filters, **kw)

    async def create_lead(self, body: Json) -> Json:
        return await self.create("leads", body)

    async def get_lead(self, lead_id: int) -> Json:
        return await self.get("leads", lead_id)

    async def update_lead(self, lead_id: int, changes: Json) -> Json:
        return await self.update("leads", lead_id, changes)

    async def delete_lead(self, lead_id: int) -> Json:
        return await self.delete("leads", lead_id)

    async def search_opportunities(self, filters: Json | None = None, **kw: Any) -> SearchPage:
        return await self.search("opportunities", filters, **kw)

    async def create_opportunity(self, body: Json) -> Json:
        return await self.create("opportunities", body)

    async def get_opportunity(self, opportunity_id: int) -> Json:
        return await self.get("opportunities", opportunity_id)

    async def update_opportunity(self, opportunity_id: int, changes: Json) -> Json:
        return await self.update("opportunities", opportunity_id, changes)

    async def delete_opportunity(self, opportunity_id: int) -> Json:
        return await self.delete("opportunities", opportunity_id)

    async def search_tasks(self, filters: Json | None = None, **kw: Any) -> SearchPage:
        return await self.search("tasks", filters, **kw)

    async def create_task(self, body: Json) -> Json:
        return await self.create("tasks", body)

    async def get_task(self, task_id: int) -> Json:
        return await self.get("tasks", task_id)

    async def update_task(self, task_id: int, changes: Json) -> Json:
        return await self.update("tasks", task_id, changes)

    async def delete_task(self, task_id: int) -> Json:
        return await self.delete("tasks", task_id)

    async def search_projects(self, filters: Json | None = None, **kw: Any) -> SearchPage:
        return await self.search("projects", filters, **kw)

    async def create_project(self, body: Json) -> Json:
        return await self.create("projects", body)

    async def get_project(self, project_id: int) -> Json:
        return await self.get("projects", project_id)

    async def update_project(self, project_id: int, changes: Json) -> Json:
        return await self.update("projects", project_id, changes)

    async def delete_project(self, project_id: int) -> Json:
        return await self.delete("projects", project_id)

    async def create_activity(self, body: Json) -> Json:
        return await self.create("activities", body)

    async def search_activities(self, filters: Json | None = None, **kw: Any) -> SearchPage:
        return await self.search("activities", filters, **kw)

    async def get_activity(self, activity_id: int) -> Json:
        return await self.get("activities", activity_id)

    async def update_activity(self, activity_id: int, changes: Json) -> Json:
        return await self.update("activities", activity_id, changes)

    async def delete_activity(self, activity_id: int) -> Json:
        return await self.delete("activities", activity_id)
