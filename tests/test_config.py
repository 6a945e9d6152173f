"""Paths move together with --config-dir / COPPER_DESKTOP_HOME; credentials stay private."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from copper_desktop.config import (
    HOME_ENV,
    AppPaths,
    StoredCredentials,
    load_credentials,
    save_credentials,
    write_private_json,
)


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


def test_corrupt_credentials_read_as_empty(tmp_path: Path) -> None:
    paths = AppPaths.resolve(tmp_path)
    paths.config_dir.mkdir(parents=True)
    paths.credentials_file.write_text("{not json")
    assert not load_credentials(paths).complete
