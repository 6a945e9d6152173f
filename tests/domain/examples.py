"""Shared helpers for the domain tests: the Copper example bodies on disk."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "copper-examples"


def example(name: str) -> Any:
    """One example body, parsed."""
    return json.loads((EXAMPLES / name).read_text())
