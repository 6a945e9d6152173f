"""Every path the app uses, and the credentials file, in one place.

``--config-dir DIR`` or ``COPPER_DESKTOP_HOME`` moves everything under one folder (tests, and
people with several Copper accounts); otherwise platformdirs picks each OS's usual folders.
Credentials live apart from ordinary settings, in a file created with mode 0600 and replaced
atomically, so a crash mid-write never leaves a half-written or world-readable token behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "copper-desktop"
HOME_ENV = "COPPER_DESKTOP_HOME"
DEFAULT_BASE_URL = "https://api.copper.com/developer_api/v1"


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


def write_private_json(path: Path, data: Any) -> None:
    """Atomically replace ``path`` with ``data``; the file is never readable by others.

    The temporary file is created 0600 in the same folder (so ``os.replace`` is atomic) and
    fsynced before the rename.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def read_json(path: Path) -> dict[str, Any]:
    """A missing or unreadable file reads as empty: the settings dialog then asks again."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError, OSError):
        return {}
    return data if isinstance(data, dict) else {}


@dataclass
class StoredCredentials:
    """What the credentials file holds. ``repr`` never shows the token."""

    base_url: str = DEFAULT_BASE_URL
    email: str = ""
    token: str = field(default="", repr=False)

    @property
    def complete(self) -> bool:
        return bool(self.base_url and self.email and self.token)


def load_credentials(paths: AppPaths) -> StoredCredentials:
    data = read_json(paths.credentials_file)
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


def load_settings(paths: AppPaths) -> dict[str, Any]:
    return read_json(paths.settings_file)


def save_settings(paths: AppPaths, settings: dict[str, Any]) -> None:
    """Ordinary settings hold no secret, but the same atomic write keeps them intact."""
    write_private_json(paths.settings_file, settings)
