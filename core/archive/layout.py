"""The archive folder's files and how each record is written and read back."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from ftui.core.types import Checkpoint, Job, JobError, JobEvent, ModelInfo, RemoteFile

FORMAT = "ftui-archive"
VERSION = 1
MANIFEST = "manifest.json"
JOBS = "jobs.jsonl"
JOBS_CSV = "jobs.csv"
EVENTS = "events.jsonl"
CHECKPOINTS = "checkpoints.jsonl"
CHECKPOINTS_CSV = "checkpoints.csv"
MODELS = "models.jsonl"
FILES = "files.jsonl"
RESULTS = "results"  # folder: result files' content, named by file id
COMPARE_SESSIONS = "compare_sessions.jsonl"
COMPARE_ROUNDS = "compare_rounds.jsonl"


def jsonl_lines(records: list[dict[str, Any]]) -> list[bytes]:
    return [json.dumps(r, ensure_ascii=False, sort_keys=True).encode("utf-8") for r in records]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _known(cls, data: dict[str, Any]) -> dict[str, Any]:
    """Only the fields `cls` has: an archive from a newer ftui still opens."""
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def job_to_dict(job: Job) -> dict[str, Any]:
    return asdict(job)


def job_from_dict(data: dict[str, Any]) -> Job:
    raw = _known(Job, data)
    if raw.get("error"):
        raw["error"] = JobError(**_known(JobError, raw["error"]))
    return Job(**raw)


def event_to_dict(job_id: str, event: JobEvent) -> dict[str, Any]:
    return {"job_id": job_id, **asdict(event)}


def event_from_dict(data: dict[str, Any]) -> JobEvent:
    return JobEvent(**_known(JobEvent, data))


def checkpoint_from_dict(data: dict[str, Any]) -> Checkpoint:
    return Checkpoint(**_known(Checkpoint, data))


def model_from_dict(data: dict[str, Any]) -> ModelInfo:
    return ModelInfo(**_known(ModelInfo, data))


def file_from_dict(data: dict[str, Any]) -> RemoteFile:
    return RemoteFile(**_known(RemoteFile, data))
