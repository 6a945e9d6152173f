"""Lead conversion plans (issue #10): company candidates, decisions, per-lead rows, checks.

Pure Python: the dialog and the planner (``ui/convert``) and the job kind
(``jobs/conversion.py``) share these rules. A plan row says what one lead becomes: a person
(always), a company decision (an existing company by id, a new one by exact name, or none: the
client never relies on Copper's fuzzy company match, §10) and optionally an opportunity.
Leads that name the same *new* company share a ``company_key`` so the company is created once.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from .catalog import entity

__all__ = [
    "LEGAL_SUFFIXES",
    "CompanyCandidate",
    "CompanyDecision",
    "ConversionPlanRow",
    "OpportunityTemplate",
    "default_decision",
    "email_domain",
    "job_rows",
    "lead_create_body",
    "lead_email",
    "match_companies",
    "normalize_company_name",
    "plan_row",
    "validate_rows",
]

Json = dict[str, Any]
Reason = Literal["exact", "case", "near", "domain"]

LEGAL_SUFFIXES = frozenset(
    ("inc", "incorporated", "llc", "llp", "lp", "ltd", "limited", "gmbh", "co", "corp",
     "corporation", "company", "plc", "ag", "sa", "sas", "sarl", "bv", "nv", "pty", "srl",
     "spa", "kg", "oy", "ab", "as")
)  # fmt: skip
"""Trailing words that do not tell companies apart ("Acme Inc." is "Acme")."""

NEAR_RATIO = 0.85
"""Smallest difflib ratio of two normalized names still offered as a near match."""

_SCORES: dict[str, float] = {"exact": 1.0, "case": 0.98, "domain": 0.95}
_REMOVED = re.compile(r"[.'\u2019`]")
_SEPARATORS = re.compile(r"[\W_]+")


@functools.lru_cache(maxsize=8192)
def normalize_company_name(name: str) -> str:
    """The name with case, accents' compatibility forms, punctuation, legal suffixes and
    extra spaces taken out, for telling whether two names mean the same company."""
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    text = _REMOVED.sub("", text)
    words = _SEPARATORS.sub(" ", text).split()
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


def lead_email(lead: Mapping[str, Any]) -> str | None:
    """The lead's email address (Copper keeps one ``{"email", "category"}`` on a lead)."""
    value = lead.get("email")
    email = value.get("email") if isinstance(value, Mapping) else value
    return email.strip() if isinstance(email, str) and email.strip() else None


