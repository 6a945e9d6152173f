"""Copper's record shapes as data: every key of every kind in Copper's order, the keys a client
may echo back, the field rules per kind (see ``fields.FieldRules``), and the allowed values of
categories, statuses and custom field types (copper-behaviour.md §4 to §7)."""

from __future__ import annotations

from typing import Any

# Every key of every answer, in Copper's order (copper-behaviour.md §4).
KEYS: dict[str, tuple[str, ...]] = {
    "person": (
        "id", "name", "prefix", "first_name", "middle_name", "last_name", "suffix", "address",
        "assignee_id", "company_id", "company_name", "contact_type_id", "details", "emails",
        "phone_numbers", "socials", "tags", "title", "websites", "custom_fields",
        "date_created", "date_modified", "date_last_contacted", "interaction_count",
        "leads_converted_from", "date_lead_created",
    ),
    "company": (
        "id", "name", "address", "assignee_id", "contact_type_id", "details", "email_domain",
        "phone_numbers", "socials", "tags", "websites", "custom_fields", "interaction_count",
        "date_created", "date_modified", "primary_contact_id",
    ),
    "lead": (
        "id", "name", "prefix", "first_name", "middle_name", "last_name", "suffix", "address",
        "assignee_id", "company_name", "customer_source_id", "details", "email",
        "interaction_count", "monetary_unit", "monetary_value", "socials", "status",
        "status_id", "tags", "title", "websites", "phone_numbers", "custom_fields",
        "date_created", "date_modified", "date_last_contacted",
    ),
    "opportunity": (
        "id", "name", "assignee_id", "close_date", "company_id", "company_name",
        "customer_source_id", "details", "loss_reason_id", "pipeline_id", "pipeline_stage_id",
        "primary_contact_id", "priority", "status", "tags", "interaction_count",
        "monetary_unit", "monetary_value", "converted_unit", "converted_value",
        "win_probability", "date_stage_changed", "date_last_contacted", "leads_converted_from",
        "date_lead_created", "date_created", "date_modified", "custom_fields",
    ),
    "project": (
        "id", "name", "related_resource", "assignee_id", "status", "details", "tags",
        "custom_fields", "date_created", "date_modified",
    ),
    "task": (
        "id", "name", "related_resource", "assignee_id", "due_date", "reminder_date",
        "completed_date", "priority", "status", "details", "tags", "custom_fields",
        "custom_activity_type_id", "date_created", "date_modified",
    ),
    "activity": (
        "id", "parent", "type", "user_id", "details", "activity_date", "old_value",
        "new_value", "date_created", "date_modified",
    ),
}  # fmt: skip
LIST_KEYS = frozenset(
    {"emails", "phone_numbers", "socials", "tags", "websites", "leads_converted_from"}
)
ZERO_KEYS = frozenset({"interaction_count"})

NAME_PARTS = ("prefix", "first_name", "middle_name", "last_name", "suffix")
EMAIL_CATEGORIES = ("work", "personal", "other")
PHONE_CATEGORIES = ("mobile", "work", "home", "other")
SOCIAL_CATEGORIES = (
    "linkedin", "twitter", "googleplus", "facebook", "youtube", "quora", "foursquare", "klout",
    "gravatar", "other",
)  # fmt: skip
WEBSITE_CATEGORIES = ("work", "personal", "other")
OPPORTUNITY_STATUSES = ("Open", "Won", "Lost", "Abandoned")
OPPORTUNITY_PRIORITIES = ("None", "Low", "Medium", "High")
TASK_PRIORITIES = ("None", "High")
OPEN_COMPLETED = ("Open", "Completed")
RELATED_TYPES = {
    "task": ("person", "company", "opportunity", "lead", "project"),
    "project": ("person", "company", "opportunity", "task"),
}
PARENT_TYPES = ("lead", "person", "company", "opportunity", "project", "task")
CF_DATA_TYPES = (
    "String", "Text", "Dropdown", "Date", "Checkbox", "Float", "URL", "Percentage", "Currency",
    "Connect", "MultiSelect",
)  # fmt: skip
CF_ENTITIES = ("lead", "person", "company", "opportunity", "project", "task")

