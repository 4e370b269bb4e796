"""A clone into an empty folder, with nothing beside it, must pass `make test`: nothing the project
runs, tests or builds may reach a path outside the repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# A path built as ROOT / ".." / ..., or a relative literal "../x" that, taken from the file's own folder,
# lands outside the checkout (a stylesheet at "../screens/x.tcss" inside tui/ is fine).
JOINS_PARENT = re.compile(r"""["']\.\.["']\s*[,)/]|/\s*["']\.\.["']""")
RELATIVE_LITERAL = re.compile(r"""["']((?:\.\./)+[^"'\s]*)["']""")
NAMES_SHARED = re.compile(r"\.\./shared\b")
ALLOWED = "outside-ok"  # a comment on a line that names such a path on purpose (a path-traversal test)
CHECKED = (".py", ".toml", ".cfg", ".yaml", ".yml", ".json", ".sh", ".tcss")


def project_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split()
    names = [n for n in listed if n.endswith(CHECKED) or n in ("Makefile", ".ci/run")]
    skip = ("tests/specs/", "tests/test_self_contained.py")
    return [ROOT / n for n in names if not n.startswith(skip) and (ROOT / n).is_file()]


def climbs_out(path: Path, line: str) -> bool:
    if JOINS_PARENT.search(line) or NAMES_SHARED.search(line):
        return True
    for literal in RELATIVE_LITERAL.findall(line):
        target = (path.parent / literal).resolve()
        if not target.is_relative_to(ROOT):
            return True
    return False


def outside_references(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if ALLOWED not in line and climbs_out(path, line):
                found.append(f"{path.name}:{number}: {line.strip()}")
    return found


def test_nothing_refers_to_a_path_outside_the_repository():
    assert outside_references(project_files()) == []


def test_the_check_sees_a_path_outside(tmp_path):
    bad = tmp_path / "bad.py"
    # Built from parts, so this file itself names no path outside the repository.
    up = ".."
    shared = "shared"
    bad.write_text(f'SPEC = ROOT / "{up}" / "{shared}" / "x.yaml"\nOTHER = "{up}/{shared}/spec.yaml"\n'
                   f'fine = "a/b"\nok = "{up}/x"  # outside-ok\n')
    assert len(outside_references([bad])) == 2
