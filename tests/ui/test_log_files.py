"""The log holds crash reports (tracebacks quote record data): only the user may read it,
including files an older version made 0644 and the files rotation starts."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from copper_desktop.ui.common.notifier import configure_logging


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def logging_to() -> Iterator[Callable[[Path], Path]]:
    """``logging_to(folder)``: configure_logging there; the handlers it added go afterwards."""
    logger = logging.getLogger("copper_desktop")
    before = list(logger.handlers)
    level = logger.level
    previous_umask = os.umask(0o022)  # the usual umask: a plain open() makes 0644 files
    try:
        yield configure_logging
    finally:
        os.umask(previous_umask)
        for handler in [h for h in logger.handlers if h not in before]:
            logger.removeHandler(handler)
            handler.close()
        logger.setLevel(level)


def test_log_file_is_0600_in_a_0700_folder(
    tmp_path: Path, logging_to: Callable[[Path], Path]
) -> None:
    folder = tmp_path / "home" / "logs"
    path = logging_to(folder)
    logging.getLogger("copper_desktop.test").error("a crash report")
    assert mode(folder) == 0o700 and mode(folder.parent) == 0o700
    assert mode(path) == 0o600
    assert "a crash report" in path.read_text()


def test_an_older_wider_log_and_folder_are_made_private(
    tmp_path: Path, logging_to: Callable[[Path], Path]
) -> None:
    folder = tmp_path / "logs"
    folder.mkdir(mode=0o755)
    old = folder / "copper-desktop.log"
    old.write_text("yesterday's report\n")
    os.chmod(old, 0o644)
    path = logging_to(folder)
    assert path == old
    assert mode(folder) == 0o700 and mode(path) == 0o600
    assert path.read_text().startswith("yesterday's report")  # appended to, not replaced


def test_rotated_log_files_stay_private(tmp_path: Path, logging_to: Callable[[Path], Path]) -> None:
    path = logging_to(tmp_path / "logs")
    handler = next(
        h
        for h in logging.getLogger("copper_desktop").handlers
        if getattr(h, "baseFilename", None) == str(path)
    )
    handler.maxBytes = 200  # type: ignore[attr-defined]
    log = logging.getLogger("copper_desktop.test")
    for number in range(20):
        log.error("line %d %s", number, "x" * 40)
    files = sorted(path.parent.iterdir())
    assert len(files) > 1
    assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
