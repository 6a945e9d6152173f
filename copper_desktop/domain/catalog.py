"""The entity catalog: one declarative description of every Copper entity.

This module is data: the types it is written in live in `copper_desktop.domain.specs` and are
re-exported here, so `from copper_desktop.domain.catalog import FieldSpec, entity` keeps working.

Views, editors, filter bars, bulk edit and CSV mapping read these specs, so nothing else in the
app re-lists fields, sort keys or filters. Everything here follows copper-behaviour.md (§3.2
filters, §3.3 sort keys, §4 shapes, §7 update rules); custom fields join at run time through
`copper_desktop.domain.custom_fields`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from copper_desktop.domain.specs import (
    ADDRESS_KEYS,
    NONE_SENTINEL,
    PARENT_TYPES,
    RANGE_FILTERS,
    SORT_DIRECTIONS,
    WEBHOOK_EVENTS,
    WEBHOOK_TYPES,
    Choice,
    Editability,
    EntitySpec,
    FieldSpec,
    FieldType,
    FilterSpec,
    FilterType,
    LookupKind,
    Operation,
    SortOption,
    label_of,
)

__all__ = [  # the vocabulary of domain.specs, re-exported, and the catalog's own data
    "ACTIVITIES", "ADDRESS_KEYS", "COMPANIES", "ENTITIES", "LEADS", "NONE_SENTINEL",
    "OPPORTUNITIES", "OPPORTUNITY_PRIORITIES", "OPPORTUNITY_STATUSES", "PARENT_TYPES", "PEOPLE",
    "PROJECTS", "PROJECT_STATUSES", "RANGE_FILTERS", "SORT_DIRECTIONS", "TASKS",
    "TASK_PRIORITIES", "TASK_STATUSES", "WEBHOOKS", "WEBHOOK_EVENTS", "WEBHOOK_TYPES", "Choice",
    "Editability", "EntitySpec", "FieldSpec", "FieldType", "FilterSpec", "FilterType",
    "LookupKind", "Operation", "SortOption", "entity", "entity_for_type", "label_of",
]  # fmt: skip


# --- building blocks ---------------------------------------------------------------------------

_RO = Editability.READ_ONLY
_CO = Editability.CREATE_ONLY


_f = FieldSpec


def _ref(
    key: str,
    label: str,
    lookup: LookupKind,
    *,
    editability: Editability = Editability.EDITABLE,
    sort_by: str | None = None,
) -> FieldSpec:
    return FieldSpec(key, label, FieldType.REF, editability, lookup=lookup, sort_by=sort_by)


def _enum(
    key: str, label: str, values: tuple[str, ...], *, sort_by: str | None = None
) -> FieldSpec:
    choices = tuple(Choice(v, v) for v in values)
    return FieldSpec(key, label, FieldType.ENUM, choices=choices, sort_by=sort_by)


def _id() -> FieldSpec:
    return FieldSpec("id", "ID", FieldType.ID, _RO)


def _name() -> FieldSpec:
    return FieldSpec("name", "Name", FieldType.TEXT, required=True, sort_by="name")


def _stamps(*, sortable: bool = True) -> tuple[FieldSpec, ...]:
    return (
        FieldSpec("date_created", "Created", FieldType.DATETIME, _RO,
                  sort_by="date_created" if sortable else None),
        FieldSpec("date_modified", "Modified", FieldType.DATETIME, _RO,
                  sort_by="date_modified" if sortable else None),
    )  # fmt: skip


def _name_parts(*, sortable: bool) -> tuple[FieldSpec, ...]:
    # Copper derives the parts from `name` (§4), so the editor changes `name` only.
    return (
        FieldSpec("prefix", "Prefix", FieldType.TEXT, _RO),
        FieldSpec(
            "first_name",
            "First name",
            FieldType.TEXT,
            _RO,
            sort_by="first_name" if sortable else None,
        ),
        FieldSpec("middle_name", "Middle name", FieldType.TEXT, _RO),
        FieldSpec(
            "last_name", "Last name", FieldType.TEXT, _RO, sort_by="last_name" if sortable else None
        ),
        FieldSpec("suffix", "Suffix", FieldType.TEXT, _RO),
    )


def _ids(lookup: LookupKind | None, label: str = "IDs") -> FilterSpec:
    return FilterSpec("ids", label, FilterType.IDS, lookup=lookup)


def _id_list(key: str, label: str, lookup: LookupKind, *, none: bool = False) -> FilterSpec:
    return FilterSpec(key, label, FilterType.ID_LIST, lookup=lookup, allows_none=none)


def _dates(key: str, label: str) -> FilterSpec:
    return FilterSpec(key, label, FilterType.DATE_RANGE, value_type=FieldType.DATETIME)


def _numbers(key: str, label: str, value_type: FieldType = FieldType.INTEGER) -> FilterSpec:
    return FilterSpec(key, label, FilterType.NUMBER_RANGE, value_type=value_type)


def _text(key: str, label: str) -> FilterSpec:
    return FilterSpec(key, label, FilterType.TEXT)


_TAGS = FilterSpec("tags", "Tags", FilterType.TAGS)
_FOLLOWED = FilterSpec(
    "followed",
    "Followed",
    FilterType.FOLLOWED,
    choices=(Choice(1, "Followed"), Choice(2, "Not followed")),
)
_AGE = FilterSpec("age", "Maximum age (seconds)", FilterType.AGE)
_ASSIGNEES = _id_list("assignee_ids", "Owner", LookupKind.USERS, none=True)
_ADDRESS_FILTERS = (
    _text("city", "City"),
    _text("state", "State"),
    _text("postal_code", "Postal code"),
    FilterSpec("country", "Country", FilterType.COUNTRY),
)
_INTERACTIONS = (
    _numbers("interaction_count", "Interactions"),
    _dates("interaction_date", "Last interaction"),
)
_CREATED = _dates("created_date", "Created")
_MODIFIED = _dates("modified_date", "Modified")


def _address_sorts(label_zip: str = "Postal code") -> tuple[SortOption, ...]:
    return (
        SortOption("city", "City", "address", "city"),
        SortOption("state", "State", "address", "state"),
        SortOption("country", "Country", "address", "country"),
        SortOption("zip", label_zip, "address", "postal_code"),
    )


def _sorts(fields: tuple[FieldSpec, ...], *extra: SortOption) -> tuple[SortOption, ...]:
    """Sort options: those declared on fields, then extras (address parts, unmapped keys)."""
    from_fields = tuple(SortOption(f.sort_by, f.label, f.key) for f in fields if f.sort_by)
    return from_fields + extra


OPPORTUNITY_STATUSES = ("Open", "Won", "Lost", "Abandoned")
OPPORTUNITY_PRIORITIES = ("None", "Low", "Medium", "High")
TASK_STATUSES = ("Open", "Completed")
TASK_PRIORITIES = ("None", "High")
PROJECT_STATUSES = ("Open", "Completed")

_CRUD = frozenset(
    {Operation.SEARCH, Operation.GET, Operation.CREATE, Operation.UPDATE, Operation.DELETE}
)
_CF = FieldSpec("custom_fields", "Custom fields", FieldType.CUSTOM_FIELDS)
_TAGS_FIELD = FieldSpec("tags", "Tags", FieldType.TAGS)
_DETAILS = FieldSpec("details", "Details", FieldType.MULTILINE)
_INTERACTION_COUNT = FieldSpec("interaction_count", "Interactions", FieldType.INTEGER, _RO)
_SORTED_INTERACTION_COUNT = FieldSpec(
    "interaction_count", "Interactions", FieldType.INTEGER, _RO, sort_by="interaction_count"
)
_LAST_CONTACTED = FieldSpec("date_last_contacted", "Last contacted", FieldType.DATETIME, _RO)
_PHONES = _f("phone_numbers", "Phone numbers", FieldType.PHONE_LIST, sort_by="phone")
_ADDRESS = _f("address", "Address", FieldType.ADDRESS)
_SOCIALS = _f("socials", "Social profiles", FieldType.SOCIAL_LIST)
_WEBSITES = _f("websites", "Websites", FieldType.WEBSITE_LIST)
_CONVERTED_FROM = (
    _f("leads_converted_from", "Converted from leads", FieldType.JSON, editability=_RO),
    _f("date_lead_created", "Lead created", FieldType.DATETIME, editability=_RO),
)
_MONETARY = (
    _f("monetary_value", "Value", FieldType.MONEY, currency_key="monetary_unit", sort_by="value",
       minimum=0),
    _f("monetary_unit", "Currency", FieldType.CURRENCY_CODE),
)  # fmt: skip
_RELATED_TO = _f("related_resource", "Related to", FieldType.RELATED_RESOURCE, sort_by="related_to")

_PHONE_FILTER = FilterSpec("phone_number", "Phone", FilterType.PHONE)
_SOCIALS_FILTER = FilterSpec("socials", "Social profiles", FilterType.TEXT_LIST)
_SOURCES_FILTER = _id_list("customer_source_ids", "Source", LookupKind.CUSTOMER_SOURCES, none=True)
_VALUE_FILTER = _numbers("monetary_value", "Value", FieldType.MONEY)


def _owner(sort_by: str | None = None) -> FieldSpec:
    return _ref("assignee_id", "Owner", LookupKind.USERS, sort_by=sort_by)


def _status_ids(statuses: tuple[str, ...]) -> FilterSpec:
    """`status_ids`: a status's position is its id (0 Open, 1 Won, ...)."""
    choices = tuple(Choice(i, status) for i, status in enumerate(statuses))
    return FilterSpec("status_ids", "Status", FilterType.ENUM_LIST, choices=choices)


