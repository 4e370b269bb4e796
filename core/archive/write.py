"""`archive_account`: jobs with their hyperparameters, events, checkpoints' metrics, result files,
fine-tuned models and ftui's compare sessions, written to a new folder of JSONL and CSV.

Every file is written atomically and the manifest last, so a folder without a manifest is an
archive that did not finish (open_archive says so)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ftui.core.archive import layout as L
from ftui.core.dataset.writer import write_new_file
from ftui.core.errors import CoreError
from ftui.core.types import Job

ProgressText = Callable[[str], None]
MAX_PAGES = 1000  # of any list: a server that never stops saying has_more cannot hang the archive


@dataclass
class ArchiveSummary:
    path: str
    profile: str
    counts: dict[str, int] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # what could not be fetched, and why


async def _all(fetch, **kwargs) -> list:
    items, after = [], None
    for _ in range(MAX_PAGES):
        page = await fetch(after=after, **kwargs)
        items += page.items
        if not page.has_more or not page.items:
            break
        after = page.last_id
    return items


def _write(dest: Path, name: str, lines: list[bytes]) -> None:
    target = dest / name
    target.parent.mkdir(parents=True, exist_ok=True)
    write_new_file(target, lines, backup=False)


def _csv(rows: list[dict[str, Any]], columns: list[str]) -> list[bytes]:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return [line.encode("utf-8") for line in out.getvalue().splitlines()]


def _job_row(job: Job) -> dict[str, Any]:
    hp = job.hyperparameters or {}
    return {"id": job.id, "model": job.model, "status": job.status, "fine_tuned_model": job.fine_tuned_model,
            "created_at": job.created_at, "finished_at": job.finished_at, "method": job.method,
            "suffix": job.suffix, "seed": job.seed, "training_file": job.training_file,
            "validation_file": job.validation_file, "trained_tokens": job.trained_tokens,
            "hyperparameters": json.dumps(hp, sort_keys=True)}


def refuse_non_empty(dest: Path) -> None:
    if dest.exists() and not dest.is_dir():
        raise CoreError(f"{dest} is a file, not a folder", kind="input", hint="name a new or empty folder")
    if dest.is_dir() and any(dest.iterdir()):
        raise CoreError(f"{dest} is not empty; an archive goes into a new or empty folder", kind="input",
                        hint="pick another folder (nothing was written)")


async def _compare_sessions(store) -> tuple[list[dict], list[dict]]:
    from ftui.core.compare.store import round_to_dict

    sessions, rounds = [], []
    for info in await store.list_sessions():
        sessions.append(asdict(info))
        for r in await store.load_session(info.id):
            rounds.append({"session_id": info.id, "id": r.id, **round_to_dict(r)})
    return sessions, rounds


async def archive_account(provider: Any, dest: Path | str, *, profile: str,
                          progress: ProgressText | None = None, compare_store: Any = None,
                          now: dt.datetime | None = None) -> ArchiveSummary:
    """Write everything listed above to `dest` (new or empty). Raises CoreError when the account
    cannot be read; a result file the provider will not hand back is listed in `missing`."""
    say = progress or (lambda text: None)
    dest = Path(dest)
    refuse_non_empty(dest)
    dest.mkdir(parents=True, exist_ok=True)
    summary = ArchiveSummary(path=str(dest), profile=profile)

    say("jobs")
    jobs: list[Job] = await _all(provider.list_jobs, limit=100)
    events, checkpoints, results = [], [], []
    for n, job in enumerate(jobs, 1):
        say(f"job {n}/{len(jobs)} {job.id}: events, checkpoints")
        events += [L.event_to_dict(job.id, e) for e in await _all(provider.list_events, job_id=job.id)]
        checkpoints += [asdict(c) for c in await _all(provider.list_checkpoints, job_id=job.id)]
        results += job.result_files
    tuned = {j.fine_tuned_model for j in jobs if j.fine_tuned_model}
    say("models")
    models = [asdict(m) for m in await provider.list_models() if m.id in tuned or m.id.startswith("ft:")]
    say("files")
    files = [asdict(f) for f in await _all(provider.list_files, limit=100)]
    for n, file_id in enumerate(results, 1):
        say(f"result file {n}/{len(results)} {file_id}")
        try:
            (dest / L.RESULTS).mkdir(exist_ok=True)
            await provider.download_file(file_id, dest / L.RESULTS / file_id)
        except CoreError as exc:
            summary.missing.append(f"result file {file_id}: {exc.summary()}")
    sessions: list[dict] = []
    rounds: list[dict] = []
    if compare_store is not None:
        say("compare sessions")
        sessions, rounds = await _compare_sessions(compare_store)

    _write(dest, L.JOBS, L.jsonl_lines([L.job_to_dict(j) for j in jobs]))
    _write(dest, L.JOBS_CSV, _csv([_job_row(j) for j in jobs], list(_job_row(jobs[0]) if jobs else ["id"])))
    _write(dest, L.EVENTS, L.jsonl_lines(events))
    _write(dest, L.CHECKPOINTS, L.jsonl_lines(checkpoints))
    metric_names = sorted({k for c in checkpoints for k in c["metrics"]})
    _write(dest, L.CHECKPOINTS_CSV, _csv(
        [{"job_id": c["job_id"], "step_number": c["step_number"], "model": c["model"], **c["metrics"]}
         for c in checkpoints], ["job_id", "step_number", "model", *metric_names]))
    _write(dest, L.MODELS, L.jsonl_lines(models))
    _write(dest, L.FILES, L.jsonl_lines(files))
    _write(dest, L.COMPARE_SESSIONS, L.jsonl_lines(sessions))
    _write(dest, L.COMPARE_ROUNDS, L.jsonl_lines(rounds))
    summary.counts = {"jobs": len(jobs), "events": len(events), "checkpoints": len(checkpoints),
                      "models": len(models), "files": len(files),
                      "result_files": len(results) - len(summary.missing),
                      "compare_sessions": len(sessions), "compare_rounds": len(rounds)}
    manifest = {"format": L.FORMAT, "version": L.VERSION, "profile": profile,
                "provider_label": getattr(provider, "label", profile),
                "created": (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
                "counts": summary.counts, "missing": summary.missing}
    _write(dest, L.MANIFEST, [json.dumps(manifest, indent=1, sort_keys=True).encode()])
    say(f"done: {dest}")
    return summary
