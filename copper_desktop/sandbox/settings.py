"""Every knob of the sandbox in one dataclass, shared by the CLI, the server and the tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import platformdirs

API_PREFIX = "/developer_api/v1"
CONTROL_PREFIX = "/_sandbox"

DEFAULT_EMAIL = "admin@sandbox.copper.test"
DEFAULT_TOKEN = "sandbox-admin-token"


def default_db_path() -> Path:
    """The sandbox's SQLite file lives beside the app's data, not in the working directory."""
    return Path(platformdirs.user_data_dir("copper-desktop", appauthor=False)) / "sandbox.sqlite3"


@dataclass
class SandboxConfig:
    """How a sandbox is started. ``port=0`` picks a free port (tests, embedded use)."""

    host: str = "127.0.0.1"
    port: int = 8765
    db: str = field(default_factory=lambda: str(default_db_path()))
    """A file path, or ``":memory:"`` for a throwaway database."""
    seed: int = 2000
    """Scale of the demo data: the number of people; other entities scale with it."""
    email: str = DEFAULT_EMAIL
    token: str = field(default=DEFAULT_TOKEN, repr=False)
    rate_limit: int = 180
    """Requests per rolling minute per API token; 0 disables the limit."""
    rate_window_s: float = 60.0
    """Length of the rolling window of ``rate_limit`` (tests shorten it to stay fast)."""
    bulk_rate_limit: int = 3
    """Requests per second on bulk endpoints per API token; 0 disables the limit."""
    retry_after: bool = False
    """Add a ``Retry-After`` header to 429 answers (real Copper documents none)."""
    latency_ms: int = 0
    latency_jitter_ms: int = 0
    error_rate: float = 0.0
    """Share of API requests answered with a 5xx."""
    drop_rate: float = 0.0
    """Share of API requests whose connection is dropped without an answer."""
    malformed_rate: float = 0.0
    """Share of API requests answered 200 with a malformed body."""
    close_date_order: Literal["MDY", "DMY"] = "MDY"
    hide_converted_leads: bool = True
    """Converted leads leave default searches and GET answers 404 (Copper's likely behaviour)."""
    convert_answer: Literal["both", "objects", "ids"] = "both"
    """Shape of a conversion's answer (§10): the objects and their ids (default), only the
    objects as Copper's docs show (a company or opportunity not made is then absent), or
    only the ``*_id`` keys as the OpenAPI description has it."""
    search_cap: int = 100_000
    """Searches reach only the first this-many matches (tests lower it to exercise splitting)."""
    webhook_timeout_s: float = 5.0
    max_body_bytes: int = 1_048_576
    """Largest request body read; a larger one is answered 413 (refused unread when its
    Content-Length says so). Copper's largest bodies, bulk calls of ten records, are far
    smaller."""

    @property
    def in_memory(self) -> bool:
        return self.db == ":memory:"
