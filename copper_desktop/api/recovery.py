"""Finding what a create whose answer was lost made, without ever taking someone else's record.

A lost create is looked for among the records that match what was sent and are recent. Being
recent and alike is not enough: a same-named record may have been there already, or may be
another call's. So every create takes a *ticket* before it is sent:

* the ticket remembers the ids the same look found **before** sending (pre-existing records
  are never candidates);
* ids handed to a caller, by an answer or a recovery, are **claimed** and never handed out
  again, nor are the ones listed by an OutcomeUnknownError;
* a candidate that another create of this client, still waiting for its answer, could own is
  not taken: the look waits for that create to finish (``wait_s`` at most).

One candidate left: it is this call's. None: the create did not happen (the caller may send
it again). Several, or one another unfinished create could own: OutcomeUnknownError with the
candidates attached, for the user to decide. The one gap left is a same-named record saved by
someone else between the look before sending and the create itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import NotFoundError, OutcomeUnknownError
from .search import MAX_DATE

if TYPE_CHECKING:
    from .base import ClientBase

__all__ = ["Claims", "RecentLike", "Ticket", "emails", "from_lead", "matches", "newest", "norm"]

Json = dict[str, Any]
Lookup = Callable[[], Awaitable[list[Json]]]

MATCH_IDS = (
    "assignee_id",
    "contact_type_id",
    "pipeline_id",
    "pipeline_stage_id",
    "primary_contact_id",
    "customer_source_id",
    "status_id",
    "custom_activity_type_id",
)
RECOVERY_SCAN = 1000
"""At most this many recently created records are scanned in one look."""
MAX_CLAIMS = 10_000
"""Claimed ids remembered per entity; older ones are far outside any look's time window."""


# --------------------------------------------------------------------------- matching
def norm(text: Any) -> str:
    return " ".join(unicodedata.normalize("NFKC", str(text)).split()).casefold()


def emails(body: Json) -> list[str]:
    out = []
    for e in body.get("emails") or []:
        if isinstance(e, dict) and isinstance(e.get("email"), str) and e["email"].strip():
            out.append(e["email"].strip().lower())
    email = body.get("email")
    if isinstance(email, dict) and isinstance(email.get("email"), str) and email["email"].strip():
        out.append(email["email"].strip().lower())
    return out


def matches(body: Json, record: Json, since: float) -> bool:
    """Whether ``record`` is what creating ``body`` at ``since`` would have produced."""
    created = record.get("date_created")
    if isinstance(created, int | float) and created < since:
        return False
    name = body.get("name")
    if isinstance(name, str) and name.strip() and norm(record.get("name") or "") != norm(name):
        return False
    for key in MATCH_IDS:
        want, have = body.get(key), record.get(key)
        if want is not None and have is not None and want != have:
            return False
    wanted = set(emails(body))
    if wanted and not wanted <= set(emails(record)):
        return False
    details = body.get("details")
    theirs = record.get("details")
    return not (
        isinstance(details, str) and isinstance(theirs, str) and norm(details) != norm(theirs)
    )


def newest(records: Sequence[Json]) -> Json | None:
    if not records:
        return None
    return max(records, key=lambda r: (r.get("date_created") or 0, r.get("id") or 0))


def from_lead(record: Json, lead_id: int) -> bool | None:
    """True/False when ``leads_converted_from`` says; None when the record does not say."""
    sources = record.get("leads_converted_from")
    if not sources:
        return None
    return any(s == lead_id or (isinstance(s, dict) and s.get("lead_id") == lead_id)
               for s in sources)  # fmt: skip


