"""A job's journal: one append-only JSON-lines file per job (format in the package docstring).

Lines are never rewritten: a job's state is folded from its lines, so a crash loses at most
the line being written, and such a torn line is skipped on reading. Each append is one
``write`` followed by ``fsync``; the folder is created 0700 and the file 0600 (it holds CRM
data). While a process runs a job it holds an exclusive ``flock`` on the file, so a second
window or process cannot run the same job and write its records twice; the kernel drops the
lock when the process dies, however it dies.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from copper_desktop.jsonl import parse_line

try:  # POSIX only; elsewhere the in-process guard of JobStore is all there is
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["VERSION", "JobBusyError", "JobJournal", "JournalData", "off_loop", "read_journal"]

VERSION = 1
SUFFIX = ".jsonl"
T = TypeVar("T")
Json = dict[str, Any]


class JobBusyError(RuntimeError):
    """Another process (or window) is running this job."""


_executor: ThreadPoolExecutor | None = None


async def off_loop(func: Callable[..., T], *args: Any) -> T:
    """Run blocking journal I/O (fsync) off the UI thread, in submission order.

    One plain thread, not the loop's default executor: under qasync that one is made of
    QThreads, which abort the process when still alive at exit.
    """
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="copper-jobs")
    return await asyncio.get_running_loop().run_in_executor(_executor, func, *args)


def _line(event: Mapping[str, Any]) -> bytes:
    text = json.dumps({"v": VERSION, **event}, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8") + b"\n"


class JobJournal:
    """The file of one job. Thread-safe; every method blocks (use :func:`off_loop`)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._claimed = False

    @property
    def job_id(self) -> str:
        return self.path.name.removesuffix(SUFFIX)

    # ------------------------------------------------------------------ writing
    def _open(self) -> int:
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
            if hasattr(os, "fchmod"):
                os.fchmod(fd, 0o600)  # also when an older file was created wider
            self._fd = fd
        return self._fd

    def append(self, *events: Mapping[str, Any]) -> None:
        """Append events as lines, durably (fsync) before returning."""
        data = b"".join(_line(e) for e in events)
        with self._lock:
            fd = self._open()
            size = os.fstat(fd).st_size
            if size:
                os.lseek(fd, -1, os.SEEK_END)
                if os.read(fd, 1) != b"\n":
                    data = b"\n" + data  # end a torn last line so this event stays whole
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)

    def write_plan(
        self,
        header: Mapping[str, Any],
        rows: Iterable[Mapping[str, Any]],
    ) -> int:
        """Write a new job: its header, one line per row, then ``planned``; all durable
        before returning. Refuses to overwrite an existing journal."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if hasattr(os, "chmod"):
            os.chmod(self.path.parent, 0o700)
        if self.path.exists():
            raise FileExistsError(self.path)
        lines = [_line({"e": "job", **header})]
        count = 0
        for row in rows:
            lines.append(_line({"e": "row", "i": count, **row}))
            count += 1
        lines.append(_line({"e": "planned", "rows": count, "at": time.time()}))
        with self._lock:
            fd = self._open()
            view = memoryview(b"".join(lines))
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        _fsync_dir(self.path.parent)
        return count

    # ------------------------------------------------------------------ claiming
    def claim(self) -> None:
        """Take the job for this process; JobBusyError when another one holds it."""
        with self._lock:
            if self._claimed:
                return
            fd = self._open()
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise JobBusyError(
                        "This job is running in another window or process."
                    ) from None
            self._claimed = True

    def close(self) -> None:
        """Release the claim and the file."""
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)  # closing drops the flock
            self._fd = None
            self._claimed = False

    # ------------------------------------------------------------------ reading
    def read(self) -> JournalData | None:
        return read_journal(self.path)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


@dataclass
class JournalData:
    """A journal folded into its current state."""

    header: Json
    rows: list[Json] = field(default_factory=list)
    """Row lines as written: i, key, label, data."""
    planned: bool = False
    attempts: dict[int, int] = field(default_factory=dict)
    outcomes: dict[int, Json] = field(default_factory=dict)
    """Row index → its last outcome (reset by a ``retry`` line)."""
    state: str | None = None
    state_message: str = ""
    links: dict[str, str] = field(default_factory=dict)
    """``undo`` → id of the job that undoes this one; ``undo_of`` → the job this one undoes."""
    updated_at: float | None = None


def read_journal(path: Path) -> JournalData | None:
    """Fold a journal file; None when it holds no job header (empty or foreign file)."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        return None
    data: JournalData | None = None
    for line in raw.split(b"\n"):
        event = parse_line(line, "e")
        if event is None:
            continue
        kind = event["e"]
        if kind == "job":
            if data is None:
                data = JournalData(header=event)
            continue
        if data is None:
            continue
        at = event.get("at")
        if isinstance(at, int | float) and not isinstance(at, bool):
            data.updated_at = float(at)
        if kind == "row":
            if not data.planned and event.get("i") == len(data.rows):
                data.rows.append(event)
        elif kind == "planned":
            data.planned = event.get("rows") == len(data.rows)
        elif kind == "start":
            for i in _indices(event.get("rows")):
                data.attempts[i] = data.attempts.get(i, 0) + 1
        elif kind == "done":
            for item in event.get("items") or ():
                if isinstance(item, dict) and isinstance(item.get("i"), int):
                    data.outcomes[item["i"]] = item
        elif kind == "retry":
            for i in _indices(event.get("rows")):
                data.outcomes.pop(i, None)
        elif kind == "state" and isinstance(event.get("state"), str):
            data.state = event["state"]
            data.state_message = str(event.get("message") or "")
        elif kind == "link":
            for key in ("undo", "undo_of"):
                if isinstance(event.get(key), str):
                    data.links[key] = event[key]
    return data


def _indices(value: Any) -> list[int]:
    if not isinstance(value, list):
        return []
    return [i for i in value if isinstance(i, int) and not isinstance(i, bool)]
