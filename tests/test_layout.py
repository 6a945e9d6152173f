"""The folder layout and where rules live (docs/architecture.md), checked on the tree:

- ui/ is grouped by the part of the screen a module draws: only the window frame sits at its
  top; sandbox/ is core/ (Copper's semantics) and http/ around a few start-up modules;
- a module name means one thing: the same file name in two packages is allowed only for the
  listed pairs that are two sides of one concept;
- rules are written once outside the widgets: ui/ defines no loopback, email or date-parsing
  rule and does not reach for what those rules need (ipaddress, keyring, strptime).
Each check is a plain function, also run on a planted violation.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "copper_desktop"

UI_TOP = {"__init__.py", "main_window.py", "status_bar.py"}
UI_PARTS = {
    "common", "browse", "editor", "fields", "bulk", "jobs", "convert", "transfer", "board",
    "webhooks", "dialogs",
}  # fmt: skip
SANDBOX_TOP = {"__init__.py", "__main__.py", "cli.py", "server.py", "settings.py", "context.py"}
SANDBOX_PARTS = {"core", "http"}
SAME_CONCEPT = {
    "__main__.py": "the GUI's and the sandbox's entry points",
    "bulk.py": "bulk edit: its domain rules and its Qt model",
    "convert.py": "lead conversion: its domain rules and its Qt models",
    "journal.py": "a local journal: of deletes, and of a job",
    "operations.py": "Copper's operations: the client's calls and the sandbox's implementation",
    "selection.py": "a browser's selection: its model and its widget",
}
"""File names that stand in two packages for the same concept."""
RULE_FUNCTIONS = ("is_loopback", "_is_loopback", "parse_day", "is_valid_email")
RULE_MODULES = ("ipaddress", "keyring")


def layout_problems(root: Path) -> list[str]:
    """Files or folders that break the ui/ and sandbox/ layout under `root` (the package)."""
    problems: list[str] = []
    for folder, top, parts in (("ui", UI_TOP, UI_PARTS), ("sandbox", SANDBOX_TOP, SANDBOX_PARTS)):
        for entry in sorted((root / folder).iterdir()):
            if entry.name == "__pycache__":
                continue
            allowed = parts if entry.is_dir() else top
            if entry.name not in allowed and (entry.is_dir() or entry.suffix == ".py"):
                problems.append(f"{folder}/{entry.name}")
    return problems


def repeated_names(root: Path) -> dict[str, list[str]]:
    """Module file names found in more than one package and not listed as one concept."""
    where: dict[str, list[str]] = defaultdict(list)
    for path in root.rglob("*.py"):
        if path.name != "__init__.py" and "__pycache__" not in path.parts:
            where[path.name].append(path.relative_to(root).as_posix())
    return {
        name: sorted(paths)
        for name, paths in where.items()
        if len(paths) > 1 and name not in SAME_CONCEPT
    }


def rules_in_widgets(source: str) -> list[str]:
    """Rule functions a ui/ module defines, and modules only a rule needs that it imports."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            RULE_FUNCTIONS
        ):
            found.append(f"def {node.name}")
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] in RULE_MODULES]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in RULE_MODULES:
            found.append(node.module or "")
        elif isinstance(node, ast.Attribute) and node.attr == "strptime":
            found.append("strptime")
    return found


def test_ui_and_sandbox_are_grouped_by_part() -> None:
    assert layout_problems(PACKAGE) == []


def test_a_module_name_means_one_thing() -> None:
    assert repeated_names(PACKAGE) == {}


def test_widgets_hold_no_rules() -> None:
    bad = {
        path.relative_to(PACKAGE).as_posix(): found
        for path in sorted((PACKAGE / "ui").rglob("*.py"))
        if (found := rules_in_widgets(path.read_text()))
    }
    assert bad == {}


# --------------------------------------------------------------------------- planted violations


def test_a_flat_module_in_ui_is_seen(tmp_path: Path) -> None:
    for folder in ("ui/browse", "sandbox/core", "sandbox/http"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "ui" / "main_window.py").write_text("")
    (tmp_path / "ui" / "record_editor.py").write_text("")
    (tmp_path / "sandbox" / "store.py").write_text("")
    (tmp_path / "sandbox" / "misc").mkdir()
    assert sorted(layout_problems(tmp_path)) == [
        "sandbox/misc",
        "sandbox/store.py",
        "ui/record_editor.py",
    ]


def test_a_repeated_name_is_seen(tmp_path: Path) -> None:
    for folder in ("api", "sandbox", "domain"):
        (tmp_path / folder).mkdir()
    (tmp_path / "api" / "errors.py").write_text("")
    (tmp_path / "sandbox" / "errors.py").write_text("")
    (tmp_path / "api" / "operations.py").write_text("")
    (tmp_path / "sandbox" / "operations.py").write_text("")
    assert repeated_names(tmp_path) == {"errors.py": ["api/errors.py", "sandbox/errors.py"]}


def test_a_rule_written_in_a_widget_is_seen() -> None:
    source = (
        "import ipaddress\nfrom keyring import get_password\nfrom datetime import datetime\n"
        "def _is_loopback(host): ...\n"
        "class Dialog:\n    def parse_day(self, text): return datetime.strptime(text, '%x')\n"
    )
    assert sorted(rules_in_widgets(source)) == sorted(
        ["ipaddress", "keyring", "def _is_loopback", "def parse_day", "strptime"]
    )
