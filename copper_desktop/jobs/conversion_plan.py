"""What a conversion plan needs from Copper: candidate companies and people sharing the leads'
emails, looked up in few requests, then one default plan row per lead (domain/convert).

Candidates: one ``companies`` search per 50 email domains (``email_domains``), and one per
distinct company word (the longest word of each normalized ``company_name``; Copper's ``name``
filter matches part of a name), then the client-side match of ``match_companies``. Duplicate
people: one ``people`` search per 100 emails (``emails``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor
from typing import Any, Protocol

from copper_desktop.api.search import SearchClient, SearchWalk
from copper_desktop.domain.convert import (
    ConversionPlanRow,
    OpportunityTemplate,
    email_domain,
    lead_email,
    match_companies,
    normalize_company_name,
    plan_row,
)

__all__ = [
    "PlanClient",
    "candidate_companies",
    "name_word",
    "people_by_email",
    "plan_conversions",
]

Json = dict[str, Any]
DOMAINS_PER_SEARCH = 50
EMAILS_PER_SEARCH = 100
NAME_MATCHES = 200
"""Companies read per name word (one page): more are not offered."""


class PlanClient(SearchClient, Protocol):
    """The searches a plan's look-ups use (``CopperClient`` has them)."""

    def iter_search(self, entity: str, filters: Json | None = None) -> SearchWalk: ...


def _chunks(items: Sequence[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def name_word(name: str) -> str | None:
    """The word a ``name`` search for a company name uses: its normalized longest word."""
    words = [w for w in normalize_company_name(name).split() if len(w) >= 3]
    return max(words, key=len) if words else None


async def candidate_companies(client: PlanClient, leads: Sequence[Mapping[str, Any]]) -> list[Json]:
    """Companies that may match some of ``leads`` by name or email domain (a superset)."""
    found: dict[int, Json] = {}
    domains = sorted({d for lead in leads if (d := email_domain(lead_email(lead)))})
    for part in _chunks(domains, DOMAINS_PER_SEARCH):
        records = await client.iter_search("companies", {"email_domains": part}).collect()
        found.update({r["id"]: r for r in records if isinstance(r.get("id"), int)})
    names = [n for lead in leads if isinstance(n := lead.get("company_name"), str)]
    for word in sorted({w for n in names if (w := name_word(n))}):
        page = await client.search("companies", {"name": word}, page_size=NAME_MATCHES)
        found.update({r["id"]: r for r in page.records if isinstance(r.get("id"), int)})
    return list(found.values())


async def people_by_email(
    client: PlanClient, leads: Sequence[Mapping[str, Any]]
) -> dict[str, list[Json]]:
    """Existing people having a lead's email, by the email (casefolded)."""
    emails = sorted({e.casefold() for lead in leads if (e := lead_email(lead))})
    out: dict[str, list[Json]] = {}
    for part in _chunks(emails, EMAILS_PER_SEARCH):
        people = await client.iter_search("people", {"emails": part}).collect()
        wanted = set(part)
        for person in people:
            for entry in person.get("emails") or ():
                address = entry.get("email") if isinstance(entry, Mapping) else None
                if isinstance(address, str) and address.casefold() in wanted:
                    out.setdefault(address.casefold(), []).append(person)
    return out


async def plan_conversions(
    client: PlanClient,
    leads: Sequence[Mapping[str, Any]],
    template: OpportunityTemplate,
    *,
    contact_type_id: int | None = None,
    executor: Executor | None = None,
) -> list[ConversionPlanRow]:
    """One default row per lead (not validated: see ``domain.convert.validate_rows``). The
    matching (hundreds of leads against hundreds of companies: tenths of a second of pure
    Python) runs in ``executor`` when given, as the app runs the bulk edit preview."""
    companies = await candidate_companies(client, leads)
    duplicates = await people_by_email(client, leads)

    def build() -> list[ConversionPlanRow]:
        rows = []
        for lead in leads:
            email = lead_email(lead)
            rows.append(
                plan_row(
                    lead,
                    match_companies(lead, companies),
                    duplicates.get(email.casefold(), []) if email else [],
                    template,
                    contact_type_id=contact_type_id,
                )
            )
        return rows

    if executor is None:
        return build()
    return await asyncio.get_running_loop().run_in_executor(executor, build)
