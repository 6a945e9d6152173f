"""Copper's operations on the store, independent of HTTP: create/update/delete with their side
effects, lead upsert and conversion, related items, Connect-field links, webhook
subscriptions, lookups and tags.

Records go in and out in storage form; ``routes`` renders them and emits webhook events.
"""

from __future__ import annotations

import copy
import ipaddress
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from copper_desktop.sandbox.context import SandboxContext
from copper_desktop.sandbox.core.errors import ApiError, Invalid, NotFound, unknown_keys_error
from copper_desktop.sandbox.core.fields import as_int, check_cf_value
from copper_desktop.sandbox.core.keys import CF_DATA_TYPES, CF_ENTITIES
from copper_desktop.sandbox.core.records import Rules, diff
from copper_desktop.sandbox.core.shapes import WEBHOOK_TYPES
from copper_desktop.sandbox.core.store import Store

Json = dict[str, Any]

RELATED_PAIRS: dict[str, tuple[str, ...]] = {
    "lead": ("task",),
    "person": ("company", "opportunity", "task", "project"),
    "company": ("opportunity", "person", "task", "project"),
    "opportunity": ("company", "person", "task", "project"),
    "project": ("company", "person", "opportunity", "task"),
    "task": ("company", "person", "opportunity", "lead", "project"),
}
# Entity types of related links: Copper's singular types, and the plurals its examples show.
LINK_TYPES: dict[str, str] = {
    **{kind: kind for kind in CF_ENTITIES},
    "people": "person",
    "companies": "company",
    "leads": "lead",
    "opportunities": "opportunity",
    "projects": "project",
    "tasks": "task",
}
LINK_KEYS = ("custom_field_definition_id", "source", "target")
UPSERT_MATCH_LIMIT = 30
WEBHOOK_LIMIT = 100
WEBHOOK_KEYS = ("target", "type", "event", "secret", "headers", "custom_field_computed_values")
WEBHOOK_EVENTS = ("new", "update", "delete")
URI_ERROR = "Invalid input: Invalid URI For External Resource"


