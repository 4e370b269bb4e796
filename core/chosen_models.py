"""The model picked for each dataset (Data's `m`: the model its tokens and cost are counted for),
kept as JSON in ftui's user data folder so it survives a restart.

Best effort like the recent-files list: a damaged or unwritable file never stops a dataset opening.
"""

from __future__ import annotations

import json
from pathlib import Path

from ftui.core.errors import CoreError
from ftui.core.paths import data_dir

CHOSEN_FILE = "dataset-models.json"
MAX_REMEMBERED = 200  # datasets remembered; the least recently chosen go first


def chosen_path() -> Path:
    return data_dir() / CHOSEN_FILE


def _key(dataset: Path | str) -> str:
    return str(Path(dataset).expanduser().resolve())


def _load() -> dict[str, str]:
    try:
        data = json.loads(chosen_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    models = data.get("models", {}) if isinstance(data, dict) else {}
    return {k: v for k, v in models.items() if isinstance(k, str) and isinstance(v, str) and v} \
        if isinstance(models, dict) else {}


def remembered_model(dataset: Path | str) -> str | None:
    """The model last chosen for `dataset`, or None."""
    return _load().get(_key(dataset))


def remember_model(dataset: Path | str, model: str) -> bool:
    """Keep `model` as `dataset`'s choice; False when it could not be saved (nothing else breaks)."""
    models = _load()
    key = _key(dataset)
    models.pop(key, None)
    models[key] = model  # newest last, so trimming drops the oldest
    kept = dict(list(models.items())[-MAX_REMEMBERED:])
    try:
        target = chosen_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        from ftui.core.dataset.writer import write_new_file  # only when saving: keeps start-up light

        write_new_file(target, [json.dumps({"models": kept}, indent=1).encode()], backup=False)
    except (OSError, CoreError):
        return False
    return True
