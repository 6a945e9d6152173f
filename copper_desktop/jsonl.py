"""Reading append-only JSON-lines files (the jobs' journals and the delete journal), no Qt.

Both are written one fsync'd line at a time, so a crash can leave a torn last line; a reader
skips such a line (and any damaged or foreign one) instead of failing on it.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["parse_line"]


def parse_line(line: bytes, tag: str) -> dict[str, Any] | None:
    """One line as a JSON object whose `tag` member is a string; None for a blank, torn,
    damaged or foreign line (skipped, never fatal)."""
    line = line.strip()
    if not line:
        return None
    try:
        event = json.loads(line)
    except ValueError:
        return None
    return event if isinstance(event, dict) and isinstance(event.get(tag), str) else None
