"""The job engine knows no Qt and no sandbox (a Qt model observes it; it never imports Qt)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_layering import PACKAGE, imported_modules

FORBIDDEN = ("PySide6", "qasync", "copper_desktop.sandbox", "copper_desktop.models",
             "copper_desktop.ui")  # fmt: skip


@pytest.mark.parametrize("path", sorted((PACKAGE / "jobs").rglob("*.py")), ids=lambda p: p.name)
def test_jobs_import_no_qt_and_no_sandbox(path: Path) -> None:
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    names = imported_modules(path.read_text(), package)
    bad = sorted({n for n in names for f in FORBIDDEN if n == f or n.startswith(f + ".")})
    assert not bad, f"{path.name} imports {bad}"
