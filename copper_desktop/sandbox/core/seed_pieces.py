"""The pieces every demo record is made of: fast random helpers, pools of Faker output, and
the names, addresses, phones, tags, dates and custom field values records draw from them.

All randomness comes from the ``random.Random`` a caller passes in (seeded with fixed strings),
so the same seed always gives the same pieces."""

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

from copper_desktop.sandbox.core import seed_tables as tables
from copper_desktop.sandbox.core.shapes import Json

# --------------------------------------------------------------------------- pools


@dataclass(frozen=True)
class Pools:
    """Faker output gathered once: Faker is far too slow to call per record."""

    first_names: tuple[str, ...]
    first_slugs: tuple[str, ...]
    last_names: tuple[str, ...]
    last_slugs: tuple[str, ...]
    titles: tuple[str, ...]
    company_blurbs: tuple[str, ...]


SLUG_DROP = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return SLUG_DROP.sub("", ascii_text.lower())


@functools.lru_cache(maxsize=1)
def pools() -> Pools:
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
    firsts = [f for f in firsts if " " not in f and slug(f)]
    lasts = [x for x in lasts if " " not in x and slug(x)]
    fake = Faker("en_US")
    fake.seed_instance(2000)
    titles = sorted({fake.job() for _ in range(400)})
    blurbs = tuple(f"{fake.catch_phrase()}. We {fake.bs()}." for _ in range(200))
    return Pools(
        first_names=tuple(firsts),
        first_slugs=tuple(slug(f) for f in firsts),
        last_names=tuple(lasts),
        last_slugs=tuple(slug(x) for x in lasts),
        titles=tuple(titles),
        company_blurbs=blurbs,
    )


# --------------------------------------------------------------------------- random helpers


_T = TypeVar("_T")


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
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


class Rng(random.Random):
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


def sample(r: random.Random, seq: Sequence[_T], k: int) -> list[_T]:
    """``k`` distinct items (k small next to ``len(seq)``), cheaper than ``random.sample``."""
    out: list[_T] = []
    while len(out) < k:
        item = seq[int(r.random() * len(seq))]
        if item not in out:
            out.append(item)
    return out


def pick(r: random.Random, table: Sequence[tuple[Any, float]]) -> Any:
    """Pick from ``(value, cumulative share)`` pairs; cheaper than ``random.choices``."""
    x = r.random()
    for value, upto in table:
        if x < upto:
            return value
    return table[-1][0]


