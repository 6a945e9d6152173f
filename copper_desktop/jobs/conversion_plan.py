"""What a conversion plan needs from Copper, in few requests: the companies each lead may
belong to, the people who already have its email, then one default plan row per lead
(``domain.convert``). The convert dialog, the planner and ``bench_convert`` all look up here.

Companies: Copper's company ``name`` filter matches part of a name (the live API matches
fuzzily), so one search per distinct *word* finds a name's exact, case and near spellings
together ("Acme Inc", "ACME", "acme, inc." all search ``Acme``): the longest word of the
normalized name, spelled as on the first lead that has it. A name whose longest word is not
written as such ("O'Reilly", "A.C.M.E.") or is shorter than three letters ("3M") is searched as
written. When a word's page comes back full and holds no exact or case match, the name is
searched as written too (a common word such as "International" may hide it past the page).
Email domains are searched 50 to a request (``email_domains``). ``match_companies`` then ranks
each lead's own finds (exact, case, near, domain), so a lead's candidates do not depend on the
other leads planned with it.

People: the people search's ``emails`` filter, 200 emails a request, paged.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any, Final

from copper_desktop.api.search import SearchClient
from copper_desktop.domain.convert import (
    CompanyCandidate,
    ConversionPlanRow,
    OpportunityTemplate,
    email_domain,
    lead_email,
    match_companies,
    normalize_company_name,
    plan_row,
)

__all__ = [
    "CompanySearches",
    "candidate_companies",
    "company_candidates",
    "name_query",
    "people_by_email",
    "plan_conversions",
]

Json = dict[str, Any]
DOMAINS_PER_SEARCH: Final = 50
EMAILS_PER_SEARCH: Final = 200
PAGE: Final = 200
"""Companies read per name search (one page)."""
MIN_WORD: Final = 3
"""A shorter longest word matches too much: the name is searched as written instead."""
_TOKENS = re.compile(r"[^\W_]+")


def name_query(name: str) -> str | None:
    """The ``name`` search for a company name: its normalized longest word as written in the
    name, else the name as written (see the module docstring); None for a blank name."""
    written = " ".join(name.split())
    words = normalize_company_name(written).split()
    longest = max(words, key=len, default="")
    if len(longest) >= MIN_WORD:
        for token in _TOKENS.findall(written):
            if normalize_company_name(token) == longest:
                return str(token)
    return written or None


def _company_name(lead: Mapping[str, Any]) -> str:
    name = lead.get("company_name")
    return " ".join(name.split()) if isinstance(name, str) else ""


@dataclass
class CompanySearches:
    """Companies found so far, by name search (casefolded) and by email domain: the planner
    loads leads 200 at a time and asks each search once over all of them."""

    by_name: dict[str, list[Json]] = field(default_factory=dict)
    by_domain: dict[str, list[Json]] = field(default_factory=dict)

    def pool(self, lead: Mapping[str, Any]) -> list[Json]:
        """The companies the lead's own searches found (a superset of its candidates)."""
        name = _company_name(lead)
        query = name_query(name) if name else None
        found = [*self.by_name.get(query.casefold(), ())] if query else []
        found += self.by_name.get(name.casefold(), ()) if name and query != name else ()
        domain = email_domain(lead_email(lead))
        found += self.by_domain.get(domain, ()) if domain else ()
        return list({c["id"]: c for c in found}.values())


def _ided(records: Iterable[Json]) -> list[Json]:
    return [r for r in records if isinstance(r.get("id"), int)]


async def _every(client: SearchClient, entity: str, filters: Json) -> list[Json]:
    """Every page of a search that matches at most a few hundred records."""
    records: list[Json] = []
    number = 1
    while True:
        page = await client.search(entity, filters, page_number=number, page_size=PAGE)
        records += page.records
        if page.is_last:
            return records
        number += 1