# --- people ------------------------------------------------------------------------------------

_PEOPLE_FIELDS = (
    _id(),
    _name(),
    *_name_parts(sortable=True),
    _f("title", "Title", sort_by="title"),
    _f("emails", "Emails", FieldType.EMAIL_LIST, sort_by="email"),
    _PHONES,
    _ADDRESS,
    # A person's company is changed through related items, never by PUT (§7).
    _ref("company_id", "Company", LookupKind.COMPANIES, editability=_RO),
    _f("company_name", "Company name", editability=_RO),
    _ref("contact_type_id", "Contact type", LookupKind.CONTACT_TYPES),
    _owner(),
    _DETAILS,
    _f("socials", "Social profiles", FieldType.SOCIAL_LIST, sort_by="socials"),
    _WEBSITES,
    _TAGS_FIELD,
    _CF,
    *_stamps(),
    _LAST_CONTACTED,
    _INTERACTION_COUNT,
    *_CONVERTED_FROM,
)

PEOPLE = EntitySpec(
    key="people",
    type="person",
    label="Person",
    plural_label="People",
    path="people",
    operations=_CRUD
    | {
        Operation.BULK_CREATE,
        Operation.BULK_UPDATE,
        Operation.ACTIVITIES,
        Operation.RELATED,
        Operation.FETCH_BY_EMAIL,
    },
    fields=_PEOPLE_FIELDS,
    filters=(
        _ids(LookupKind.PEOPLE),
        _text("name", "Name"),
        _PHONE_FILTER,
        FilterSpec("emails", "Emails", FilterType.TEXT_LIST),
        _id_list("contact_type_ids", "Contact type", LookupKind.CONTACT_TYPES),
        _ASSIGNEES,
        _id_list("company_ids", "Company", LookupKind.COMPANIES, none=True),
        _id_list("opportunity_ids", "Opportunity", LookupKind.OPPORTUNITIES),
        *_ADDRESS_FILTERS,
        _TAGS,
        _SOCIALS_FILTER,
        _FOLLOWED,
        _AGE,
        *_INTERACTIONS,
        _CREATED,
    ),
    sort_options=_sorts(_PEOPLE_FIELDS, *_address_sorts()),
    default_sort="first_name",
    default_columns=(
        "name",
        "title",
        "company_name",
        "emails",
        "phone_numbers",
        "assignee_id",
        "date_modified",
    ),
    related=("companies", "opportunities", "tasks", "projects"),
    webhook_type="person",
)