def date_string(ts: int, order: str) -> str:
    d = date.fromordinal(tables.EPOCH_ORDINAL + ts // tables.DAY)
    if order == "DMY":
        return f"{d.day}/{d.month}/{d.year}"
    return f"{d.month}/{d.day}/{d.year}"


ValueMaker = Callable[[random.Random], Any]
# name, prefix, first, middle, last, suffix, and the pool indexes of first and last
NameParts = tuple[str, str | None, str, str | None, str, str | None, int, int]


class Pieces:
    """What every record kind draws on: users, custom field value makers and the field pieces."""

    def __init__(
        self,
        sizes: dict[str, int],
        users: list[Json],
        definitions: list[Json],
        close_date_order: str,
        pools: Pools,
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
        specs = {spec[0]: spec for spec in tables.CF_SPECS}
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
        if data_type == "Checkbox":  # unchecked is false, not null (copper-behaviour.md §5, §15)
            return lambda r: r.random() < 0.35
        if data_type == "MultiSelect":
            return unset_half(lambda r: sorted(sample(r, option_ids, r.randrange(1, 4))), [])
        if data_type == "Dropdown":
            return unset_half(lambda r: r.choice(option_ids))
        makers: dict[str, ValueMaker] = {
            "account": lambda r: f"ACCT-{r.randrange(100000, 999999)}",
            "ticket": lambda r: f"SUP-{r.randrange(10000, 99999)}",
            "po": lambda r: f"PO-{r.randrange(2019, 2027)}-{r.randrange(1000, 9999)}",
            "text": lambda r: f"{r.choice(blurbs)}\n{r.choice(tables.PERSON_DETAILS)}",
            "future": lambda r: (tables.NOW // tables.DAY + r.randrange(-60, 400)) * tables.DAY,
            "recent": lambda r: (tables.NOW // tables.DAY - r.randrange(0, 700)) * tables.DAY,
            "since": lambda r: (
                (r.randrange(tables.START // tables.DAY - 1500, tables.NOW // tables.DAY))
                * tables.DAY
            ),
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

    def custom_fields(self, r: random.Random, entity: str) -> list[Json]:
        return [
            {"custom_field_definition_id": def_id, "value": make(r)}
            for def_id, make in self.makers.get(entity, [])
        ]

    # ---- shared pieces

    def assignee(self, r: random.Random) -> int | None:
        return None if r.random() < 0.15 else r.choice(self.user_ids)

    @staticmethod
    def tags(r: random.Random) -> list[str]:
        x = r.random()
        k = 0 if x < 0.45 else 1 if x < 0.75 else 2 if x < 0.92 else 3
        return sample(r, tables.TAGS, k) if k else []

    @staticmethod
    def modified(r: random.Random, created: int) -> int:
        if r.random() < 0.3:
            return created
        return created + int(r.random() * (tables.NOW - created))

    def name(self, r: random.Random) -> NameParts:
        """A full name and Copper's split of it, plus the pool indexes (for emails)."""
        p = self.pools
        fi = r.randrange(len(p.first_names))
        li = r.randrange(len(p.last_names))
        first, last = p.first_names[fi], p.last_names[li]
        prefix = r.choice(tables.NAME_PREFIXES) if r.random() < 0.06 else None
        middle: str | None = None
        x = r.random()
        if x < 0.08:
            middle = f"{r.choice(p.first_names)[0]}."
        elif x < 0.12:
            middle = r.choice(p.first_names)
        suffix = r.choice(tables.NAME_SUFFIXES) if r.random() < 0.03 else None
        name = " ".join(part for part in (prefix, first, middle, last) if part)
        if suffix:
            name = f"{name}, {suffix}"
        return name, prefix, first, middle, last, suffix, fi, li

    @staticmethod
    def address(r: random.Random, p_missing: float) -> tuple[Json | None, tuple[str, str, int]]:
        """An address (US-heavy) and the phone prefix/digits that fit its country."""
        if r.random() < 0.78:
            city, state, zip3, area = r.choice(tables.US_CITIES)
            phone = (area, "US", 7)
            if r.random() < p_missing:
                return None, phone
            number, name = r.randrange(1, 9999), r.choice(tables.STREETS)
            street = f"{number} {name} {r.choice(tables.STREET_SUFFIXES)}"
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
        city, region, postals, country, style, prefix, digits = r.choice(tables.INTL_CITIES)
        phone = (prefix, country, digits)
        if r.random() < p_missing:
            return None, phone
        number = r.randrange(1, 200)
        if style == "de":
            street = f"{r.choice(tables.DE_STREETS)}straße {number}"
        elif style == "fr":
            street = f"{number} rue {r.choice(tables.FR_STREETS)}"
        elif style == "nl":
            street = f"{r.choice(tables.NL_STREETS)} {number}"
        elif style == "es":
            street = f"Calle {r.choice(tables.ES_STREETS)}, {number}"
        else:
            street = f"{number} {r.choice(tables.STREETS)} {r.choice(tables.EN_SUFFIXES)}"
        return {
            "street": street,
            "city": city,
            "state": region,
            "postal_code": r.choice(postals),
            "country": country,
        }, phone

    @staticmethod
    def phone(r: random.Random, phone: tuple[str, str, int]) -> str:
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

    def phones(
        self, r: random.Random, phone: tuple[str, str, int], categories: Sequence[str]
    ) -> list[Json]:
        x = r.random()
        k = 0 if x < 0.2 else 1 if x < 0.75 else 2
        return [{"number": self.phone(r, phone), "category": c} for c in sample(r, categories, k)]
