"""The remembered workspace in the app's settings (settings.json in the config folder), and
the counts beside the navigation's pages. No Qt: plain dicts in, plain dicts out.

* ``settings["window"]``: the main window's geometry and state (base64 of Qt's blobs), the
  splitter's sizes and the last page shown (``WindowState``).
* ``settings["views"][entity]``: saved views, a list of ``{"name", "filters", "bar", "sort",
  "columns"}`` in the order they were saved (what ``EntityBrowser.view_state`` makes).
* ``settings["board"]``: the pipeline board as it was left (``BoardState``): its kind, pipeline,
  sort, and its filters (the search body and the filter bar's state, as a browser keeps them).

Whatever the file holds is checked on the way in: a hand-edited or older file never breaks the
start, its bad parts are ignored.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from copper_desktop.api.search import SearchClient

WINDOW: Final = "window"
VIEWS: Final = "views"
BOARD: Final = "board"
MAX_NAME: Final = 80
"""A view's name is cut to this many characters."""


def _blob(value: object) -> bytes | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        return None


@dataclass
class WindowState:
    """The main window as it was left."""

    geometry: bytes | None = None
    state: bytes | None = None
    splitter: list[int] = field(default_factory=list)
    page: str | None = None

    @classmethod
    def load(cls, settings: Mapping[str, Any]) -> WindowState:
        saved = settings.get(WINDOW)
        if not isinstance(saved, Mapping):
            return cls()
        sizes = saved.get("splitter")
        page = saved.get("page")
        return cls(
            geometry=_blob(saved.get("geometry")),
            state=_blob(saved.get("state")),
            splitter=[s for s in sizes if isinstance(s, int) and s >= 0]
            if isinstance(sizes, list)
            else [],
            page=page if isinstance(page, str) else None,
        )

    def store(self, settings: dict[str, Any]) -> None:
        settings[WINDOW] = {
            "geometry": base64.b64encode(self.geometry).decode("ascii") if self.geometry else "",
            "state": base64.b64encode(self.state).decode("ascii") if self.state else "",
            "splitter": list(self.splitter),
            "page": self.page,
        }


@dataclass
class BoardState:
    """The pipeline board as it was left. Whether the kind, pipeline and sort still exist is
    the board's to judge (it falls back to its defaults)."""

    kind: str | None = None
    pipeline: int | None = None
    sort: tuple[str, str] | None = None
    filters: dict[str, Any] = field(default_factory=dict)
    bar: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, settings: Mapping[str, Any]) -> BoardState:
        saved = settings.get(BOARD)
        if not isinstance(saved, Mapping):
            return cls()
        kind, pipeline, sort = saved.get("kind"), saved.get("pipeline"), saved.get("sort")
        filters, bar = saved.get("filters"), saved.get("bar")
        whole = isinstance(pipeline, int) and not isinstance(pipeline, bool)
        pair = isinstance(sort, list) and len(sort) == 2 and all(isinstance(s, str) for s in sort)
        return cls(
            kind=kind if isinstance(kind, str) else None,
            pipeline=pipeline if whole else None,
            sort=(sort[0], sort[1]) if pair and isinstance(sort, list) else None,
            filters=dict(filters) if isinstance(filters, dict) else {},
            bar=dict(bar) if isinstance(bar, dict) else {},
        )

    def store(self, settings: dict[str, Any]) -> None:
        settings[BOARD] = {
            "kind": self.kind,
            "pipeline": self.pipeline,
            "sort": list(self.sort) if self.sort else None,
            "filters": dict(self.filters),
            "bar": dict(self.bar),
        }


def clean_name(name: str) -> str:
    return " ".join(name.split())[:MAX_NAME]


def views(settings: Mapping[str, Any], entity: str) -> list[dict[str, Any]]:
    """The saved views of `entity`, valid ones only, in saved order."""
    every = settings.get(VIEWS)
    mine = every.get(entity) if isinstance(every, Mapping) else None
    if not isinstance(mine, list):
        return []
    return [v for v in mine if isinstance(v, dict) and isinstance(v.get("name"), str) and v["name"]]


def view_names(settings: Mapping[str, Any], entity: str) -> list[str]:
    return [v["name"] for v in views(settings, entity)]


def find_view(settings: Mapping[str, Any], entity: str, name: str) -> dict[str, Any] | None:
    return next((v for v in views(settings, entity) if v["name"] == name), None)


def _set(settings: dict[str, Any], entity: str, items: list[dict[str, Any]]) -> None:
    every = settings.get(VIEWS)
    if not isinstance(every, dict):
        every = settings[VIEWS] = {}
    every[entity] = items


def save_view(settings: dict[str, Any], entity: str, name: str, state: Mapping[str, Any]) -> str:
    """Save `state` as the view `name` of `entity` (replacing one of that name); returns the
    name as saved."""
    name = clean_name(name)
    if not name:
        raise ValueError("a view needs a name")
    entry = {**dict(state), "name": name}
    items = views(settings, entity)
    for index, item in enumerate(items):
        if item["name"] == name:
            items[index] = entry
            break
    else:
        items.append(entry)
    _set(settings, entity, items)
    return name


def rename_view(settings: dict[str, Any], entity: str, old: str, new: str) -> str | None:
    """Rename a view; None when there is no such view or the new name is empty or taken."""
    new = clean_name(new)
    items = views(settings, entity)
    names = [v["name"] for v in items]
    if not new or old not in names or (new != old and new in names):
        return None
    items[names.index(old)]["name"] = new
    _set(settings, entity, items)
    return new


def delete_view(settings: dict[str, Any], entity: str, name: str) -> bool:
    items = views(settings, entity)
    kept = [v for v in items if v["name"] != name]
    if len(kept) == len(items):
        return False
    _set(settings, entity, kept)
    return True


def free_name(settings: Mapping[str, Any], entity: str, base: str = "My view") -> str:
    """`base`, or `base 2`, `base 3`… whichever is not taken."""
    taken = set(view_names(settings, entity))
    if base not in taken:
        return base
    number = 2
    while f"{base} {number}" in taken:
        number += 1
    return f"{base} {number}"


async def count_records(client: SearchClient, path: str) -> int | None:
    """How many records `path` holds: X-PW-TOTAL of a one-record search (None without it)."""
    page: Any = await client.search(path, {}, page_size=1)
    total = getattr(page, "total", None)
    return total if isinstance(total, int) else None
