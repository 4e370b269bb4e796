"""Screens follow a provider's Capabilities (core/types.py), never its name: no module under tui/
or widgets/ compares anything with a provider's name, or tests the `kind`/`name` of a provider,
profile, session or settings. AST-based, so comments and help text may name providers freely."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROVIDER_NAMES = frozenset({"openai", "together", "azure", "local", "sandbox", "compatible"})
NAMED_ATTRS = ("kind", "name", "dialect")
PROVIDERISH = ("provider", "profile", "session", "settings")
# tui/cli.py parses the command line (`--dialect openai|together`): it picks which backend the
# sandbox speaks before any provider exists, so there are no capabilities to ask yet.
EXEMPT = {"tui/cli.py"}


def _names_a_provider(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.lower() in PROVIDER_NAMES
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return any(_names_a_provider(e) for e in node.elts)
    return False


def _providers_name(node: ast.AST) -> bool:
    """`x.provider.kind`, `settings.name`, `self.session.profile.kind`, ..."""
    if not (isinstance(node, ast.Attribute) and node.attr in NAMED_ATTRS):
        return False
    base = ast.unparse(node.value).lower()
    return any(word in base for word in PROVIDERISH)


def offences(source: str, where: str = "<test>") -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(_names_a_provider(o) for o in operands) or any(_providers_name(o) for o in operands):
                found.append(f"{where}:{node.lineno} {ast.unparse(node)}")
        elif isinstance(node, ast.MatchValue) and _names_a_provider(node.value):
            found.append(f"{where}:{node.lineno} case {ast.unparse(node.value)}")
    return found


def test_screens_and_widgets_never_test_a_providers_name():
    found = []
    for package in ("tui", "widgets"):
        for path in sorted((ROOT / package).rglob("*.py")):
            where = path.relative_to(ROOT).as_posix()
            if where not in EXEMPT:
                found += offences(path.read_text(encoding="utf-8"), where)
    assert found == []


def test_the_checker_sees_each_way_of_testing_a_name():
    bad = """
if kind == "together": pass
if "azure" != profile: pass
if settings.kind in ("openai", "compatible"): pass
if self.app.provider.name == wanted: pass
match dialect:
    case "sandbox": pass
"""
    assert [line.split(" ", 1)[0] for line in offences(bad)] == [
        "<test>:2", "<test>:3", "<test>:4", "<test>:5", "<test>:7"]
    fine = """
if exc.kind == "cancelled": pass
if field.name == "lora_r": pass
label = app.profile_label or "openai"
if caps.deploy_before_chat: pass
"""
    assert offences(fine) == []