# --- companies ---------------------------------------------------------------------------------

_COMPANY_FIELDS = (
    _id(),
    _name(),
    _f("email_domain", "Email domain", sort_by="email_domain"),
    _PHONES,
    _ADDRESS,
    _owner(sort_by="assignee"),
    _ref("contact_type_id", "Contact type", LookupKind.CONTACT_TYPES, sort_by="contact_group"),
    _ref("primary_contact_id", "Primary contact", LookupKind.PEOPLE, sort_by="contact"),
    _DETAILS,
    _SOCIALS,
    _f("websites", "Websites", FieldType.WEBSITE_LIST, sort_by="primary_website"),
    _TAGS_FIELD,
    _CF,
    _SORTED_INTERACTION_COUNT,
    *_stamps(),
)

COMPANIES = EntitySpec(
    key="companies",
    type="company",
    label="Company",
    plural_label="Companies",
    path="companies",
    operations=_CRUD
    | {Operation.BULK_CREATE, Operation.BULK_UPDATE, Operation.ACTIVITIES, Operation.RELATED},
    fields=_COMPANY_FIELDS,
    filters=(
        _ids(LookupKind.COMPANIES),
        _text("name", "Name"),
        _PHONE_FILTER,
        _text("email_domains", "Email domain"),
        _id_list("contact_type_ids", "Contact type", LookupKind.CONTACT_TYPES),
        _ASSIGNEES,
        *_ADDRESS_FILTERS,
        _TAGS,
        _SOCIALS_FILTER,
        _FOLLOWED,
        _AGE,
        *_INTERACTIONS,
        _CREATED,
    ),
    sort_options=_sorts(
        _COMPANY_FIELDS,
        SortOption("contact_first_name", "Contact first name", "primary_contact_id"),
        SortOption("contact_last_name", "Contact last name", "primary_contact_id"),
        *_address_sorts(),
        SortOption("last_interaction", "Last interaction"),
    ),
    default_sort="date_modified",
    default_columns=(
        "name",
        "email_domain",
        "phone_numbers",
        "assignee_id",
        "contact_type_id",
        "date_modified",
    ),
    related=("opportunities", "people", "tasks", "projects"),
    webhook_type="company",
)


