"""Copper's record rules: full records with every key and every applicable custom field on the
way out, and PUT merge semantics on the way in (partial, ``null`` clears, custom fields merged by
definition, arrays and address replaced whole, derived fields kept consistent). Field checks
are in ``fields``, the key sets in ``keys``.

Records are validated and merged in storage form (see ``store``) and rendered to Copper's
shape only on the way out, so lookups and settings that change at run time show at once.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from copper_desktop.sandbox.core.fields import FieldRules, computed_value
from copper_desktop.sandbox.core.keys import (
    KEYS,
    LIST_KEYS,
    NAME_PARTS,
    READ_ONLY,
    REQUIRED,
    SPECS,
    ZERO_KEYS,
)
from copper_desktop.sandbox.core.refusals import Invalid, unknown_keys_error
from copper_desktop.sandbox.core.schema import email_keys, format_close_date

Json = dict[str, Any]

_PREFIXES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir"}
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "phd", "md", "esq"}


def split_name(name: str) -> dict[str, str | None]:
    """Copper derives the parts: ``"Dr. Jane Q Public, Jr."`` -> prefix/first/middle/last/suffix."""
    main, _, suffix = name.strip().partition(",")
    tokens = main.split()
    prefix = None
    if len(tokens) > 1 and tokens[0].rstrip(".").lower() in _PREFIXES:
        prefix = tokens.pop(0)
    suffix_value = suffix.strip() or None
    if suffix_value is None and len(tokens) > 2 and tokens[-1].rstrip(".").lower() in _SUFFIXES:
        suffix_value = tokens.pop()
    return {
        "prefix": prefix,
        "first_name": tokens[0] if tokens else None,
        "middle_name": " ".join(tokens[1:-1]) or None,
        "last_name": tokens[-1] if len(tokens) > 1 else None,
        "suffix": suffix_value,
    }


def join_name(rec: Json) -> str | None:
    main = " ".join(
        str(rec[k]) for k in ("prefix", "first_name", "middle_name", "last_name") if rec.get(k)
    )
    if rec.get("suffix"):
        main = f"{main}, {rec['suffix']}" if main else str(rec["suffix"])
    return main or None


def now() -> int:
    return int(time.time())


class Rules(FieldRules):
    """Validation, merging and rendering against the store's lookups and the live settings."""

    # ----------------------------------------------------------------- rendering
    def render(self, kind: str, rec: Json, *, computed: bool = False) -> Json:
        """Storage form -> Copper's answer: every key, every applicable custom field."""
        out: Json = {}
        for key in KEYS[kind]:
            value = rec.get(key)
            if value is None:
                value = [] if key in LIST_KEYS else 0 if key in ZERO_KEYS else None
            out[key] = value
        if kind == "activity":
            return out
        stored = rec.get("custom_fields") or {}
        links: dict[int, list[int]] | None = None
        fields = []
        for d in self.definitions_for(kind):
            if d["data_type"] == "Connect":
                # Connect values are the record's related links (§11), never stored values.
                if links is None:
                    links = self.store.link_targets(kind, rec["id"]) if "id" in rec else {}
                value = list(links.get(d["id"], []))
            else:
                value = stored.get(str(d["id"]))
            if value is None:
                value = (
                    []
                    if d["data_type"] in ("MultiSelect", "Connect")
                    else False
                    if d["data_type"] == "Checkbox"
                    else None
                )
            entry: Json = {"custom_field_definition_id": d["id"], "value": value}
            if computed:
                entry["computed_value"] = computed_value(d, value)
            fields.append(entry)
        out["custom_fields"] = fields
        if kind == "task" and not out["related_resource"]:
            out["related_resource"] = {"id": None, "type": None}  # Copper's "related to nothing"
        if kind == "opportunity":
            out["close_date"] = format_close_date(rec.get("close_date"), self.order)
        if kind == "lead":
            status = next(
                (s for s in self.lead_statuses() if s["id"] == rec.get("status_id")), None
            )
            out["status"] = status["name"] if status else rec.get("status")
        return out

    # ----------------------------------------------------------------- create / update
    def create(self, kind: str, body: Any, user: Json | None) -> Json:
        """A new record in storage form (id assigned, not yet saved); raises Invalid."""
        rec = self._merge(kind, None, body, user)
        rec["id"] = self.store.next_id(kind)
        return rec

    def update(self, kind: str, old: Json, body: Any, user: Json | None) -> Json:
        """``old`` with ``body`` applied as Copper's partial PUT; raises Invalid."""
        return self._merge(kind, old, body, user)

    def _merge(self, kind: str, old: Json | None, body: Any, user: Json | None) -> Json:
        if not isinstance(body, dict):
            raise Invalid([("base", "Request body must be a JSON object")])
        spec = SPECS[kind]
        unknown = [k for k in body if k not in spec and k not in READ_ONLY[kind]]
        if unknown:
            raise unknown_keys_error(unknown)
        creating = old is None
        rec: Json = self._defaults(kind, user) if old is None else copy.deepcopy(old)
        errors: list[tuple[str, str]] = []
        for key, value in body.items():
            if key not in spec:
                continue
            if not creating and (kind, key) == ("person", "company_id"):
                continue  # a person's company changes through related items (§7)
            checked = self.check(kind, key, spec[key], value, errors)
            if key == "custom_fields":
                rec["custom_fields"] = {**(rec.get("custom_fields") or {}), **(checked or {})}
                rec["custom_fields"] = {
                    k: v for k, v in rec["custom_fields"].items() if v not in (None, [])
                }
            elif key == "status" and kind == "lead":
                if checked is not None and "status_id" not in body:
                    rec["status_id"] = checked
            else:
                rec[key] = checked
        for key in REQUIRED.get(kind, ()):
            if rec.get(key) is None:
                errors.append((key, "can't be blank"))
        self._derive(kind, old, rec, body, errors)
        if errors:
            raise Invalid(errors)
        if old is None:
            stamp = now()
            rec["date_created"] = rec["date_modified"] = stamp
        elif _changed(old, rec):
            rec["date_modified"] = max(now(), int(old.get("date_modified") or 0) + 1)
        return rec

    def _defaults(self, kind: str, user: Json | None) -> Json:
        rec: Json = {k: ([] if k in LIST_KEYS else None) for k in KEYS[kind]}
        rec.pop("id")
        if kind != "activity":
            rec["custom_fields"] = {}
        if kind in ("person", "company", "lead", "opportunity"):
            rec["interaction_count"] = 0
        if kind == "lead":
            statuses = self.lead_statuses()
            default = next((s for s in statuses if s.get("is_default")), None)
            default = default or (statuses[0] if statuses else None)
            rec["status_id"] = default["id"] if default else None
        if kind == "opportunity":
            rec.update(status="Open", priority="None")
        if kind in ("project", "task"):
            rec["status"] = "Open"
        if kind == "task":
            rec["priority"] = "None"
            rec["related_resource"] = None
        if kind == "activity":
            rec["user_id"] = user["id"] if user else None
            rec["activity_date"] = now()
        return rec

    def _derive(
        self, kind: str, old: Json | None, rec: Json, body: Json, errors: list[tuple[str, str]]
    ) -> None:
        """Keep derived fields consistent and check rules spanning several fields."""
        if kind in ("person", "lead"):
            if isinstance(body.get("name"), str) and body["name"].strip():
                parts = split_name(body["name"])
                for part in NAME_PARTS:
                    if part not in body:
                        rec[part] = parts[part]
                rec["name"] = body["name"].strip()
            elif any(p in body for p in NAME_PARTS) and "name" not in body:
                rec["name"] = join_name(rec)
        if kind != "activity" and not (isinstance(rec.get("name"), str) and rec["name"].strip()):
            errors.append(("name", "can't be blank"))
        if kind == "person":
            if rec.get("company_id") != (old or {}).get("company_id") or old is None:
                rec["company_name"] = self._company_name(rec.get("company_id"))
            # Only e-mails the person did not have already are looked up: an update that
            # leaves them alone (most of a bulk update) costs no look-up at all.
            had = set(email_keys(old)) if old is not None else set()
            for email in rec.get("emails") or []:
                if email["email"].lower() in had:
                    continue
                owner = self.person_with_email(email["email"])
                if owner is not None and owner != rec.get("id", -1):
                    errors.append(("emails", f"{email['email']} has already been taken"))
        if kind == "company" and rec.get("email_domain"):
            rec["email_domain"] = str(rec["email_domain"]).strip().lower()
            taken = self.store.ids("company", "email_domain = ?", (rec["email_domain"],))
            if any(i != rec.get("id", -1) for i in taken):
                errors.append(("email_domain", "has already been taken"))
        if kind == "lead":
            status = next(
                (s for s in self.lead_statuses() if s["id"] == rec.get("status_id")), None
            )
            rec["status"] = status["name"] if status else None
        if kind == "opportunity":
            self._derive_opportunity(old, rec, body, errors)
        if kind == "task":
            was = (old or {}).get("status")
            if rec.get("status") == "Completed" and was != "Completed":
                rec["completed_date"] = now()
            elif rec.get("status") != "Completed":
                rec["completed_date"] = None

    def _derive_opportunity(
        self, old: Json | None, rec: Json, body: Json, errors: list[tuple[str, str]]
    ) -> None:
        if old is None or "company_id" in body:
            rec["company_name"] = self._company_name(rec.get("company_id"))
        pipes = [p for p in self.pipelines() if p.get("type", "opportunity") == "opportunity"]
        pipe_id, stage_id = rec.get("pipeline_id"), rec.get("pipeline_stage_id")
        if "pipeline_stage_id" in body and stage_id is not None and "pipeline_id" not in body:
            found = self.stage(stage_id)
            if found:
                pipe_id = found[0]["id"]
        if pipe_id is None and pipes:
            pipe_id = pipes[0]["id"]
        pipe = next((p for p in self.pipelines() if p["id"] == pipe_id), None)
        stages = (pipe or {}).get("stages") or []
        if pipe is not None and not any(s["id"] == stage_id for s in stages):
            if "pipeline_stage_id" in body and stage_id is not None:
                errors.append(("pipeline_stage_id", f"is not a stage of pipeline {pipe_id}"))
            stage_id = stages[0]["id"] if stages else None
        rec["pipeline_id"], rec["pipeline_stage_id"] = pipe_id, stage_id
        if old is None or stage_id != old.get("pipeline_stage_id"):
            stage = next((s for s in stages if s["id"] == stage_id), None)
            if "win_probability" not in body:
                rec["win_probability"] = stage.get("win_probability") if stage else None
            rec["date_stage_changed"] = now()

    def _company_name(self, company_id: int | None) -> str | None:
        if company_id is None:
            return None
        company = self.store.get("company", company_id)
        return company.get("name") if company else None

    def person_with_email(self, email: str) -> int | None:
        """The (lowest) id of the person having ``email``, in any case."""
        ids = self.store.people_with_email(email)
        return ids[0] if ids else None


def _changed(old: Json, new: Json) -> bool:
    skip = {"date_modified"}
    keys = (set(old) | set(new)) - skip
    return any(old.get(k) != new.get(k) for k in keys)


def diff(old: Json, new: Json) -> dict[str, list[Any]]:
    """``updated_attributes`` of a webhook: each rendered field that really changed."""
    return {
        k: [old.get(k), new.get(k)]
        for k in new
        if k not in ("date_modified",) and old.get(k) != new.get(k)
    }
