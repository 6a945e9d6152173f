"""The desktop entry, the AppStream metadata, the icons and ``--version``: what launchers,
software centres and users see of an installed app, checked without building anything."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from copper_desktop import __version__
from copper_desktop.app import parse_args
from tests.packaging.files import (
    PACKAGING,
    ROOT,
    app_id,
    desktop_entry,
    launch_argv,
    pyproject,
)


@pytest.mark.parametrize("files", [[], ["/home/u/people.csv"], ["file:///a.csv", "file:///b"]])
def test_the_desktop_exec_line_starts_the_installed_command_with_arguments_it_accepts(
    files: list[str],
) -> None:
    """A launcher expands the field codes with whatever the user dropped on the icon; the app
    must not refuse the result (``Exec=copper-desktop %U`` once handed it URLs argparse
    rejected, so opening the app with a file failed with a usage error)."""
    entry = desktop_entry()
    argv = launch_argv(entry["Exec"], files)
    assert argv[0] == entry["TryExec"] == "copper-desktop"
    assert argv[0] in pyproject()["project"]["gui-scripts"]  # what the wheel installs
    parse_args(argv[1:])  # raises SystemExit (code 2) on anything it refuses


def test_the_launch_argv_follows_the_specification() -> None:
    """The helper above expands what a launcher would: an Exec line with %U hands the files
    over, so the test above would catch it coming back."""
    assert launch_argv("copper-desktop %U", ["file:///a", "file:///b"]) == [
        "copper-desktop", "file:///a", "file:///b",
    ]  # fmt: skip
    with pytest.raises(SystemExit):
        parse_args(launch_argv("copper-desktop %U", ["file:///a"])[1:])


def test_version_flag_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ended:
        parse_args(["--version"])
    assert ended.value.code == 0
    assert capsys.readouterr().out.strip() == f"copper-desktop {__version__}"
    assert __version__ == pyproject()["project"]["version"]


def test_the_metainfo_names_the_desktop_entry_icon_binary_and_version() -> None:
    """One id across the files (a software centre finds the entry and icon by it), and the
    newest release is the package's version."""
    ident = app_id()
    entry = desktop_entry()
    root = ET.parse(PACKAGING / f"{ident}.metainfo.xml").getroot()
    assert root.findtext("id") == ident == entry["Icon"]
    assert root.findtext("launchable[@type='desktop-id']") == f"{ident}.desktop"
    assert root.findtext("provides/binary") == entry["TryExec"]
    assert root.findtext("name") == entry["Name"]
    newest = root.find("releases/release")
    assert newest is not None and newest.get("version") == __version__


def test_the_committed_icons_are_renders_of_the_svg() -> None:
    """The wheel installs PNGs committed under resources/icons/hicolor (a wheel is built
    without Qt); they must be what make_icons.py renders from the SVG today."""
    pngs = sorted((ROOT / "resources" / "icons" / "hicolor").glob("*/apps/*.png"))
    assert {p.name for p in pngs} == {f"{app_id()}.png"}
    assert {p.parent.parent.name for p in pngs} >= {"16x16", "32x32", "48x48", "128x128"}
    done = subprocess.run(
        [sys.executable, str(PACKAGING / "make_icons.py"), "--check", "resources/icons"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=100,
    )
    assert done.returncode == 0, done.stdout + done.stderr
