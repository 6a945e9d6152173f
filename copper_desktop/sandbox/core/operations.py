"""Copper's operations on records, independent of HTTP: create/update/delete with their side
effects, people by email, lead upsert and lead conversion. Related items and links are in
``relations``, the account's settings objects in ``account``.

Records go in and out in storage form; ``routes`` renders them and emits webhook events.
"""

from __future__ import annotations

import time
from typing import Any

from copper_desktop.sandbox.context import SandboxContext
from copper_desktop.sandbox.core.fields import as_int
from copper_desktop.sandbox.core.records import Rules, diff
from copper_desktop.sandbox.core.refusals import Invalid, NotFound, unknown_keys_error
from copper_desktop.sandbox.core.store import Store

Json = dict[str, Any]

UPSERT_MATCH_LIMIT = 30


class Operations:
    """One request's view of the sandbox: the store, the live settings and Copper's rules."""

    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx
        self.store: Store = ctx.store
        self.rules = Rules(ctx.store, ctx.settings)

    # ----------------------------------------------------------------- records
    def get(self, kind: str, rid: int) -> Json:
        """A record; converted leads are gone while ``hide_converted_leads`` is on."""
        hide = kind == "lead" and self.ctx.settings.hide_converted_leads
        record = self.store.get(kind, rid, include_hidden=not hide)
        if record is None:
            raise NotFound()
        return record

    def create(self, kind: str, body: Any, user: Json | None) -> Json:
        record = self.rules.create(kind, body, user)
        self.store.save(kind, record, hidden=False)
        return record

    def update(
        self, kind: str, rid: int, body: Any, user: Json | None
    ) -> tuple[Json, dict[str, list[Any]]]:
        """The updated record and its rendered changes (empty when nothing really changed)."""
        old = self.get(kind, rid)
        new = self.rules.update(kind, old, body, user)
        changes = diff(self.rules.render(kind, old), self.rules.render(kind, new))
        if changes:
            with self.store.transaction():
                self.store.save(kind, new)
                if kind == "company" and "name" in changes:
                    self._rename_company(rid, new.get("name"))
        return new, changes

    def _rename_company(self, company_id: int, name: str | None) -> None:
        """People and opportunities show their company's name: keep it current."""

        def rename(rec: Json) -> Json:
            return {**rec, "company_name": name}

        for kind in ("person", "opportunity"):
            self.store.update_where(kind, "company_id = ?", (company_id,), rename)

    def delete(self, kind: str, rid: int) -> None:
        self.get(kind, rid)
        self.store.delete(kind, rid)

    # ----------------------------------------------------------------- people by email
    def fetch_person_by_email(self, body: Any) -> Json:
        if not isinstance(body, dict) or not isinstance(body.get("email"), str):
            raise Invalid([("email", "can't be blank")])
        unknown = [k for k in body if k != "email"]
        if unknown:
            raise unknown_keys_error(unknown)
        pid = self.rules.person_with_email(body["email"].strip())
        if pid is None:
            raise NotFound()
        return self.get("person", pid)

    # ----------------------------------------------------------------- lead upsert
    def upsert_lead(self, body: Any, user: Json | None) -> tuple[Json, str, dict[str, list[Any]]]:
        """(lead, "new" | "update", changes): 0 matches create, 1 updates, more is a 422."""
        if not isinstance(body, dict):
            raise Invalid([("base", "Request body must be a JSON object")])
        unknown = [k for k in body if k not in ("properties", "match")]
        if unknown:
            raise unknown_keys_error(unknown)
        properties = body.get("properties")
        match = body.get("match")
        if not isinstance(properties, dict):
            raise Invalid([("properties", "can't be blank")])
        if not isinstance(match, dict) or match.get("field_name") not in (
            "email",
            "name",
            "custom",
        ):
            raise Invalid([("match", "field_name must be email, name or custom")])
        ids = self._upsert_matches(match)
        if len(ids) > UPSERT_MATCH_LIMIT:
            raise Invalid([("match", f"more than {UPSERT_MATCH_LIMIT} leads match")])
        if len(ids) > 1:
            raise Invalid([("match", f"several leads match: {', '.join(map(str, ids))}")])
        if not ids:
            return self.create("lead", properties, user), "new", {}
        record, changes = self.update("lead", ids[0], properties, user)
        return record, "update", changes

    def _upsert_matches(self, match: Json) -> list[int]:
        value = match.get("field_value")
        visible = "hidden = 0"
        if match["field_name"] == "email":
            if not isinstance(value, str) or not value.strip():
                raise Invalid([("match", "field_value must be an email")])
            return self.store.ids("lead", f"{visible} AND email = ?", (value.strip(),))
        if match["field_name"] == "name":
            if not isinstance(value, str) or not value.strip():
                raise Invalid([("match", "field_value must be a name")])
            return self.store.ids("lead", f"{visible} AND name = ?", (value.strip(),))
        if not isinstance(value, dict):
            raise Invalid([("match", "field_value must be {custom_field_definition_id, value}")])
        def_id = as_int(value.get("custom_field_definition_id"))
        d = self.rules.definition(def_id) if def_id is not None else None
        if d is None or "lead" not in (d.get("available_on") or []):
            raise Invalid([("match", "unknown custom field definition for lead")])
        path = f"json_extract(data, '$.custom_fields.\"{d['id']}\"')"
        return self.store.ids("lead", f"{visible} AND {path} = ?", (value.get("value"),))

    # ----------------------------------------------------------------- lead conversion
    def convert_lead(self, lead_id: int, body: Any, user: Json | None) -> Json:
        """Person (always), company and opportunity (optional) from a lead (§10).

        Returns ``{"person", "company", "opportunity", "created": [kinds]}`` in storage form.
        """
        lead = self.store.get("lead", lead_id)
        if lead is None:
            raise NotFound()
        if self.store.is_hidden("lead", lead_id):
            raise Invalid([("base", "Lead has already been converted")])
        body = {} if body is None else body
        if not isinstance(body, dict):
            raise Invalid([("base", "Request body must be a JSON object")])
        if set(body) - {"details"}:
            raise unknown_keys_error(sorted(set(body) - {"details"}))
        details = body.get("details")
        details = {} if details is None else details
        if not isinstance(details, dict):
            raise Invalid([("details", "must be an object")])
        unknown = [k for k in details if k not in ("person", "company", "opportunity")]
        if unknown:
            raise unknown_keys_error(unknown)
        person_in = self._section(details, "person", ("name", "contact_type_id", "assignee_id"))
        company_in = self._section(details, "company", ("id", "name", "exact_match"))
        opp_in = details.get("opportunity")
        created: list[str] = []
        with self.store.transaction():
            company, new_company = self._convert_company(lead, company_in, details, user)
            if new_company:
                created.append("company")
            person, new_person = self._convert_person(lead, person_in, company, user)
            if new_person:
                created.append("person")
            opportunity = None
            if opp_in is not None:
                opportunity = self._convert_opportunity(lead, opp_in, person, company, user)
                created.append("opportunity")
            self.store.save("lead", lead, hidden=True)
        return {"person": person, "company": company, "opportunity": opportunity,
                "created": created}  # fmt: skip

    @staticmethod
    def _section(details: Json, key: str, allowed: tuple[str, ...]) -> Json:
        section = details.get(key)
        section = {} if section is None else section
        if not isinstance(section, dict):
            raise Invalid([(key, "must be an object")])
        unknown = [k for k in section if k not in allowed]
        if unknown:
            raise unknown_keys_error([f"{key}.{k}" for k in unknown])
        return section

    def _convert_company(
        self, lead: Json, section: Json, details: Json, user: Json | None
    ) -> tuple[Json | None, bool]:
        if "id" in section and "name" in section:
            raise Invalid([("company", "give either id or name, not both")])
        if "id" in section:
            cid = as_int(section["id"])
            company = self.store.get("company", cid) if cid and cid > 0 else None
            if company is None:
                raise Invalid([("company", f"Company {section['id']} does not exist")])
            return company, False
        name = section.get("name") if "company" in details else lead.get("company_name")
        if name is not None and not isinstance(name, str):
            raise Invalid([("company", "name must be a string")])
        if not name or not name.strip():
            return None, False
        found = self.store.select("company", "name = ?", (name.strip(),), "id", 1)
        if found:
            return found[0], False
        body: Json = {"name": name.strip(), "assignee_id": lead.get("assignee_id")}
        email = (lead.get("email") or {}).get("email")
        domain = email.split("@", 1)[1].lower() if email and "@" in email else None
        if domain and not self.store.ids("company", "email_domain = ?", (domain,)):
            body["email_domain"] = domain
        return self.create("company", body, user), True

    def _convert_person(
        self, lead: Json, section: Json, company: Json | None, user: Json | None
    ) -> tuple[Json, bool]:
        """The new person, or the existing person with the lead's email, which the lead
        joins (people are identified by email: only a lead without one, or with another,
        makes a new person); whether it is new."""
        email = (lead.get("email") or {}).get("email")
        owner = self.rules.person_with_email(email) if email else None
        existing = self.store.get("person", owner) if owner is not None else None
        if existing is not None:
            existing["leads_converted_from"] = [
                *(existing.get("leads_converted_from") or []),
                {"lead_id": lead["id"], "converted_timestamp": int(time.time())},
            ]
            if existing.get("company_id") is None and company is not None:
                existing["company_id"] = company["id"]
                existing["company_name"] = company.get("name")
            stamp = int(existing.get("date_modified") or 0) + 1
            existing["date_modified"] = max(int(time.time()), stamp)
            self.store.save("person", existing, hidden=False)
            return existing, False
        body: Json = {
            "name": section.get("name") or lead.get("name"),
            "contact_type_id": section.get("contact_type_id"),
            "assignee_id": section.get("assignee_id", lead.get("assignee_id")),
            "company_id": company["id"] if company else None,
            "emails": [lead["email"]] if lead.get("email") else [],
        }
        if "name" not in section:
            body.update({k: lead.get(k) for k in ("prefix", "first_name", "middle_name",
                                                   "last_name", "suffix")})  # fmt: skip
        for key in ("address", "details", "phone_numbers", "socials", "tags", "title", "websites"):
            body[key] = lead.get(key)
        body["custom_fields"] = self._carry_custom_fields(lead, "person")
        person = self.rules.create("person", body, user)
        person["leads_converted_from"] = [
            {"lead_id": lead["id"], "converted_timestamp": int(time.time())}
        ]
        person["date_lead_created"] = lead.get("date_created")
        self.store.save("person", person, hidden=False)
        return person, True

    def _convert_opportunity(
        self, lead: Json, section: Any, person: Json, company: Json | None, user: Json | None
    ) -> Json:
        if not isinstance(section, dict):
            raise Invalid([("opportunity", "must be an object")])
        body: Json = {
            "name": lead.get("name"),
            "monetary_value": lead.get("monetary_value"),
            "monetary_unit": lead.get("monetary_unit"),
            "assignee_id": lead.get("assignee_id"),
            "customer_source_id": lead.get("customer_source_id"),
            **section,
            "primary_contact_id": person["id"],
            "company_id": company["id"] if company else None,
            "custom_fields": self._carry_custom_fields(lead, "opportunity"),
        }
        opportunity = self.rules.create("opportunity", body, user)
        opportunity["leads_converted_from"] = person["leads_converted_from"]
        opportunity["date_lead_created"] = lead.get("date_created")
        self.store.save("opportunity", opportunity, hidden=False)
        return opportunity

    def _carry_custom_fields(self, lead: Json, kind: str) -> list[Json]:
        """Lead custom field values whose definition also applies to ``kind``."""
        available = {str(d["id"]) for d in self.rules.definitions_for(kind)}
        return [
            {"custom_field_definition_id": int(k), "value": v}
            for k, v in (lead.get("custom_fields") or {}).items()
            if k in available
        ]


__all__ = ["Operations"]
