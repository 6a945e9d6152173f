"""SQLite storage for the sandbox: records, lookups, users, relations, related links, webhooks.

Each record is kept as its JSON (Copper's shape, except ``custom_fields`` as a map keyed by
definition id and opportunity ``close_date`` as an ISO date, so settings can change the
rendering) plus plain columns for every sort and filter key (the tables: schema.py).
Searches therefore never parse records in Python: SQLite picks the page, Python renders it.

One connection, used only from the server's event-loop thread, so requests are serialised.
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from copper_desktop.sandbox.core.schema import (
    KINDS,
    META_KEYS,
    columns,
    create_indexes,
    create_schema,
    drop_indexes,
    email_keys,
    fits_sqlite,
    from_seed,
    index_values,
    infer_date_order,
)
from copper_desktop.sandbox.core.shapes import SeedData

Json = dict[str, Any]


def _bind(value: Any) -> Any:
    """A client may send any integer; beyond 64 bits SQLite raises, so bind it as a float
    (an infinite one beyond any float).

    Floats compare numerically with SQLite integers, so filters and lookups keep their meaning
    (an id of 2**64 matches nothing, ``>= 2**64`` nothing, ``<= 2**64`` everything).
    """
    if isinstance(value, int) and not isinstance(value, bool) and not fits_sqlite(value):
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    return value


def _null_constant(name: str) -> None:
    """Reads a NaN or infinity that an older sandbox let into a database file as null, so such
    a record can be answered (and repaired) instead of failing every page that shows it."""
    return None


loads = json.JSONDecoder(parse_constant=_null_constant).decode
"""``json.loads`` for stored JSON."""


def dumps(value: Any) -> str:
    """Compact JSON for storage; a non-finite number is a bug upstream and never stored."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


PEOPLE_WITH_EMAIL = "SELECT person_id FROM person_emails WHERE email = ? ORDER BY person_id"
"""The look-up behind the e-mail uniqueness rule and ``fetch_by_email`` (tests check its plan)."""


class _Connection(sqlite3.Connection):
    """Binds out-of-range integers safely on every single-statement query."""

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        if isinstance(parameters, dict):
            parameters = {k: _bind(v) for k, v in parameters.items()}
        else:
            parameters = tuple(_bind(v) for v in parameters)
        return super().execute(sql, parameters)


