"""The layers stay clean, checked by walking every import statement of every module, not by hope:

- api/, domain/, jobs/ and the Qt-free root modules (config, credentials, addresses, journal,
  session) know no Qt; domain/ no HTTP either;
- models/ has no widgets (QtCore only);
- ui/ never imports the client: of ``copper_desktop.api`` only its error types
  (``copper_desktop.api.errors`` and the names ``copper_desktop.api`` re-exports from it: the
  exception classes and ``FieldError``, the per-field detail of a 422), so widgets can tell a
  failure apart but every request goes through a model or the run helper; nor does it reach
  through an attribute named ``client`` for a call (``self.session.client.get``): it hands the
  client to a model instead;
- sandbox/ and the client side share no code; sandbox/core/ knows no Starlette or uvicorn
  (Copper's semantics, testable without HTTP);
- app.py and __main__.py are the composition root: they may import anything (Qt, the window,
  the embedded sandbox).

Every module of the package falls under at least one rule (a new folder or root module must be
placed here before it can be added).
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

import copper_desktop.api.errors as api_errors

PACKAGE = Path(__file__).resolve().parent.parent / "copper_desktop"

QT = ("PySide6", "qasync", "shiboken6")
CLIENT_PACKAGES = ("api", "domain", "jobs", "models", "ui")
QT_FREE_ROOT = ("__init__", "addresses", "config", "credentials", "journal", "jsonl", "session")
"""Root modules without Qt (session.py is a dataclass holding the client, paths, settings)."""
COMPOSITION_ROOT = ("app", "__main__")
"""Start-up: allowed to import Qt, the window and the embedded sandbox."""
CLIENT_ROOT = (*QT_FREE_ROOT, *COMPOSITION_ROOT)


def _pkg(*names: str) -> tuple[str, ...]:
    return tuple(f"copper_desktop.{name}" for name in names)


API_ERROR_TYPES: frozenset[str] = frozenset(
    name
    for name in api_errors.__all__
    if inspect.isclass(obj := getattr(api_errors, name))
    and (issubclass(obj, Exception) or obj is api_errors.FieldError)
)
"""What ui/ may import from ``copper_desktop.api``: exception classes and FieldError."""


def ui_may_import(name: str) -> bool:
    """The api/ names ui/ may use: the errors module, and error types re-exported by api/."""
    if name == "copper_desktop.api.errors" or name.startswith("copper_desktop.api.errors."):
        return True
    module, _, attr = name.rpartition(".")
    return module == "copper_desktop.api" and attr in API_ERROR_TYPES


@dataclass(frozen=True)
class Rule:
    """Modules under `where` (a folder, or a root module's file name) must not import any
    name under a `forbidden` prefix, unless `allowed(name)` says so."""

    where: str
    forbidden: tuple[str, ...]
    allowed: Callable[[str], bool] = lambda _name: False

    def files(self) -> list[Path]:
        path = PACKAGE / self.where
        return sorted(path.rglob("*.py")) if path.is_dir() else [path]


RULES: dict[str, Rule] = {
    rule.where: rule
    for rule in (
        Rule("api", (*QT, *_pkg("sandbox", "models", "ui", "domain", "jobs"))),
        Rule("domain", (*QT, "httpx", *_pkg("sandbox", "models", "ui", "api", "jobs"))),
        Rule("jobs", (*QT, *_pkg("sandbox", "models", "ui"))),
        Rule("models", ("PySide6.QtWidgets", *_pkg("sandbox", "ui"))),
        Rule("ui", (*_pkg("sandbox", "api"), "httpx"), ui_may_import),
        Rule("sandbox", (*QT, *_pkg(*CLIENT_PACKAGES, *CLIENT_ROOT))),
        Rule("sandbox/core", ("starlette", "uvicorn")),
        *(Rule(f"{name}.py", (*QT, *_pkg("sandbox", "models", "ui"))) for name in QT_FREE_ROOT),
    )
}

KNOWN_EXCEPTIONS: dict[str, frozenset[str]] = {}
"""Files (relative to the package) that still break a rule, with exactly what they may break;
anything else they import is checked as usual. None today: keep it that way (the settings
dialog, the last one, now tests a connection through models/connection_check.py)."""


@dataclass(frozen=True)
class Import:
    """One import statement: the module, and the names taken from it (`from m import a`)."""

    module: str
    names: tuple[str, ...] = ()

    def full_names(self) -> list[str]:
        return [f"{self.module}.{name}" for name in self.names]


def imports(source: str, package: str) -> list[Import]:
    """Every import statement of `source` (a module of `package`), made absolute."""
    found: list[Import] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend(Import(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append(Import(module, tuple(alias.name for alias in node.names)))
    return found


def imported_modules(source: str, package: str) -> list[str]:
    """Absolute names of everything `source` imports (modules, and module.name for each name
    taken with ``from``)."""
    names: list[str] = []
    for imp in imports(source, package):
        names.append(imp.module)
        names.extend(imp.full_names())
    return names


def _breaks(rule: Rule, name: str, excused: frozenset[str]) -> bool:
    return (
        name not in excused
        and not rule.allowed(name)
        and any(name == prefix or name.startswith(prefix + ".") for prefix in rule.forbidden)
    )


def violations(where: str, found: list[Import], excused: frozenset[str] = frozenset()) -> list[str]:
    """The imported names that break the rule for `where` (`excused` names aside).
    ``from m import a`` lists ``m`` too when ``m.a`` breaks it; ``m`` alone is judged only
    for ``import m``."""
    rule = RULES[where]
    bad: set[str] = set()
    for imp in found:
        named = [name for name in imp.full_names() if _breaks(rule, name, excused)]
        bad.update(named)
        if named or (not imp.names and _breaks(rule, imp.module, excused)):
            bad.add(imp.module)
    return sorted(bad)


def package_of(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])


def checked_files() -> list[tuple[str, Path]]:
    return [(where, path) for where, rule in RULES.items() for path in rule.files()]


@pytest.mark.parametrize(
    ("where", "path"), checked_files(), ids=lambda v: str(v).replace(str(PACKAGE), "")
)
def test_layer_imports_stay_in_bounds(where: str, path: Path) -> None:
    relative = path.relative_to(PACKAGE).as_posix()
    excused = KNOWN_EXCEPTIONS.get(relative, frozenset())
    bad = violations(where, imports(path.read_text(), package_of(path)), excused)
    assert not bad, f"copper_desktop/{relative} ({where}) imports {bad}"


def test_every_module_falls_under_a_rule() -> None:
    covered = {path for _, path in checked_files()}
    covered |= {PACKAGE / f"{name}.py" for name in COMPOSITION_ROOT}
    every = set(PACKAGE.rglob("*.py"))
    assert not sorted(str(p.relative_to(PACKAGE)) for p in every - covered)
    for name in QT_FREE_ROOT:
        if name != "credentials":  # optional: where the token lives (keyring or 0600 file)
            assert (PACKAGE / f"{name}.py").is_file(), name


CLIENT_ATTRIBUTES = ("client", "_client")


def client_calls(source: str) -> list[str]:
    """Uses of a member of something reached as an attribute named ``client`` (``x.client.get``,
    ``self._client.delete_webhook``, called or handed on as a bound method); passing the client
    itself (``fetch(self.session.client)``) is fine."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr in CLIENT_ATTRIBUTES
        ):
            found.append(f"{node.lineno}: {ast.unparse(node)}")
    return sorted(found)