def _short_text(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= 255


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


# A custom activity type's fields: each with its check and the 422 text when it fails.
TEXT_ERROR = "must be a string of at most 255 characters"
ACTIVITY_TYPE_FIELDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "name": (lambda v: v is None or _short_text(v), TEXT_ERROR),
    "icon_type": (_short_text, TEXT_ERROR),
    "is_disabled": (_is_bool, "must be true or false"),
    "is_interaction": (_is_bool, "must be true or false"),
    "is_default_task_type": (lambda v: v is None or _is_bool(v), "must be true or false"),
}


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
            person = self._convert_person(lead, person_in, company, user)
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
    ) -> Json:
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
        return person

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

    # ----------------------------------------------------------------- related items
    def related(self, kind: str, rid: int) -> list[Json]:
        """Every record related to ``(kind, rid)``: stored relations and reference fields."""
        record = self.get(kind, rid)
        found: set[tuple[str, int]] = set(self.store.relations_of(kind, rid))
        if kind in ("person", "opportunity") and record.get("company_id"):
            found.add(("company", record["company_id"]))
        if kind == "opportunity" and record.get("primary_contact_id"):
            found.add(("person", record["primary_contact_id"]))
        resource = record.get("related_resource")
        if kind in ("task", "project") and resource and resource.get("id"):
            found.add((resource["type"], resource["id"]))
        for other in ("task", "project"):
            for oid in self.store.ids(other, "related_type = ? AND related_id = ?", (kind, rid)):
                found.add((other, oid))
        if kind == "company":
            for other in ("person", "opportunity"):
                for oid in self.store.ids(other, "company_id = ?", (rid,)):
                    found.add((other, oid))
        if kind == "person":
            for oid in self.store.ids("opportunity", "primary_contact_id = ?", (rid,)):
                found.add(("opportunity", oid))
        allowed = RELATED_PAIRS[kind]
        return [
            {"id": i, "type": t}
            for t, i in sorted(found)
            if t in allowed and self.store.exists(t, i)
        ]

    def change_related(self, kind: str, rid: int, body: Any, *, add: bool) -> Json:
        """Adds or removes one relation; answers the resource as Copper echoes it."""
        record = self.get(kind, rid)
        if not isinstance(body, dict) or not isinstance(body.get("resource"), dict):
            raise Invalid([("resource", "can't be blank")])
        unknown = [k for k in body if k != "resource"]
        if unknown:
            raise unknown_keys_error(unknown)
        resource = body["resource"]
        other_kind, other_id = resource.get("type"), as_int(resource.get("id"))
        if other_kind not in RELATED_PAIRS[kind]:
            raise Invalid([("resource", f"a {kind} cannot be related to a {other_kind}")])
        if other_id is None or other_id <= 0:
            raise Invalid([("resource", f"Invalid id: {resource.get('id')}")])
        other = self.store.get(other_kind, other_id)
        if other is None:
            raise NotFound()
        echo = {"id": other_id, "type": other_kind}
        with self.store.transaction():
            if add:
                self._add_related((kind, record), (other_kind, other))
            elif not self._remove_related((kind, record), (other_kind, other)):
                raise ApiError(422, "Invalid request: Resources are not related")
        return echo

    def _add_related(self, a: tuple[str, Json], b: tuple[str, Json]) -> None:
        if {"id": b[1]["id"], "type": b[0]} in self.related(a[0], a[1]["id"]):
            return
        for (k1, r1), (k2, r2) in ((a, b), (b, a)):
            if k1 == "task":
                if r1.get("related_resource") and r1["related_resource"].get("id"):
                    raise Invalid([("base", "A task can be related to only one record")])
                self._save_field(k1, r1, "related_resource", {"id": r2["id"], "type": k2})
                return
            if (k1, k2) == ("person", "company"):
                if r1.get("company_id"):
                    raise Invalid([("base", "A person can be related to only one company")])
                self._save_field(k1, r1, "company_id", r2["id"], company_name=r2.get("name"))
                return
        self.store.add_relation((a[0], a[1]["id"]), (b[0], b[1]["id"]))

    def _remove_related(self, a: tuple[str, Json], b: tuple[str, Json]) -> bool:
        removed = self.store.remove_relation((a[0], a[1]["id"]), (b[0], b[1]["id"]))
        for (k1, r1), (k2, r2) in ((a, b), (b, a)):
            resource = r1.get("related_resource") or {}
            if k1 in ("task", "project") and (resource.get("type"), resource.get("id")) == (
                k2, r2["id"],
            ):  # fmt: skip
                self._save_field(k1, r1, "related_resource", None)
                removed = True
            if (
                k1 in ("person", "opportunity")
                and k2 == "company"
                and r1.get("company_id") == r2["id"]
            ):
                self._save_field(k1, r1, "company_id", None, company_name=None)
                removed = True
            if (k1, k2) == ("opportunity", "person") and r1.get("primary_contact_id") == r2["id"]:
                self._save_field(k1, r1, "primary_contact_id", None)
                removed = True
        return removed

    def _save_field(self, kind: str, record: Json, key: str, value: Any, **extra: Any) -> None:
        """A relation kept in a record's own field: the record changes (no webhook: Copper's
        "update" excludes new relationships)."""
        record.update({key: value, **extra})
        record["date_modified"] = max(int(time.time()), int(record.get("date_modified") or 0) + 1)
        self.store.save(kind, record)

    # ----------------------------------------------------------------- related links
    def related_links(
        self, definition_id: str | None, source_type: str | None, source_id: str | None
    ) -> list[Json]:
        """``GET /related_links``: the query's filters (each optional) AND-ed."""
        errors: list[tuple[str, str]] = []
        def_id = self._link_filter_id("custom_field_definition_id", definition_id, errors)
        sid = self._link_filter_id("source_id", source_id, errors)
        kind = None
        if source_type:
            kind = LINK_TYPES.get(source_type)
            if kind is None:
                errors.append(("source_type", "is not included in the list"))
        if errors:
            raise Invalid(errors)
        if sid is not None and kind is None:
            found = [x for x in self.store.links(def_id) if x["source"]["id"] == sid]
        else:
            found = self.store.links(def_id, None if kind is None else (kind, sid))
        return [self.render_link(x) for x in found]

    @staticmethod
    def _link_filter_id(key: str, text: str | None, errors: list[tuple[str, str]]) -> int | None:
        if not text:
            return None
        number = as_int(text)
        if number is None:
            errors.append((key, "is not a number"))
        return number

    def create_related_link(self, body: Any) -> Json:
        """``POST /related_links``: the link and, on the connected definition, its reverse."""
        if not isinstance(body, dict):
            raise Invalid([("base", "Request body must be a JSON object")])
        unknown = [k for k in body if k not in LINK_KEYS]
        if unknown:
            raise unknown_keys_error(unknown)
        errors: list[tuple[str, str]] = []
        source = self._link_end("source", body.get("source"), errors)
        target = self._link_end("target", body.get("target"), errors)
        raw_id = body.get("custom_field_definition_id")
        def_id = as_int(raw_id)
        d = self.rules.definition(def_id) if def_id is not None else None
        paired: Json | None = None
        if raw_id is None:
            errors.append(("custom_field_definition_id", "can't be blank"))
        elif d is None:
            errors.append(("custom_field_definition_id",
                           f"Unknown custom field definition: {raw_id}"))  # fmt: skip
        elif d.get("data_type") != "Connect":
            errors.append(("custom_field_definition_id", f"{d['name']} is not a Connect field"))
        else:
            if source and source[0] not in (d.get("available_on") or []):
                errors.append(
                    ("custom_field_definition_id", f"{d['name']} is not available on {source[0]}")
                )
            pair_id = as_int(d.get("connected_id"))
            paired = self.rules.definition(pair_id) if pair_id is not None else None
            if paired and target and target[0] not in (paired.get("available_on") or []):
                errors.append(("target", f"{paired['name']} is not available on {target[0]}"))
        if errors:
            raise Invalid(errors)
        assert d is not None and source is not None and target is not None
        if self.store.find_link(d["id"], source[:2], target[:2]) is not None:
            raise Invalid([("target", f"{target[0]} {target[1]} is already linked")])
        link = self._new_link(d["id"], source, target)
        with self.store.transaction():
            if paired is not None and (paired["id"], target, source) != (d["id"], source, target):
                existing = self.store.find_link(paired["id"], target[:2], source[:2])
                if existing is None:
                    reverse = self._new_link(paired["id"], target, source)
                    reverse["pair_id"] = link["id"]
                    self.store.add_link(reverse)
                    existing = reverse["id"]
                link["pair_id"] = existing
            self.store.add_link(link)
        return self.render_link(link)

    def _link_end(
        self, key: str, value: Any, errors: list[tuple[str, str]]
    ) -> tuple[str, int, str] | None:
        """(kind, id, entity type as sent) of a link's source or target, or None (and an error)."""
        if not isinstance(value, dict):
            errors.append((key, "can't be blank"))
            return None
        unknown = [f"{key}.{k}" for k in value if k not in ("id", "entity_type", "name")]
        if unknown:
            raise unknown_keys_error(unknown)
        label = value.get("entity_type")
        kind = LINK_TYPES.get(label) if isinstance(label, str) else None
        if kind is None:
            errors.append(
                (
                    key,
                    "entity_type can't be blank"
                    if label is None
                    else f"Invalid entity_type: {label}",
                )
            )
            return None
        rid = as_int(value.get("id"))
        if rid is None or rid <= 0:
            errors.append((key, f"Invalid id: {value.get('id')}"))
            return None
        hide = kind == "lead" and self.ctx.settings.hide_converted_leads
        if self.store.get(kind, rid, include_hidden=not hide) is None:
            errors.append((key, f"{kind} {rid} does not exist"))
            return None
        assert isinstance(label, str)
        return kind, rid, label

    def _new_link(
        self, def_id: int, source: tuple[str, int, str], target: tuple[str, int, str]
    ) -> Json:
        return {
            "id": self.store.next_link_id(),
            "custom_field_definition_id": def_id,
            "source": {"id": source[1], "entity_type": source[0], "label": source[2]},
            "target": {"id": target[1], "entity_type": target[0], "label": target[2]},
            "pair_id": None,
        }

    def delete_related_link(self, link_id: int) -> list[int]:
        """``DELETE /related_links/{id}``: the link and its reverse; answers both ids."""
        link = self.store.get_link(link_id)
        if link is None:
            raise NotFound()
        ids = [link_id]
        if link["pair_id"] is not None and self.store.get_link(link["pair_id"]) is not None:
            ids.append(link["pair_id"])
        with self.store.transaction():
            self.store.delete_links(ids)
        return ids

    def render_link(self, link: Json) -> Json:
        """Copper's shape: each end with the entity type as sent and the record's name."""
        out: Json = {"id": link["id"],
                     "custom_field_definition_id": link["custom_field_definition_id"]}  # fmt: skip
        for end in ("source", "target"):
            e = link[end]
            out[end] = {"id": e["id"], "entity_type": e["label"],
                        "name": self.store.name_of(e["entity_type"], e["id"])}  # fmt: skip
        return out

    # ----------------------------------------------------------------- webhooks
    def create_webhook(self, body: Any) -> Json:
        if not isinstance(body, dict):
            raise Invalid([("base", "Request body must be a JSON object")])
        unknown = [k for k in body if k not in WEBHOOK_KEYS]
        if unknown:
            raise unknown_keys_error(unknown)
        errors: list[tuple[str, str]] = []
        if body.get("type") is None:
            errors.append(("type", "can't be blank"))
        elif body["type"] not in WEBHOOK_TYPES:
            errors.append(("type", "is not included in the list"))
        if body.get("event") is None:
            errors.append(("event", "can't be blank"))
        elif body["event"] not in WEBHOOK_EVENTS:
            errors.append(("event", "is not included in the list"))
        hook: Json = {
            "id": None,
            "target": body.get("target"),
            "type": body.get("type"),
            "event": body.get("event"),
            "secret": {},
            "headers": {},
            "custom_field_computed_values": False,
            "created_at": int(time.time()),
        }
        self._webhook_extras(hook, body, errors)
        if errors:
            raise Invalid(errors)
        check_target(body.get("target"))
        if self.store.webhook_count() >= WEBHOOK_LIMIT:
            raise Invalid([("base", f"at most {WEBHOOK_LIMIT} webhook subscriptions allowed")])
        return self.store.save_webhook(hook)

    def update_webhook(self, wid: int, body: Any) -> Json:
        hook = self.store.get_webhook(wid)
        if hook is None:
            raise NotFound()
        if not isinstance(body, dict):
            raise Invalid([("base", "Request body must be a JSON object")])
        unknown = [k for k in body if k not in (*WEBHOOK_KEYS, "id", "created_at")]
        if unknown:
            raise unknown_keys_error(unknown)
        errors: list[tuple[str, str]] = []
        for key in ("type", "event"):
            if key in body and body[key] != hook[key]:
                errors.append((key, "cannot be changed; create a new subscription"))
        self._webhook_extras(hook, body, errors)
        if errors:
            raise Invalid(errors)
        if "target" in body:
            check_target(body["target"])
            hook["target"] = body["target"]
        return self.store.save_webhook(hook)

    @staticmethod
    def _webhook_extras(hook: Json, body: Json, errors: list[tuple[str, str]]) -> None:
        for key in ("secret", "headers"):
            if key in body:
                value = body[key] if body[key] is not None else {}
                if not isinstance(value, dict) or not all(
                    isinstance(k, str) and isinstance(v, str) for k, v in value.items()
                ):
                    errors.append((key, "must be an object of strings"))
                else:
                    hook[key] = value
        if "custom_field_computed_values" in body:
            flag = body["custom_field_computed_values"]
            if not isinstance(flag, bool):
                errors.append(("custom_field_computed_values", "must be true or false"))
            else:
                hook["custom_field_computed_values"] = flag

    # ----------------------------------------------------------------- lookups
    def user_view(self, user_id: int) -> Json:
        user = self.store.user(user_id)
        if user is None:
            raise NotFound()
        return {
            "id": user["id"],
            "name": user.get("name"),
            "email": user.get("email"),
            "groups": user.get("groups") or [],
        }

    def pipeline_stages(self, pipeline_id: int | None) -> list[Json]:
        pipes = self.rules.pipelines()
        if pipeline_id is not None:
            pipes = [p for p in pipes if p["id"] == pipeline_id]
            if not pipes:
                raise NotFound()
        return [
            {
                "id": s["id"],
                "name": s["name"],
                "pipeline_id": p["id"],
                "win_probability": s.get("win_probability"),
            }
            for p in pipes
            for s in p.get("stages") or []
        ]

    def tags(self, *, sort_by: str, names_only: bool, after: str | None) -> list[Any]:
        if sort_by not in ("name", "count"):
            raise Invalid([("sort_by", "is not included in the list")])
        counts = self.store.tag_counts()
        plurals = (
            ("person", "people"),
            ("lead", "leads"),
            ("company", "companies"),
            ("opportunity", "opportunities"),
            ("project", "projects"),
            ("task", "tasks"),
        )
        rows: list[Json] = []
        for tag, per in sorted(counts.items(), key=lambda item: item[0].lower()):
            row: Json = {"name": tag, "count": sum(per.values())}
            row.update({f"count_{plural}": per.get(kind, 0) for kind, plural in plurals})
            rows.append(row)
        if sort_by == "count":
            rows.sort(key=lambda r: -int(r["count"]))
        if after is not None:
            names = [r["name"] for r in rows]
            rows = rows[names.index(after) + 1 :] if after in names else []
        return [r["name"] for r in rows] if names_only else rows

    def custom_activity_type(self, type_id: int) -> Json:
        for item in self.store.meta("custom_activity_types") or []:
            if item["id"] == type_id:
                found: Json = item
                return found
        raise NotFound()

    def save_custom_activity_type(self, type_id: int | None, body: Any) -> Json:
        items: list[Json] = copy.deepcopy(self.store.meta("custom_activity_types") or [])
        if not isinstance(body, dict):
            raise Invalid([("base", "Request body must be a JSON object")])
        unknown = [k for k in body if k not in (*ACTIVITY_TYPE_FIELDS, "id", "company_id")]
        if unknown:
            raise unknown_keys_error(unknown)
        if type_id is None:
            item: Json = {
                "id": max((i["id"] for i in items), default=0) + 1,
                "company_id": (self.store.meta("account") or {}).get("id"),
                "icon_type": "Event",
                "is_disabled": False,
                "is_interaction": True,
                "name": None,
                "is_default_task_type": None,
            }
            items.append(item)
        else:
            self.custom_activity_type(type_id)
            item = next(i for i in items if i["id"] == type_id)
        errors = [
            (key, message)
            for key, (check, message) in ACTIVITY_TYPE_FIELDS.items()
            if key in body and not check(body[key])
        ]
        item.update({k: body[k] for k in ACTIVITY_TYPE_FIELDS if k in body})
        if not isinstance(item.get("name"), str) or not item["name"].strip():
            errors.append(("name", "can't be blank"))
        if errors:
            raise Invalid(errors)
        self.store.set_meta("custom_activity_types", items)
        return item

    def save_definition(self, def_id: int | None, body: Any) -> Json:
        """Create or update a custom field definition; options are replaced on update (§7),
        keeping the ids of options sent with their id."""
        if not isinstance(body, dict):
            raise Invalid([("base", "Request body must be a JSON object")])
        allowed = ("name", "data_type", "available_on", "options", "currency", "is_filterable")
        unknown = [k for k in body if k not in (*allowed, "id", "canonical_name")]
        if unknown:
            raise unknown_keys_error(unknown)
        defs: list[Json] = [dict(d) for d in self.rules.definitions()]
        if def_id is None:
            d: Json = {"id": max((x["id"] for x in defs), default=0) + 1, "canonical_name": None,
                       "is_filterable": True, "available_on": []}  # fmt: skip
            defs.append(d)
        else:
            found = next((x for x in defs if x["id"] == def_id), None)
            if found is None:
                raise NotFound()
            d = found
        errors: list[tuple[str, str]] = []
        if "data_type" in body:
            if def_id is not None and body["data_type"] != d.get("data_type"):
                errors.append(("data_type", "cannot be changed"))
            elif body["data_type"] not in CF_DATA_TYPES:
                errors.append(("data_type", "is not included in the list"))
        elif def_id is None:
            errors.append(("data_type", "can't be blank"))
        if "currency" in body and not (body["currency"] is None or _short_text(body["currency"])):
            errors.append(("currency", TEXT_ERROR))
        if "is_filterable" in body and not isinstance(body["is_filterable"], bool):
            errors.append(("is_filterable", "must be true or false"))
        for key in ("name", "data_type", "currency", "is_filterable"):
            if key in body:
                d[key] = body[key]
        if not isinstance(d.get("name"), str) or not d["name"].strip():
            errors.append(("name", "can't be blank"))
        elif not _short_text(d["name"]):
            errors.append(("name", TEXT_ERROR))
        if "available_on" in body:
            on = body["available_on"]
            if not isinstance(on, list) or any(x not in CF_ENTITIES for x in on):
                errors.append(("available_on", "is not included in the list"))
            else:
                d["available_on"] = list(dict.fromkeys(on))
        if d.get("data_type") in ("Dropdown", "MultiSelect"):
            if "options" in body or def_id is None:
                d["options"] = self._options(body.get("options"), d.get("options") or [], errors)
        elif "options" in body:
            errors.append(("options", "apply to Dropdown and MultiSelect only"))
        if errors:
            raise Invalid(errors)
        self.store.set_meta("custom_field_definitions", defs)
        return d

    def _options(self, given: Any, current: list[Json], errors: list[tuple[str, str]]) -> Any:
        if not isinstance(given, list) or not given:
            errors.append(("options", "can't be blank"))
            return current
        used = [o["id"] for d in self.rules.definitions() for o in d.get("options") or []]
        next_id = max(used, default=0) + 1
        known = {o["id"] for o in current}
        out = []
        for rank, option in enumerate(given):
            if not isinstance(option, dict) or not isinstance(option.get("name"), str):
                errors.append(("options", "each option needs a name"))
                return current
            oid = as_int(option.get("id"))
            if oid is None or oid not in known:
                oid, next_id = next_id, next_id + 1
            out.append({"id": oid, "name": option["name"], "rank": option.get("rank", rank)})
        return out

    def delete_definition(self, def_id: int) -> None:
        defs = self.rules.definitions()
        if not any(d["id"] == def_id for d in defs):
            raise NotFound()
        with self.store.transaction():
            self.store.set_meta("custom_field_definitions", [d for d in defs if d["id"] != def_id])
            self.store.delete_links_of_definition(def_id)


def check_target(target: Any) -> None:
    """https only, except plain http to loopback hosts, which the sandbox allows for tests."""
    if not isinstance(target, str) or not target.strip():
        raise Invalid([("target", "can't be blank")])
    try:
        parts = urlsplit(target)
        host = parts.hostname
    except ValueError:
        raise ApiError(422, URI_ERROR) from None
    if not host or parts.scheme not in ("http", "https"):
        raise ApiError(422, URI_ERROR)
    if parts.scheme == "http" and not _loopback(host):
        raise ApiError(422, URI_ERROR)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


__all__ = ["Operations", "check_cf_value", "check_target"]
