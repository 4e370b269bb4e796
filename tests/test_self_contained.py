"""A clone into an empty folder, with nothing beside it, must pass `make test`: nothing the project
runs, tests or builds may reach a path outside the repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# `../something`, or a path built as ROOT / ".." / ...: both climb out of the checkout.
CLIMBS_OUT = re.compile(r"""\.\./[A-Za-z_]|["']\.\.["']\s*[,)/]|/\s*["']\.\.["']""")
ALLOWED = "outside-ok"  # a comment on a line that names such a path on purpose (a path-traversal test)
CHECKED = (".py", ".toml", ".cfg", ".yaml", ".yml", ".json", ".sh", ".tcss")


def project_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split()
    names = [n for n in listed if n.endswith(CHECKED) or n in ("Makefile", ".ci/run")]
    skip = ("tests/specs/", "tests/test_self_contained.py")
    return [ROOT / n for n in names if not n.startswith(skip) and (ROOT / n).is_file()]


def outside_references(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if CLIMBS_OUT.search(line) and ALLOWED not in line:
                found.append(f"{path.name}:{number}: {line.strip()}")
    return found


def test_nothing_refers_to_a_path_outside_the_repository():
    assert outside_references(project_files()) == []


def test_the_check_sees_a_path_outside(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('SPEC = ROOT / ".." / "shared" / "x.yaml"\nOTHER = "../shared/spec.yaml"\nfine = "a/b"\nok = "../x"  # outside-ok\n')
    assert len(outside_references([bad])) == 2
