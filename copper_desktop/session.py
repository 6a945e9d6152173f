"""One connection to one Copper account, shared by every window of the app.

Built by ``app.py`` once credentials are known (saved ones, or the embedded sandbox's) and
handed to the main window; closing it closes the HTTP client.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from copper_desktop.api import CopperClient
from copper_desktop.config import AppPaths, save_settings


@dataclass
class Session:
    """What windows share: the client, the app's paths and its ordinary settings.

    ``settings`` is the parsed settings file; views keep their state under their own key
    (e.g. ``settings["browsers"]["people"]["columns"]``) and call ``save_settings()``.
    """

    paths: AppPaths
    client: CopperClient
    settings: dict[str, Any] = field(default_factory=dict)
    sandbox_url: str | None = None
    """Set when connected to the embedded sandbox, so the window can say so."""
    executor: Executor | None = None
    """The app's executor for blocking work (the journal's fsyncs); the app shuts it down at
    quit. None outside the app (scripts, tests): that work then runs in the calling thread."""

    def save_settings(self) -> None:
        save_settings(self.paths, self.settings)

    async def aclose(self) -> None:
        await self.client.aclose()
