"""The layers stay clean: api/ and domain/ know no Qt, models/ no widgets, the sandbox and the
client share no code. Checked by walking every import statement, not by hope."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "copper_desktop"
CLIENT_LAYERS = ("api", "domain", "models", "ui")

# layer -> module prefixes it must never import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "api": (
        "PySide6",
        "qasync",
        "copper_desktop.sandbox",
        "copper_desktop.models",
        "copper_desktop.ui",
        "copper_desktop.domain",
    ),
    "domain": (
        "PySide6",
        "qasync",
        "httpx",
        "copper_desktop.sandbox",
        "copper_desktop.models",
        "copper_desktop.ui",
        "copper_desktop.api",
    ),
    "models": ("PySide6.QtWidgets", "copper_desktop.sandbox", "copper_desktop.ui"),
    "ui": ("copper_desktop.sandbox", "httpx"),
    "sandbox": ("PySide6", "qasync", *(f"copper_desktop.{layer}" for layer in CLIENT_LAYERS)),
}


def imported_modules(source: str, package: str) -> list[str]:
    """Absolute names of everything `source` (a module of `package`) imports."""
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            names.append(module)
            names.extend(f"{module}.{alias.name}" for alias in node.names)
    return names


def layer_files() -> list[tuple[str, Path]]:
    return [
        (layer, path) for layer in FORBIDDEN for path in sorted((PACKAGE / layer).rglob("*.py"))
    ]


def violations(layer: str, names: list[str]) -> list[str]:
    return sorted(
        {
            name
            for name in names
            for prefix in FORBIDDEN[layer]
            if name == prefix or name.startswith(prefix + ".")
        }
    )


@pytest.mark.parametrize(("layer", "path"), layer_files(), ids=lambda v: str(v))
def test_layer_imports_stay_in_bounds(layer: str, path: Path) -> None:
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    bad = violations(layer, imported_modules(path.read_text(), package))
    assert not bad, f"{path.relative_to(PACKAGE.parent)} ({layer}/) imports {bad}"


def test_checker_sees_relative_and_absolute_violations() -> None:
    source = "from ..ui import window\nfrom . import store\nimport PySide6.QtCore\n"
    names = imported_modules(source, "copper_desktop.sandbox")
    assert violations("sandbox", names) == [
        "PySide6.QtCore",
        "copper_desktop.ui",
        "copper_desktop.ui.window",
    ]
