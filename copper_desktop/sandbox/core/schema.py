"""The sandbox's tables: one per record kind with the record's JSON plus a plain column for
every sort and filter key (indexed where sorting needs it), the other tables, and how a record
maps onto its columns. Also the close-date forms (stored ISO, shown M/D/YYYY or D/M/YYYY).

The ``Store`` (store.py) reads and writes these tables; the search compiler (queries.py) writes
SQL against their columns.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

Json = dict[str, Any]

KINDS = ("person", "company", "lead", "opportunity", "project", "task", "activity")
SEP = "\x1f"
INT64_MAX = 2**63 - 1


def fits_sqlite(number: int) -> bool:
    """SQLite integers are 64-bit: a larger id from a client cannot exist, so it is not found."""
    return -INT64_MAX - 1 <= number <= INT64_MAX


# Column types shared by every kind (``NULL`` where a kind has no such field).
COMMON_COLUMNS: dict[str, str] = {
    "name": "TEXT COLLATE NOCASE",
    "date_created": "INTEGER",
    "date_modified": "INTEGER",
    "assignee_id": "INTEGER",
    "tags": "TEXT",
    "interaction_count": "INTEGER",
    "date_last_contacted": "INTEGER",
    "hidden": "INTEGER NOT NULL DEFAULT 0",
}
_CONTACT_COLUMNS: dict[str, str] = {
    "phone": "TEXT COLLATE NOCASE",
    "phones": "TEXT",
    "socials": "TEXT",
    "city": "TEXT COLLATE NOCASE",
    "state": "TEXT COLLATE NOCASE",
    "postal_code": "TEXT COLLATE NOCASE",
    "country": "TEXT COLLATE NOCASE",
}
KIND_COLUMNS: dict[str, dict[str, str]] = {
    "person": {
        **_CONTACT_COLUMNS,
        "first_name": "TEXT COLLATE NOCASE",
        "last_name": "TEXT COLLATE NOCASE",
        "title": "TEXT COLLATE NOCASE",
        "email": "TEXT COLLATE NOCASE",
        "emails": "TEXT",
        "social": "TEXT COLLATE NOCASE",
        "company_id": "INTEGER",
        "contact_type_id": "INTEGER",
    },
    "company": {
        **_CONTACT_COLUMNS,
        "email_domain": "TEXT COLLATE NOCASE",
        "contact_type_id": "INTEGER",
        "primary_contact_id": "INTEGER",
        "website": "TEXT COLLATE NOCASE",
    },
    "lead": {
        **_CONTACT_COLUMNS,
        "first_name": "TEXT COLLATE NOCASE",
        "last_name": "TEXT COLLATE NOCASE",
        "company_name": "TEXT COLLATE NOCASE",
        "title": "TEXT COLLATE NOCASE",
        "email": "TEXT COLLATE NOCASE",
        "emails": "TEXT",
        "monetary_value": "REAL",
        "status_id": "INTEGER",
        "customer_source_id": "INTEGER",
        "inactive": "INTEGER",
    },
    "opportunity": {
        "company_id": "INTEGER",
        "company_name": "TEXT COLLATE NOCASE",
        "monetary_value": "REAL",
        "customer_source_id": "INTEGER",
        "loss_reason_id": "INTEGER",
        "primary_contact_id": "INTEGER",
        "pipeline_id": "INTEGER",
        "pipeline_stage_id": "INTEGER",
        "status": "TEXT COLLATE NOCASE",
        "priority": "TEXT COLLATE NOCASE",
        "close_ts": "INTEGER",
        "date_stage_changed": "INTEGER",
        "win_probability": "INTEGER",
    },
    "project": {
        "related_type": "TEXT",
        "related_id": "INTEGER",
        "status": "TEXT COLLATE NOCASE",
    },
    "task": {
        "related_type": "TEXT",
        "related_id": "INTEGER",
        "status": "TEXT COLLATE NOCASE",
        "priority": "TEXT COLLATE NOCASE",
        "due_date": "INTEGER",
        "reminder_date": "INTEGER",
        "completed_date": "INTEGER",
    },
    "activity": {
        "parent_type": "TEXT",
        "parent_id": "INTEGER",
        "type_id": "INTEGER",
        "type_category": "TEXT",
        "user_id": "INTEGER",
        "activity_date": "INTEGER",
    },
}
# Columns that get an index (with id as tie-breaker): the common sort keys and the join keys.
# Rarer sort keys go without: SQLite's top-N sort of 100,000 rows still answers in tens of ms,
# and every index costs load time.
INDEXED: dict[str, tuple[str, ...]] = {
    "person": (
        "name", "first_name", "last_name", "email", "date_modified", "date_created", "company_id",
    ),
    "company": ("name", "date_modified", "date_created", "email_domain"),
    "lead": ("name", "email", "date_modified", "date_created", "inactive"),
    "opportunity": (
        "name", "date_modified", "date_created", "company_id", "primary_contact_id", "close_ts",
    ),
    "project": ("name", "related_id", "date_modified"),
    "task": ("due_date", "related_id", "date_modified"),
    "activity": ("activity_date", "parent_id"),
}  # fmt: skip

META_KEYS = (
    "account",
    "contact_types",
    "lead_statuses",
    "customer_sources",
    "loss_reasons",
    "activity_types",
    "custom_activity_types",
    "pipelines",
    "custom_field_definitions",
)


def columns(kind: str) -> list[str]:
    """Every indexed column of a kind's table, in table order (after ``id`` and ``data``)."""
    return [*COMMON_COLUMNS, *KIND_COLUMNS[kind]]