# --- leads -------------------------------------------------------------------------------------

_LEAD_FIELDS = (
    _id(),
    _name(),
    *_name_parts(sortable=True),
    _f("title", "Title", sort_by="title"),
    _f("company_name", "Company", sort_by="company_name"),
    _f("email", "Email", FieldType.SINGLE_EMAIL, sort_by="email"),
    _PHONES,
    _ADDRESS,
    _owner(),
    _ref("status_id", "Status", LookupKind.LEAD_STATUSES),
    # The status name is derived from status_id; the editor changes status_id.
    _f("status", "Status name", editability=_RO),
    _ref("customer_source_id", "Source", LookupKind.CUSTOMER_SOURCES),
    *_MONETARY,
    _DETAILS,
    _SOCIALS,
    _WEBSITES,
    _TAGS_FIELD,
    _CF,
    *_stamps(),
    _LAST_CONTACTED,
    _INTERACTION_COUNT,
    # ⚠ Uncertain keys (third-party schema only, §4): known so they are displayed, never sent.
    _f("converted_at", "Converted", FieldType.DATETIME, editability=_RO),
    _ref("converted_contact_id", "Converted to person", LookupKind.PEOPLE, editability=_RO),
    _ref(
        "converted_opportunity_id",
        "Converted to opportunity",
        LookupKind.OPPORTUNITIES,
        editability=_RO,
    ),
)

