"""ftui installs as one namespace: every package folder in core/, widgets/ and tui/ is listed in
pyproject.toml as ftui.<folder path>, so a wheel holds all of them and nothing else."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_folder_is_listed_under_the_ftui_namespace():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    in_tree = {"ftui." + ".".join(init.parent.relative_to(ROOT).parts)
               for top in ("core", "widgets", "tui") for init in (ROOT / top).rglob("__init__.py")}
    assert set(config["packages"]) == in_tree
    assert config["package-dir"] == {"ftui.core": "core", "ftui.widgets": "widgets", "ftui.tui": "tui"}
