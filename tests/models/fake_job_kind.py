"""A fake job row kind for the jobs model and panel tests (no HTTP): each row says what
happens to it, and a gate holds the rows that should stay in flight."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, ClassVar

from copper_desktop.jobs import Outcome, Reason, Row, register

Json = dict[str, Any]


class Kind:
    """Rows say what happens to them: ``data["do"]`` is "write", "fail", "fail_once", "skip"
    or "block" (waits for ``gate`` before it is written)."""

    kind: ClassVar[str] = "models_fake"
    undoable = True
    chunk_size = 4
    batch_size = 2
    concurrency = 2

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.failed_once: set[int] = set()
        self.written: list[int] = []

    async def prepare(self, rows: Sequence[Row]) -> dict[int, Outcome | None]:
        return {
            r.index: Outcome.skipped(Reason.CONFLICT, "changed") if r.data["do"] == "skip" else None
            for r in rows
        }

    async def write(self, rows: Sequence[Row]) -> dict[int, Outcome]:
        out: dict[int, Outcome] = {}
        for r in rows:
            do = r.data["do"]
            if do == "block":
                await self.gate.wait()
            if do == "fail" or (do == "fail_once" and r.key not in self.failed_once):
                self.failed_once.add(r.key)
                out[r.index] = Outcome.failed(Reason.INVALID, "Name: can't be blank")
            else:
                self.written.append(r.key)
                out[r.index] = Outcome.written({"n": r.index}, record={"id": r.key})
        return out

    def undo_rows(self, rows: Sequence[Row]) -> tuple[Json, list[Json]]:
        return {}, [{"key": r.key, "label": r.label, "data": {"do": "write"}} for r in rows]

    def describe(self, row: Row) -> dict[str, str]:
        return {"do": row.data["do"]}


KIND = Kind()
register(Kind.kind, lambda client, header: KIND)
