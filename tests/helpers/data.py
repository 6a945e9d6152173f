"""The test data shipped in tests/data: Copper's OpenAPI description and example bodies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1] / "data"
EXAMPLES = DATA / "copper-examples"
OPENAPI = DATA / "copper-openapi.yaml"


def example(name: str) -> Any:
    """One example body, parsed."""
    return json.loads((EXAMPLES / name).read_text())
