"""Lead operations: upsert, and conversion, which must never run twice.

A conversion whose answer was lost is settled by looking: the lead is hidden from default
searches but still found with ``include_converted_leads`` once converted, and the person made
from it names it in ``leads_converted_from`` (found by the lead's email, else by name and
created date), with its company and opportunity.
"""

from __future__ import annotations

from typing import Any

from .base import PLURAL, Json, rid
from .creates import CreatingClient
from .errors import MalformedResponseError, NotFoundError
from .recovery import from_lead, newest
from .results import ConversionResult

__all__ = ["LeadsMixin"]


class LeadsMixin(CreatingClient):
    """Lead upsert and conversion."""

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
        path = f"leads/{rid(lead_id)}/convert"

        async def recover(sent_at: float) -> ConversionResult | None:
            return await self.find_conversion(lead_id, details, self._since(sent_at))

        answer = await self._t.call(
            "POST", path, body={"details": details}, safe=False, recover=recover, expect=dict
        )
        if answer.recovered:
            return answer.data  # type: ignore[no-any-return]
        return await self._conversion_from(answer.data)

    async def _conversion_from(self, data: Any) -> ConversionResult:
        """Accept both answer shapes: full objects, or only ``*_id`` keys (then fetch)."""
        data = self._expect(data, dict, "a conversion result")
        found: dict[str, Json | None] = {}
        for kind in ("person", "company", "opportunity"):
            obj = data.get(kind)
            record_id = data.get(f"{kind}_id")
            if isinstance(obj, dict) and obj.get("id") is not None and set(obj) - {"id"}:
                found[kind] = obj
            elif record_id is None and isinstance(obj, dict):
                record_id = obj.get("id")
            if kind not in found:
                found[kind] = (
                    await self.get(PLURAL[kind], record_id) if isinstance(record_id, int) else None
                )
        if found["person"] is None:
            raise MalformedResponseError(detail="the conversion answer named no person")
        return ConversionResult(found["person"], found["company"], found["opportunity"])

    async def fetch_by_email(self, email: str) -> Json | None:
        """The person with this email, or None when there is none (Copper keeps person emails
        unique): the convert dialog's duplicate warning."""
        try:
            return await self.fetch_person_by_email(email)
        except NotFoundError:
            return None

    async def find_conversion(
        self, lead_id: int, details: Json | None = None, since: float = 0.0
    ) -> ConversionResult | None:
        """What converting ``lead_id`` made, if it was converted: None when the lead is not
        converted (or is gone); a result with ``recovered=True`` otherwise (``person`` None
        when the person cannot be found). ``since``: earliest server time the conversion may
        have happened at (0 when unknown); ``details`` as sent (the person's name, whether an
        opportunity was asked for)."""
        details = details or {}
        every = await self.search("leads", {"ids": [lead_id], "include_converted_leads": True})
        if not every.records:
            return None  # the lead is gone: sending again gives the real error
        lead = every.records[0]
        visible = await self.search("leads", {"ids": [lead_id]})
        person = await self.converted_person(lead, details, since)
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
        if details.get("opportunity") is not None or not details:
            opps = await self.iter_search(
                "opportunities",
                {"person_ids": [person["id"]], "minimum_created_date": max(0, int(since))},
            ).collect()
            linked = [o for o in opps if from_lead(o, lead_id) is not False]
            opportunity = newest(linked)
        return ConversionResult(person, company, opportunity, recovered=True)

    async def converted_person(self, lead: Json, details: Json, since: float) -> Json | None:
        """The person converting ``lead`` made (or, Copper merging a lead into the person who
        has its email, the person it joined), by the lead's email, else by name and created
        date since ``since``; None when there is none."""
        lead_id = lead["id"]

        def made_from_lead(p: Json) -> bool:
            said = from_lead(p, lead_id)
            if said is not None:
                return said
            created = p.get("date_created")  # without a time (since 0) only the link counts
            return since > 0 and isinstance(created, int | float) and created >= since

        email = (
            (lead.get("email") or {}).get("email") if isinstance(lead.get("email"), dict) else None
        )
        if isinstance(email, str) and email:
            person = await self.fetch_by_email(email)
            return person if person is not None and made_from_lead(person) else None
        name = (details.get("person") or {}).get("name") or lead.get("name")
        filters: Json = {"minimum_created_date": max(0, int(since))}
        if isinstance(name, str) and name.strip():
            filters["name"] = name.strip()
        people = await self.iter_search("people", filters).collect()
        return newest([p for p in people if from_lead(p, lead_id)])