LEADS = EntitySpec(
    key="leads",
    type="lead",
    label="Lead",
    plural_label="Leads",
    path="leads",
    operations=_CRUD
    | {
        Operation.BULK_CREATE,
        Operation.BULK_UPDATE,
        Operation.CONVERT,
        Operation.ACTIVITIES,
        Operation.RELATED,
        Operation.UPSERT,
    },
    fields=_LEAD_FIELDS,
    filters=(
        _ids(LookupKind.LEADS),
        _text("name", "Name"),
        _PHONE_FILTER,
        _text("emails", "Email"),  # a string for leads, not an array (§3.2)
        _ASSIGNEES,
        _id_list("status_ids", "Status", LookupKind.LEAD_STATUSES),
        _SOURCES_FILTER,
        *_ADDRESS_FILTERS,
        _TAGS,
        _FOLLOWED,
        _AGE,
        _VALUE_FILTER,
        *_INTERACTIONS,
        _CREATED,
        _MODIFIED,
        FilterSpec("include_converted_leads", "Include converted leads", FilterType.BOOLEAN),
    ),
    sort_options=_sorts(
        _LEAD_FIELDS, *_address_sorts(), SortOption("inactive_days", "Inactive days")
    ),
    default_sort="name",
    default_columns=(
        "name",
        "company_name",
        "email",
        "status_id",
        "assignee_id",
        "monetary_value",
        "date_modified",
    ),
    related=("tasks",),
    webhook_type="lead",
)


# --- opportunities -----------------------------------------------------------------------------

_OPPORTUNITY_FIELDS = (
    _id(),
    _name(),
    _ref("company_id", "Company", LookupKind.COMPANIES),
    # Copper fills company_name from company_id.
    _f("company_name", "Company name", editability=_RO, sort_by="company_name"),
    _ref("primary_contact_id", "Primary contact", LookupKind.PEOPLE, sort_by="contact"),
    _owner(sort_by="assignee"),
    _ref("pipeline_id", "Pipeline", LookupKind.PIPELINES),
    _ref("pipeline_stage_id", "Stage", LookupKind.PIPELINE_STAGES, sort_by="stage"),
    _enum("status", "Status", OPPORTUNITY_STATUSES, sort_by="status"),
    _enum("priority", "Priority", OPPORTUNITY_PRIORITIES, sort_by="priority"),
    _f("close_date", "Close date", FieldType.CLOSE_DATE, sort_by="close_date"),
    *_MONETARY,
    _f(
        "win_probability",
        "Win probability",
        FieldType.PERCENT,
        sort_by="win_probability",
        minimum=0,
        maximum=100,
    ),
    _ref("customer_source_id", "Source", LookupKind.CUSTOMER_SOURCES, sort_by="customer_source_id"),
    _ref("loss_reason_id", "Loss reason", LookupKind.LOSS_REASONS),
    _DETAILS,
    _TAGS_FIELD,
    _CF,
    _SORTED_INTERACTION_COUNT,
    FieldSpec(
        "date_last_contacted", "Last contacted", FieldType.DATETIME, _RO, sort_by="last_interaction"
    ),
    _f("date_stage_changed", "Stage changed", FieldType.DATETIME, editability=_RO),
    _f("converted_unit", "Converted currency", FieldType.CURRENCY_CODE, editability=_RO),
    _f(
        "converted_value",
        "Converted value",
        FieldType.MONEY,
        editability=_RO,
        currency_key="converted_unit",
    ),
    *_CONVERTED_FROM,
    *_stamps(),
    # ⚠ Uncertain keys (third-party schema only, §4).
    _f("pipeline_type", "Pipeline type", editability=_RO),
    _f("pipeline_is_revenue", "Revenue pipeline", FieldType.BOOLEAN, editability=_RO),
)

