"""How many display calls raise on values the server accepts but the app does not expect.

Feeds a fixed list of odd JSON values (huge money, numbers beyond 1e28, dates outside
1970..2038, millisecond timestamps, NaN/inf, wrong types, huge integers) into every field of
every entity, custom fields of every data type included, and calls everything that paints or
shows a value: each table column's text and sort value, the detail view's text, and every role
of the record model (editor). Prints each failing (entity, field, value) once per kind and a
last line ``calls=<n> raised=<m>`` (aim: raised=0).

Run: ``.venv/bin/python benchmarks/bench_odd_values.py [-v]``
"""

from __future__ import annotations

import argparse
import math
import os
from collections import Counter
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, Qt

from copper_desktop.domain.catalog import ENTITIES, EntitySpec, FieldSpec, FieldType, LookupKind
from copper_desktop.domain.custom_fields import (
    DataType,
    custom_field_id,
    entity_fields,
    parse_definitions,
)
from copper_desktop.domain.display import format_field
from copper_desktop.models.lookups import Lookups
from copper_desktop.models.record_columns import columns_for
from copper_desktop.models.record_model import RecordModel

ODD_VALUES: tuple[Any, ...] = (
    None, True, False, 0, -1, 1.5, 10**26, 1e26, 10**28, 1e28, 1e300, -1e300, 10**40,
    2**31, 2**31 + 1, 2**33, -(2**31) - 1, -86_400 * 365 * 80, 1_700_000_000_000,
    253_402_300_800, 10**20, math.nan, math.inf, -math.inf, 0.1 + 0.2, 1e-30,
    "", "text", "1/32/2020", "13/13/2020", "1e400", "NaN", "x" * 500, "a\nb", "\u0000",
    [], [1, 2], ["a", None], [{"email": 5}], [{"id": "x"}], [[1]],
    {}, {"id": "x", "type": 5}, {"id": 1, "type": "company"}, {"email": ["x"]},
    {"street": {"a": 1}}, {"a": None}, {"id": None, "category": None},
)  # fmt: skip
"""The values the issue reported crashing, and their neighbours."""


def definitions_json() -> list[dict[str, Any]]:
    """One definition of every data type (and an unknown one), on every entity type."""
    types = [t.value for t in DataType] + ["FutureType"]
    everywhere = sorted({spec.type for spec in ENTITIES.values()})
    options = [{"id": 900 + i, "name": f"Option {i}", "rank": i} for i in range(3)]
    return [
        {
            "id": 800 + i,
            "name": f"CF {data_type}",
            "data_type": data_type,
            "available_on": everywhere,
            "options": options if data_type in ("Dropdown", "MultiSelect") else [],
            "currency": "USD" if data_type == "Currency" else None,
        }
        for i, data_type in enumerate(types)
    ]


def make_lookups() -> Lookups:
    """Lookups with custom definitions of every type and a few names (no server)."""
    lookups = Lookups()
    lookups._definitions = parse_definitions(definitions_json())
    lookups._definitions_by_id = {d.id: d for d in lookups._definitions}
    lookups.remember(LookupKind.USERS, 1, "Ada")
    lookups.remember(LookupKind.COMPANIES, 1, "Acme")
    return lookups


def record_with(field: FieldSpec, value: Any) -> dict[str, Any]:
    """A record whose `field` holds `value` (inside custom_fields for custom fields); money
    fields get an odd currency too."""
    definition_id = custom_field_id(field.key)
    if definition_id is not None:
        return {"id": 1, "custom_fields": [{"custom_field_definition_id": definition_id,
                                            "value": value}]}  # fmt: skip
    record: dict[str, Any] = {"id": 1, field.key: value}
    if field.type is FieldType.MONEY and field.currency_key:
        record[field.currency_key] = value if not isinstance(value, str) else "USD"
    return record


Call = tuple[str, Callable[[], object]]


def calls(spec: EntitySpec, lookups: Lookups, value: Any) -> Iterator[Call]:
    """Every display call for one value in every field of `spec` (the raw custom_fields
    list included: the editor has a row for it)."""
    columns = {c.key: c for c in columns_for(spec, lookups)}
    fields = list(entity_fields(spec, lookups.definitions))
    for field in fields:
        record = record_with(field, value)
        where = f"{spec.key}.{field.key}"
        column = columns.get(field.key)
        if column is not None:
            yield f"{where} cell", partial(column.value, record)
            if column.sort_value is not None:
                yield f"{where} sort", partial(column.sort_value, record)
            yield f"{where} detail", partial(format_field, field, record, lookups.name)
        yield f"{where} model", partial(model_roles, spec, fields, field, record, lookups)


ROLES = [
    int(Qt.ItemDataRole.DisplayRole),
    int(Qt.ItemDataRole.ToolTipRole),
    *range(int(Qt.ItemDataRole.UserRole) + 1, int(Qt.ItemDataRole.UserRole) + 8),
]


def model_roles(
    spec: EntitySpec,
    fields: list[FieldSpec],
    field: FieldSpec,
    record: dict[str, Any],
    lookups: Lookups,
) -> None:
    """Open the record in a RecordModel and read every role of the field's row."""
    model = RecordModel(spec, fields, record, lookups.definitions)
    index = model.index(fields.index(field), 0)
    for role in ROLES:
        model.data(index, role)
    model.changed_keys()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="print every failure")
    args = parser.parse_args()
    QCoreApplication.instance() or QCoreApplication([])
    lookups = make_lookups()
    total = raised = 0
    kinds: Counter[str] = Counter()
    per_call: Counter[str] = Counter()
    for spec in ENTITIES.values():
        for value in ODD_VALUES:
            for what, call in calls(spec, lookups, value):
                total += 1
                per_call[what.split(" ")[1]] += 1
                try:
                    call()
                except Exception as exc:  # counting every failure is the point
                    raised += 1
                    kind = f"{what.split(' ')[1]}: {type(exc).__name__}"
                    kinds[kind] += 1
                    if args.verbose:
                        print(f"{what} {value!r:.40}: {type(exc).__name__}: {exc!s:.80}")
    for kind, count in kinds.most_common():
        print(f"{count:6} {kind}")
    print("calls by kind:", ", ".join(f"{k} {n}" for k, n in sorted(per_call.items())))
    print(f"calls={total} raised={raised}")


if __name__ == "__main__":
    main()
