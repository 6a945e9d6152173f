"""Qt offscreen, and every shared fixture, registered once from tests/helpers/ (a live sandbox
on loopback and its control API, API clients, the qasync loop, sessions and windows, jobs).

Folder conftests keep only what is their folder's own (autouse fixtures, collection hooks).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

pytest_plugins = [
    "tests.helpers.sandbox",
    "tests.helpers.clients",
    "tests.helpers.loop",
    "tests.helpers.qt",
    "tests.helpers.jobs",
]
