"""Recently opened dataset files, newest first, kept as JSON in ftui's user data folder.

The folder is platformdirs' user_data_dir("ftui"), or $FTUI_DATA_DIR when set (tests point it at a
tmp dir so they never touch the user's list).
"""

from __future__ import annotations

import json
from pathlib import Path

from ftui.core.paths import data_dir

RECENT_FILE = "recent.json"
MAX_RECENT = 20


def recent_path() -> Path:
    return data_dir() / RECENT_FILE


def load_recent() -> list[Path]:
    """The remembered files, newest first; a missing or damaged list reads as empty."""
    try:
        data = json.loads(recent_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    items = data.get("files", []) if isinstance(data, dict) else []
    return [Path(p) for p in items if isinstance(p, str) and p]


def add_recent(path: Path | str) -> list[Path]:
    """Put `path` (made absolute) first in the list and save it; returns the new list.

    Saving is best effort: a read-only data folder must not stop the user from opening a file.
    """
    path = Path(path).expanduser().resolve()
    items = [path] + [p for p in load_recent() if p != path]
    items = items[:MAX_RECENT]
    _save(items)
    return items


def forget_recent(path: Path | str) -> list[Path]:
    path = Path(path).expanduser().resolve()
    items = [p for p in load_recent() if p != path]
    _save(items)
    return items


def _save(items: list[Path]) -> None:
    target = recent_path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a crash never leaves half a JSON file behind.
        body = json.dumps({"files": [str(p) for p in items]}, indent=1).encode()
        from ftui.core.dataset.writer import write_new_file  # only when saving: keeps start-up light

        write_new_file(target, [body], backup=False)
    except OSError:
        pass
