"""The Qt binding the project runs on must not corrupt Python's reference counts.

PySide6-Essentials 6.12.0's ``SignalInstance.emit()`` steals a reference to ``True`` on each
call; on Python 3.11 the interpreter aborts ("bool_dealloc") after a few thousand signals, so the
app would crash mid-session. pyproject excludes that release; this test fails on any release
that brings the bug back.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Probe(QObject):
    ping = Signal(int)


def test_emitting_signals_keeps_reference_counts(qapp: object) -> None:
    probe = _Probe()
    seen: list[int] = []
    probe.ping.connect(seen.append)
    before = sys.getrefcount(True)
    for i in range(200):
        probe.ping.emit(i)
    assert len(seen) == 200
    assert abs(sys.getrefcount(True) - before) < 50