async def _search_names(
    client: SearchClient, queries: Iterable[str], searches: CompanySearches
) -> dict[str, bool]:
    """Run the name searches not run yet; casefolded query → its page came back full."""
    full: dict[str, bool] = {}
    for query in queries:
        key = query.casefold()
        if key in searches.by_name or key in full:
            continue
        page = await client.search("companies", {"name": query}, page_size=PAGE)
        searches.by_name[key] = _ided(page.records)
        full[key] = not page.is_last
    return full


async def candidate_companies(
    client: SearchClient,
    leads: Sequence[Mapping[str, Any]],
    searches: CompanySearches | None = None,
) -> list[list[Json]]:
    """For each lead, the companies found by its name and email-domain searches (rank them
    with ``match_companies``). ``searches`` keeps the finds across calls."""
    searches = searches if searches is not None else CompanySearches()
    names = [n for lead in leads if (n := _company_name(lead))]
    full = await _search_names(client, (q for n in names if (q := name_query(n))), searches)
    again = []
    for name in names:
        query = name_query(name) or ""
        if full.get(query.casefold()) and query.casefold() != name.casefold():
            found = searches.by_name[query.casefold()]
            if not any(str(c.get("name") or "").strip().casefold() == name.casefold()
                       for c in found):  # fmt: skip
                again.append(name)
    await _search_names(client, again, searches)
    domains = {d for lead in leads if (d := email_domain(lead_email(lead)))}
    wanted = sorted(domains - searches.by_domain.keys())
    for start in range(0, len(wanted), DOMAINS_PER_SEARCH):
        part = wanted[start : start + DOMAINS_PER_SEARCH]
        records = _ided(await _every(client, "companies", {"email_domains": part}))
        for domain in part:
            searches.by_domain[domain] = [
                r for r in records if str(r.get("email_domain") or "").strip().casefold() == domain
            ]
    return [searches.pool(lead) for lead in leads]


async def company_candidates(
    client: SearchClient, lead: Mapping[str, Any]
) -> list[CompanyCandidate]:
    """The existing companies one lead may belong to, best first (the convert dialog)."""
    [pool] = await candidate_companies(client, [lead])
    return match_companies(lead, pool)


async def people_by_email(
    client: SearchClient, leads: Sequence[Mapping[str, Any]]
) -> dict[str, list[Json]]:
    """Existing people having a lead's email, by the email (casefolded)."""
    emails = sorted({e.casefold() for lead in leads if (e := lead_email(lead))})
    out: dict[str, list[Json]] = {}
    for start in range(0, len(emails), EMAILS_PER_SEARCH):
        part = emails[start : start + EMAILS_PER_SEARCH]
        wanted = set(part)
        for person in await _every(client, "people", {"emails": part}):
            for entry in person.get("emails") or ():
                address = entry.get("email") if isinstance(entry, Mapping) else None
                if isinstance(address, str) and address.strip().casefold() in wanted:
                    out.setdefault(address.strip().casefold(), []).append(person)
    return out


async def plan_conversions(
    client: SearchClient,
    leads: Sequence[Mapping[str, Any]],
    template: OpportunityTemplate,
    *,
    contact_type_id: int | None = None,
    executor: Executor | None = None,
    searches: CompanySearches | None = None,
) -> list[ConversionPlanRow]:
    """One default row per lead (not validated: see ``domain.convert.validate_rows``). The
    matching (hundreds of leads against their companies: tenths of a second of pure Python)
    runs in ``executor`` when given, so the window keeps painting, as for the bulk preview."""
    pools = await candidate_companies(client, leads, searches)
    duplicates = await people_by_email(client, leads)

    def build() -> list[ConversionPlanRow]:
        rows = []
        for lead, pool in zip(leads, pools, strict=True):
            email = lead_email(lead)
            rows.append(
                plan_row(
                    lead,
                    match_companies(lead, pool),
                    duplicates.get(email.casefold(), []) if email else [],
                    template,
                    contact_type_id=contact_type_id,
                )
            )
        return rows

    if executor is None:
        return build()
    return await asyncio.get_running_loop().run_in_executor(executor, build)