OPPORTUNITIES = EntitySpec(
    key="opportunities",
    type="opportunity",
    label="Opportunity",
    plural_label="Opportunities",
    path="opportunities",
    operations=_CRUD | {Operation.BULK_CREATE, Operation.RELATED},
    fields=_OPPORTUNITY_FIELDS,
    filters=(
        _ids(LookupKind.OPPORTUNITIES),
        _text("name", "Name (exact)"),
        _ASSIGNEES,
        _status_ids(OPPORTUNITY_STATUSES),
        _id_list("pipeline_ids", "Pipeline", LookupKind.PIPELINES),
        _id_list("pipeline_stage_ids", "Stage", LookupKind.PIPELINE_STAGES),
        # ⚠ The ids behind priority_ids are undocumented; 0..3 in display order is a guess.
        FilterSpec(
            "priority_ids",
            "Priority",
            FilterType.ENUM_LIST,
            choices=tuple(Choice(i, s) for i, s in enumerate(OPPORTUNITY_PRIORITIES)),
        ),
        _SOURCES_FILTER,
        _id_list("loss_reason_ids", "Loss reason", LookupKind.LOSS_REASONS, none=True),
        _id_list("company_ids", "Company", LookupKind.COMPANIES, none=True),
        _id_list("person_ids", "Person", LookupKind.PEOPLE),
        _TAGS,
        _FOLLOWED,
        _VALUE_FILTER,
        *_INTERACTIONS,
        _dates("close_date", "Close date"),
        _dates("stage_change_date", "Stage changed"),
        _CREATED,
        _MODIFIED,
    ),
    sort_options=_sorts(
        _OPPORTUNITY_FIELDS,
        SortOption("account", "Account"),
        SortOption("source", "Source"),
        SortOption("deal_last_stage", "Last stage"),
    ),
    default_sort="name",
    default_columns=(
        "name",
        "company_name",
        "pipeline_stage_id",
        "status",
        "monetary_value",
        "close_date",
        "assignee_id",
    ),
    related=("companies", "people", "tasks", "projects"),
    webhook_type="opportunity",
)


# --- projects ----------------------------------------------------------------------------------

_PROJECT_FIELDS = (
    _id(),
    _name(),
    _RELATED_TO,
    _owner(sort_by="assigned_to"),
    _enum("status", "Status", PROJECT_STATUSES, sort_by="status"),
    _DETAILS,
    _TAGS_FIELD,
    _CF,
    *_stamps(),
)

PROJECTS = EntitySpec(
    key="projects",
    type="project",
    label="Project",
    plural_label="Projects",
    path="projects",
    operations=_CRUD | {Operation.RELATED},
    fields=_PROJECT_FIELDS,
    filters=(
        _ids(LookupKind.PROJECTS),
        _text("name", "Name"),
        _ASSIGNEES,
        # ⚠ Project status ids are undocumented; 0 Open, 1 Completed mirrors opportunities.
        _status_ids(PROJECT_STATUSES),
        _TAGS,
        _FOLLOWED,
        _CREATED,
        _MODIFIED,
    ),
    sort_options=_sorts(_PROJECT_FIELDS),
    default_sort="name",
    default_columns=("name", "related_resource", "assignee_id", "status", "date_modified"),
    related=("companies", "people", "opportunities", "tasks"),
    webhook_type="project",
)


# --- tasks -------------------------------------------------------------------------------------

_TASK_FIELDS = (
    _id(),
    _name(),
    _RELATED_TO,
    _owner(sort_by="assigned_to"),
    _f("due_date", "Due", FieldType.DATETIME, sort_by="due_date"),
    _f("reminder_date", "Reminder", FieldType.DATETIME, sort_by="reminder_date"),
    # Set by Copper when the status goes Open → Completed (§7).
    _f(
        "completed_date", "Completed", FieldType.DATETIME, editability=_RO, sort_by="completed_date"
    ),
    _enum("status", "Status", TASK_STATUSES, sort_by="status"),
    _enum("priority", "Priority", TASK_PRIORITIES, sort_by="priority"),
    _ref("custom_activity_type_id", "Task type", LookupKind.CUSTOM_ACTIVITY_TYPES),
    _DETAILS,
    _TAGS_FIELD,
    _CF,
    *_stamps(),
)

TASKS = EntitySpec(
    key="tasks",
    type="task",
    label="Task",
    plural_label="Tasks",
    path="tasks",
    operations=_CRUD | {Operation.RELATED},
    fields=_TASK_FIELDS,
    filters=(
        _ids(LookupKind.TASKS),
        _ASSIGNEES,
        _id_list("opportunity_ids", "Opportunity", LookupKind.OPPORTUNITIES),
        _id_list("project_ids", "Project", LookupKind.PROJECTS, none=True),
        FilterSpec(
            "statuses",
            "Status",
            FilterType.ENUM_LIST,
            choices=tuple(Choice(s, s) for s in TASK_STATUSES),
        ),
        _TAGS,
        _FOLLOWED,
        _dates("due_date", "Due"),
        _CREATED,
        _MODIFIED,
    ),
    sort_options=_sorts(_TASK_FIELDS),
    default_sort="due_date",
    default_columns=("name", "related_resource", "assignee_id", "due_date", "status", "priority"),
    related=("companies", "people", "opportunities", "leads", "projects"),
    webhook_type="task",
)


