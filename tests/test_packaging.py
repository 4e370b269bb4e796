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


def test_a_wheel_holds_only_the_ftui_namespace(tmp_path):
    """What `pip install .` puts in site-packages: `ftui/` (with every .tcss the screens load) and its
    dist-info, nothing named core, widgets or tui at the top."""
    import subprocess
    import sys
    import zipfile

    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(tmp_path), str(ROOT)], check=True, capture_output=True, timeout=300)
    (wheel,) = tmp_path.glob("ftui_workbench-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names} == {"ftui", wheel.name.split("-")[0] + "-"
                                                      + wheel.name.split("-")[1] + ".dist-info"}
    shipped_styles = {name.removeprefix("ftui/") for name in names if name.endswith(".tcss")}
    in_tree = {str(p.relative_to(ROOT)) for top in ("tui", "widgets") for p in (ROOT / top).rglob("*.tcss")}
    assert shipped_styles == in_tree
    assert "ftui/tui/cli.py" in names