@pytest.mark.parametrize("path", RULES["ui"].files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_ui_calls_no_client_method(path: Path) -> None:
    bad = client_calls(path.read_text())
    assert not bad, f"copper_desktop/{path.relative_to(PACKAGE)} calls the client: {bad}"


def test_known_exceptions_name_real_files() -> None:
    for relative in KNOWN_EXCEPTIONS:
        assert (PACKAGE / relative).is_file(), relative


# --------------------------------------------------------------------------- planted violations


def test_checker_sees_relative_and_absolute_violations() -> None:
    source = "from ..ui import window\nfrom . import store\nimport PySide6.QtCore\n"
    found = imports(source, "copper_desktop.sandbox")
    assert violations("sandbox", found) == [
        "PySide6.QtCore",
        "copper_desktop.ui",
        "copper_desktop.ui.window",
    ]
    assert "copper_desktop.sandbox.store" in imported_modules(source, "copper_desktop.sandbox")


@pytest.mark.parametrize("module", QT_FREE_ROOT)
def test_root_modules_without_qt(module: str) -> None:
    source = (
        "import PySide6.QtWidgets\nfrom qasync import asyncSlot\nimport shiboken6\n"
        "from .ui.main_window import MainWindow\nfrom copper_desktop.models import lookups\n"
        "from copper_desktop.api import CopperClient\nfrom .domain import catalog\n"
    )
    assert violations(f"{module}.py", imports(source, "copper_desktop")) == [
        "PySide6.QtWidgets",
        "copper_desktop.models",
        "copper_desktop.models.lookups",
        "copper_desktop.ui.main_window",
        "copper_desktop.ui.main_window.MainWindow",
        "qasync",
        "qasync.asyncSlot",
        "shiboken6",
    ]


def test_the_sandbox_core_knows_no_starlette() -> None:
    source = (
        "from starlette.responses import JSONResponse\nimport uvicorn\n"
        "from ..http import routes\nfrom . import store\nimport json\n"
    )
    found = imports(source, "copper_desktop.sandbox.core")
    assert violations("sandbox/core", found) == [
        "starlette.responses",
        "starlette.responses.JSONResponse",
        "uvicorn",
    ]
    assert violations("sandbox", found) == []  # the rest of the sandbox may use them


def test_the_sandbox_shares_no_code_with_the_client_root() -> None:
    source = "from copper_desktop.addresses import is_loopback_url\nimport copper_desktop.session\n"
    assert violations("sandbox", imports(source, "copper_desktop.sandbox.http")) == [
        "copper_desktop.addresses",
        "copper_desktop.addresses.is_loopback_url",
        "copper_desktop.session",
    ]


def test_ui_imports_only_error_types_from_the_api() -> None:
    source = (
        "from copper_desktop.api import CopperClient, CopperError, FieldError\n"
        "from copper_desktop.api.errors import NotFoundError\n"
        "import copper_desktop.api.errors\n"
        "from copper_desktop import api\n"
        "from ...api.client import SINGULAR\n"
        "from copper_desktop.api import error_from_response\n"
        "import copper_desktop.api\n"
        "from copper_desktop.models.actions import ActionRunner\n"
    )
    assert violations("ui", imports(source, "copper_desktop.ui.editor")) == [
        "copper_desktop",  # `from copper_desktop import api`
        "copper_desktop.api",
        "copper_desktop.api.CopperClient",
        "copper_desktop.api.client",
        "copper_desktop.api.client.SINGULAR",
        "copper_desktop.api.error_from_response",
    ]
    assert {"CopperError", "ValidationError", "FieldError", "NetworkError"} <= API_ERROR_TYPES
    assert not {"CopperClient", "error_from_response", "parse_field_errors"} & API_ERROR_TYPES


def test_models_have_no_widgets() -> None:
    source = (
        "from PySide6.QtWidgets import QWidget\nfrom PySide6.QtCore import QObject\n"
        "import PySide6.QtWidgets\nfrom ..ui.common import banner\n"
    )
    assert violations("models", imports(source, "copper_desktop.models")) == [
        "PySide6.QtWidgets",
        "PySide6.QtWidgets.QWidget",
        "copper_desktop.ui.common",
        "copper_desktop.ui.common.banner",
    ]


def test_jobs_know_no_qt() -> None:
    source = "from PySide6.QtCore import QObject\nfrom copper_desktop.api import CopperError\n"
    assert violations("jobs", imports(source, "copper_desktop.jobs")) == [
        "PySide6.QtCore",
        "PySide6.QtCore.QObject",
    ]


def test_a_known_exception_excuses_only_what_it_lists() -> None:
    excused = frozenset({"copper_desktop.api.Backoff"})
    found = imports("from copper_desktop.api import Backoff\n", "copper_desktop.ui.dialogs")
    assert violations("ui", found, excused) == []
    found = imports(
        "from copper_desktop.api import Backoff, SearchPage\n", "copper_desktop.ui.dialogs"
    )
    assert violations("ui", found, excused) == [
        "copper_desktop.api",
        "copper_desktop.api.SearchPage",
    ]


def test_a_client_call_in_a_widget_is_seen() -> None:
    source = (
        "class Page:\n"
        "    def open(self, key, record_id):\n"
        "        self.runner.run(self.session.client.get(key, record_id))\n"
        "        hooks = Hooks(self.session.client.list_webhooks)\n"
        "        self.runner.run(self._client.delete_webhook(1))\n"
        "        self.runner.run(fetch_record(self.session.client, key, record_id))\n"
        "        self.client = client\n"
    )
    assert client_calls(source) == [
        "3: self.session.client.get",
        "4: self.session.client.list_webhooks",
        "5: self._client.delete_webhook",
    ]
