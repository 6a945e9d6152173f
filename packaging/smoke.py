"""Checks a built app headless: ``python packaging/smoke.py COMMAND...``, where COMMAND starts
the app (``dist/copper-desktop/copper-desktop``, or ``python -m copper_desktop``).

1. ``--version`` prints ``copper-desktop <version of pyproject.toml>``.
2. ``--sandbox --exit-when-ready`` starts the embedded sandbox, paints the first rows, prints
   ``ready`` and quits by itself, as File ▸ Quit does (exit code 0).
3. ``--sandbox`` again; once the app has connected (its log says so), SIGTERM: it must shut down
   cleanly (exit code 0, no traceback, the sandbox stopped).

Everything the app writes goes to a temporary folder (``--config-dir`` and the XDG folders), so
the user's settings and data are never touched. Standard library only: build.sh runs it with
the build's Python. Exits 1 with what went wrong.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 180.0
"""Generous: a first start seeds the sandbox, and CI machines are shared."""
QUIT_TIMEOUT_S = 60.0
CONNECTED = "connected to the embedded sandbox"
STOPPED = "the embedded sandbox stopped"


class SmokeFailure(Exception):
    """A check failed; the message says which and shows the app's output."""


def project_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return str(tomllib.load(f)["project"]["version"])


def quiet_env(home: Path) -> dict[str, str]:
    """The app's environment: offscreen Qt and every per-user folder inside ``home``."""
    env = {k: v for k, v in os.environ.items() if k != "COPPER_DESKTOP_HOME"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[name] = str(home / "xdg" / name.lower())
    return env


def shown(what: str, out: str, err: str) -> str:
    return f"{what}\n--- stdout\n{out.strip()}\n--- stderr\n{err.strip()}"


def check_clean(what: str, code: int | None, out: str, err: str) -> None:
    if code != 0:
        raise SmokeFailure(shown(f"{what}: exit code {code}, expected 0", out, err))
    if "Traceback" in err:
        raise SmokeFailure(shown(f"{what}: a traceback on stderr", out, err))


def check_version(command: Sequence[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [*command, "--version"], env=env, capture_output=True, text=True, timeout=120
    )
    check_clean("--version", done.returncode, done.stdout, done.stderr)
    expected = f"copper-desktop {project_version()}"
    if done.stdout.strip() != expected:
        raise SmokeFailure(shown(f"--version: expected {expected!r}", done.stdout, done.stderr))
    return done.stdout.strip()


def check_ready(command: Sequence[str], env: dict[str, str], config: Path) -> None:
    args = [*command, "--sandbox", "--config-dir", str(config), "--exit-when-ready"]
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=START_TIMEOUT_S)
    check_clean("--exit-when-ready", done.returncode, done.stdout, done.stderr)
    if "ready" not in done.stdout.split():
        raise SmokeFailure(shown("--exit-when-ready: no 'ready' line", done.stdout, done.stderr))


def check_sigterm(command: Sequence[str], env: dict[str, str], config: Path) -> None:
    log = config / "logs" / "copper-desktop.log"
    start = log.stat().st_size if log.exists() else 0

    def new_log() -> str:
        if not log.exists():
            return ""
        with log.open(encoding="utf-8", errors="replace") as f:
            f.seek(start)
            return f.read()

    proc = subprocess.Popen(
        [*command, "--sandbox", "--config-dir", str(config)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while CONNECTED not in new_log():
            if proc.poll() is not None:
                out, err = proc.communicate()
                raise SmokeFailure(shown(f"--sandbox: ended ({proc.returncode})", out, err))
            if time.monotonic() > deadline:
                raise SmokeFailure(f"--sandbox: not connected after {START_TIMEOUT_S:.0f} s")
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=QUIT_TIMEOUT_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    check_clean("SIGTERM", proc.returncode, out, err)
    if STOPPED not in new_log():
        raise SmokeFailure(shown(f"SIGTERM: the log does not say {STOPPED!r}", out, err))


def smoke(command: Sequence[str]) -> None:
    """Runs the three checks, printing a line for each; raises SmokeFailure."""
    with tempfile.TemporaryDirectory(prefix="copper-smoke-") as tmp:
        home = Path(tmp)
        env = quiet_env(home)
        config = home / "config"
        began = time.monotonic()
        print(f"smoke: {check_version(command, env)}", flush=True)
        check_ready(command, env, config)
        print(f"smoke: ready on the embedded sandbox ({time.monotonic() - began:.1f} s)")
        began = time.monotonic()
        check_sigterm(command, env, config)
        print(f"smoke: started again, SIGTERM: exit 0 ({time.monotonic() - began:.1f} s)")


def main(argv: Sequence[str] | None = None) -> int:
    command = list(sys.argv[1:] if argv is None else argv)
    if not command:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        smoke(command)
    except (SmokeFailure, subprocess.TimeoutExpired) as exc:
        print(f"smoke: FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
