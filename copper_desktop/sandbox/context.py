"""The context handed to the routes: run-time settings, the store and the event sink."""

from __future__ import annotations

from dataclasses import dataclass

from copper_desktop.sandbox.core.shapes import EventSink
from copper_desktop.sandbox.core.store import Store
from copper_desktop.sandbox.settings import SandboxConfig


@dataclass
class SandboxContext:
    """Handed to ``routes.build_routes``; ``settings`` may change at run time."""

    settings: SandboxConfig
    store: Store
    events: EventSink