# --- activities --------------------------------------------------------------------------------

ACTIVITIES = EntitySpec(
    key="activities",
    type="activity",
    label="Activity",
    plural_label="Activities",
    path="activities",
    operations=_CRUD | {Operation.BULK_CREATE},
    fields=(
        _id(),
        FieldSpec("parent", "Regarding", FieldType.PARENT, _CO, required=True),
        FieldSpec(
            "type", "Type", FieldType.ACTIVITY_TYPE, required=True, lookup=LookupKind.ACTIVITY_TYPES
        ),
        _DETAILS,
        _f("activity_date", "Date", FieldType.DATETIME),
        _ref("user_id", "User", LookupKind.USERS, editability=_RO),
        _f("old_value", "Old value", FieldType.JSON, editability=_RO),
        _f("new_value", "New value", FieldType.JSON, editability=_RO),
        *_stamps(sortable=False),  # activities have no documented sort keys
    ),
    filters=(
        FilterSpec("parent", "Regarding", FilterType.PARENT),
        FilterSpec(
            "activity_types", "Type", FilterType.ACTIVITY_TYPES, lookup=LookupKind.ACTIVITY_TYPES
        ),
        _dates("activity_date", "Date"),
        FilterSpec("full_result", "Full result (admins)", FilterType.BOOLEAN),
    ),
    sort_options=(),  # not documented (§3.3)
    default_sort=None,
    default_columns=("activity_date", "type", "parent", "user_id", "details"),
    webhook_type="activity_log",
)


# --- webhooks ----------------------------------------------------------------------------------

WEBHOOKS = EntitySpec(
    key="webhooks",
    type="webhook",
    label="Webhook",
    plural_label="Webhooks",
    path="webhooks",
    operations=frozenset(
        {Operation.LIST, Operation.GET, Operation.CREATE, Operation.UPDATE, Operation.DELETE}
    ),
    fields=(
        _id(),
        FieldSpec("target", "Target URL", FieldType.URL, required=True),
        # PUT changes only target, secret, headers and custom_field_computed_values (§12).
        FieldSpec(
            "type",
            "Entity type",
            FieldType.ENUM,
            _CO,
            required=True,
            choices=tuple(Choice(t, t) for t in WEBHOOK_TYPES),
        ),
        FieldSpec(
            "event",
            "Event",
            FieldType.ENUM,
            _CO,
            required=True,
            choices=tuple(Choice(e, e) for e in WEBHOOK_EVENTS),
        ),
        _f("secret", "Secret", FieldType.STRING_MAP),
        _f("headers", "Headers", FieldType.STRING_MAP),
        _f("custom_field_computed_values", "Computed custom field values", FieldType.BOOLEAN),
        _f("created_at", "Created", FieldType.DATETIME, editability=_RO),
    ),
    default_columns=("type", "event", "target", "created_at"),
)


ENTITIES: Mapping[str, EntitySpec] = MappingProxyType(
    {
        spec.key: spec
        for spec in (PEOPLE, COMPANIES, LEADS, OPPORTUNITIES, PROJECTS, TASKS, ACTIVITIES, WEBHOOKS)
    }
)
"""Every entity, keyed by its catalog key ("people", …) in navigation order."""

_BY_TYPE: Mapping[str, EntitySpec] = MappingProxyType(
    {
        **{spec.type: spec for spec in ENTITIES.values()},
        **{spec.webhook_type: spec for spec in ENTITIES.values() if spec.webhook_type},
    }
)


def entity(key: str) -> EntitySpec:
    """The entity with this catalog key; KeyError names the bad key."""
    return ENTITIES[key]


def entity_for_type(copper_type: str) -> EntitySpec:
    """The entity for a singular Copper type ("person", "activity_log", …)."""
    return _BY_TYPE[copper_type]