def joined(values: Iterable[str | None]) -> str | None:
    """Several values in one column, each framed by SEP, so ``instr`` finds whole values."""
    kept = [v.lower() for v in values if v]
    return SEP + SEP.join(kept) + SEP if kept else None


def email_keys(rec: Json) -> list[str]:
    """A person's e-mails as ``person_emails`` keys: lower-cased, as every e-mail comparison
    in the sandbox is (the uniqueness rule, ``fetch_by_email``, the ``emails`` filter)."""
    return [str(e["email"]).lower() for e in rec.get("emails") or () if e.get("email")]


def digits(text: str | None) -> str:
    return re.sub(r"\D", "", text or "")


def iso_to_ts(iso: str | None) -> int | None:
    """Unix seconds of an ISO date at midnight UTC (opportunity close dates)."""
    if not iso:
        return None
    d = date.fromisoformat(iso)
    return int((d - date(1970, 1, 1)).total_seconds())


def _first(items: list[Json] | None, sub: str) -> str | None:
    if items:
        value = items[0].get(sub)
        return None if value is None else str(value)
    return None


def _common(rec: Json) -> tuple[Any, ...]:
    tags = rec.get("tags")
    return (
        rec.get("name"),
        rec.get("date_created"),
        rec.get("date_modified"),
        rec.get("assignee_id"),
        joined(tags) if tags else None,
        rec.get("interaction_count"),
        rec.get("date_last_contacted"),
        0,
    )


def _contact(rec: Json) -> tuple[Any, ...]:
    phones = rec.get("phone_numbers")
    socials = rec.get("socials")
    address = rec.get("address") or {}
    return (
        _first(phones, "number"),
        joined(digits(p.get("number")) for p in phones) if phones else None,
        joined(x.get("url") for x in socials) if socials else None,
        address.get("city") or None,
        address.get("state") or None,
        address.get("postal_code") or None,
        address.get("country") or None,
    )


def _person(rec: Json) -> tuple[Any, ...]:
    emails = rec.get("emails")
    return (
        rec.get("first_name"),
        rec.get("last_name"),
        rec.get("title"),
        _first(emails, "email"),
        joined(e.get("email") for e in emails) if emails else None,
        _first(rec.get("socials"), "url"),
        rec.get("company_id"),
        rec.get("contact_type_id"),
    )


def _company(rec: Json) -> tuple[Any, ...]:
    return (
        rec.get("email_domain"),
        rec.get("contact_type_id"),
        rec.get("primary_contact_id"),
        _first(rec.get("websites"), "url"),
    )


def _lead(rec: Json) -> tuple[Any, ...]:
    email = (rec.get("email") or {}).get("email")
    return (
        rec.get("first_name"),
        rec.get("last_name"),
        rec.get("company_name"),
        rec.get("title"),
        email,
        joined([email]),
        rec.get("monetary_value"),
        rec.get("status_id"),
        rec.get("customer_source_id"),
        rec.get("date_last_contacted") or rec.get("date_created"),
    )


_OPPORTUNITY_KEYS = tuple(KIND_COLUMNS["opportunity"])


def _opportunity(rec: Json) -> tuple[Any, ...]:
    return tuple(
        iso_to_ts(rec.get("close_date")) if k == "close_ts" else rec.get(k)
        for k in _OPPORTUNITY_KEYS
    )


def _project(rec: Json) -> tuple[Any, ...]:
    res = rec.get("related_resource") or {}
    return (res.get("type"), res.get("id"), rec.get("status"))


def _task(rec: Json) -> tuple[Any, ...]:
    res = rec.get("related_resource") or {}
    return (
        res.get("type"),
        res.get("id"),
        rec.get("status"),
        rec.get("priority"),
        rec.get("due_date"),
        rec.get("reminder_date"),
        rec.get("completed_date"),
    )


def _activity(rec: Json) -> tuple[Any, ...]:
    parent = rec.get("parent") or {}
    atype = rec.get("type") or {}
    return (
        parent.get("type"),
        parent.get("id"),
        atype.get("id"),
        atype.get("category"),
        rec.get("user_id"),
        rec.get("activity_date"),
    )


_EXTRACT: dict[str, tuple[Callable[[Json], tuple[Any, ...]], ...]] = {
    "person": (_common, _contact, _person),
    "company": (_common, _contact, _company),
    "lead": (_common, _contact, _lead),
    "opportunity": (_common, _opportunity),
    "project": (_common, _project),
    "task": (_common, _task),
    "activity": (_common, _activity),
}


