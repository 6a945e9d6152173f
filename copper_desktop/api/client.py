"""The one async client through which the app talks to Copper.

Design
======

Transport. One ``httpx.AsyncClient`` (one connection pool, TLS verification always on, no
redirects followed, connect/read/write timeouts) behind one :class:`SlidingWindowLimiter`
(170 requests per rolling 60 s by default, under Copper's 180) and a second one for bulk
endpoints (3 per second). Every request waits its turn there, so ordinary work never meets a
429; a 429 anyway pauses the whole client (``Retry-After`` when sent, else exponential backoff
with jitter) and observers see "rate limited, retrying in N s". A certificate that fails
verification is reported as such (:class:`CertificateError`) and never retried.

Retries and duplicates. A request whose answer is lost may or may not have taken effect.

* Reads and idempotent writes (GET, PUT, searches, ``bulk_update``, lead upsert) are simply sent
  again, a bounded number of times, with backoff, on 5xx, timeouts, dropped connections and
  unreadable answers.
* Creates, ``bulk_create``, conversions, deletes and related-item changes are **never sent
  twice blindly**. When their outcome is unknown (connection dropped after sending, 5xx, an
  unreadable, empty or wrong-shaped 200), the client waits one backoff step and then *looks*
  for the effect before sending again:

  - creates: just before sending, one look notes the look-alike records that already exist
    (same search as below); after a lost answer the look is repeated and only a record that
    is new, not handed to another call and not possibly another create's in flight counts
    (``recovery`` module). One: it is returned. None: the create is sent again. Several:
    :class:`OutcomeUnknownError` with the candidates attached, for the user to choose;
  - the look: people with an email by ``fetch_by_email`` (Copper keeps person emails unique);
    other records by a search on the keys sent (name, lead email, company email domain,
    assignee; parent, type and date for activities) limited to records created since just
    before the request (Copper's clock, learnt from each answer's ``Date`` header), then a
    client-side match on the name, the ids sent and the details;
  - custom field definitions, custom activity types, webhooks, related links (no created date):
    the ids listed before the create are compared with those after;
  - lead conversion: whether the lead is hidden from default searches but still found with
    ``include_converted_leads``, and the person whose ``leads_converted_from`` names the lead
    (by the lead's email, else by name and created date), with its company and opportunity;
  - deletes: a GET answering 404; related items: the related list.

  After a **timeout** (or a 504) Copper may still be working on the request, so it is never
  sent again: the look is repeated for ``RetryPolicy.outcome_wait_s``, then the outcome is
  reported unknown. The check itself failing raises :class:`OutcomeUnknownError`, asking the
  user to look before trying again. A 429, or a failure before sending (refused connection,
  connect timeout), means nothing happened: every request is retried then.

Credentials. The token lives in a :class:`Secret` and is added to each request by an httpx
auth hook, so no client header, repr, log line or error message holds it (a server echoing it
in an error text gets it masked); exceptions httpx raises get their request replaced by a
redacted copy before they are chained. Plain http is refused for every host but loopback.

Cancellation. Cancelling the awaiting task cancels the request (httpx closes the connection),
frees its connection slot and, if it was still queued, its limiter place; a request already
sent keeps its place, since Copper may have counted it.

Layout: ``base`` (transport, get/update/delete, search), ``creates`` (creates, bulk calls),
``leads`` (upsert, conversion), ``account_ops`` (relations, account, users, lookups, definitions,
webhooks), ``operations`` (the OpenAPI names); ``recovery`` finds lost creates.
"""

from __future__ import annotations

from .base import DEFAULT_BASE_URL, SINGULAR
from .creates import BULK_CHUNK
from .leads import LeadsMixin
from .operations import OperationsMixin

__all__ = ["BULK_CHUNK", "DEFAULT_BASE_URL", "SINGULAR", "CopperClient"]


class CopperClient(OperationsMixin, LeadsMixin):
    """Async client for the Copper Developer API; use as ``async with CopperClient(...)``.

    Entities are plain path segments (``"people"``, ``"leads"``...). Records are Copper's JSON
    objects, passed through untouched (unknown keys kept).
    """
