"""The demo records, kind by kind: a plan fixed first (creation dates, memberships, the
activity log), then one pass (``Run``) that builds every record from its own random stream and
keeps names, domains and emails unique."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from copper_desktop.sandbox.core import seed_tables as tables
from copper_desktop.sandbox.core.seed_pieces import Pieces, Rng, date_string, pick
from copper_desktop.sandbox.core.seed_pieces import slug as slugify
from copper_desktop.sandbox.core.shapes import Json


@dataclass
class Plan:
    """Facts fixed before any record is built, so early records agree with later ones."""

    created: dict[str, list[int]]
    person_company: list[int]  # company index per person, -1 for none
    company_people: list[list[int]]
    activities: list[tuple[str, int, int, str, int]]  # kind, index, type id, category, date
    interactions: dict[str, list[int]]
    last_contacted: dict[str, list[int | None]]


def make_plan(sizes: dict[str, int]) -> Plan:
    """Creation dates, who works where and the whole activity log, fixed before any record is
    built so that records yielded early agree with those yielded later."""
    r = Rng("copper-sandbox:plan")
    created: dict[str, list[int]] = {}
    for kind in ("company", "person", "lead", "opportunity", "project", "task"):
        span = tables.NOW - 7 * tables.DAY - tables.START
        created[kind] = sorted(tables.START + int(r.random() * span) for _ in range(sizes[kind]))
    n_companies = sizes["company"]
    person_company = [
        r.randrange(n_companies) if n_companies and r.random() < 0.8 else -1
        for _ in range(sizes["person"])
    ]
    company_people: list[list[int]] = [[] for _ in range(n_companies)]
    for person, company in enumerate(person_company):
        if company >= 0:
            company_people[company].append(person)
    interactions = {k: [0] * len(v) for k, v in created.items()}
    last: dict[str, list[int | None]] = {k: [None] * len(v) for k, v in created.items()}
    activities: list[tuple[str, int, int, str, int]] = []
    for _ in range(sizes["activity"]):
        kind = pick(r, tables.ACTIVITY_PARENTS)
        index = r.randrange(sizes[kind])
        when = created[kind][index] + 600 + int(r.random() * (tables.NOW - created[kind][index]))
        when = min(when, tables.NOW - 900)
        if r.random() < 0.15:
            category = "system"
            type_id = (
                tables.STAGE_CHANGED
                if kind == "opportunity" and r.random() < 0.7
                else tables.PROPERTY_CHANGED
            )
        else:
            category = "user"
            type_id = pick(r, tables.USER_ACTIVITY_WEIGHTS)
        activities.append((kind, index, type_id, category, when))
        if type_id in tables.INTERACTION_TYPES and category == "user":
            interactions[kind][index] += 1
            previous = last[kind][index]
            if previous is None or when > previous:
                last[kind][index] = when
    activities.sort(key=lambda a: a[4])
    return Plan(created, person_company, company_people, activities, interactions, last)


class Run:
    """The mutable state of one pass of ``batches()``: random streams and uniqueness sets."""

    def __init__(self, gen: Pieces, plan: Plan) -> None:
        self.gen = gen
        self.plan = plan
        self.relations: list[tuple[str, int, str, int]] = []
        self.rng = {kind: Rng(f"copper-sandbox:{kind}") for kind in tables.ID_BASES}
        self.company_names: list[str] = []
        self.company_domains: list[str | None] = []
        self.names_used: set[str] = set()
        self.domains_used: set[str] = set()
        self.emails_used: set[str] = set()
        self.lead_emails_used: set[str] = set()
        self.person_names: list[str] = []
        self.lead_names: list[str] = []
        self.opportunity_contacts: list[int | None] = []

    # ---- helpers

    def _company_name(self, r: random.Random, unique: bool = True) -> tuple[str, str]:
        """A company name and the slug its domain is made of. Companies get unique names, so
        that lead conversion's match by name is unambiguous."""
        name = slug = ""
        for _attempt in range(20):
            head, tail = r.choice(tables.COMPANY_HEADS), r.choice(tables.COMPANY_TAILS)
            industry, form = r.choice(tables.COMPANY_INDUSTRIES), r.choice(tables.COMPANY_FORMS)
            base = f"{head}{tail} {industry}"
            name = f"{base} {form}" if form else base
            slug = slugify(f"{head}{tail}{industry}")
            if not unique:
                return name, slug
            if name.lower() not in self.names_used:
                self.names_used.add(name.lower())
                return name, slug
        name = f"{name} {len(self.names_used) + 1}"
        self.names_used.add(name.lower())
        return name, slugify(name)

    def _unique_email(self, used: set[str], local: str, domain: str) -> str:
        email = f"{local}@{domain}"
        n = 1
        while email in used:
            n += 1
            email = f"{local}{n}@{domain}"
        used.add(email)
        return email

    @staticmethod
    def _local_part(r: random.Random, first: str, last: str) -> str:
        x = r.random()
        if x < 0.55:
            return f"{first}.{last}"
        if x < 0.8:
            return f"{first[0]}{last}"
        if x < 0.9:
            return f"{first}_{last}"
        return first

    # ---- entities

    def company(self, i: int) -> Json:
        gen, plan = self.gen, self.plan
        r = self.rng["company"]
        name, slug = self._company_name(r)
        domain: str | None = None
        if r.random() < 0.85:
            for tld in (r.choice(tables.TLDS), "com", "io", "co"):
                if f"{slug}.{tld}" not in self.domains_used:
                    domain = f"{slug}.{tld}"
                    self.domains_used.add(domain)
                    break
        self.company_names.append(name)
        self.company_domains.append(domain)
        address, phone = gen.address(r, 0.15)
        websites: list[Json] = []
        if domain and r.random() < 0.9:
            websites.append({"url": f"https://www.{domain}", "category": "work"})
            if r.random() < 0.1:
                websites.append({"url": f"https://blog.{domain}", "category": None})
        socials: list[Json] = []
        if r.random() < 0.5:
            socials.append(
                {"url": f"https://www.linkedin.com/company/{slug}", "category": "linkedin"}
            )
        if r.random() < 0.25:
            socials.append({"url": f"https://twitter.com/{slug[:15]}", "category": "twitter"})
        if r.random() < 0.15:
            socials.append({"url": f"https://www.facebook.com/{slug}", "category": "facebook"})
        created = plan.created["company"][i]
        people = plan.company_people[i]
        return {
            "id": tables.ID_BASES["company"] + i,
            "name": name,
            "address": address,
            "assignee_id": gen.assignee(r),
            "contact_type_id": r.choice(tables.CONTACT_TYPES)["id"] if r.random() < 0.6 else None,
            "details": r.choice(gen.pools.company_blurbs) if r.random() < 0.4 else None,
            "email_domain": domain,
            "phone_numbers": gen.phones(r, phone, ("work", "work", "other")),
            "socials": socials,
            "tags": gen.tags(r),
            "websites": websites,
            "custom_fields": gen.custom_fields(r, "company"),
            "interaction_count": plan.interactions["company"][i],
            "date_created": created,
            "date_modified": gen.modified(r, created),
            "primary_contact_id": tables.ID_BASES["person"] + people[0] if people else None,
        }

    def person(self, i: int) -> Json:
        gen, plan = self.gen, self.plan
        r = self.rng["person"]
        pools = gen.pools
        name, prefix, first, middle, last, suffix, fi, li = gen.name(r)
        self.person_names.append(name)
        person_id = tables.ID_BASES["person"] + i
        company = plan.person_company[i]
        company_id = tables.ID_BASES["company"] + company if company >= 0 else None
        company_name = self.company_names[company] if company >= 0 else None
        domain = self.company_domains[company] if company >= 0 else None
        f_slug, l_slug = pools.first_slugs[fi], pools.last_slugs[li]
        local = self._local_part(r, f_slug, l_slug)
        emails: list[Json] = []
        if r.random() < 0.93:
            if domain:
                emails.append(
                    {
                        "email": self._unique_email(self.emails_used, local, domain),
                        "category": "work",
                    }
                )
            personal_domain = r.choice(tables.PERSONAL_DOMAINS)
            if not domain or r.random() < 0.2:
                emails.append(
                    {
                        "email": self._unique_email(
                            self.emails_used, f"{f_slug}.{l_slug}", personal_domain
                        ),
                        "category": "personal",
                    }
                )
        address, phone = gen.address(r, 0.45)
        socials: list[Json] = []
        if r.random() < 0.35:
            socials.append(
                {
                    "url": f"https://www.linkedin.com/in/{f_slug}-{l_slug}-{r.randrange(16**6):06x}",
                    "category": "linkedin",
                }
            )
        if r.random() < 0.12:
            socials.append(
                {"url": f"https://twitter.com/{f_slug[:1]}{l_slug[:12]}", "category": "twitter"}
            )
        websites: list[Json] = []
        if r.random() < 0.05:
            websites.append(
                {"url": f"https://{f_slug}{l_slug}.example.com", "category": "personal"}
            )
        created = plan.created["person"][i]
        if company_id is not None:
            self.relations.append(("person", person_id, "company", company_id))
        return {
            "id": person_id,
            "name": name,
            "prefix": prefix,
            "first_name": first,
            "middle_name": middle,
            "last_name": last,
            "suffix": suffix,
            "address": address,
            "assignee_id": gen.assignee(r),
            "company_id": company_id,
            "company_name": company_name,
            "contact_type_id": r.choice(tables.CONTACT_TYPES)["id"] if r.random() < 0.9 else None,
            "details": r.choice(tables.PERSON_DETAILS) if r.random() < 0.25 else None,
            "emails": emails,
            "phone_numbers": gen.phones(r, phone, ("work", "mobile", "home", "other")),
            "socials": socials,
            "tags": gen.tags(r),
            "title": r.choice(pools.titles) if r.random() < 0.7 else None,
            "websites": websites,
            "custom_fields": gen.custom_fields(r, "person"),
            "date_created": created,
            "date_modified": gen.modified(r, created),
            "date_last_contacted": plan.last_contacted["person"][i],
            "interaction_count": plan.interactions["person"][i],
            "leads_converted_from": [],
            "date_lead_created": None,
        }

    def lead(self, i: int) -> Json:
        gen, plan = self.gen, self.plan
        r = self.rng["lead"]
        name, prefix, first, middle, last, suffix, fi, li = gen.name(r)
        self.lead_names.append(name)
        first_name: str | None = first
        last_name: str | None = last
        if r.random() < 0.05:  # Copper sometimes keeps the whole name in first_name
            first_name, last_name, prefix, middle, suffix = name, None, None, None, None
        company_name: str | None = None
        domain: str = r.choice(tables.PERSONAL_DOMAINS)
        x = r.random()
        if x < 0.2 and self.company_names:  # a new contact at an existing company
            company = r.randrange(len(self.company_names))
            company_name = self.company_names[company]
            domain = self.company_domains[company] or domain
        elif x < 0.8:
            company_name, slug = self._company_name(r, unique=False)
            domain = f"{slug}.{r.choice(tables.TLDS)}"
        f_slug, l_slug = gen.pools.first_slugs[fi], gen.pools.last_slugs[li]
        email: Json | None = None
        if r.random() < 0.9:
            address = self._unique_email(
                self.lead_emails_used, self._local_part(r, f_slug, l_slug), domain
            )
            email = {"email": address, "category": "work" if company_name else "personal"}
        address_obj, phone = gen.address(r, 0.5)
        status = tables.LEAD_STATUSES[pick(r, ((0, 0.4), (1, 0.7), (2, 0.9), (3, 1.0)))]
        value = r.randrange(5, 1000) * 100 if r.random() < 0.5 else None
        socials: list[Json] = []
        if r.random() < 0.2:
            socials.append(
                {"url": f"https://www.linkedin.com/in/{f_slug}-{l_slug}", "category": "linkedin"}
            )
        websites: list[Json] = []
        if company_name and r.random() < 0.3:
            websites.append({"url": f"https://www.{domain}", "category": "work"})
        created = plan.created["lead"][i]
        return {
            "id": tables.ID_BASES["lead"] + i,
            "name": name,
            "prefix": prefix,
            "first_name": first_name,
            "middle_name": middle,
            "last_name": last_name,
            "suffix": suffix,
            "address": address_obj,
            "assignee_id": gen.assignee(r),
            "company_name": company_name,
            "customer_source_id": (
                r.choice(tables.CUSTOMER_SOURCES)["id"] if r.random() < 0.8 else None
            ),
            "details": r.choice(tables.LEAD_DETAILS) if r.random() < 0.4 else None,
            "email": email,
            "interaction_count": plan.interactions["lead"][i],
            "monetary_unit": "USD" if value is not None else None,
            "monetary_value": value,
            "socials": socials,
            "status": status["name"],
            "status_id": status["id"],
            "tags": gen.tags(r),
            "title": r.choice(gen.pools.titles) if r.random() < 0.6 else None,
            "websites": websites,
            "phone_numbers": gen.phones(r, phone, ("work", "mobile")),
            "custom_fields": gen.custom_fields(r, "lead"),
            "date_created": created,
            "date_modified": gen.modified(r, created),
            "date_last_contacted": plan.last_contacted["lead"][i],
        }

    def opportunity(self, i: int) -> Json:
        gen, plan = self.gen, self.plan
        r = self.rng["opportunity"]
        opp_id = tables.ID_BASES["opportunity"] + i
        n_companies, n_people = len(self.company_names), len(self.person_names)
        company = r.randrange(n_companies) if n_companies and r.random() < 0.9 else -1
        contact: int | None = None
        if company >= 0 and plan.company_people[company] and r.random() < 0.85:
            contact = r.choice(plan.company_people[company])
        elif company < 0 and n_people and r.random() < 0.6:
            contact = r.randrange(n_people)
        product = r.choice(tables.PRODUCTS)
        if company >= 0:
            name = f"{self.company_names[company]} - {product}"
        elif contact is not None:
            name = f"{product} for {self.person_names[contact]}"
        else:
            name = product
        x = r.random()
        pipeline = tables.PIPELINE_SPECS[0 if x < 0.6 else 1 if x < 0.8 else 2]
        stages = pipeline[5]
        created = plan.created["opportunity"][i]
        recent = created > tables.NOW - 365 * tables.DAY
        status = pick(r, tables.OPP_STATUSES_RECENT if recent else tables.OPP_STATUSES_OLD)
        stage = stages[-1] if status == "Won" else stages[int(r.random() ** 1.5 * len(stages))]
        if status == "Open":
            close: int | None = tables.NOW + r.randrange(-30, 180) * tables.DAY
            if r.random() < 0.05:
                close = None
        else:  # decided within a few months of creation
            close = min(created + r.randrange(14, 240) * tables.DAY, tables.NOW - tables.DAY)
        value = float(r.randrange(1, 500) * 500)
        unit, rate = ("USD", 1.0) if r.random() < 0.85 else r.choice(tables.FOREIGN_UNITS)
        converted = unit != "USD"
        last_move = tables.NOW if close is None or status == "Open" else close
        stage_changed = created + int(r.random() * (last_move - created))
        modified = max(gen.modified(r, created), stage_changed)
        company_id = tables.ID_BASES["company"] + company if company >= 0 else None
        contact_id = tables.ID_BASES["person"] + contact if contact is not None else None
        self.opportunity_contacts.append(contact)
        if company_id is not None:
            self.relations.append(("opportunity", opp_id, "company", company_id))
        if contact_id is not None:
            self.relations.append(("opportunity", opp_id, "person", contact_id))
        return {
            "id": opp_id,
            "name": name,
            "assignee_id": gen.assignee(r),
            "close_date": date_string(close, gen.order) if close is not None else None,
            "company_id": company_id,
            "company_name": self.company_names[company] if company >= 0 else None,
            "customer_source_id": (
                r.choice(tables.CUSTOMER_SOURCES)["id"] if r.random() < 0.6 else None
            ),
            "details": r.choice(tables.NOTES).format(person="the buyer")
            if r.random() < 0.3
            else None,
            "loss_reason_id": (
                r.choice(tables.LOSS_REASONS)["id"]
                if status == "Lost" and r.random() < 0.9
                else None
            ),
            "pipeline_id": pipeline[0],
            "pipeline_stage_id": stage[0],
            "primary_contact_id": contact_id,
            "priority": r.choice(tables.PRIORITIES),
            "status": status,
            "tags": gen.tags(r),
            "interaction_count": plan.interactions["opportunity"][i],
            "monetary_unit": unit,
            "monetary_value": value,
            "converted_unit": "USD" if converted else None,
            "converted_value": round(value * rate, 2) if converted else None,
            "win_probability": stage[2],
            "date_stage_changed": stage_changed,
            "date_last_contacted": plan.last_contacted["opportunity"][i],
            "leads_converted_from": [],
            "date_lead_created": None,
            "date_created": created,
            "date_modified": modified,
            "custom_fields": gen.custom_fields(r, "opportunity"),
        }

    def _resource(self, r: random.Random, table: Sequence[tuple[str, float]]) -> tuple[str, int]:
        kind: str = pick(r, table)
        return kind, tables.ID_BASES[kind] + r.randrange(self.gen.sizes[kind])

    def project(self, i: int) -> Json:
        gen, plan = self.gen, self.plan
        r = self.rng["project"]
        project_id = tables.ID_BASES["project"] + i
        related: Json | None = None
        label = r.choice(tables.PROJECTS)
        if r.random() < 0.8:
            kind, rid = self._resource(r, (("company", 0.6), ("opportunity", 0.85), ("person", 1)))
            related = {"id": rid, "type": kind}
            self.relations.append(("project", project_id, kind, rid))
            if kind == "company":
                label = f"{self.company_names[rid - tables.ID_BASES['company']]} {label}"
        created = plan.created["project"][i]
        return {
            "id": project_id,
            "name": label,
            "related_resource": related,
            "assignee_id": gen.assignee(r),
            "status": "Completed" if r.random() < 0.35 else "Open",
            "details": r.choice(tables.PROJECT_DETAILS) if r.random() < 0.5 else None,
            "tags": gen.tags(r),
            "custom_fields": gen.custom_fields(r, "project"),
            "date_created": created,
            "date_modified": gen.modified(r, created),
        }

    def task(self, i: int) -> Json:
        gen, plan = self.gen, self.plan
        r = self.rng["task"]
        task_id = tables.ID_BASES["task"] + i
        related: Json = {"id": None, "type": None}
        person = r.choice(self.person_names) if self.person_names else "the customer"
        company = r.choice(self.company_names) if self.company_names else "the customer"
        if r.random() < 0.7:
            kind, rid = self._resource(
                r,
                (
                    ("person", 0.35),
                    ("company", 0.55),
                    ("opportunity", 0.8),
                    ("lead", 0.93),
                    ("project", 1.0),
                ),
            )
            related = {"id": rid, "type": kind}
            self.relations.append(("task", task_id, kind, rid))
            if kind == "person":
                person = self.person_names[rid - tables.ID_BASES["person"]]
            elif kind == "company":
                company = self.company_names[rid - tables.ID_BASES["company"]]
        created = plan.created["task"][i]
        due: int | None = created + r.randrange(1, 45) * tables.DAY if r.random() < 0.85 else None
        # Old tasks are mostly done, around their due date; recent ones mostly still open.
        old = created < tables.NOW - 60 * tables.DAY
        completed = r.random() < (0.92 if old else 0.2)
        completed_date: int | None = None
        if completed:
            target = due if due is not None else created + r.randrange(1, 20) * tables.DAY
            done = target + r.randrange(-3 * tables.DAY, 2 * tables.DAY)
            completed_date = min(max(done, created + 600), tables.NOW)
        reminder = due - r.choice((900, 3600, tables.DAY)) if due and r.random() < 0.3 else None
        modified = max(gen.modified(r, created), completed_date or created)
        return {
            "id": task_id,
            "name": r.choice(tables.TASK_TEMPLATES).format(person=person, company=company),
            "related_resource": related,
            "assignee_id": gen.assignee(r),
            "due_date": due,
            "reminder_date": reminder,
            "completed_date": completed_date,
            "priority": "High" if r.random() < 0.2 else "None",
            "status": "Completed" if completed else "Open",
            "details": r.choice(tables.PERSON_DETAILS) if r.random() < 0.2 else None,
            "tags": gen.tags(r),
            "custom_fields": gen.custom_fields(r, "task"),
            "custom_activity_type_id": r.choice(tables.TASK_TYPE_IDS),
            "date_created": created,
            "date_modified": modified,
        }

    def _who(self, r: random.Random, kind: str, index: int) -> str:
        """The person a note about this parent would name."""
        contact: int | None = None
        if kind == "person":
            contact = index
        elif kind == "lead":
            return self.lead_names[index]
        elif kind == "company" and self.plan.company_people[index]:
            contact = r.choice(self.plan.company_people[index])
        elif kind == "opportunity":
            contact = self.opportunity_contacts[index]
        if contact is None:
            return r.choice(self.person_names) if self.person_names else "the customer"
        return self.person_names[contact]

    def activity(self, i: int) -> Json:
        gen, plan = self.gen, self.plan
        r = self.rng["activity"]
        kind, index, type_id, category, when = plan.activities[i]
        if category == "system":
            details: str | None = (
                "Stage changed"
                if type_id == tables.STAGE_CHANGED
                else r.choice(tables.SYSTEM_DETAILS)
            )
        else:
            details = r.choice(tables.NOTES).format(person=self._who(r, kind, index))
        created = when + r.randrange(0, 600)
        return {
            "id": tables.ID_BASES["activity"] + i,
            "parent": {"id": tables.ID_BASES[kind] + index, "type": kind},
            "type": {"id": type_id, "category": category},
            "user_id": r.choice(gen.user_ids),
            "details": details,
            "activity_date": when,
            "old_value": None,
            "new_value": None,
            "date_created": created,
            "date_modified": created if r.random() < 0.9 else min(created + tables.DAY, tables.NOW),
        }
