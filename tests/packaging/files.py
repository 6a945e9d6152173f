"""Where the packaging files are, and the desktop entry read as a launcher reads it."""

from __future__ import annotations

import configparser
import shlex
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"


def desktop_file() -> Path:
    (path,) = PACKAGING.glob("*.desktop")
    return path


def app_id() -> str:
    """The reverse-DNS id every packaging file is named by."""
    return desktop_file().name.removesuffix(".desktop")


def desktop_entry(path: Path | None = None) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(path or desktop_file(), encoding="utf-8")
    return dict(parser["Desktop Entry"])


def launch_argv(exec_line: str, files: list[str]) -> list[str]:
    """The argv a launcher builds from an Exec line when the user opens ``files`` with the
    app (Desktop Entry Specification, "The Exec key"): %f/%u take the first, %F/%U all,
    %i the icon option, %c the name, %k the file's location; %% is a percent sign."""
    argv: list[str] = []
    for word in shlex.split(exec_line):
        codes = {
            "%f": files[:1], "%u": files[:1], "%F": files, "%U": files,
            "%i": ["--icon", "copper"], "%c": ["Copper Desktop"], "%k": ["/x.desktop"],
        }  # fmt: skip
        if word in codes:
            argv += codes[word]
        else:
            argv.append(word.replace("%%", "%"))
    return argv


def pyproject() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)