def index_values(kind: str, rec: Json) -> tuple[Any, ...]:
    """The column values of a record, in ``columns(kind)`` order (hand-written per kind:
    this runs once per record when loading hundreds of thousands of them)."""
    out: tuple[Any, ...] = ()
    for part in _EXTRACT[kind]:
        out += part(rec)
    return out


def create_schema(c: sqlite3.Connection) -> None:
    """Every table and index, unless they exist (a database file keeps its data)."""
    c.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    c.execute(
        "CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, email TEXT COLLATE NOCASE,"
        " token TEXT, data TEXT NOT NULL)"
    )
    c.execute(
        "CREATE TABLE IF NOT EXISTS relations (a_type TEXT, a_id INTEGER, b_type TEXT,"
        " b_id INTEGER, PRIMARY KEY (a_type, a_id, b_type, b_id)) WITHOUT ROWID"
    )
    c.execute("CREATE INDEX IF NOT EXISTS ix_relations_b ON relations (b_type, b_id)")
    c.execute("CREATE TABLE IF NOT EXISTS webhooks (id INTEGER PRIMARY KEY, data TEXT)")
    c.execute(
        "CREATE TABLE IF NOT EXISTS related_links (id INTEGER PRIMARY KEY,"
        " definition_id INTEGER NOT NULL, source_type TEXT NOT NULL,"
        " source_id INTEGER NOT NULL, source_label TEXT NOT NULL, target_type TEXT NOT NULL,"
        " target_id INTEGER NOT NULL, target_label TEXT NOT NULL, pair_id INTEGER)"
    )
    c.execute(
        "CREATE INDEX IF NOT EXISTS ix_related_links_source"
        " ON related_links (source_type, source_id)"
    )
    c.execute(
        "CREATE INDEX IF NOT EXISTS ix_related_links_target"
        " ON related_links (target_type, target_id)"
    )
    for kind in KINDS:
        cols = ", ".join(
            f"{name} {ctype}" for name, ctype in {**COMMON_COLUMNS, **KIND_COLUMNS[kind]}.items()
        )
        c.execute(
            f"CREATE TABLE IF NOT EXISTS r_{kind} (id INTEGER PRIMARY KEY, data TEXT NOT NULL,"
            f" {cols})"
        )
    # Every person's e-mails, one row each, so the uniqueness rule and e-mail look-ups are an
    # index search instead of a scan of every person (the Store keeps it in step with r_person).
    c.execute(
        "CREATE TABLE IF NOT EXISTS person_emails (email TEXT NOT NULL, person_id INTEGER NOT NULL,"
        " PRIMARY KEY (email, person_id)) WITHOUT ROWID"
    )
    c.execute("CREATE INDEX IF NOT EXISTS ix_person_emails_person ON person_emails (person_id)")
    create_indexes(c)


def create_indexes(conn: sqlite3.Connection) -> None:
    for kind, cols in INDEXED.items():
        for col in cols:
            conn.execute(f"CREATE INDEX IF NOT EXISTS ix_{kind}_{col} ON r_{kind} ({col}, id)")


def drop_indexes(conn: sqlite3.Connection) -> None:
    """Loading hundreds of thousands of rows is faster without them (rebuilt afterwards)."""
    for kind, cols in INDEXED.items():
        for col in cols:
            conn.execute(f"DROP INDEX IF EXISTS ix_{kind}_{col}")


# --------------------------------------------------------------------- close dates and seed records
def infer_date_order(values: Iterable[str | None]) -> str:
    """Day-first if any close date has a first part above 12; month-first otherwise."""
    for v in values:
        if v and int(v.split("/")[0]) > 12:
            return "DMY"
    return "MDY"


def parse_close_date(text: str, order: str) -> str:
    """``M/D/YYYY`` (or ``D/M/YYYY``), padded or not, to ISO; ValueError when invalid."""
    parts = text.strip().split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
        raise ValueError(text)
    a, b, year = (int(p) for p in parts)
    month, day = (a, b) if order == "MDY" else (b, a)
    return date(year, month, day).isoformat()


def format_close_date(iso: str | None, order: str) -> str | None:
    """Copper's unpadded ``M/D/YYYY`` (or ``D/M/YYYY``) from the stored ISO date."""
    if not iso:
        return None
    d = date.fromisoformat(iso)
    first, second = (d.month, d.day) if order == "MDY" else (d.day, d.month)
    return f"{first}/{second}/{d.year}"


def from_seed(kind: str, rec: Json, order: str) -> Json:
    """A seed record (Copper's shape) in storage form."""
    out = dict(rec)
    if kind != "activity":
        cfs = rec.get("custom_fields") or []
        out["custom_fields"] = {
            str(cf["custom_field_definition_id"]): cf.get("value")
            for cf in cfs
            if cf.get("value") not in (None, [])
        }
    if kind == "opportunity" and rec.get("close_date"):
        out["close_date"] = parse_close_date(rec["close_date"], order)
    return out