def _id(record: Json) -> int | None:
    value = record.get("id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# --------------------------------------------------------------------------- looks
@dataclass
class RecentLike:
    """The records of ``entity`` created since ``since`` that look like ``body``: by a search
    on the keys Copper can filter on (name, lead email, company email domain, assignee;
    parent, type and date for activities), then a client-side :func:`matches`. People with an
    email are fetched by email instead (Copper keeps person emails unique).

    ``floor`` rises when a look had to stop scanning (more than RECOVERY_SCAN recent records):
    records at or below the last one scanned were not all seen, so none of them can count.
    """

    client: ClientBase
    entity: str
    body: Json
    since: float
    floor: float = field(default=0.0)

    async def __call__(self) -> list[Json]:
        since = max(self.since, self.floor)
        found = await self._look(since)
        return [r for r in found if matches(self.body, r, since)]

    async def _look(self, since: float) -> list[Json]:
        client, body = self.client, self.body
        if self.entity == "activities":
            return await client.search_all("activities", activity_filters(body, since))
        addresses = emails(body)
        if self.entity == "people" and addresses:
            people = []
            for email in addresses:
                with contextlib.suppress(NotFoundError):
                    people.append(await client.fetch_person_by_email(email))
            return people
        filters: Json = {"minimum_created_date": max(0, int(since))}
        name = body.get("name")
        if self.entity in ("people", "companies", "leads", "projects", "opportunities") and (
            isinstance(name, str) and name.strip()
        ):
            filters["name"] = name.strip()
        if self.entity == "leads" and addresses:
            filters["emails"] = addresses[0]
        if self.entity == "companies" and isinstance(body.get("email_domain"), str):
            filters["email_domains"] = [body["email_domain"]]
        if isinstance(body.get("assignee_id"), int):
            filters["assignee_ids"] = [body["assignee_id"]]
        records, self.floor = await recent(client, self.entity, filters, self.floor)
        return records


def activity_filters(body: Json, since: float) -> Json:
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
    return filters


async def recent(
    client: ClientBase, entity: str, filters: Json, floor: float
) -> tuple[list[Json], float]:
    """The newest records a search finds, at most RECOVERY_SCAN of them, and the floor below
    which they are not complete (raised past the last one scanned when the scan stopped)."""
    walk = client.iter_search(entity, filters, sort_by="date_created", sort_direction="desc")
    records: list[Json] = []
    async for record in walk:
        records.append(record)
        if len(records) >= RECOVERY_SCAN:
            last = record.get("date_created")
            if isinstance(last, int | float):
                floor = max(floor, float(last) + 1)
            break
    return records, floor


# --------------------------------------------------------------------------- claims
@dataclass(eq=False)
class Ticket:
    """One create, from just before it is sent until its caller has an answer."""

    kind: str
    """Where its ids live (the entity, or the listing path); ids are unique within it."""
    lookup: Lookup
    """The records that could be this create's."""
    match: Callable[[Json], bool]
    """Whether a record could be this create's (for telling other creates apart)."""
    before: frozenset[int] = frozenset()
    looking: bool = False
    """Its answer was lost and it is being looked for (so it will not answer any more)."""


class Claims:
    """The ids this client handed out and the creates in progress; see the module docstring."""

    def __init__(self, wait_s: float) -> None:
        self.wait_s = wait_s
        self._claimed: dict[str, dict[int, None]] = {}
        self._open: list[Ticket] = []
        self._lock = asyncio.Lock()
        self._changed = asyncio.Event()

    async def open(self, kind: str, lookup: Lookup, match: Callable[[Json], bool]) -> Ticket:
        """A ticket for a create about to be sent: looks once for what already exists."""
        before = frozenset(i for r in await lookup() if (i := _id(r)) is not None)
        return self.opened(Ticket(kind, lookup, match, before))

    def opened(self, ticket: Ticket) -> Ticket:
        """Register a ticket whose ``before`` is already known (bulk calls share one look)."""
        self._open.append(ticket)
        return ticket

    def close(self, ticket: Ticket, record: Any = None) -> None:
        """The create is over; ``record`` (when it is one) is now its caller's."""
        if isinstance(record, dict) and (i := _id(record)) is not None:
            self._claim(ticket.kind, i)
        if ticket in self._open:
            self._open.remove(ticket)
        self._notify()

    def claimed(self, kind: str, record_id: int) -> bool:
        return record_id in self._claimed.get(kind, {})

    def _claim(self, kind: str, record_id: int) -> None:
        ids = self._claimed.setdefault(kind, {})
        ids[record_id] = None
        while len(ids) > MAX_CLAIMS:
            del ids[next(iter(ids))]

    def _notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def find(self, ticket: Ticket) -> Json | None:
        """This create's record, None when it did not happen, or OutcomeUnknownError."""
        ticket.looking = True
        self._notify()  # creates waiting for this one's answer need not wait any more
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait_s
        while True:
            changed = self._changed
            async with self._lock:
                candidates = [
                    r
                    for r in await ticket.lookup()
                    if (i := _id(r)) is not None
                    and i not in ticket.before
                    and not self.claimed(ticket.kind, i)
                ]
                rivals = [
                    t
                    for t in self._open
                    if t is not ticket
                    and t.kind == ticket.kind
                    and any(t.match(r) and _id(r) not in t.before for r in candidates)
                ]
                answering = [t for t in rivals if not t.looking]
                if not answering or loop.time() >= deadline:
                    return self._decide(ticket, candidates, rivals)
            # Another create may still get its answer and so claim its record: wait for it.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), max(0.0, deadline - loop.time()))

    def _decide(self, ticket: Ticket, candidates: list[Json], rivals: list[Ticket]) -> Json | None:
        if not candidates:
            return None
        if len(candidates) == 1 and not rivals:
            self._claim(ticket.kind, _id(candidates[0]))  # type: ignore[arg-type]
            return candidates[0]
        for r in candidates:  # listed to this caller: never handed to another one
            self._claim(ticket.kind, _id(r))  # type: ignore[arg-type]
        found = (
            f"{len(candidates)} records that could be this one were found"
            if len(candidates) > 1
            else "a record that could be this one or another save like it was found"
        )
        raise OutcomeUnknownError(
            f"The connection to Copper failed while saving; {found}. Check before trying again.",
            candidates=candidates,
        )
