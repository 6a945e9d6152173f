"""Deterministic demo data in Copper's exact JSON shapes (copper-behaviour.md §4, §5, §6, §11).

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

This module builds the account and its lookups and hands out the batches; the fixed tables are
in ``seed_tables``, the pieces records are made of (names, addresses, custom field values) in
``seed_pieces``, and the records themselves, kind by kind, in ``seed_records``.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Iterator

from copper_desktop.sandbox.core import seed_tables as tables
from copper_desktop.sandbox.core.seed_pieces import Pieces, gc_paused, pools
from copper_desktop.sandbox.core.seed_records import Run, make_plan
from copper_desktop.sandbox.core.seed_tables import BATCH_SIZE, ID_BASES, NOW
from copper_desktop.sandbox.core.shapes import Json, SeedData

__all__ = ["BATCH_SIZE", "ID_BASES", "NOW", "counts", "generate"]


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
    pieces = Pieces(sizes, users, definitions, close_date_order, pools())
    return SeedData(
        account=dict(tables.ACCOUNT),
        users=users,
        contact_types=[dict(t) for t in tables.CONTACT_TYPES],
        lead_statuses=[dict(s) for s in tables.LEAD_STATUSES],
        customer_sources=[dict(s) for s in tables.CUSTOMER_SOURCES],
        loss_reasons=[dict(r) for r in tables.LOSS_REASONS],
        activity_types={k: [dict(t) for t in v] for k, v in tables.ACTIVITY_TYPES.items()},
        custom_activity_types=[dict(t) for t in tables.CUSTOM_ACTIVITY_TYPES],
        pipelines=_pipelines(),
        custom_field_definitions=definitions,
        batches=functools.partial(_batches, pieces),
    )


# --------------------------------------------------------------------------- lookups


def _users(email: str, token: str) -> list[Json]:
    users: list[Json] = [
        {
            "id": tables.USER_BASE,
            "name": "Sandbox Admin",
            "email": email,
            "groups": [dict(tables.GROUPS["sales"]), dict(tables.GROUPS["management"])],
            "token": token,
        }
    ]
    for offset, (name, local, groups) in enumerate(tables.OTHER_USERS, start=1):
        user_id = tables.USER_BASE + offset
        user_email = f"{local}@{tables.USER_DOMAIN}"
        if user_email.lower() == email.lower():  # keep credentials unambiguous
            user_email = f"{local}.{user_id}@{tables.USER_DOMAIN}"
        users.append(
            {
                "id": user_id,
                "name": name,
                "email": user_email,
                "groups": [dict(tables.GROUPS[g]) for g in groups],
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
        for pid, name, kind, revenue, _share, stages in tables.PIPELINE_SPECS
    ]


def _custom_field_definitions() -> list[Json]:
    """Definitions of every data_type; options deliberately not in rank order, as Copper."""
    order_rng = random.Random("copper-sandbox:custom-field-options")
    ids = {spec[0]: tables.CF_BASE + i for i, spec in enumerate(tables.CF_SPECS)}
    option_id = tables.CF_OPTION_BASE
    definitions: list[Json] = []
    for name, data_type, available_on, options, currency, _kind in tables.CF_SPECS:
        definition: Json = {
            "id": ids[name],
            "name": name,
            "canonical_name": None,
            "data_type": data_type,
            "available_on": list(available_on),
            "is_filterable": data_type in tables.FILTERABLE_TYPES,
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
            a, b = tables.CONNECT_PAIR
            definition["connected_id"] = ids[b] if name == a else ids[a]
        definitions.append(definition)
    return definitions


def _batches(pieces: Pieces) -> Iterator[tuple[str, list[Json]]]:
    """Yield ``(kind, records)`` chunks in dependency order, then the relations."""
    with gc_paused():
        state = Run(pieces, make_plan(pieces.sizes))
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
        total = pieces.sizes[kind]
        for start in range(0, total, BATCH_SIZE):
            with gc_paused():
                chunk = [make(i) for i in range(start, min(start + BATCH_SIZE, total))]
            yield kind, chunk
    relations = state.relations
    for start in range(0, len(relations), BATCH_SIZE):
        with gc_paused():
            chunk = [
                {"a_type": a_type, "a_id": a_id, "b_type": b_type, "b_id": b_id}
                for a_type, a_id, b_type, b_id in relations[start : start + BATCH_SIZE]
            ]
        yield "relation", chunk
