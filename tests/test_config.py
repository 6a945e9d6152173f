"""Paths move together with --config-dir / COPPER_DESKTOP_HOME; folders are 0700 and files
0600; a damaged or too-readable file is repaired aloud, never silently."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from copper_desktop.config import (
    HOME_ENV,
    AppPaths,
    StoredCredentials,
    load_credentials,
    load_settings,
    save_credentials,
    save_settings,
    write_private_json,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The common umask 022, under which a plain mkdir makes 0755 folders."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def test_override_moves_every_path(tmp_path: Path) -> None:
    paths = AppPaths.resolve(tmp_path)
    for p in (paths.settings_file, paths.credentials_file, paths.journal_dir, paths.sandbox_db):
        assert tmp_path in p.parents


def test_environment_variable_moves_every_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    assert tmp_path in AppPaths.resolve().credentials_file.parents


def test_credentials_round_trip_with_mode_0600(tmp_path: Path) -> None:
    paths = AppPaths.resolve(tmp_path)
    save_credentials(paths, StoredCredentials("http://127.0.0.1:1/x", "a@b.test", "s3cret"))
    mode = stat.S_IMODE(os.stat(paths.credentials_file).st_mode)
    assert mode == 0o600
    assert load_credentials(paths) == StoredCredentials(
        "http://127.0.0.1:1/x", "a@b.test", "s3cret"
    )
    assert list(paths.config_dir.iterdir()) == [paths.credentials_file]  # no temp files left


def test_token_not_in_repr() -> None:
    assert "s3cret" not in repr(StoredCredentials(email="a@b.test", token="s3cret"))


def test_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "c.json"
    write_private_json(target, {"token": "old"})
    with pytest.raises(TypeError):
        write_private_json(target, {"token": object()})
    assert target.read_text().count("old") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.json"]


def test_the_config_folder_and_its_missing_parents_are_created_0700(
    tmp_path: Path, usual_umask: None
) -> None:
    home = tmp_path / "home"
    paths = AppPaths.resolve(home)
    save_settings(paths, {"theme": "dark"})
    assert mode(paths.config_dir) == 0o700
    assert mode(home) == 0o700  # mkdir(parents=True) would have made it 0755
    assert mode(paths.settings_file) == 0o600


def test_make_dirs_creates_every_folder_0700_and_tightens_a_wider_one(
    tmp_path: Path, usual_umask: None
) -> None:
    paths = AppPaths.resolve(tmp_path / "home")
    paths.data_dir.mkdir(parents=True)  # as an older version left it: 0755
    assert mode(paths.data_dir) == 0o755
    paths.make_dirs()
    for folder in (paths.config_dir, paths.data_dir, paths.log_dir):
        assert mode(folder) == 0o700, folder


@pytest.mark.parametrize("damage", ["{not json", "[1, 2]", "\xff\xfe"])
@pytest.mark.parametrize("which", ["settings", "credentials"])
def test_a_damaged_file_is_set_aside_and_reported(tmp_path: Path, damage: str, which: str) -> None:
    paths = AppPaths.resolve(tmp_path)
    path = paths.settings_file if which == "settings" else paths.credentials_file
    paths.config_dir.mkdir(parents=True)
    path.write_bytes(damage.encode("latin-1"))
    os.chmod(path, 0o600)
    notices: list[str] = []

    def load() -> bool:
        """Loads the file; True when it read as empty."""
        if which == "settings":
            return load_settings(paths, notices) == {}
        return load_credentials(paths, notices) == StoredCredentials()

    assert load()
    assert not path.exists()
    (aside,) = paths.config_dir.glob(f"{path.name}.corrupt-*")
    assert aside.read_bytes() == damage.encode("latin-1")  # kept, not reset
    assert mode(aside) == 0o600
    (notice,) = notices
    assert which in notice and "damaged" in notice and str(aside) in notice
    assert load()
    assert len(notices) == 1  # said once: the next start finds no damaged file


def test_a_second_damaged_file_does_not_overwrite_the_first_copy(tmp_path: Path) -> None:
    paths = AppPaths.resolve(tmp_path)
    paths.config_dir.mkdir(parents=True)
    for text in ("first {", "second {"):
        paths.settings_file.write_text(text)
        load_settings(paths)
    kept = sorted(p.read_text() for p in paths.config_dir.glob("settings.json.corrupt-*"))
    assert kept == ["first {", "second {"]


def test_a_credentials_file_others_can_read_is_made_private_and_reported(
    tmp_path: Path,
) -> None:
    paths = AppPaths.resolve(tmp_path)
    creds = StoredCredentials("https://api.copper.com/developer_api/v1", "a@b.test", "s3cret")
    save_credentials(paths, creds)
    os.chmod(paths.credentials_file, 0o644)
    notices: list[str] = []
    assert load_credentials(paths, notices) == creds
    assert mode(paths.credentials_file) == 0o600
    (notice,) = notices
    assert "other users" in notice and "0600" in notice and str(paths.credentials_file) in notice
    assert "s3cret" not in notice
    load_credentials(paths, notices)
    assert len(notices) == 1  # a private file is loaded without a word


def test_settings_round_trip(tmp_path: Path) -> None:
    paths = AppPaths.resolve(tmp_path)
    notices: list[str] = []
    save_settings(paths, {"browsers": {"people": {"columns": ["name"]}}})
    assert load_settings(paths, notices) == {"browsers": {"people": {"columns": ["name"]}}}
    assert json.loads(paths.settings_file.read_text())["browsers"]["people"]
    assert notices == []
