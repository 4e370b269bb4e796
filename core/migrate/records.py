"""Migration records in the data folder: source, target, the spec launched, and later the verdict of
the comparison that proves the new model (one JSON file per migration, written atomically)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from ftui.core.dataset.writer import write_new_file
from ftui.core.errors import CoreError
from ftui.core.paths import data_dir

_ID = re.compile(r"^mig-[0-9a-f]{12}$")


def migrations_dir() -> Path:
    return data_dir() / "migrations"


def _path(migration_id: str) -> Path:
    if not _ID.match(migration_id):
        raise CoreError(f"{migration_id!r} is not a migration id (mig- and 12 hex digits)", kind="input")
    return migrations_dir() / f"{migration_id}.json"


def save_migration(record: dict[str, Any]) -> Path:
    path = _path(record["id"])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_new_file(path, [json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False).encode()],
                       backup=False)
    except OSError as exc:
        raise CoreError(f"cannot save the migration record {path}: {exc.strerror or exc}", kind="io") from None
    return path


def load_migration(migration_id: str) -> dict[str, Any]:
    path = _path(migration_id)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CoreError(f"no migration {migration_id} in {migrations_dir()}", kind="input") from None
    except (OSError, ValueError) as exc:
        raise CoreError(f"the migration record {path} cannot be read: {exc}", kind="io") from None


def list_migrations() -> list[dict[str, Any]]:
    """Every record, newest first; a damaged one is left out."""
    found = []
    for path in sorted(migrations_dir().glob("mig-*.json")):
        try:
            found.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return sorted(found, key=lambda r: r.get("created", ""), reverse=True)


def save_verdict(migration_id: str, verdict: dict[str, Any], *, when: dt.datetime | None = None) -> dict:
    """Keep the comparison's verdict (e.g. win rate, interval, compare session id, words) with the
    migration; a later verdict replaces the earlier one."""
    record = load_migration(migration_id)
    stamp = (when or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    record["verdict"] = {**verdict, "date": stamp}
    save_migration(record)
    return record
