"""Refusals to create a job (403 on create_job, e.g. OpenAI's training_not_available), remembered per
profile so the radar can say "this account no longer trains" without trying again."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from ftui.core.dataset.writer import write_new_file
from ftui.core.errors import CoreError
from ftui.core.paths import data_dir


@dataclass(frozen=True)
class Refusal:
    profile: str
    date: str  # ISO date of the refusal
    message: str  # the provider's words (already redacted by the error mapping)
    code: str | None = None
    status: int | None = None


def refusals_path() -> Path:
    return data_dir() / "refusals.json"


def is_training_refusal(err: CoreError) -> bool:
    """A 403 on create_job: the account may no longer create jobs (error_map explains it the same way)."""
    return err.status == 403


def load_refusals() -> dict[str, Refusal]:
    try:
        data = json.loads(refusals_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or damaged: the next refusal rewrites it
    found = {}
    for name, raw in (data.items() if isinstance(data, dict) else ()):
        try:
            found[name] = Refusal(**raw)
        except TypeError:
            continue
    return found


def refusal_for(profile: str) -> Refusal | None:
    return load_refusals().get(profile)


def record_refusal(profile: str, err: CoreError, *, today: dt.date | None = None) -> Refusal | None:
    """Remember `err` for `profile` when it is a refusal to train; None when it is not one."""
    if not is_training_refusal(err):
        return None
    refusal = Refusal(profile=profile, date=(today or dt.date.today()).isoformat(),
                      message=err.message, code=err.code, status=err.status)
    data = {name: asdict(r) for name, r in load_refusals().items()}
    data[profile] = asdict(refusal)
    path = refusals_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_new_file(path, [json.dumps(data, indent=1, sort_keys=True).encode()], backup=False)
    return refusal


def forget_refusal(profile: str) -> None:
    """After a job was accepted again (the refusal no longer holds)."""
    data = load_refusals()
    if data.pop(profile, None) is not None:
        write_new_file(refusals_path(), [json.dumps({n: asdict(r) for n, r in data.items()},
                                                    indent=1, sort_keys=True).encode()], backup=False)


def note_create_job_failure(profile: str, err: CoreError) -> None:
    """The backends' hook: never lets a failure to remember break the launch's own error."""
    try:
        record_refusal(profile, err)
    except Exception:  # the launch's error is what the user must see
        pass
