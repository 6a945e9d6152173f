"""Deterministic demo data in Copper's exact JSON shapes (copper-api.md §4, §5, §6, §11).

Why it is built this way:

* The same ``people`` must give byte-identical data (tests and ``/_sandbox/reset`` rely on it),
  so every random choice comes from ``random.Random`` instances seeded with fixed strings, Faker
  is seeded per instance, and "now" is the fixed :data:`NOW`, never the real clock.
* 100,000 people (about 350,000 records) must be generated in a few seconds, so Faker is only
  used once to fill small pools (names, titles, phrases); records combine pools with
  ``random.Random``.
* Records are produced lazily, 5,000 at a time, by ``SeedData.batches()``; each call replays the
  whole generation from its seeds, so the store may consume and even mutate the dicts freely.
  A cheap "plan" pass first fixes creation dates, person/company membership and the activity
  log, so records yielded early (people, companies...) already carry interaction counts that
  match the activities yielded last.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import random
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from faker import Faker

from copper_desktop.sandbox.core.shapes import Json, SeedData

__all__ = ["BATCH_SIZE", "ID_BASES", "NOW", "counts", "generate"]

NOW = 1_793_491_200
"""The fixed reference "now" of the demo data: 2026-11-01 00:00 UTC."""
_START = 1_546_300_800  # 2019-01-01 00:00 UTC: the demo account's first record.
_DAY = 86_400
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

BATCH_SIZE = 5_000

ID_BASES: dict[str, int] = {
    "person": 100_001,
    "company": 1_000_001,
    "lead": 2_000_001,
    "opportunity": 3_000_001,
    "project": 4_000_001,
    "task": 4_500_001,
    # Above 2**31 on purpose: Copper's live activity ids are, and 32-bit bugs must surface.
    "activity": 5_000_000_001,
}

_ACCOUNT: Json = {"id": 100624, "name": "Copper Sandbox"}

_GROUPS = {
    "sales": {"id": 1, "name": "Sales"},
    "success": {"id": 2, "name": "Customer Success"},
    "marketing": {"id": 3, "name": "Marketing"},
    "management": {"id": 4, "name": "Management"},
}
_USER_BASE = 137658
# (name, email local part, groups) of the users after the first; the apostrophe is deliberate.
_OTHER_USERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Jordan Rivera", "jordan.rivera", ("sales",)),
    ("Priya Shah", "priya.shah", ("sales", "management")),
    ("Marcus Chen", "marcus.chen", ("success",)),
    ("Elena Petrova", "elena.petrova", ("success",)),
    ("Sam O'Neill", "sam.oneill", ("marketing",)),
)
_USER_DOMAIN = "sandbox.copper.test"

_CONTACT_TYPES: list[Json] = [
    {"id": 451490, "name": "Potential Customer"},
    {"id": 451491, "name": "Current Customer"},
    {"id": 451492, "name": "Uncategorized"},
    {"id": 451493, "name": "Other"},
    {"id": 451494, "name": "Partner"},
]
_LEAD_STATUSES: list[Json] = [
    {"id": 208231, "name": "New", "order": 1, "is_default": True},
    {"id": 208232, "name": "Open", "order": 2, "is_default": False},
    {"id": 208233, "name": "Unqualified", "order": 3, "is_default": False},
    {"id": 208234, "name": "Junk", "order": 4, "is_default": False},
]
_CUSTOMER_SOURCES: list[Json] = [
    {"id": 331240, "name": "Email"},
    {"id": 331241, "name": "Cold Call"},
    {"id": 331242, "name": "Advertising"},
    {"id": 331243, "name": "Referral"},
    {"id": 331244, "name": "Website"},
    {"id": 331245, "name": "Trade Show"},
]
_LOSS_REASONS: list[Json] = [
    {"id": 308806, "name": "Price"},
    {"id": 308807, "name": "Features"},
    {"id": 308808, "name": "Competitor"},
    {"id": 308809, "name": "Timing"},
    {"id": 308810, "name": "No Budget"},
]
_NOTE_TYPE = 0
_PROPERTY_CHANGED = 1
_STAGE_CHANGED = 3
_ACTIVITY_TYPES: dict[str, list[Json]] = {
    "user": [
        {"id": 0, "category": "user", "name": "Note", "is_disabled": False,
         "count_as_interaction": False},
        {"id": 190711, "category": "user", "name": "Phone Call", "is_disabled": False,
         "count_as_interaction": True},
        {"id": 190712, "category": "user", "name": "Meeting", "is_disabled": False,
         "count_as_interaction": True},
        {"id": 191400, "category": "user", "name": "Demo call", "is_disabled": False,
         "count_as_interaction": True},
        {"id": 194674, "category": "user", "name": "Call - no connect", "is_disabled": False,
         "count_as_interaction": True},
        {"id": 194675, "category": "user", "name": "Lunch", "is_disabled": True,
         "count_as_interaction": True},
    ],
    "system": [
        {"id": 1, "category": "system", "name": "Property Changed", "is_disabled": False,
         "count_as_interaction": False},
        {"id": 3, "category": "system", "name": "Pipeline Stage Changed", "is_disabled": False,
         "count_as_interaction": False},
    ],
}  # fmt: skip
_INTERACTION_TYPES = frozenset(
    t["id"] for t in _ACTIVITY_TYPES["user"] if t["count_as_interaction"]
)
# Custom activity types share their ids with the user activity types, as in Copper; "To Do"
# is the default task type.
_CUSTOM_ACTIVITY_TYPES: list[Json] = [
    {"id": 190711, "company_id": _ACCOUNT["id"], "icon_type": "Phone", "is_disabled": False,
     "is_interaction": True, "name": "Phone Call", "is_default_task_type": None},
    {"id": 190712, "company_id": _ACCOUNT["id"], "icon_type": "Event", "is_disabled": False,
     "is_interaction": True, "name": "Meeting", "is_default_task_type": None},
    {"id": 190713, "company_id": _ACCOUNT["id"], "icon_type": "Todo", "is_disabled": False,
     "is_interaction": False, "name": "To Do", "is_default_task_type": True},
    {"id": 191400, "company_id": _ACCOUNT["id"], "icon_type": "Event", "is_disabled": False,
     "is_interaction": True, "name": "Demo call", "is_default_task_type": None},
    {"id": 194674, "company_id": _ACCOUNT["id"], "icon_type": "Phone", "is_disabled": False,
     "is_interaction": True, "name": "Call - no connect", "is_default_task_type": None},
]  # fmt: skip
_TASK_TYPE_IDS = (190713,) * 6 + (190711, 190711, 190712, 191400)

# (id, name, type, is_revenue, share of opportunities, [(stage id, name, win_probability)]).
_PIPELINE_SPECS: tuple[tuple[int, str, str, bool, float, tuple[tuple[int, str, int | None], ...]],
                       ...] = (
    (213214, "Sales", "opportunity", True, 0.6, (
        (987790, "Qualified", 5), (987791, "Follow-up", 10), (987792, "Presentation", 20),
        (987793, "Contract Sent", 40), (987794, "Negotiation", 80))),
    (213215, "Partnerships", "opportunity", False, 0.2, (
        (987795, "First Meeting", 10), (987796, "Partner Meeting", 25),
        (987797, "Negotiation", 50), (987798, "Term Sheet", 75))),
    (213216, "Renewals", "opportunity", True, 0.2, (
        (987799, "Upcoming", 50), (987800, "In Discussion", 70), (987801, "Verbal Yes", 90))),
    (213217, "Client Onboarding", "project", False, 0.0, (
        (987802, "Kickoff", None), (987803, "Configuration", None), (987804, "Training", None),
        (987805, "Go Live", None))),
)  # fmt: skip

_FILTERABLE_TYPES = frozenset(
    {"Dropdown", "MultiSelect", "Date", "Checkbox", "Float", "Percentage", "Currency"}
)
# (name, data_type, available_on, options, currency, value kind); ids are assigned in order.
_CF_SPECS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...], str | None, str], ...] = (
    ("Account Number", "String", ("company", "person", "lead"), (), None, "account"),
    ("Background", "Text", ("person", "company", "lead", "opportunity"), (), None, "text"),
    ("Industry", "Dropdown", ("company", "lead", "person"), (
        "Software", "Manufacturing", "Healthcare", "Financial Services", "Retail", "Education",
        "Real Estate", "Logistics", "Media", "Non-profit"), None, ""),
    ("Region", "Dropdown", ("opportunity", "project"),
     ("North America", "EMEA", "APAC", "LATAM"), None, ""),
    ("Renewal Date", "Date", ("company", "opportunity"), (), None, "future"),
    ("Customer Since", "Date", ("person",), (), None, "since"),
    ("Newsletter Opt-in", "Checkbox", ("person", "lead"), (), None, ""),
    ("Lead Score", "Float", ("lead", "person"), (), None, "score"),
    ("Booking Link", "URL", ("person", "lead"), (), None, "booking"),
    ("Discount", "Percentage", ("opportunity",), (), None, "discount"),
    ("Annual Revenue", "Currency", ("company", "lead"), (), "USD", "revenue"),
    ("Partner Company", "Connect", ("opportunity",), (), None, ""),
    ("Partner Opportunities", "Connect", ("company",), (), None, ""),
    ("Products of Interest", "MultiSelect", ("lead", "person", "opportunity", "company"), (
        "CRM Seats", "Analytics Add-on", "API Access", "Premium Support", "Onboarding Package",
        "Data Migration"), None, ""),
    ("Project Phase", "Dropdown", ("project",),
     ("Discovery", "Planning", "Execution", "Review", "Closed"), None, ""),
    ("Kickoff Date", "Date", ("project", "task"), (), None, "recent"),
    ("Billable", "Checkbox", ("task", "project"), (), None, ""),
    ("Ticket Reference", "String", ("task",), (), None, "ticket"),
    ("Budget", "Currency", ("project",), (), "EUR", "budget"),
    ("Estimated Hours", "Float", ("task",), (), None, "hours"),
    ("Project Site", "URL", ("project",), (), None, "site"),
    ("Completion", "Percentage", ("project", "task"), (), None, "completion"),
    ("PO Number", "String", ("opportunity",), (), None, "po"),
    ("Contract Signed", "Checkbox", ("opportunity", "company"), (), None, ""),
    ("Skills Needed", "MultiSelect", ("project", "task"),
     ("Design", "Engineering", "Training", "Data", "Legal"), None, ""),
)  # fmt: skip
_CF_BASE = 100764
_CF_OPTION_BASE = 167772
_CONNECT_PAIR = ("Partner Company", "Partner Opportunities")

_TAGS = (
    "VIP", "Prospect", "Customer", "Partner", "Newsletter", "Trade Show 2026", "Webinar",
    "Referral", "Enterprise", "SMB", "Mid-Market", "Churn Risk", "Upsell", "Renewal",
    "Decision Maker", "Influencer", "Follow Up", "Hot", "Cold", "Inbound", "Outbound",
    "Q4 Push", "Beta Tester", "Conference", "Key Account",
)  # fmt: skip

# (city, state, zip prefix, area code)
_US_CITIES = (
    ("San Francisco", "CA", "941", "415"), ("Los Angeles", "CA", "900", "213"),
    ("San Diego", "CA", "921", "619"), ("San Jose", "CA", "951", "408"),
    ("Seattle", "WA", "981", "206"), ("Portland", "OR", "972", "503"),
    ("Denver", "CO", "802", "303"), ("Austin", "TX", "787", "512"),
    ("Dallas", "TX", "752", "214"), ("Houston", "TX", "770", "713"),
    ("Chicago", "IL", "606", "312"), ("Minneapolis", "MN", "554", "612"),
    ("Detroit", "MI", "482", "313"), ("Columbus", "OH", "432", "614"),
    ("Atlanta", "GA", "303", "404"), ("Miami", "FL", "331", "305"),
    ("Orlando", "FL", "328", "407"), ("Nashville", "TN", "372", "615"),
    ("Charlotte", "NC", "282", "704"), ("Raleigh", "NC", "276", "919"),
    ("Washington", "DC", "200", "202"), ("Baltimore", "MD", "212", "410"),
    ("Philadelphia", "PA", "191", "215"), ("Pittsburgh", "PA", "152", "412"),
    ("Scranton", "PA", "185", "570"), ("New York", "NY", "100", "212"),
    ("Brooklyn", "NY", "112", "718"), ("Boston", "MA", "021", "617"),
    ("Providence", "RI", "029", "401"), ("Phoenix", "AZ", "850", "602"),
    ("Salt Lake City", "UT", "841", "801"), ("Las Vegas", "NV", "891", "702"),
    ("Boise", "ID", "837", "208"), ("Kansas City", "MO", "641", "816"),
    ("St. Louis", "MO", "631", "314"), ("New Orleans", "LA", "701", "504"),
    ("Madison", "WI", "537", "608"), ("Indianapolis", "IN", "462", "317"),
    ("Albuquerque", "NM", "871", "505"), ("Honolulu", "HI", "968", "808"),
)  # fmt: skip
# (city, state or None, postal codes, country, street style, phone prefix, phone digits)
_INTL_CITIES = (
    ("Toronto", "ON", ("M5H 2N2", "M4W 1A8", "M5V 3L9"), "CA", "en", "+1 416", 7),
    ("Vancouver", "BC", ("V6B 1A1", "V5K 0A1", "V6E 4M2"), "CA", "en", "+1 604", 7),
    ("London", None, ("EC1A 1BB", "SW1A 2AA", "N1 9GU", "W1D 3QF"), "GB", "en", "+44 20", 8),
    ("Manchester", None, ("M1 1AE", "M4 5JD"), "GB", "en", "+44 161", 7),
    ("Dublin", None, ("D02 X285", "D04 T6F4"), "IE", "en", "+353 1", 7),
    ("Berlin", None, ("10115", "10178", "10969"), "DE", "de", "+49 30", 8),
    ("Munich", None, ("80331", "80469"), "DE", "de", "+49 89", 8),
    ("Paris", None, ("75001", "75008", "75011"), "FR", "fr", "+33 1", 8),
    ("Amsterdam", None, ("1012 JS", "1017 CE"), "NL", "nl", "+31 20", 7),
    ("Madrid", None, ("28001", "28013"), "ES", "es", "+34 91", 7),
    ("Sydney", "NSW", ("2000", "2010"), "AU", "en", "+61 2", 8),
    ("Melbourne", "VIC", ("3000", "3141"), "AU", "en", "+61 3", 8),
    ("Auckland", None, ("1010", "1021"), "NZ", "en", "+64 9", 7),
    ("Bengaluru", "KA", ("560001", "560034"), "IN", "en", "+91 80", 8),
    ("Mexico City", "CDMX", ("06600", "11560"), "MX", "es", "+52 55", 8),
)  # fmt: skip
_STREETS = (
    "Main", "Oak", "Maple", "Pine", "Cedar", "Elm", "Market", "Mission", "Broadway",
    "Washington", "Lincoln", "Park", "Lake", "Hill", "Sunset", "Highland", "Madison",
    "Jefferson", "Franklin", "Spring", "Church", "Union", "River", "Howard", "Water",
    "2nd", "3rd", "5th", "7th", "12th",
)  # fmt: skip
_STREET_SUFFIXES = ("St", "St", "Ave", "Ave", "Blvd", "Rd", "Dr", "Ln", "Way", "Pl", "Ct")
_EN_SUFFIXES = ("Street", "Road", "Lane", "Avenue", "Place")
_DE_STREETS = ("Haupt", "Bahnhof", "Garten", "Schiller", "Goethe", "Linden", "Berliner")
_FR_STREETS = ("de la Paix", "Victor Hugo", "du Commerce", "Saint-Honoré", "de Rivoli")
_NL_STREETS = ("Keizersgracht", "Prinsengracht", "Damrak", "Herengracht")
_ES_STREETS = ("Mayor", "de Alcalá", "Gran Vía", "de Serrano")

_NAME_PREFIXES = ("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.")
_NAME_SUFFIXES = ("Jr.", "Sr.", "II", "III", "PhD", "MD")
_PERSONAL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com")

_COMPANY_HEADS = (
    "North", "Blue", "Summit", "Pioneer", "Bright", "Silver", "Iron", "Evergreen", "Cedar",
    "Granite", "Harbor", "Apex", "Vertex", "Atlas", "Beacon", "Crest", "Delta", "Echo",
    "Falcon", "Golden", "Hidden", "Keystone", "Lumen", "Maple", "Nova", "Oak", "Pacific",
    "Quartz", "Red", "Sage", "True", "Upland", "Vivid", "West", "Zenith", "Copper", "Coral",
    "Lake", "Stone", "Sky", "Sun", "River", "Prairie", "Tidal", "Alpine", "Cobalt", "Ember",
)  # fmt: skip
_COMPANY_TAILS = (
    "wave", "stone", "field", "bridge", "point", "works", "line", "path", "gate", "peak",
    "view", "forge", "leaf", "light", "ridge", "brook", "wind", "star", "port", "mark",
    "crest", "well", "side", "wood", "spring", "rock", "hill", "way", "vale", "haven",
)  # fmt: skip
_COMPANY_INDUSTRIES = (
    "Logistics", "Labs", "Analytics", "Health", "Foods", "Systems", "Consulting", "Partners",
    "Media", "Robotics", "Energy", "Capital", "Software", "Manufacturing", "Design", "Realty",
    "Learning", "Networks", "Biotech", "Outfitters", "Construction", "Legal", "Financial",
    "Studios", "Supply", "Dynamics", "Solutions", "Technologies", "Interactive", "Ventures",
)  # fmt: skip
_COMPANY_FORMS = ("", "", "", "", "Inc.", "LLC", "Co.", "Ltd.", "Group", "Corp.")
_TLDS = ("com", "com", "com", "io", "co", "net")

_PRODUCTS = (
    "50 Licenses", "Annual Renewal", "Enterprise Upgrade", "Pilot Program", "Analytics Add-on",
    "Premium Support", "Onboarding Package", "Data Migration", "API Access", "100 Seats",
    "Multi-year Agreement", "Expansion", "Training Bundle", "Starter Plan", "Team Plan",
)  # fmt: skip
_PROJECTS = (
    "Onboarding", "Implementation", "Data Migration", "Website Redesign", "Q1 Rollout",
    "Integration", "Training Program", "Security Review", "Quarterly Business Review",
    "Pilot", "Expansion Rollout", "Account Audit",
)  # fmt: skip
_TASK_TEMPLATES = (
    "Follow up with {person}", "Send proposal to {company}", "Schedule demo with {person}",
    "Call {person} about pricing", "Prepare QBR deck for {company}",
    "Send contract to {company}", "Check in with {person}", "Book onsite visit at {company}",
    "Review renewal terms for {company}", "Email {person} the case study",
    "Confirm budget with {person}", "Update account plan for {company}",
)  # fmt: skip
_NOTES = (
    "Spoke with {person} about next quarter's rollout; they want a revised quote by Friday.",
    "Left a voicemail for {person}. Will try again next week.",
    "{person} asked for a demo of the reporting features for their leadership team.",
    "Discussed renewal terms with {person}. Budget is approved, legal review pending.",
    "Met {person} at the conference booth. Interested in the API and integrations.",
    "{person} flagged onboarding issues; looped in the support team.",
    "Pricing concerns raised by {person}. Offered a multi-year discount.",
    "Intro call with {person}. Currently using spreadsheets, evaluating three vendors.",
    "Sent follow-up email with the security questionnaire to {person}.",
    "{person} confirmed the pilot went well and wants to expand to two more teams.",
    "Quarterly check-in with {person}: adoption is up, asked about SSO.",
    "Lunch meeting with {person}. Decision expected before end of month.",
    "{person} is out of office until next Monday.",
    "Reviewed the statement of work with {person}; two open questions on scope.",
    "Shared customer references with {person} in the same industry.",
)  # fmt: skip
_PERSON_DETAILS = (
    "Prefers email over phone calls.", "Met at SaaStr; very interested in automation.",
    "Budget holder for the sales team.", "Introduced by a mutual connection at a partner firm.",
    "Best reached in the mornings (Eastern time).", "Former customer at a previous company.",
    "Evaluating competitors; send comparison sheet.", "Technical contact, not a decision maker.",
    "Speaks at industry events regularly.", "Renewal owner for their whole department.",
)  # fmt: skip
_LEAD_DETAILS = (
    "Downloaded the pricing guide from the website.", "Signed up for the product webinar.",
    "Filled in the contact form asking for a demo.", "Scanned badge at the trade show booth.",
    "Referred by an existing customer.", "Replied to the spring outbound campaign.",
    "Requested a callback about enterprise plans.", "Visited the pricing page three times.",
)  # fmt: skip
_PROJECT_DETAILS = (
    "Kickoff scheduled with the customer's operations team.",
    "Scope agreed in the statement of work; weekly status calls.",
    "Phase 2 depends on the data export from their legacy system.",
    "Customer wants go-live before the end of the quarter.",
)  # fmt: skip
_SYSTEM_DETAILS = (
    "Status changed", "Assignee changed", "Contact type changed", "Tags updated",
    "Value changed",
)  # fmt: skip

# Recent deals are mostly open; deals older than a year are mostly decided.
_OPP_STATUSES_RECENT = (("Open", 0.7), ("Won", 0.85), ("Lost", 0.96), ("Abandoned", 1.0))
_OPP_STATUSES_OLD = (("Open", 0.12), ("Won", 0.55), ("Lost", 0.88), ("Abandoned", 1.0))
_PRIORITIES = ("None", "None", "None", "Low", "Medium", "Medium", "High")
_FOREIGN_UNITS = (("EUR", 1.08), ("GBP", 1.27), ("CAD", 0.73))
_ACTIVITY_PARENTS = (
    ("person", 0.40), ("company", 0.55), ("lead", 0.70), ("opportunity", 0.92),
    ("project", 0.95), ("task", 1.0),
)  # fmt: skip
_USER_ACTIVITY_WEIGHTS = (
    (_NOTE_TYPE, 0.60), (190711, 0.80), (190712, 0.92), (191400, 0.97), (194674, 1.0),
)  # fmt: skip


def counts(people: int) -> dict[str, int]:
    """How many records of each kind ``people`` gives, with small minimums so that even a tiny
    sandbox shows a little of everything (and 0 gives nothing but users and lookups)."""
    if people < 0:
        raise ValueError("people must be >= 0")
    if people == 0:
        return dict.fromkeys(ID_BASES, 0)
    return {
        "person": people,
        "company": max(people // 5, 2),
        "lead": max(people // 2, 3),
        "opportunity": max(people // 4, 3),
        "project": max(people // 20, 2),
        "task": max(people // 2, 3),
        "activity": max(people, 6),
    }


def generate(people: int, *, email: str, token: str, close_date_order: str = "MDY") -> SeedData:
    """Build the demo account: lookups now, records lazily through ``batches()``."""
    if close_date_order not in ("MDY", "DMY"):
        raise ValueError("close_date_order must be 'MDY' or 'DMY'")
    sizes = counts(people)
    users = _users(email, token)
    definitions = _custom_field_definitions()
    generator = _Generator(sizes, users, definitions, close_date_order, _pools())
    return SeedData(
        account=dict(_ACCOUNT),
        users=users,
        contact_types=[dict(t) for t in _CONTACT_TYPES],
        lead_statuses=[dict(s) for s in _LEAD_STATUSES],
        customer_sources=[dict(s) for s in _CUSTOMER_SOURCES],
        loss_reasons=[dict(r) for r in _LOSS_REASONS],
        activity_types={k: [dict(t) for t in v] for k, v in _ACTIVITY_TYPES.items()},
        custom_activity_types=[dict(t) for t in _CUSTOM_ACTIVITY_TYPES],
        pipelines=_pipelines(),
        custom_field_definitions=definitions,
        batches=generator.batches,
    )


# --------------------------------------------------------------------------- lookups


def _users(email: str, token: str) -> list[Json]:
    users: list[Json] = [
        {
            "id": _USER_BASE,
            "name": "Sandbox Admin",
            "email": email,
            "groups": [dict(_GROUPS["sales"]), dict(_GROUPS["management"])],
            "token": token,
        }
    ]
    for offset, (name, local, groups) in enumerate(_OTHER_USERS, start=1):
        user_id = _USER_BASE + offset
        user_email = f"{local}@{_USER_DOMAIN}"
        if user_email.lower() == email.lower():  # keep credentials unambiguous
            user_email = f"{local}.{user_id}@{_USER_DOMAIN}"
        users.append(
            {
                "id": user_id,
                "name": name,
                "email": user_email,
                "groups": [dict(_GROUPS[g]) for g in groups],
                "token": f"sandbox-token-{user_id}",
            }
        )
    return users


def _pipelines() -> list[Json]:
    return [
        {
            "id": pid,
            "name": name,
            "stages": [{"id": sid, "name": sn, "win_probability": wp} for sid, sn, wp in stages],
            "type": kind,
            "is_revenue": revenue,
        }
        for pid, name, kind, revenue, _share, stages in _PIPELINE_SPECS
    ]


def _custom_field_definitions() -> list[Json]:
    """Definitions of every data_type; options deliberately not in rank order, as Copper."""
    order_rng = random.Random("copper-sandbox:custom-field-options")
    ids = {spec[0]: _CF_BASE + i for i, spec in enumerate(_CF_SPECS)}
    option_id = _CF_OPTION_BASE
    definitions: list[Json] = []
    for name, data_type, available_on, options, currency, _kind in _CF_SPECS:
        definition: Json = {
            "id": ids[name],
            "name": name,
            "canonical_name": None,
            "data_type": data_type,
            "available_on": list(available_on),
            "is_filterable": data_type in _FILTERABLE_TYPES,
        }
        if data_type in ("Dropdown", "MultiSelect"):
            ranked = []
            for rank, option_name in enumerate(options):
                ranked.append({"id": option_id, "name": option_name, "rank": rank})
                option_id += 1
            shuffled = ranked[:]
            while shuffled == ranked:
                order_rng.shuffle(shuffled)
            definition["options"] = shuffled
        if data_type == "Currency":
            definition["currency"] = currency
        if data_type == "Connect":
            a, b = _CONNECT_PAIR
            definition["connected_id"] = ids[b] if name == a else ids[a]
        definitions.append(definition)
    return definitions


# --------------------------------------------------------------------------- pools


@dataclass(frozen=True)
class _Pools:
    """Faker output gathered once: Faker is far too slow to call per record."""

    first_names: tuple[str, ...]
    first_slugs: tuple[str, ...]
    last_names: tuple[str, ...]
    last_slugs: tuple[str, ...]
    titles: tuple[str, ...]
    company_blurbs: tuple[str, ...]


_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _SLUG_DROP.sub("", ascii_text.lower())


@functools.lru_cache(maxsize=1)
def _pools() -> _Pools:
    # Mostly US names, some from other locales; single-token names only, so that Copper's
    # prefix/first/middle/last/suffix split of the full name is unambiguous.
    plan = (
        ("en_US", 1600),
        ("en_GB", 150),
        ("de_DE", 120),
        ("fr_FR", 120),
        ("es_ES", 120),
        ("it_IT", 80),
        ("nl_NL", 60),
        ("en_IN", 120),
        ("pt_BR", 80),
        ("pl_PL", 50),
    )
    firsts: list[str] = []
    lasts: list[str] = []
    for n, (locale, amount) in enumerate(plan):
        fake = Faker(locale)
        fake.seed_instance(1000 + n)
        firsts += [fake.first_name() for _ in range(amount)]
        lasts += [fake.last_name() for _ in range(amount)]
    firsts = [f for f in firsts if " " not in f and _slug(f)]
    lasts = [x for x in lasts if " " not in x and _slug(x)]
    fake = Faker("en_US")
    fake.seed_instance(2000)
    titles = sorted({fake.job() for _ in range(400)})
    blurbs = tuple(f"{fake.catch_phrase()}. We {fake.bs()}." for _ in range(200))
    return _Pools(
        first_names=tuple(firsts),
        first_slugs=tuple(_slug(f) for f in firsts),
        last_names=tuple(lasts),
        last_slugs=tuple(_slug(x) for x in lasts),
        titles=tuple(titles),
        company_blurbs=blurbs,
    )


# --------------------------------------------------------------------------- records


_T = TypeVar("_T")


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a chunk is built.

    Records are acyclic, so nothing is missed, but the collector kept re-scanning the
    hundreds of thousands of live records and doubled the generation time. The pause never
    spans a ``yield``, so the consumer's code runs with the collector as it found it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Rng(random.Random):
    """``random.Random`` with ``choice``/``randrange`` built on one ``random()`` call.

    The stdlib versions do rejection sampling in Python and were most of the generation time;
    the tiny bias of ``int(random() * n)`` is irrelevant for demo data.
    """

    def choice(self, seq: Sequence[_T]) -> _T:  # type: ignore[override]
        return seq[int(self.random() * len(seq))]

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        if stop is None:
            start, stop = 0, start
        return start + step * int(self.random() * ((stop - start + step - 1) // step))


def _sample(r: random.Random, seq: Sequence[_T], k: int) -> list[_T]:
    """``k`` distinct items (k small next to ``len(seq)``), cheaper than ``random.sample``."""
    out: list[_T] = []
    while len(out) < k:
        item = seq[int(r.random() * len(seq))]
        if item not in out:
            out.append(item)
    return out


def _pick(r: random.Random, table: Sequence[tuple[Any, float]]) -> Any:
    """Pick from ``(value, cumulative share)`` pairs; cheaper than ``random.choices``."""
    x = r.random()
    for value, upto in table:
        if x < upto:
            return value
    return table[-1][0]


def _date_string(ts: int, order: str) -> str:
    d = date.fromordinal(_EPOCH_ORDINAL + ts // _DAY)
    if order == "DMY":
        return f"{d.day}/{d.month}/{d.year}"
    return f"{d.month}/{d.day}/{d.year}"


ValueMaker = Callable[[random.Random], Any]
# name, prefix, first, middle, last, suffix, and the pool indexes of first and last
_NameParts = tuple[str, str | None, str, str | None, str, str | None, int, int]


@dataclass
class _Plan:
    """Facts fixed before any record is built, so early records agree with later ones."""

    created: dict[str, list[int]]
    person_company: list[int]  # company index per person, -1 for none
    company_people: list[list[int]]
    activities: list[tuple[str, int, int, str, int]]  # kind, index, type id, category, date
    interactions: dict[str, list[int]]
    last_contacted: dict[str, list[int | None]]


class _Generator:
    """Replays the whole data set from fixed seeds each time ``batches()`` is called."""

    def __init__(
        self,
        sizes: dict[str, int],
        users: list[Json],
        definitions: list[Json],
        close_date_order: str,
        pools: _Pools,
    ) -> None:
        self.sizes = sizes
        self.user_ids = [u["id"] for u in users]
        self.order = close_date_order
        self.pools = pools
        self.makers = self._value_makers(definitions)

    # ---- custom fields

    def _value_makers(self, definitions: list[Json]) -> dict[str, list[tuple[int, ValueMaker]]]:
        """Per entity, one value maker per applicable definition, in a shuffled fixed order
        (Copper's custom_fields order is not sorted by id either)."""
        specs = {spec[0]: spec for spec in _CF_SPECS}
        per_entity: dict[str, list[tuple[int, ValueMaker]]] = {}
        for definition in definitions:
            maker = self._maker(definition, specs[definition["name"]][5])
            for entity in definition["available_on"]:
                per_entity.setdefault(entity, []).append((definition["id"], maker))
        order_rng = random.Random("copper-sandbox:custom-field-order")
        for makers in per_entity.values():
            order_rng.shuffle(makers)
        return per_entity

    def _maker(self, definition: Json, kind: str) -> ValueMaker:
        data_type = definition["data_type"]
        option_ids = [o["id"] for o in definition.get("options", [])]
        blurbs = self.pools.company_blurbs
        slugs = self.pools.first_slugs

        def unset_half(make: ValueMaker, empty: Any = None) -> ValueMaker:
            def value(r: random.Random) -> Any:
                return empty if r.random() < 0.5 else make(r)

            return value

        if data_type == "Connect":
            return lambda r: []
        if data_type == "Checkbox":  # unchecked is false, not null (copper-api.md §5, §15)
            return lambda r: r.random() < 0.35
        if data_type == "MultiSelect":
            return unset_half(lambda r: sorted(_sample(r, option_ids, r.randrange(1, 4))), [])
        if data_type == "Dropdown":
            return unset_half(lambda r: r.choice(option_ids))
        makers: dict[str, ValueMaker] = {
            "account": lambda r: f"ACCT-{r.randrange(100000, 999999)}",
            "ticket": lambda r: f"SUP-{r.randrange(10000, 99999)}",
            "po": lambda r: f"PO-{r.randrange(2019, 2027)}-{r.randrange(1000, 9999)}",
            "text": lambda r: f"{r.choice(blurbs)}\n{r.choice(_PERSON_DETAILS)}",
            "future": lambda r: (NOW // _DAY + r.randrange(-60, 400)) * _DAY,
            "recent": lambda r: (NOW // _DAY - r.randrange(0, 700)) * _DAY,
            "since": lambda r: (r.randrange(_START // _DAY - 1500, NOW // _DAY)) * _DAY,
            "score": lambda r: round(r.uniform(0, 100), 1),
            "hours": lambda r: r.randrange(1, 80) / 2,
            "booking": lambda r: f"https://calendly.com/{r.choice(slugs)}{r.randrange(100)}",
            "site": lambda r: f"https://projects.example.com/p/{r.randrange(10000, 99999)}",
            "discount": lambda r: r.choice((5, 10, 15, 20, 25, 30)),
            "completion": lambda r: r.randrange(0, 101, 5),
            "revenue": lambda r: float(r.randrange(1, 5000) * 10_000),
            "budget": lambda r: float(r.randrange(5, 500) * 1_000),
        }
        return unset_half(makers[kind])

    def _custom_fields(self, r: random.Random, entity: str) -> list[Json]:
        return [
            {"custom_field_definition_id": def_id, "value": make(r)}
            for def_id, make in self.makers.get(entity, [])
        ]

    # ---- plan

    def _plan(self) -> _Plan:
        r = _Rng("copper-sandbox:plan")
        sizes = self.sizes
        created: dict[str, list[int]] = {}
        for kind in ("company", "person", "lead", "opportunity", "project", "task"):
            span = NOW - 7 * _DAY - _START
            created[kind] = sorted(_START + int(r.random() * span) for _ in range(sizes[kind]))
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
            kind = _pick(r, _ACTIVITY_PARENTS)
            index = r.randrange(sizes[kind])
            when = created[kind][index] + 600 + int(r.random() * (NOW - created[kind][index]))
            when = min(when, NOW - 900)
            if r.random() < 0.15:
                category = "system"
                type_id = (
                    _STAGE_CHANGED
                    if kind == "opportunity" and r.random() < 0.7
                    else _PROPERTY_CHANGED
                )
            else:
                category = "user"
                type_id = _pick(r, _USER_ACTIVITY_WEIGHTS)
            activities.append((kind, index, type_id, category, when))
            if type_id in _INTERACTION_TYPES and category == "user":
                interactions[kind][index] += 1
                previous = last[kind][index]
                if previous is None or when > previous:
                    last[kind][index] = when
        activities.sort(key=lambda a: a[4])
        return _Plan(created, person_company, company_people, activities, interactions, last)

    # ---- shared pieces

    def _assignee(self, r: random.Random) -> int | None:
        return None if r.random() < 0.15 else r.choice(self.user_ids)

    @staticmethod
    def _tags(r: random.Random) -> list[str]:
        x = r.random()
        k = 0 if x < 0.45 else 1 if x < 0.75 else 2 if x < 0.92 else 3
        return _sample(r, _TAGS, k) if k else []

    @staticmethod
    def _modified(r: random.Random, created: int) -> int:
        if r.random() < 0.3:
            return created
        return created + int(r.random() * (NOW - created))

    def _name(self, r: random.Random) -> _NameParts:
        """A full name and Copper's split of it, plus the pool indexes (for emails)."""
        p = self.pools
        fi = r.randrange(len(p.first_names))
        li = r.randrange(len(p.last_names))
        first, last = p.first_names[fi], p.last_names[li]
        prefix = r.choice(_NAME_PREFIXES) if r.random() < 0.06 else None
        middle: str | None = None
        x = r.random()
        if x < 0.08:
            middle = f"{r.choice(p.first_names)[0]}."
        elif x < 0.12:
            middle = r.choice(p.first_names)
        suffix = r.choice(_NAME_SUFFIXES) if r.random() < 0.03 else None
        name = " ".join(part for part in (prefix, first, middle, last) if part)
        if suffix:
            name = f"{name}, {suffix}"
        return name, prefix, first, middle, last, suffix, fi, li

    @staticmethod
    def _address(r: random.Random, p_missing: float) -> tuple[Json | None, tuple[str, str, int]]:
        """An address (US-heavy) and the phone prefix/digits that fit its country."""
        if r.random() < 0.78:
            city, state, zip3, area = r.choice(_US_CITIES)
            phone = (area, "US", 7)
            if r.random() < p_missing:
                return None, phone
            street = f"{r.randrange(1, 9999)} {r.choice(_STREETS)} {r.choice(_STREET_SUFFIXES)}"
            if r.random() < 0.15:
                street = f"{street} Suite {r.randrange(1, 40) * 10}"
            postal: str | None = f"{zip3}{r.randrange(100):02d}"
            if r.random() < 0.05:
                postal = None
            return {
                "street": street,
                "city": city,
                "state": state,
                "postal_code": postal,
                "country": "US",
            }, phone
        city, region, postals, country, style, prefix, digits = r.choice(_INTL_CITIES)
        phone = (prefix, country, digits)
        if r.random() < p_missing:
            return None, phone
        number = r.randrange(1, 200)
        if style == "de":
            street = f"{r.choice(_DE_STREETS)}straße {number}"
        elif style == "fr":
            street = f"{number} rue {r.choice(_FR_STREETS)}"
        elif style == "nl":
            street = f"{r.choice(_NL_STREETS)} {number}"
        elif style == "es":
            street = f"Calle {r.choice(_ES_STREETS)}, {number}"
        else:
            street = f"{number} {r.choice(_STREETS)} {r.choice(_EN_SUFFIXES)}"
        return {
            "street": street,
            "city": city,
            "state": region,
            "postal_code": r.choice(postals),
            "country": country,
        }, phone

    @staticmethod
    def _phone(r: random.Random, phone: tuple[str, str, int]) -> str:
        prefix, country, digits = phone
        if country == "US":
            mid, end = r.randrange(200, 1000), r.randrange(10000)
            style = r.random()
            if style < 0.5:
                return f"{prefix}-{mid}-{end:04d}"
            if style < 0.8:
                return f"({prefix}) {mid}-{end:04d}"
            return f"{prefix}{mid}{end:04d}"
        number = f"{r.randrange(10 ** (digits - 1), 10**digits)}"
        half = digits // 2
        return f"{prefix} {number[:half]} {number[half:]}"

    def _phones(
        self, r: random.Random, phone: tuple[str, str, int], categories: Sequence[str]
    ) -> list[Json]:
        x = r.random()
        k = 0 if x < 0.2 else 1 if x < 0.75 else 2
        return [{"number": self._phone(r, phone), "category": c} for c in _sample(r, categories, k)]

    # ---- batches

    def batches(self) -> Iterator[tuple[str, list[Json]]]:
        """Yield ``(kind, records)`` chunks in dependency order, then the relations."""
        with _gc_paused():
            state = _Run(self, self._plan())
        producers: tuple[tuple[str, Callable[[int], Json]], ...] = (
            ("company", state.company),
            ("person", state.person),
            ("lead", state.lead),
            ("opportunity", state.opportunity),
            ("project", state.project),
            ("task", state.task),
            ("activity", state.activity),
        )
        for kind, make in producers:
            total = self.sizes[kind]
            for start in range(0, total, BATCH_SIZE):
                with _gc_paused():
                    chunk = [make(i) for i in range(start, min(start + BATCH_SIZE, total))]
                yield kind, chunk
        relations = state.relations
        for start in range(0, len(relations), BATCH_SIZE):
            with _gc_paused():
                chunk = [
                    {"a_type": a_type, "a_id": a_id, "b_type": b_type, "b_id": b_id}
                    for a_type, a_id, b_type, b_id in relations[start : start + BATCH_SIZE]
                ]
            yield "relation", chunk


class _Run:
    """The mutable state of one pass of ``batches()``: random streams and uniqueness sets."""

    def __init__(self, gen: _Generator, plan: _Plan) -> None:
        self.gen = gen
        self.plan = plan
        self.relations: list[tuple[str, int, str, int]] = []
        self.rng = {kind: _Rng(f"copper-sandbox:{kind}") for kind in ID_BASES}
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
            head, tail = r.choice(_COMPANY_HEADS), r.choice(_COMPANY_TAILS)
            industry, form = r.choice(_COMPANY_INDUSTRIES), r.choice(_COMPANY_FORMS)
            base = f"{head}{tail} {industry}"
            name = f"{base} {form}" if form else base
            slug = _slug(f"{head}{tail}{industry}")
            if not unique:
                return name, slug
            if name.lower() not in self.names_used:
                self.names_used.add(name.lower())
                return name, slug
        name = f"{name} {len(self.names_used) + 1}"
        self.names_used.add(name.lower())
        return name, _slug(name)

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
            for tld in (r.choice(_TLDS), "com", "io", "co"):
                if f"{slug}.{tld}" not in self.domains_used:
                    domain = f"{slug}.{tld}"
                    self.domains_used.add(domain)
                    break
        self.company_names.append(name)
        self.company_domains.append(domain)
        address, phone = gen._address(r, 0.15)
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
            "id": ID_BASES["company"] + i,
            "name": name,
            "address": address,
            "assignee_id": gen._assignee(r),
            "contact_type_id": r.choice(_CONTACT_TYPES)["id"] if r.random() < 0.6 else None,
            "details": r.choice(gen.pools.company_blurbs) if r.random() < 0.4 else None,
            "email_domain": domain,
            "phone_numbers": gen._phones(r, phone, ("work", "work", "other")),
            "socials": socials,
            "tags": gen._tags(r),
            "websites": websites,
            "custom_fields": gen._custom_fields(r, "company"),
            "interaction_count": plan.interactions["company"][i],
            "date_created": created,
            "date_modified": gen._modified(r, created),
            "primary_contact_id": ID_BASES["person"] + people[0] if people else None,
        }

    def person(self, i: int) -> Json:
        gen, plan = self.gen, self.plan
        r = self.rng["person"]
        pools = gen.pools
        name, prefix, first, middle, last, suffix, fi, li = gen._name(r)
        self.person_names.append(name)
        person_id = ID_BASES["person"] + i
        company = plan.person_company[i]
        company_id = ID_BASES["company"] + company if company >= 0 else None
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
            personal_domain = r.choice(_PERSONAL_DOMAINS)
            if not domain or r.random() < 0.2:
                emails.append(
                    {
                        "email": self._unique_email(
                            self.emails_used, f"{f_slug}.{l_slug}", personal_domain
                        ),
                        "category": "personal",
                    }
                )
        address, phone = gen._address(r, 0.45)
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
            "assignee_id": gen._assignee(r),
            "company_id": company_id,
            "company_name": company_name,
            "contact_type_id": r.choice(_CONTACT_TYPES)["id"] if r.random() < 0.9 else None,
            "details": r.choice(_PERSON_DETAILS) if r.random() < 0.25 else None,
            "emails": emails,
            "phone_numbers": gen._phones(r, phone, ("work", "mobile", "home", "other")),
            "socials": socials,
            "tags": gen._tags(r),
            "title": r.choice(pools.titles) if r.random() < 0.7 else None,
            "websites": websites,
            "custom_fields": gen._custom_fields(r, "person"),
            "date_created": created,
            "date_modified": gen._modified(r, created),
            "date_last_contacted": plan.last_contacted["person"][i],
            "interaction_count": plan.interactions["person"][i],
            "leads_converted_from": [],
            "date_lead_created": None,
        }

    def lead(self, i: int) -> Json:
        gen, plan = self.gen, self.plan
        r = self.rng["lead"]
        name, prefix, first, middle, last, suffix, fi, li = gen._name(r)
        self.lead_names.append(name)
        first_name: str | None = first
        last_name: str | None = last
        if r.random() < 0.05:  # Copper sometimes keeps the whole name in first_name
            first_name, last_name, prefix, middle, suffix = name, None, None, None, None
        company_name: str | None = None
        domain: str = r.choice(_PERSONAL_DOMAINS)
        x = r.random()
        if x < 0.2 and self.company_names:  # a new contact at an existing company
            company = r.randrange(len(self.company_names))
            company_name = self.company_names[company]
            domain = self.company_domains[company] or domain
        elif x < 0.8:
            company_name, slug = self._company_name(r, unique=False)
            domain = f"{slug}.{r.choice(_TLDS)}"
        f_slug, l_slug = gen.pools.first_slugs[fi], gen.pools.last_slugs[li]
        email: Json | None = None
        if r.random() < 0.9:
            address = self._unique_email(
                self.lead_emails_used, self._local_part(r, f_slug, l_slug), domain
            )
            email = {"email": address, "category": "work" if company_name else "personal"}
        address_obj, phone = gen._address(r, 0.5)
        status = _LEAD_STATUSES[_pick(r, ((0, 0.4), (1, 0.7), (2, 0.9), (3, 1.0)))]
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
            "id": ID_BASES["lead"] + i,
            "name": name,
            "prefix": prefix,
            "first_name": first_name,
            "middle_name": middle,
            "last_name": last_name,
            "suffix": suffix,
            "address": address_obj,
            "assignee_id": gen._assignee(r),
            "company_name": company_name,
            "customer_source_id": (r.choice(_CUSTOMER_SOURCES)["id"] if r.random() < 0.8 else None),
            "details": r.choice(_LEAD_DETAILS) if r.random() < 0.4 else None,
            "email": email,
            "interaction_count": plan.interactions["lead"][i],
            "monetary_unit": "USD" if value is not None else None,
            "monetary_value": value,
            "socials": socials,
            "status": status["name"],
            "status_id": status["id"],
            "tags": gen._tags(r),
            "title": r.choice(gen.pools.titles) if r.random() < 0.6 else None,
            "websites": websites,
            "phone_numbers": gen._phones(r, phone, ("work", "mobile")),
            "custom_fields": gen._custom_fields(r, "lead"),
            "date_created": created,
            "date_modified": gen._modified(r, created),
            "date_last_contacted": plan.last_contacted["lead"][i],
        }

    def opportunity(self, i: int) -> Json:
        gen, plan = self.gen, self.plan
        r = self.rng["opportunity"]
        opp_id = ID_BASES["opportunity"] + i
        n_companies, n_people = len(self.company_names), len(self.person_names)
        company = r.randrange(n_companies) if n_companies and r.random() < 0.9 else -1
        contact: int | None = None
        if company >= 0 and plan.company_people[company] and r.random() < 0.85:
            contact = r.choice(plan.company_people[company])
        elif company < 0 and n_people and r.random() < 0.6:
            contact = r.randrange(n_people)
        product = r.choice(_PRODUCTS)
        if company >= 0:
            name = f"{self.company_names[company]} - {product}"
        elif contact is not None:
            name = f"{product} for {self.person_names[contact]}"
        else:
            name = product
        x = r.random()
        pipeline = _PIPELINE_SPECS[0 if x < 0.6 else 1 if x < 0.8 else 2]
        stages = pipeline[5]
        created = plan.created["opportunity"][i]
        recent = created > NOW - 365 * _DAY
        status = _pick(r, _OPP_STATUSES_RECENT if recent else _OPP_STATUSES_OLD)
        stage = stages[-1] if status == "Won" else stages[int(r.random() ** 1.5 * len(stages))]
        if status == "Open":
            close: int | None = NOW + r.randrange(-30, 180) * _DAY
            if r.random() < 0.05:
                close = None
        else:  # decided within a few months of creation
            close = min(created + r.randrange(14, 240) * _DAY, NOW - _DAY)
        value = float(r.randrange(1, 500) * 500)
        unit, rate = ("USD", 1.0) if r.random() < 0.85 else r.choice(_FOREIGN_UNITS)
        converted = unit != "USD"
        last_move = NOW if close is None or status == "Open" else close
        stage_changed = created + int(r.random() * (last_move - created))
        modified = max(gen._modified(r, created), stage_changed)
        company_id = ID_BASES["company"] + company if company >= 0 else None
        contact_id = ID_BASES["person"] + contact if contact is not None else None
        self.opportunity_contacts.append(contact)
        if company_id is not None:
            self.relations.append(("opportunity", opp_id, "company", company_id))
        if contact_id is not None:
            self.relations.append(("opportunity", opp_id, "person", contact_id))
        return {
            "id": opp_id,
            "name": name,
            "assignee_id": gen._assignee(r),
            "close_date": _date_string(close, gen.order) if close is not None else None,
            "company_id": company_id,
            "company_name": self.company_names[company] if company >= 0 else None,
            "customer_source_id": (r.choice(_CUSTOMER_SOURCES)["id"] if r.random() < 0.6 else None),
            "details": r.choice(_NOTES).format(person="the buyer") if r.random() < 0.3 else None,
            "loss_reason_id": (
                r.choice(_LOSS_REASONS)["id"] if status == "Lost" and r.random() < 0.9 else None
            ),
            "pipeline_id": pipeline[0],
            "pipeline_stage_id": stage[0],
            "primary_contact_id": contact_id,
            "priority": r.choice(_PRIORITIES),
            "status": status,
            "tags": gen._tags(r),
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
            "custom_fields": gen._custom_fields(r, "opportunity"),
        }

    def _resource(self, r: random.Random, table: Sequence[tuple[str, float]]) -> tuple[str, int]:
        kind: str = _pick(r, table)
        return kind, ID_BASES[kind] + r.randrange(self.gen.sizes[kind])

    def project(self, i: int) -> Json:
        gen, plan = self.gen, self.plan
        r = self.rng["project"]
        project_id = ID_BASES["project"] + i
        related: Json | None = None
        label = r.choice(_PROJECTS)
        if r.random() < 0.8:
            kind, rid = self._resource(r, (("company", 0.6), ("opportunity", 0.85), ("person", 1)))
            related = {"id": rid, "type": kind}
            self.relations.append(("project", project_id, kind, rid))
            if kind == "company":
                label = f"{self.company_names[rid - ID_BASES['company']]} {label}"
        created = plan.created["project"][i]
        return {
            "id": project_id,
            "name": label,
            "related_resource": related,
            "assignee_id": gen._assignee(r),
            "status": "Completed" if r.random() < 0.35 else "Open",
            "details": r.choice(_PROJECT_DETAILS) if r.random() < 0.5 else None,
            "tags": gen._tags(r),
            "custom_fields": gen._custom_fields(r, "project"),
            "date_created": created,
            "date_modified": gen._modified(r, created),
        }

    def task(self, i: int) -> Json:
        gen, plan = self.gen, self.plan
        r = self.rng["task"]
        task_id = ID_BASES["task"] + i
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
                person = self.person_names[rid - ID_BASES["person"]]
            elif kind == "company":
                company = self.company_names[rid - ID_BASES["company"]]
        created = plan.created["task"][i]
        due: int | None = created + r.randrange(1, 45) * _DAY if r.random() < 0.85 else None
        # Old tasks are mostly done, around their due date; recent ones mostly still open.
        old = created < NOW - 60 * _DAY
        completed = r.random() < (0.92 if old else 0.2)
        completed_date: int | None = None
        if completed:
            target = due if due is not None else created + r.randrange(1, 20) * _DAY
            done = target + r.randrange(-3 * _DAY, 2 * _DAY)
            completed_date = min(max(done, created + 600), NOW)
        reminder = due - r.choice((900, 3600, _DAY)) if due and r.random() < 0.3 else None
        modified = max(gen._modified(r, created), completed_date or created)
        return {
            "id": task_id,
            "name": r.choice(_TASK_TEMPLATES).format(person=person, company=company),
            "related_resource": related,
            "assignee_id": gen._assignee(r),
            "due_date": due,
            "reminder_date": reminder,
            "completed_date": completed_date,
            "priority": "High" if r.random() < 0.2 else "None",
            "status": "Completed" if completed else "Open",
            "details": r.choice(_PERSON_DETAILS) if r.random() < 0.2 else None,
            "tags": gen._tags(r),
            "custom_fields": gen._custom_fields(r, "task"),
            "custom_activity_type_id": r.choice(_TASK_TYPE_IDS),
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
                "Stage changed" if type_id == _STAGE_CHANGED else r.choice(_SYSTEM_DETAILS)
            )
        else:
            details = r.choice(_NOTES).format(person=self._who(r, kind, index))
        created = when + r.randrange(0, 600)
        return {
            "id": ID_BASES["activity"] + i,
            "parent": {"id": ID_BASES[kind] + index, "type": kind},
            "type": {"id": type_id, "category": category},
            "user_id": r.choice(gen.user_ids),
            "details": details,
            "activity_date": when,
            "old_value": None,
            "new_value": None,
            "date_created": created,
            "date_modified": created if r.random() < 0.9 else min(created + _DAY, NOW),
        }
