"""`ftui archive` of a sandbox account with a finished job, reopened read-only."""

from __future__ import annotations

import json
import subprocess

import pytest

from ftui.core.archive.reader import open_archive
from ftui.core.archive.write import archive_account
from ftui.core.compare.records import Round
from ftui.core.compare.store import CompareStore
from ftui.core.errors import CoreError
from ftui.core.types import JobSpec
from tests.migrate.conftest import FTUI, OLD_KEY, ftui_env, sdk_provider


async def _pages(fetch, **kw):
    items, after = [], None
    while True:
        page = await fetch(after=after, limit=7, **kw)
        items += page.items
        if not page.has_more:
            return items
        after = page.last_id


async def test_archive_reopens_with_the_same_jobs_events_and_checkpoints(closed_account, tmp_path):
    live = sdk_provider(closed_account["sandbox"].base_url, "old")
    store = CompareStore(tmp_path / "compare.sqlite3")
    session = await store.new_session("old vs new", kind="batch")
    await store.save_round(session, Round(left_model="a", right_model="b", user="hi", judgement="left"))
    seen: list[str] = []
    try:
        summary = await archive_account(live, tmp_path / "arch", profile="old", progress=seen.append,
                                        compare_store=store)
        job = closed_account["job"]
        archive = open_archive(tmp_path / "arch")
        assert await _pages(archive.list_jobs) == await _pages(live.list_jobs)
        assert await archive.retrieve_job(job.id) == await live.retrieve_job(job.id)
        assert (await archive.retrieve_job(job.id)).hyperparameters["n_epochs"] >= 1
        assert await _pages(archive.list_events, job_id=job.id) == await _pages(live.list_events, job_id=job.id)
        live_ckpts = await _pages(live.list_checkpoints, job_id=job.id)
        assert live_ckpts and await _pages(archive.list_checkpoints, job_id=job.id) == live_ckpts
        assert [m.id for m in await archive.list_models()] == [job.fine_tuned_model]
        (result,) = job.result_files
        assert await archive.file_content(result) == await live.file_content(result)
    finally:
        await live.aclose()
    assert summary.counts["jobs"] == 1 and summary.counts["compare_rounds"] == 1 and not summary.missing
    assert seen[-1].startswith("done")
    rows = (tmp_path / "arch" / "checkpoints.csv").read_text().splitlines()
    assert rows[0].startswith("job_id,step_number,model,") and len(rows) == 1 + len(live_ckpts)
    (saved,) = [json.loads(x) for x in (tmp_path / "arch" / "compare_rounds.jsonl").read_text().splitlines()]
    assert saved["judgement"] == "left"
    assert archive.capabilities.methods == () and not archive.capabilities.pause_resume
    for attempt in (archive.create_job(JobSpec(model="m", training_file="f")), archive.pause_job(job.id),
                    archive.delete_model(job.fine_tuned_model), archive.upload_file(tmp_path / "x"),
                    archive.cancel_job(job.id), archive.delete_file(result)):
        with pytest.raises(CoreError, match="this is an archive \\(read-only\\)"):
            await attempt


def test_open_archive_refuses_what_is_not_one(tmp_path):
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "jobs.jsonl").write_text("")
    with pytest.raises(CoreError, match="did not finish"):
        open_archive(tmp_path / "half")
    with pytest.raises(CoreError, match="not a folder"):
        open_archive(tmp_path / "nowhere")


def run_archive(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*FTUI, "archive", *args], capture_output=True, text=True, timeout=120,
                          env=ftui_env())


async def test_archive_cli_writes_a_folder_and_refuses_a_non_empty_one(closed_account, tmp_path):
    dest = tmp_path / "out"
    done = run_archive("old", str(dest))
    assert done.returncode == 0, done.stderr
    assert "archive: jobs" in done.stderr and "Archived old" in done.stdout
    manifest = json.loads((dest / "manifest.json").read_text())
    assert manifest["counts"]["jobs"] == 1 and manifest["profile"] == "old"
    again = run_archive("old", str(dest))
    assert again.returncode == 2 and "is not empty" in again.stderr
    bad = run_archive("nope", str(tmp_path / "other"))
    assert bad.returncode == 2 and "Unknown profile" in bad.stderr and not (tmp_path / "other").exists()
    for out in (done.stdout, done.stderr, again.stderr, bad.stderr):
        assert OLD_KEY not in out and "Traceback" not in out
    for path in dest.rglob("*"):
        if path.is_file():
            assert OLD_KEY.encode() not in path.read_bytes()