class Store:
    """The sandbox's data. Not thread-safe by design: the event loop serialises all access."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._meta_cache: dict[str, Any] = {}
        self._next_id: dict[str, int] = {}
        self._link_targets: dict[tuple[str, int], dict[int, list[int]]] | None = None
        self.load_seconds: float | None = None
        had_emails = self._has_table("person_emails")
        create_schema(self.conn)
        if not had_emails:  # a database an older sandbox wrote: index its people's e-mails
            with self.transaction():
                self._index_all_emails()

    # ----------------------------------------------------------------- lifecycle
    @classmethod
    def open(cls, path: str) -> Store:
        """Open (creating if needed) a database; a file gets WAL mode and its parent dirs."""
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, factory=_Connection
        )
        if path != ":memory:":
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA cache_size=-65536")
        conn.execute("PRAGMA temp_store=MEMORY")
        return cls(conn)

    def close(self) -> None:
        self.conn.close()

    def _has_table(self, name: str) -> bool:
        sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        return self.conn.execute(sql, (name,)).fetchone() is not None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All-or-nothing writes (the connection is otherwise in autocommit mode)."""
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # ----------------------------------------------------------------- loading
    def is_seeded(self) -> bool:
        return self.conn.execute("SELECT 1 FROM meta WHERE key = 'account'").fetchone() is not None

    def load(self, seed: SeedData, *, close_date_order: str | None = None) -> None:
        """Replace all data with ``seed`` in one transaction (indexes rebuilt afterwards).

        ``close_date_order`` says how the seed wrote opportunity close dates; when not given it
        is inferred from the dates themselves (a first part above 12 means day first).
        """
        started = time.perf_counter()
        c = self.conn
        self._meta_cache.clear()
        self._next_id.clear()
        self._link_targets = None
        tables = ("meta", "users", "relations", "webhooks", "related_links")
        with self.transaction():
            drop_indexes(c)
            for table in (*tables, *(f"r_{k}" for k in KINDS)):
                c.execute(f"DELETE FROM {table}")
            for key in META_KEYS:
                c.execute(
                    "INSERT INTO meta (key, value) VALUES (?, ?)",
                    (key, dumps(getattr(seed, key))),
                )
            c.executemany(
                "INSERT INTO users (id, email, token, data) VALUES (?, ?, ?, ?)",
                [
                    (
                        u["id"],
                        u["email"],
                        u.get("token"),
                        dumps({k: v for k, v in u.items() if k != "token"}),
                    )
                    for u in seed.users
                ],
            )
            order = close_date_order
            for kind, batch in seed.batches():
                if kind == "relation":
                    c.executemany(
                        "INSERT OR IGNORE INTO relations VALUES (?, ?, ?, ?)",
                        [(r["a_type"], r["a_id"], r["b_type"], r["b_id"]) for r in batch],
                    )
                elif kind == "webhook":
                    c.executemany(
                        "INSERT INTO webhooks (id, data) VALUES (?, ?)",
                        [(w["id"], dumps(w)) for w in batch],
                    )
                elif kind in KINDS:
                    if kind == "opportunity" and order is None:
                        order = infer_date_order(r.get("close_date") for r in batch)
                    self._insert_many(kind, [from_seed(kind, r, order or "MDY") for r in batch])
            self._index_all_emails()
            create_indexes(c)
        c.execute("ANALYZE")
        self.load_seconds = time.perf_counter() - started

    def _insert_many(self, kind: str, records: list[Json]) -> None:
        cols = columns(kind)
        sql = (
            f"INSERT INTO r_{kind} (id, data, {', '.join(cols)}) "
            f"VALUES ({', '.join('?' * (len(cols) + 2))})"
        )
        encode = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode
        self.conn.executemany(sql, [(r["id"], encode(r), *index_values(kind, r)) for r in records])

    def _index_all_emails(self) -> None:
        """Fill ``person_emails`` from every stored person (after a load, or for a database
        written before the table existed); keys made by ``email_keys``' rule."""
        rows = self.conn.execute(
            "SELECT r.id, json_extract(e.value, '$.email') FROM r_person AS r,"
            " json_each(r.data, '$.emails') AS e WHERE r.emails IS NOT NULL"
        )
        keys = sorted({(str(email).lower(), pid) for pid, email in rows if email})
        self.conn.execute("DELETE FROM person_emails")
        self.conn.executemany("INSERT INTO person_emails (email, person_id) VALUES (?, ?)", keys)

    # ----------------------------------------------------------------- meta, users, lookups
    def meta(self, key: str) -> Any:
        """A lookup list or object from the seed (cached: lookups are read on every request)."""
        if key not in self._meta_cache:
            row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            self._meta_cache[key] = loads(row[0]) if row else None
        return self._meta_cache[key]

    def set_meta(self, key: str, value: Any) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, dumps(value))
        )
        self._meta_cache[key] = value

    def user_by_credentials(self, email: str, token: str) -> Json | None:
        row = self.conn.execute(
            "SELECT data FROM users WHERE email = ? AND token = ?", (email, token)
        ).fetchone()
        return loads(row[0]) if row else None

    def users_with_tokens(self) -> list[Json]:
        rows = self.conn.execute("SELECT data, token FROM users ORDER BY id").fetchall()
        return [
            {**{k: u[k] for k in ("id", "name", "email")}, "token": token}
            for u, token in ((loads(d), t) for d, t in rows)
        ]

    def users(self) -> list[Json]:
        return [loads(d) for (d,) in self.conn.execute("SELECT data FROM users ORDER BY id")]

    def user(self, user_id: int) -> Json | None:
        row = self.conn.execute("SELECT data FROM users WHERE id = ?", (user_id,)).fetchone()
        return loads(row[0]) if row else None

    # ----------------------------------------------------------------- records
    def next_id(self, kind: str) -> int:
        """Ids are never reused within a run, even after the highest one is deleted."""
        if kind not in self._next_id:
            row = self.conn.execute(f"SELECT max(id) FROM r_{kind}").fetchone()
            self._next_id[kind] = (row[0] or 0) + 1
        nid = self._next_id[kind]
        self._next_id[kind] = nid + 1
        return nid

    def get(self, kind: str, rid: int, *, include_hidden: bool = True) -> Json | None:
        row = self.conn.execute(
            f"SELECT data, hidden FROM r_{kind} WHERE id = ?", (rid,)
        ).fetchone()
        if row is None or (row[1] and not include_hidden):
            return None
        rec: Json = loads(row[0])
        return rec

    def is_hidden(self, kind: str, rid: int) -> bool:
        row = self.conn.execute(f"SELECT hidden FROM r_{kind} WHERE id = ?", (rid,)).fetchone()
        return bool(row and row[0])

    def exists(self, kind: str, rid: int) -> bool:
        return (
            self.conn.execute(f"SELECT 1 FROM r_{kind} WHERE id = ?", (rid,)).fetchone() is not None
        )

    def save(self, kind: str, rec: Json, *, hidden: bool | None = None) -> None:
        """Insert or replace one record (its id must be set); keeps ``hidden`` unless given."""
        cols = columns(kind)
        values = list(index_values(kind, rec))
        if hidden is None:
            hidden = self.is_hidden(kind, rec["id"])
        values[cols.index("hidden")] = int(hidden)
        with self.transaction():
            self.conn.execute(
                f"INSERT OR REPLACE INTO r_{kind} (id, data, {', '.join(cols)}) "
                f"VALUES ({', '.join('?' * (len(cols) + 2))})",
                (rec["id"], dumps(rec), *values),
            )
            if kind == "person":
                self._index_emails(rec["id"], email_keys(rec))

    def _index_emails(self, person_id: int, keys: Iterable[str]) -> None:
        self.conn.execute("DELETE FROM person_emails WHERE person_id = ?", (person_id,))
        self.conn.executemany(
            "INSERT OR IGNORE INTO person_emails (email, person_id) VALUES (?, ?)",
            [(key, person_id) for key in keys],
        )

    def people_with_email(self, email: str) -> list[int]:
        """Ids of the people having ``email`` (any case), lowest first: an index search."""
        rows = self.conn.execute(PEOPLE_WITH_EMAIL, (email.lower(),)).fetchall()
        return [r[0] for r in rows]

    def delete(self, kind: str, rid: int) -> bool:
        with self.transaction():
            cur = self.conn.execute(f"DELETE FROM r_{kind} WHERE id = ?", (rid,))
            if kind == "person":
                self._index_emails(rid, ())
            self.conn.execute(
                "DELETE FROM relations"
                " WHERE (a_type = ? AND a_id = ?) OR (b_type = ? AND b_id = ?)",
                (kind, rid, kind, rid),
            )
            self.delete_links_of(kind, rid)
        return cur.rowcount > 0

    def name_of(self, kind: str, rid: int) -> str | None:
        """A record's name without parsing it (related links show it)."""
        row = self.conn.execute(f"SELECT name FROM r_{kind} WHERE id = ?", (rid,)).fetchone()
        return None if row is None else row[0]

    def select(
        self,
        kind: str,
        where: str = "1",
        params: Iterable[Any] = (),
        order: str = "id",
        limit: int = -1,
        offset: int = 0,
    ) -> list[Json]:
        rows = self.conn.execute(
            f"SELECT data FROM r_{kind} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
            (*params, limit, offset),
        ).fetchall()
        return [loads(d) for (d,) in rows]

    def count(self, kind: str, where: str = "1", params: Iterable[Any] = ()) -> int:
        row = self.conn.execute(f"SELECT count(*) FROM r_{kind} WHERE {where}", tuple(params))
        return int(row.fetchone()[0])

    def ids(self, kind: str, where: str, params: Iterable[Any] = ()) -> list[int]:
        rows = self.conn.execute(
            f"SELECT id FROM r_{kind} WHERE {where} ORDER BY id", tuple(params)
        ).fetchall()
        return [r[0] for r in rows]

    def update_where(
        self, kind: str, where: str, params: Iterable[Any], change: Callable[[Json], Json]
    ) -> None:
        """Rewrite every record matching ``where`` (e.g. company_name after a rename)."""
        for rec in self.select(kind, where, params):
            self.save(kind, change(rec))

    def tag_counts(self) -> dict[str, dict[str, int]]:
        """Tag -> kind -> number of records carrying it (tags exist only through records)."""
        out: dict[str, dict[str, int]] = {}
        for kind in KINDS[:-1]:
            rows = self.conn.execute(
                f"SELECT value, count(*) FROM r_{kind}, json_each(r_{kind}.data, '$.tags')"
                f" WHERE r_{kind}.tags IS NOT NULL GROUP BY value"
            )
            for tag, n in rows:
                out.setdefault(tag, {})[kind] = n
        return out

    # ----------------------------------------------------------------- relations
    def relations_of(self, kind: str, rid: int) -> list[tuple[str, int]]:
        rows = self.conn.execute(
            "SELECT b_type, b_id FROM relations WHERE a_type = ? AND a_id = ?"
            " UNION SELECT a_type, a_id FROM relations WHERE b_type = ? AND b_id = ?",
            (kind, rid, kind, rid),
        ).fetchall()
        return [(t, i) for t, i in rows]

    def add_relation(self, a: tuple[str, int], b: tuple[str, int]) -> None:
        if not self.has_relation(a, b):
            self.conn.execute("INSERT OR IGNORE INTO relations VALUES (?, ?, ?, ?)", (*a, *b))

    def has_relation(self, a: tuple[str, int], b: tuple[str, int]) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM relations WHERE (a_type=? AND a_id=? AND b_type=? AND b_id=?)"
            " OR (a_type=? AND a_id=? AND b_type=? AND b_id=?)",
            (*a, *b, *b, *a),
        ).fetchone()
        return row is not None

    def remove_relation(self, a: tuple[str, int], b: tuple[str, int]) -> bool:
        cur = self.conn.execute(
            "DELETE FROM relations WHERE (a_type=? AND a_id=? AND b_type=? AND b_id=?)"
            " OR (a_type=? AND a_id=? AND b_type=? AND b_id=?)",
            (*a, *b, *b, *a),
        )
        return cur.rowcount > 0

    # ----------------------------------------------------------------- related links
    # A link of a Connect field: ``{id, custom_field_definition_id, source: {id, entity_type},
    # target: {id, entity_type}, pair_id}`` where ``entity_type`` is the singular kind, the
    # ``label``s keep the entity type as the client sent it, and ``pair_id`` is the reverse link
    # on the connected definition (``None`` when there is none).
    _LINK_COLUMNS = (
        "id, definition_id, source_type, source_id, source_label,"
        " target_type, target_id, target_label, pair_id"
    )

    @staticmethod
    def _link(row: tuple[Any, ...]) -> Json:
        lid, def_id, s_type, s_id, s_label, t_type, t_id, t_label, pair_id = row
        return {
            "id": lid,
            "custom_field_definition_id": def_id,
            "source": {"id": s_id, "entity_type": s_type, "label": s_label},
            "target": {"id": t_id, "entity_type": t_type, "label": t_label},
            "pair_id": pair_id,
        }

    def next_link_id(self) -> int:
        """Link ids are never reused within a run either."""
        if "related_link" not in self._next_id:
            row = self.conn.execute("SELECT max(id) FROM related_links").fetchone()
            self._next_id["related_link"] = (row[0] or 0) + 1
        nid = self._next_id["related_link"]
        self._next_id["related_link"] = nid + 1
        return nid

    def links(
        self,
        definition_id: int | None = None,
        source: tuple[str, int | None] | None = None,
    ) -> list[Json]:
        """Links by id, narrowed by definition and source (type, and id when given)."""
        where: list[str] = ["1"]
        params: list[Any] = []
        if definition_id is not None:
            where.append("definition_id = ?")
            params.append(definition_id)
        if source is not None:
            where.append("source_type = ?")
            params.append(source[0])
            if source[1] is not None:
                where.append("source_id = ?")
                params.append(source[1])
        rows = self.conn.execute(
            f"SELECT {self._LINK_COLUMNS} FROM related_links WHERE {' AND '.join(where)}"
            " ORDER BY id",
            params,
        ).fetchall()
        return [self._link(r) for r in rows]

    def get_link(self, lid: int) -> Json | None:
        row = self.conn.execute(
            f"SELECT {self._LINK_COLUMNS} FROM related_links WHERE id = ?", (lid,)
        ).fetchone()
        return None if row is None else self._link(row)

    def find_link(
        self, definition_id: int, source: tuple[str, int], target: tuple[str, int]
    ) -> int | None:
        row = self.conn.execute(
            "SELECT id FROM related_links WHERE definition_id = ? AND source_type = ?"
            " AND source_id = ? AND target_type = ? AND target_id = ?",
            (definition_id, *source, *target),
        ).fetchone()
        return None if row is None else int(row[0])

    def add_link(self, link: Json) -> None:
        """Insert one link in the form ``links`` answers (its id set)."""
        s, t = link["source"], link["target"]
        self.conn.execute(
            f"INSERT INTO related_links ({self._LINK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (link["id"], link["custom_field_definition_id"], s["entity_type"], s["id"],
             s["label"], t["entity_type"], t["id"], t["label"], link.get("pair_id")),
        )  # fmt: skip
        self._link_targets = None

    def delete_links(self, ids: Iterable[int]) -> None:
        self.conn.executemany("DELETE FROM related_links WHERE id = ?", [(i,) for i in ids])
        self._link_targets = None

    def delete_links_of(self, kind: str, rid: int) -> None:
        """A deleted record takes its links, both ways, with it."""
        self.conn.execute(
            "DELETE FROM related_links"
            " WHERE (source_type = ? AND source_id = ?) OR (target_type = ? AND target_id = ?)",
            (kind, rid, kind, rid),
        )
        self._link_targets = None

    def delete_links_of_definition(self, definition_id: int) -> None:
        """A deleted definition takes its links and their reverse links with it."""
        self.conn.execute(
            "DELETE FROM related_links WHERE definition_id = ? OR id IN"
            " (SELECT pair_id FROM related_links WHERE definition_id = ?)",
            (definition_id, definition_id),
        )
        self._link_targets = None

    def link_targets(self, kind: str, rid: int) -> dict[int, list[int]]:
        """Definition id -> linked target ids of one source record: a Connect field's value.

        Links are few, so all of them are held in memory (rebuilt after any change) and
        rendering a page of search results costs a dictionary look-up per record.
        """
        if self._link_targets is None:
            cache: dict[tuple[str, int], dict[int, list[int]]] = {}
            rows = self.conn.execute(
                "SELECT source_type, source_id, definition_id, target_id FROM related_links"
                " ORDER BY id"
            )
            for s_type, s_id, def_id, t_id in rows:
                cache.setdefault((s_type, s_id), {}).setdefault(def_id, []).append(t_id)
            self._link_targets = cache
        return self._link_targets.get((kind, rid), {})

    # ----------------------------------------------------------------- webhooks
    def list_webhooks(self) -> list[Json]:
        return [loads(d) for (d,) in self.conn.execute("SELECT data FROM webhooks ORDER BY id")]

    def get_webhook(self, wid: int) -> Json | None:
        row = self.conn.execute("SELECT data FROM webhooks WHERE id = ?", (wid,)).fetchone()
        return loads(row[0]) if row else None

    def save_webhook(self, hook: Json) -> Json:
        if hook.get("id") is None:
            row = self.conn.execute("SELECT max(id) FROM webhooks").fetchone()
            hook["id"] = max(row[0] or 0, 17000) + 1
        self.conn.execute(
            "INSERT OR REPLACE INTO webhooks (id, data) VALUES (?, ?)",
            (hook["id"], dumps(hook)),
        )
        return hook

    def delete_webhook(self, wid: int) -> bool:
        return self.conn.execute("DELETE FROM webhooks WHERE id = ?", (wid,)).rowcount > 0

    def webhook_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM webhooks").fetchone()[0])