def email_domain(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    domain = email.rsplit("@", 1)[1].strip().casefold()
    return domain or None


@dataclass(frozen=True, slots=True)
class CompanyCandidate:
    """An existing company the lead may belong to, and why it was offered."""

    id: int
    name: str
    reason: Reason
    score: float

    def to_json(self) -> Json:
        return {"id": self.id, "name": self.name, "reason": self.reason, "score": self.score}


def _near(matcher: difflib.SequenceMatcher[str], mine: str, theirs: str) -> float:
    """How alike two normalized names are (0 to 1); the cheap upper bounds first, as most
    pairs are far apart (a plan compares hundreds of leads with hundreds of companies)."""
    if mine == theirs:
        return 1.0
    matcher.set_seq1(theirs)  # seq2, the lead's name, stays analysed between companies
    if matcher.real_quick_ratio() < NEAR_RATIO or matcher.quick_ratio() < NEAR_RATIO:
        return 0.0
    return matcher.ratio()


def _candidate(
    company: Mapping[str, Any],
    lead_name: str,
    domain: str | None,
    matcher: difflib.SequenceMatcher[str],
) -> CompanyCandidate | None:
    cid, name = company.get("id"), company.get("name")
    if not isinstance(cid, int) or isinstance(cid, bool) or not isinstance(name, str):
        return None
    found: list[tuple[float, Reason]] = []
    wanted = lead_name.strip()
    if wanted:
        if name.strip() == wanted:
            found.append((_SCORES["exact"], "exact"))
        elif name.strip().casefold() == wanted.casefold():
            found.append((_SCORES["case"], "case"))
        else:
            mine, theirs = normalize_company_name(wanted), normalize_company_name(name)
            if mine and theirs:
                ratio = _near(matcher, mine, theirs)
                if ratio >= NEAR_RATIO:
                    found.append((round(0.9 * ratio, 4), "near"))
    theirs_domain = company.get("email_domain")
    if domain and isinstance(theirs_domain, str) and theirs_domain.strip().casefold() == domain:
        found.append((_SCORES["domain"], "domain"))
    if not found:
        return None
    score, reason = max(found)
    return CompanyCandidate(cid, name, reason, score)


def match_companies(
    lead: Mapping[str, Any], companies: Iterable[Mapping[str, Any]]
) -> list[CompanyCandidate]:
    """Companies the lead may belong to, best first: by its ``company_name`` (exact, ignoring
    case, near by normalized name) and by its email's domain (``email_domain``)."""
    lead_name = lead.get("company_name")
    lead_name = lead_name if isinstance(lead_name, str) else ""
    domain = email_domain(lead_email(lead))
    best: dict[int, CompanyCandidate] = {}
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(normalize_company_name(lead_name.strip()))
    for company in companies:
        c = _candidate(company, lead_name, domain, matcher)
        if c is not None and (c.id not in best or c.score > best[c.id].score):
            best[c.id] = c
    return sorted(best.values(), key=lambda c: (-c.score, c.name.casefold(), c.id))


@dataclass(frozen=True, slots=True)
class CompanyDecision:
    """What the conversion does about a company: attach ``existing`` (by id), create a
    ``new`` one (by exact name), or ``none``."""

    mode: Literal["existing", "new", "none"]
    id: int | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if self.mode == "existing" and self.id is None:
            raise ValueError("an existing company needs its id")
        if self.mode not in ("existing", "new", "none"):
            raise ValueError(f"unknown company mode {self.mode!r}")

    @staticmethod
    def existing(company_id: int, name: str = "") -> CompanyDecision:
        return CompanyDecision("existing", company_id, name)

    @staticmethod
    def new(name: str) -> CompanyDecision:
        return CompanyDecision("new", None, name)

    @staticmethod
    def none() -> CompanyDecision:
        return CompanyDecision("none")

    @property
    def key(self) -> str | None:
        """Leads whose new companies share this key share one company."""
        if self.mode != "new":
            return None
        return normalize_company_name(self.name) or None

    def to_json(self) -> Json:
        if self.mode == "existing":
            return {"mode": "existing", "id": self.id, "name": self.name}
        if self.mode == "new":
            return {"mode": "new", "name": self.name}
        return {"mode": "none"}

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> CompanyDecision:
        mode = data.get("mode")
        if mode == "existing":
            return CompanyDecision.existing(int(data["id"]), str(data.get("name") or ""))
        if mode == "new":
            return CompanyDecision.new(str(data.get("name") or ""))
        if mode == "none":
            return CompanyDecision.none()
        raise ValueError(f"unknown company mode {mode!r}")


def default_decision(
    lead: Mapping[str, Any], candidates: Sequence[CompanyCandidate]
) -> CompanyDecision:
    """An exact, same-but-for-case or same-domain match is attached; otherwise a new company
    named as on the lead, or none when the lead names none. Near matches are only offered."""
    for c in candidates:
        if c.reason in ("exact", "case", "domain"):
            return CompanyDecision.existing(c.id, c.name)
    name = lead.get("company_name")
    if isinstance(name, str) and name.strip():
        return CompanyDecision.new(name.strip())
    return CompanyDecision.none()


@dataclass(frozen=True, slots=True)
class OpportunityTemplate:
    """The planner's opportunity settings, applied to every row (rows may override)."""

    create: bool = False
    pipeline_id: int | None = None
    stage_id: int | None = None
    """None: Copper uses the pipeline's first stage."""
    name_pattern: str = "{lead name}"
    """``{lead name}`` and ``{company}`` are replaced (plain text, no other formatting)."""
    value_from_lead: bool = True
    """The lead's ``monetary_value``; else no value."""
    owner_from_lead: bool = True
    """The lead's ``assignee_id``; else ``assignee_id`` below."""
    assignee_id: int | None = None

    def name_for(self, lead: Mapping[str, Any], company: CompanyDecision) -> str:
        """The opportunity's name for this lead: the pattern filled in (``{company}`` is the
        lead's name when there is no company; the lead's name when the result is blank). The
        one rule: the one-lead dialog pre-fills its name with the default template's."""
        lead_name = str(lead.get("name") or "").strip()
        company_name = company.name.strip() if company.mode != "none" else ""
        name = self.name_pattern.replace("{lead name}", lead_name)
        name = name.replace("{company}", company_name or lead_name).strip()
        return name or lead_name

    def for_lead(self, lead: Mapping[str, Any], company: CompanyDecision) -> Json | None:
        if not self.create:
            return None
        return {
            "name": self.name_for(lead, company),
            "pipeline_id": self.pipeline_id,
            "pipeline_stage_id": self.stage_id,
            "monetary_value": lead.get("monetary_value") if self.value_from_lead else None,
            "assignee_id": lead.get("assignee_id") if self.owner_from_lead else self.assignee_id,
        }


@dataclass(slots=True)
class ConversionPlanRow:
    """One lead of a plan and what it becomes. ``problems`` (from :func:`validate_rows`) keep
    a row from running; ``duplicate_people`` (same email) are a warning only."""

    lead: Json
    person: Json
    company: CompanyDecision
    opportunity: Json | None = None
    candidates: list[CompanyCandidate] = field(default_factory=list)
    duplicate_people: list[Json] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def lead_id(self) -> int:
        return int(self.lead["id"])

    @property
    def label(self) -> str:
        return str(self.lead.get("name") or f"Lead {self.lead.get('id')}")

    @property
    def runnable(self) -> bool:
        return not self.problems


def plan_row(
    lead: Mapping[str, Any],
    candidates: Sequence[CompanyCandidate],
    duplicates: Sequence[Mapping[str, Any]],
    template: OpportunityTemplate,
    *,
    contact_type_id: int | None = None,
    decision: CompanyDecision | None = None,
) -> ConversionPlanRow:
    """The default row for a lead: person from the lead, the default company decision (or
    ``decision``), the template's opportunity."""
    company = decision if decision is not None else default_decision(lead, candidates)
    return ConversionPlanRow(
        lead=dict(lead),
        person={
            "name": str(lead.get("name") or "").strip(),
            "contact_type_id": contact_type_id,
            "assignee_id": lead.get("assignee_id"),
        },
        company=company,
        opportunity=template.for_lead(lead, company),
        candidates=list(candidates),
        duplicate_people=[
            {"id": p.get("id"), "name": p.get("name")} for p in duplicates if p.get("id")
        ],
    )


def _is_opportunity_pipeline(pipeline: Mapping[str, Any]) -> bool:
    kind = pipeline.get("type")  # "opportunity" or "project"; missing in doc samples (§11)
    return kind is None or kind == "opportunity"


def _row_problems(
    row: ConversionPlanRow, user_ids: Iterable[int], pipelines: Sequence[Mapping[str, Any]]
) -> list[str]:
    """Why one row cannot run (empty: it can)."""
    users = set(user_ids)
    by_id = {p.get("id"): p for p in pipelines}
    problems: list[str] = []
    if not str(row.lead.get("name") or "").strip() or not str(row.person.get("name") or "").strip():
        problems.append("The lead has no name.")
    owner = row.person.get("assignee_id")
    if owner is not None and owner not in users:
        problems.append(f"Unknown owner {owner} for the person.")
    if row.company.mode == "new" and not row.company.key:
        problems.append("The new company has no name.")
    opp = row.opportunity
    if opp is not None:
        if not str(opp.get("name") or "").strip():
            problems.append("The opportunity has no name.")
        pipeline = by_id.get(opp.get("pipeline_id"))
        if pipeline is None:
            problems.append(f"Unknown pipeline {opp.get('pipeline_id')}.")
        elif not _is_opportunity_pipeline(pipeline):
            problems.append(f"Pipeline {pipeline.get('name')!r} is not an opportunity pipeline.")
        else:
            stages = [s.get("id") for s in pipeline.get("stages") or ()]
            stage = opp.get("pipeline_stage_id")
            if not stages:
                problems.append(f"Pipeline {pipeline.get('name')!r} has no stages.")
            elif stage is not None and stage not in stages:
                problems.append(f"Stage {stage} is not in pipeline {pipeline.get('name')!r}.")
        opp_owner = opp.get("assignee_id")
        if opp_owner is not None and opp_owner not in users:
            problems.append(f"Unknown owner {opp_owner} for the opportunity.")
    return problems


def validate_rows(
    rows: Sequence[ConversionPlanRow],
    *,
    user_ids: Iterable[int],
    pipelines: Sequence[Mapping[str, Any]],
) -> list[ConversionPlanRow]:
    """The rows with their ``problems`` worked out afresh (the rows given are not changed)."""
    users = list(user_ids)
    return [replace(r, problems=_row_problems(r, users, pipelines)) for r in rows]


def _person_body(person: Mapping[str, Any]) -> Json:
    return {k: person.get(k) for k in ("name", "contact_type_id", "assignee_id")}


def job_rows(rows: Sequence[ConversionPlanRow]) -> list[Json]:
    """The job's rows for the runnable plan rows: ``{"key": lead id, "label", "data"}``, data
    ``{"lead", "person", "company", "opportunity", "company_key", "duplicate_people"}``. Rows
    whose new companies normalize alike share ``company_key``: the first creates it, the rest
    attach to it."""
    out: list[Json] = []
    for row in rows:
        if not row.runnable:
            continue
        data: Json = {
            "lead": dict(row.lead),
            "person": _person_body(row.person),
            "company": row.company.to_json(),
            "opportunity": dict(row.opportunity) if row.opportunity is not None else None,
            "company_key": row.company.key,
            "duplicate_people": [dict(p) for p in row.duplicate_people],
        }
        out.append({"key": row.lead_id, "label": row.label, "data": data})
    return out


def lead_create_body(snapshot: Mapping[str, Any]) -> Json:
    """A create body re-making a lead from its snapshot: the keys a create accepts, empty
    values left out (reverting a conversion: the lead comes back with a new id)."""
    keys = [f.key for f in entity("leads").fields if f.creatable]
    return {k: snapshot[k] for k in keys if snapshot.get(k) not in (None, "", [], {})}
