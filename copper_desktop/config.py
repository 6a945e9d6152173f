"""Every path the app uses, and the settings and credentials files, in one place.

``--config-dir DIR`` or ``COPPER_DESKTOP_HOME`` moves everything under one folder (tests, and
people with several Copper accounts); otherwise platformdirs picks each OS's usual folders.
The app's folders are created 0700 and its files 0600: the credentials hold the API token, the
logs hold crash reports, the journal holds CRM data. Files are replaced atomically, so a crash
mid-write never leaves a half-written or world-readable token behind.

A file that cannot be parsed is not reset silently: it is kept aside as
``<name>.corrupt-<timestamp>`` and a line for the user is added to the caller's ``notices``
(the app shows them at start). So is a credentials file that others could read (its mode is
fixed to 0600 first).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import stat
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "copper-desktop"
HOME_ENV = "COPPER_DESKTOP_HOME"
DEFAULT_BASE_URL = "https://api.copper.com/developer_api/v1"
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600

log = logging.getLogger("copper_desktop.config")


@dataclass(frozen=True)
class AppPaths:
    """Where settings, credentials, journals, logs and the embedded sandbox's data live."""

    config_dir: Path
    data_dir: Path
    log_dir: Path

    @classmethod
    def resolve(cls, override: str | os.PathLike[str] | None = None) -> AppPaths:
        home = override or os.environ.get(HOME_ENV)
        if home:
            root = Path(home).expanduser().resolve()
            return cls(root / "config", root / "data", root / "logs")
        return cls(
            Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        )

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def credentials_file(self) -> Path:
        return self.config_dir / "credentials.json"

    @property
    def journal_dir(self) -> Path:
        return self.data_dir / "journal"

    @property
    def sandbox_db(self) -> Path:
        return self.data_dir / "sandbox.sqlite3"

    def make_dirs(self) -> None:
        """Creates (or tightens) the app's own folders, 0700. Blocking: off the UI thread."""
        for folder in (self.config_dir, self.data_dir, self.log_dir):
            make_private_dir(folder)


def make_private_dir(path: Path) -> Path:
    """Creates ``path`` and any missing parent 0700 (``mkdir(parents=True)`` would make the
    parents 0755); a ``path`` that exists readable by others is tightened to 0700."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=PRIVATE_DIR_MODE)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        try:
            os.chmod(path, PRIVATE_DIR_MODE)
        except OSError as exc:  # not ours to change: say so, but the app still starts
            log.warning("could not make %s private: %s", path, exc.strerror)
    return path


def write_private_json(path: Path, data: Any) -> None:
    """Atomically replace ``path`` with ``data``; the file is never readable by others.

    The temporary file is created 0600 in the same folder (so ``os.replace`` is atomic) and
    fsynced before the rename.
    """
    make_private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _tell(notices: list[str] | None, message: str) -> None:
    log.warning("%s", message)
    if notices is not None:
        notices.append(message)


def set_aside(path: Path) -> Path:
    """Renames a damaged file to ``<name>.corrupt-<timestamp>`` (0600: it may hold a token)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    number = 1
    while aside.exists():
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{number}")
        number += 1
    os.replace(path, aside)
    os.chmod(aside, PRIVATE_FILE_MODE)
    return aside


def read_json(path: Path, what: str, notices: list[str] | None = None) -> dict[str, Any]:
    """The JSON object in ``path``; ``{}`` when it is missing. A file that is not a JSON object
    is set aside and the user told (``what`` names it: "settings"), never reset silently."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        return {}
    except OSError as exc:
        _tell(notices, f"Your {what} file {path} could not be read ({exc.strerror}).")
        return {}
    except ValueError:  # not JSON, or not UTF-8
        data = None
    if isinstance(data, dict):
        return data
    aside = set_aside(path)
    _tell(
        notices,
        f"Your {what} file was damaged and has been reset. The damaged copy is kept as {aside}.",
    )
    return {}


def make_file_private(path: Path, what: str, notices: list[str] | None = None) -> None:
    """Fixes the mode of an existing file that other users could read, and says so."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if mode & 0o077:
        os.chmod(path, PRIVATE_FILE_MODE)
        _tell(
            notices,
            f"Your {what} file {path} could be read by other users of this computer "
            f"(mode {mode:04o}); it is now private (0600). If someone else may have read it, "
            "replace your API key in Copper.",
        )


@dataclass
class StoredCredentials:
    """What the credentials file holds. ``repr`` never shows the token."""

    base_url: str = DEFAULT_BASE_URL
    email: str = ""
    token: str = field(default="", repr=False)

    @property
    def complete(self) -> bool:
        return bool(self.base_url and self.email and self.token)


def load_credentials(paths: AppPaths, notices: list[str] | None = None) -> StoredCredentials:
    make_file_private(paths.credentials_file, "credentials", notices)
    data = read_json(paths.credentials_file, "credentials", notices)
    return StoredCredentials(
        base_url=str(data.get("base_url") or DEFAULT_BASE_URL),
        email=str(data.get("email") or ""),
        token=str(data.get("token") or ""),
    )


def save_credentials(paths: AppPaths, creds: StoredCredentials) -> None:
    write_private_json(
        paths.credentials_file,
        {"base_url": creds.base_url, "email": creds.email, "token": creds.token},
    )


def load_settings(paths: AppPaths, notices: list[str] | None = None) -> dict[str, Any]:
    return read_json(paths.settings_file, "settings", notices)


def save_settings(paths: AppPaths, settings: dict[str, Any]) -> None:
    """Ordinary settings hold no secret, but the same atomic write keeps them intact."""
    write_private_json(paths.settings_file, settings)
