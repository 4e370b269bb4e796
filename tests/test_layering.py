"""The split the project stands on: core never imports Textual; widgets never reach the API;
tui reaches the API only through core."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def offenders(package: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no Python files under {package}/"
    for path in files:
        for name in imported_modules(path):
            if any(name == bad or name.startswith(bad + ".") for bad in forbidden):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


def test_core_never_imports_textual():
    assert offenders("core", ("textual", "rich", "ftui.tui", "ftui.widgets")) == []


def test_widgets_never_call_the_api():
    assert offenders("widgets", ("openai", "httpx", "aiohttp", "ftui.core.backends", "ftui.core.server",
                                 "ftui.core.provider", "ftui.core.session", "ftui.tui")) == []


def test_tui_reaches_the_api_only_through_core():
    assert offenders("tui", ("openai", "httpx", "aiohttp", "ftui.core.backends", "ftui.core.server")) == []


@pytest.mark.parametrize("package", ["core", "widgets", "tui", "tests"])
def test_nothing_imports_the_folders_by_their_bare_names(package):
    """The folders install as ftui.core, ftui.widgets and ftui.tui; a bare `import core` would only work
    from the repository root and would clash with any other package of that name."""
    assert offenders(package, ("core", "widgets", "tui")) == []


def test_only_core_writes_files():
    """Temporary files, deletions and file writes are core's (atomic, backed up, explained)."""
    assert offenders("tui", ("tempfile", "shutil", "aiofiles")) == []
    assert offenders("widgets", ("tempfile", "shutil", "aiofiles")) == []
    writes = []
    for package in ("tui", "widgets"):
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and node.attr in (
                        "write_text", "write_bytes", "unlink", "rmdir", "rename", "replace_file"):
                    writes.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.attr}")
    assert writes == []


def test_the_checker_sees_an_offending_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from textual.app import App\nimport openai.types\n")
    assert imported_modules(bad) == {"textual.app", "openai.types"}


@pytest.mark.parametrize("package", ["ftui.core", "ftui.widgets", "ftui.tui"])
def test_packages_import_cleanly(package):
    __import__(package)
