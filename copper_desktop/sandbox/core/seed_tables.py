"""The demo data's fixed tables: ids, lookups, pipelines, custom field specs, names, places,
texts and the shares that pick among them. Data only: ``seed`` and its helpers draw from it."""

from __future__ import annotations

from datetime import date

from copper_desktop.sandbox.core.shapes import Json

NOW = 1_793_491_200
"""The fixed reference "now" of the demo data: 2026-11-01 00:00 UTC."""
START = 1_546_300_800  # 2019-01-01 00:00 UTC: the demo account's first record.
DAY = 86_400
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

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

ACCOUNT: Json = {"id": 100624, "name": "Copper Sandbox"}

GROUPS = {
    "sales": {"id": 1, "name": "Sales"},
    "success": {"id": 2, "name": "Customer Success"},
    "marketing": {"id": 3, "name": "Marketing"},
    "management": {"id": 4, "name": "Management"},
}
USER_BASE = 137658
# (name, email local part, groups) of the users after the first; the apostrophe is deliberate.
OTHER_USERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Jordan Rivera", "jordan.rivera", ("sales",)),
    ("Priya Shah", "priya.shah", ("sales", "management")),
    ("Marcus Chen", "marcus.chen", ("success",)),
    ("Elena Petrova", "elena.petrova", ("success",)),
    ("Sam O'Neill", "sam.oneill", ("marketing",)),
)
USER_DOMAIN = "sandbox.copper.test"