# Keys a client may send back unchanged: accepted and ignored.
READ_ONLY: dict[str, frozenset[str]] = {
    "person": frozenset(
        {"id", "date_created", "date_modified", "interaction_count", "date_last_contacted",
         "company_name", "leads_converted_from", "date_lead_created"}
    ),
    "company": frozenset(
        {"id", "date_created", "date_modified", "interaction_count", "date_last_contacted"}
    ),
    "lead": frozenset(
        {"id", "date_created", "date_modified", "interaction_count", "date_last_contacted"}
    ),
    "opportunity": frozenset(
        {"id", "date_created", "date_modified", "interaction_count", "date_last_contacted",
         "company_name", "converted_unit", "converted_value", "date_stage_changed",
         "leads_converted_from", "date_lead_created"}
    ),
    "project": frozenset({"id", "date_created", "date_modified"}),
    "task": frozenset({"id", "date_created", "date_modified", "completed_date"}),
    "activity": frozenset({"id", "date_created", "date_modified", "old_value", "new_value"}),
}  # fmt: skip

# field -> validator name (and argument) per kind; see Rules._check.
SPECS: dict[str, dict[str, tuple[str, Any]]] = {
    "person": {
        "name": ("string", None), "prefix": ("string", None), "first_name": ("string", None),
        "middle_name": ("string", None), "last_name": ("string", None),
        "suffix": ("string", None), "address": ("address", None),
        "assignee_id": ("ref", "user"), "company_id": ("ref", "company"),
        "contact_type_id": ("ref", "contact_type"), "details": ("text", None),
        "emails": ("emails", None), "phone_numbers": ("phones", None),
        "socials": ("socials", None), "tags": ("tags", None), "title": ("string", None),
        "websites": ("websites", None), "custom_fields": ("custom_fields", None),
    },
    "company": {
        "name": ("string", None), "address": ("address", None),
        "assignee_id": ("ref", "user"), "contact_type_id": ("ref", "contact_type"),
        "details": ("text", None), "email_domain": ("string", None),
        "phone_numbers": ("phones", None), "socials": ("socials", None),
        "tags": ("tags", None), "websites": ("websites", None),
        "custom_fields": ("custom_fields", None), "primary_contact_id": ("ref", "person"),
    },
    "lead": {
        "name": ("string", None), "prefix": ("string", None), "first_name": ("string", None),
        "middle_name": ("string", None), "last_name": ("string", None),
        "suffix": ("string", None), "address": ("address", None),
        "assignee_id": ("ref", "user"), "company_name": ("string", None),
        "customer_source_id": ("ref", "customer_source"), "details": ("text", None),
        "email": ("email", None), "monetary_unit": ("string", None),
        "monetary_value": ("number", None), "socials": ("socials", None),
        "status": ("lead_status_name", None), "status_id": ("ref", "lead_status"),
        "tags": ("tags", None), "title": ("string", None), "websites": ("websites", None),
        "phone_numbers": ("phones", None), "custom_fields": ("custom_fields", None),
    },
    "opportunity": {
        "name": ("string", None), "assignee_id": ("ref", "user"),
        "close_date": ("close_date", None), "company_id": ("ref", "company"),
        "customer_source_id": ("ref", "customer_source"), "details": ("text", None),
        "loss_reason_id": ("ref", "loss_reason"), "pipeline_id": ("ref", "pipeline"),
        "pipeline_stage_id": ("ref", "pipeline_stage"), "primary_contact_id": ("ref", "person"),
        "priority": ("enum_null", OPPORTUNITY_PRIORITIES),
        "status": ("enum", OPPORTUNITY_STATUSES), "tags": ("tags", None),
        "monetary_unit": ("string", None), "monetary_value": ("number", None),
        "win_probability": ("percent", None), "custom_fields": ("custom_fields", None),
    },
    "project": {
        "name": ("string", None), "related_resource": ("resource", RELATED_TYPES["project"]),
        "assignee_id": ("ref", "user"), "status": ("enum", OPEN_COMPLETED),
        "details": ("text", None), "tags": ("tags", None),
        "custom_fields": ("custom_fields", None),
    },
    "task": {
        "name": ("string", None), "related_resource": ("resource", RELATED_TYPES["task"]),
        "assignee_id": ("ref", "user"), "due_date": ("timestamp", None),
        "reminder_date": ("timestamp", None), "priority": ("enum", TASK_PRIORITIES),
        "status": ("enum", OPEN_COMPLETED), "details": ("text", None), "tags": ("tags", None),
        "custom_fields": ("custom_fields", None),
        "custom_activity_type_id": ("ref", "custom_activity_type"),
    },
    "activity": {
        "parent": ("parent", None), "type": ("activity_type", None),
        "user_id": ("ref", "user"), "details": ("text", None),
        "activity_date": ("timestamp", None),
    },
}  # fmt: skip
REQUIRED = {"activity": ("parent", "type")}