CONTACT_TYPES: list[Json] = [
    {"id": 451490, "name": "Potential Customer"},
    {"id": 451491, "name": "Current Customer"},
    {"id": 451492, "name": "Uncategorized"},
    {"id": 451493, "name": "Other"},
    {"id": 451494, "name": "Partner"},
]
LEAD_STATUSES: list[Json] = [
    {"id": 208231, "name": "New", "order": 1, "is_default": True},
    {"id": 208232, "name": "Open", "order": 2, "is_default": False},
    {"id": 208233, "name": "Unqualified", "order": 3, "is_default": False},
    {"id": 208234, "name": "Junk", "order": 4, "is_default": False},
]
CUSTOMER_SOURCES: list[Json] = [
    {"id": 331240, "name": "Email"},
    {"id": 331241, "name": "Cold Call"},
    {"id": 331242, "name": "Advertising"},
    {"id": 331243, "name": "Referral"},
    {"id": 331244, "name": "Website"},
    {"id": 331245, "name": "Trade Show"},
]
LOSS_REASONS: list[Json] = [
    {"id": 308806, "name": "Price"},
    {"id": 308807, "name": "Features"},
    {"id": 308808, "name": "Competitor"},
    {"id": 308809, "name": "Timing"},
    {"id": 308810, "name": "No Budget"},
]
NOTE_TYPE = 0
PROPERTY_CHANGED = 1
STAGE_CHANGED = 3
ACTIVITY_TYPES: dict[str, list[Json]] = {
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
INTERACTION_TYPES = frozenset(t["id"] for t in ACTIVITY_TYPES["user"] if t["count_as_interaction"])
# Custom activity types share their ids with the user activity types, as in Copper; "To Do"
# is the default task type.
CUSTOM_ACTIVITY_TYPES: list[Json] = [
    {"id": 190711, "company_id": ACCOUNT["id"], "icon_type": "Phone", "is_disabled": False,
     "is_interaction": True, "name": "Phone Call", "is_default_task_type": None},
    {"id": 190712, "company_id": ACCOUNT["id"], "icon_type": "Event", "is_disabled": False,
     "is_interaction": True, "name": "Meeting", "is_default_task_type": None},
    {"id": 190713, "company_id": ACCOUNT["id"], "icon_type": "Todo", "is_disabled": False,
     "is_interaction": False, "name": "To Do", "is_default_task_type": True},
    {"id": 191400, "company_id": ACCOUNT["id"], "icon_type": "Event", "is_disabled": False,
     "is_interaction": True, "name": "Demo call", "is_default_task_type": None},
    {"id": 194674, "company_id": ACCOUNT["id"], "icon_type": "Phone", "is_disabled": False,
     "is_interaction": True, "name": "Call - no connect", "is_default_task_type": None},
]  # fmt: skip
TASK_TYPE_IDS = (190713,) * 6 + (190711, 190711, 190712, 191400)

# (id, name, type, is_revenue, share of opportunities, [(stage id, name, win_probability)]).
PIPELINE_SPECS: tuple[tuple[int, str, str, bool, float, tuple[tuple[int, str, int | None], ...]],
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

FILTERABLE_TYPES = frozenset(
    {"Dropdown", "MultiSelect", "Date", "Checkbox", "Float", "Percentage", "Currency"}
)
# (name, data_type, available_on, options, currency, value kind); ids are assigned in order.
CF_SPECS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...], str | None, str], ...] = (
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
CF_BASE = 100764
CF_OPTION_BASE = 167772
CONNECT_PAIR = ("Partner Company", "Partner Opportunities")

TAGS = (
    "VIP", "Prospect", "Customer", "Partner", "Newsletter", "Trade Show 2026", "Webinar",
    "Referral", "Enterprise", "SMB", "Mid-Market", "Churn Risk", "Upsell", "Renewal",
    "Decision Maker", "Influencer", "Follow Up", "Hot", "Cold", "Inbound", "Outbound",
    "Q4 Push", "Beta Tester", "Conference", "Key Account",
)  # fmt: skip

# (city, state, zip prefix, area code)
US_CITIES = (
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
INTL_CITIES = (
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
STREETS = (
    "Main", "Oak", "Maple", "Pine", "Cedar", "Elm", "Market", "Mission", "Broadway",
    "Washington", "Lincoln", "Park", "Lake", "Hill", "Sunset", "Highland", "Madison",
    "Jefferson", "Franklin", "Spring", "Church", "Union", "River", "Howard", "Water",
    "2nd", "3rd", "5th", "7th", "12th",
)  # fmt: skip
STREET_SUFFIXES = ("St", "St", "Ave", "Ave", "Blvd", "Rd", "Dr", "Ln", "Way", "Pl", "Ct")
EN_SUFFIXES = ("Street", "Road", "Lane", "Avenue", "Place")
DE_STREETS = ("Haupt", "Bahnhof", "Garten", "Schiller", "Goethe", "Linden", "Berliner")
FR_STREETS = ("de la Paix", "Victor Hugo", "du Commerce", "Saint-Honoré", "de Rivoli")
NL_STREETS = ("Keizersgracht", "Prinsengracht", "Damrak", "Herengracht")
ES_STREETS = ("Mayor", "de Alcalá", "Gran Vía", "de Serrano")

NAME_PREFIXES = ("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.")
NAME_SUFFIXES = ("Jr.", "Sr.", "II", "III", "PhD", "MD")
PERSONAL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com")

COMPANY_HEADS = (
    "North", "Blue", "Summit", "Pioneer", "Bright", "Silver", "Iron", "Evergreen", "Cedar",
    "Granite", "Harbor", "Apex", "Vertex", "Atlas", "Beacon", "Crest", "Delta", "Echo",
    "Falcon", "Golden", "Hidden", "Keystone", "Lumen", "Maple", "Nova", "Oak", "Pacific",
    "Quartz", "Red", "Sage", "True", "Upland", "Vivid", "West", "Zenith", "Copper", "Coral",
    "Lake", "Stone", "Sky", "Sun", "River", "Prairie", "Tidal", "Alpine", "Cobalt", "Ember",
)  # fmt: skip
COMPANY_TAILS = (
    "wave", "stone", "field", "bridge", "point", "works", "line", "path", "gate", "peak",
    "view", "forge", "leaf", "light", "ridge", "brook", "wind", "star", "port", "mark",
    "crest", "well", "side", "wood", "spring", "rock", "hill", "way", "vale", "haven",
)  # fmt: skip
COMPANY_INDUSTRIES = (
    "Logistics", "Labs", "Analytics", "Health", "Foods", "Systems", "Consulting", "Partners",
    "Media", "Robotics", "Energy", "Capital", "Software", "Manufacturing", "Design", "Realty",
    "Learning", "Networks", "Biotech", "Outfitters", "Construction", "Legal", "Financial",
    "Studios", "Supply", "Dynamics", "Solutions", "Technologies", "Interactive", "Ventures",
)  # fmt: skip
COMPANY_FORMS = ("", "", "", "", "Inc.", "LLC", "Co.", "Ltd.", "Group", "Corp.")
TLDS = ("com", "com", "com", "io", "co", "net")

PRODUCTS = (
    "50 Licenses", "Annual Renewal", "Enterprise Upgrade", "Pilot Program", "Analytics Add-on",
    "Premium Support", "Onboarding Package", "Data Migration", "API Access", "100 Seats",
    "Multi-year Agreement", "Expansion", "Training Bundle", "Starter Plan", "Team Plan",
)  # fmt: skip
PROJECTS = (
    "Onboarding", "Implementation", "Data Migration", "Website Redesign", "Q1 Rollout",
    "Integration", "Training Program", "Security Review", "Quarterly Business Review",
    "Pilot", "Expansion Rollout", "Account Audit",
)  # fmt: skip
TASK_TEMPLATES = (
    "Follow up with {person}", "Send proposal to {company}", "Schedule demo with {person}",
    "Call {person} about pricing", "Prepare QBR deck for {company}",
    "Send contract to {company}", "Check in with {person}", "Book onsite visit at {company}",
    "Review renewal terms for {company}", "Email {person} the case study",
    "Confirm budget with {person}", "Update account plan for {company}",
)  # fmt: skip
NOTES = (
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
PERSON_DETAILS = (
    "Prefers email over phone calls.", "Met at SaaStr; very interested in automation.",
    "Budget holder for the sales team.", "Introduced by a mutual connection at a partner firm.",
    "Best reached in the mornings (Eastern time).", "Former customer at a previous company.",
    "Evaluating competitors; send comparison sheet.", "Technical contact, not a decision maker.",
    "Speaks at industry events regularly.", "Renewal owner for their whole department.",
)  # fmt: skip
LEAD_DETAILS = (
    "Downloaded the pricing guide from the website.", "Signed up for the product webinar.",
    "Filled in the contact form asking for a demo.", "Scanned badge at the trade show booth.",
    "Referred by an existing customer.", "Replied to the spring outbound campaign.",
    "Requested a callback about enterprise plans.", "Visited the pricing page three times.",
)  # fmt: skip
PROJECT_DETAILS = (
    "Kickoff scheduled with the customer's operations team.",
    "Scope agreed in the statement of work; weekly status calls.",
    "Phase 2 depends on the data export from their legacy system.",
    "Customer wants go-live before the end of the quarter.",
)  # fmt: skip
SYSTEM_DETAILS = (
    "Status changed", "Assignee changed", "Contact type changed", "Tags updated",
    "Value changed",
)  # fmt: skip

# Recent deals are mostly open; deals older than a year are mostly decided.
OPP_STATUSES_RECENT = (("Open", 0.7), ("Won", 0.85), ("Lost", 0.96), ("Abandoned", 1.0))
OPP_STATUSES_OLD = (("Open", 0.12), ("Won", 0.55), ("Lost", 0.88), ("Abandoned", 1.0))
PRIORITIES = ("None", "None", "None", "Low", "Medium", "Medium", "High")
FOREIGN_UNITS = (("EUR", 1.08), ("GBP", 1.27), ("CAD", 0.73))
ACTIVITY_PARENTS = (
    ("person", 0.40), ("company", 0.55), ("lead", 0.70), ("opportunity", 0.92),
    ("project", 0.95), ("task", 1.0),
)  # fmt: skip
USER_ACTIVITY_WEIGHTS = (
    (NOTE_TYPE, 0.60), (190711, 0.80), (190712, 0.92), (191400, 0.97), (194674, 1.0),
)  # fmt: skip
