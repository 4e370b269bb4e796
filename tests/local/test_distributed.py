"""One job trained by 2 gloo processes (1 thread each) through the server and the official openai client.

The tolerance: the batch is split across ranks and the gradients summed, normalised by the step's global
labelled-token count, with dropout masks that follow the example; what remains is the order of float sums.
Measured on the tiny model: train and validation losses of 1 and 2 processes agree to within 1e-5 per step
(the events round them to 5 decimals); the test allows LOSS_TOLERANCE.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from safetensors.torch import load_file

from ftui.core.local.engine import LocalEngine
from ftui.core.local.server import describe_device
from ftui.core.server.runner import start_sandbox
from tests.local.style_data import style_rows
from tests.local.test_engine_jobs import TERMINAL, Local, hp
from tests.local.worker_hooks import hook_workers

LOSS_TOLERANCE = 1e-4
def spread_message(strategy: str = "ddp") -> str:
    return f"Training on 2 processes (gloo, {strategy})"



class Spread(Local):
    """Local, with an engine that trains each job as `procs` processes."""

    def __init__(self, data_dir, model_dir, procs: int = 2, strategy: str = "ddp") -> None:
        super().__init__(data_dir, model_dir)
        self.procs, self.strategy = procs, strategy

    async def __aenter__(self) -> Spread:  # noqa: PYI034
        import openai

        self.engine = LocalEngine(self.models, data_dir=self.data_dir, threads=self.procs, procs=self.procs,
                                  strategy=self.strategy)
        self.handle = await start_sandbox(engine=self.engine, data_dir=self.data_dir)
        self.client = openai.AsyncOpenAI(base_url=self.handle.base_url, api_key="anything", max_retries=0)
        return self


async def _train(local: Spread, **method) -> tuple:
    train = await local.upload(style_rows(20))
    valid = await local.upload(style_rows(10), "valid.jsonl")
    job = await local.client.fine_tuning.jobs.create(model=local.model_id, training_file=train,
                                                     validation_file=valid, seed=11, method=hp(**method))
    job = await local.wait_for(job.id, lambda j: j.status in TERMINAL, timeout=120)
    assert job.status == "succeeded", job.error
    checkpoints = await local.client.fine_tuning.jobs.checkpoints.list(job.id)
    return job, await local.metrics(job.id), await local.messages(job.id), sorted(
        c.step_number for c in checkpoints.data)


async def one_against_two(tmp_path, tiny_model_dir, *, strategy: str = "ddp") -> tuple:
    """The same job on 1 process and on 2 (`strategy`), checked to give the same steps, losses within
    LOSS_TOLERANCE, checkpoints, tokens and events; (job1, job2) for what else a test checks."""
    # batch 3 of 20 examples: shares of 2 and 1, and a last step of 2 examples per epoch
    method = dict(n_epochs=2, batch_size=3, learning_rate_multiplier=25)
    async with Spread(tmp_path / "one", tiny_model_dir, procs=1) as one:
        job1, rows1, texts1, ckpts1 = await _train(one, **method)
    async with Spread(tmp_path / "two", tiny_model_dir, procs=2, strategy=strategy) as two:
        job2, rows2, texts2, ckpts2 = await _train(two, **method)
    assert [r["step"] for r in rows1] == [r["step"] for r in rows2] == list(range(1, 15))
    for a, b in zip(rows1, rows2, strict=True):
        assert set(a) == set(b)
        for key in ("train_loss", "valid_loss", "full_valid_loss"):
            if key in a:
                assert abs(a[key] - b[key]) <= LOSS_TOLERANCE, (a["step"], key, a[key], b[key])
    assert rows1[-1]["train_loss"] < rows1[0]["train_loss"] - 0.3  # the curve really moves
    assert ckpts1 == ckpts2 == [7, 14]
    assert job1.trained_tokens == job2.trained_tokens
    message = spread_message(strategy)
    kinds = lambda texts: [t.split(":")[0].split(" (")[0] for t in texts]  # noqa: E731
    assert message in texts2 and message not in texts1
    assert kinds(texts1) == kinds([t for t in texts2 if t != message])
    return job1, job2


async def test_two_processes_give_the_loss_curve_of_one(tmp_path, tiny_model_dir):
    job1, job2 = await one_against_two(tmp_path, tiny_model_dir)
    adapter = lambda root, job: load_file(root / "adapters" / job.id / "final" / "adapter_model.safetensors")  # noqa: E731
    first, second = adapter(tmp_path / "one", job1), adapter(tmp_path / "two", job2)
    assert set(first) == set(second)
    assert max(float((first[k] - second[k]).abs().max()) for k in first) < 1e-4


async def test_pause_and_cancel_reach_both_ranks(tmp_path, tiny_model_dir):
    async with Spread(tmp_path / "data", tiny_model_dir) as local:
        train = await local.upload(style_rows(20))
        # batch 1: rank 1's share is always empty, and it still follows every step
        job = await local.client.fine_tuning.jobs.create(model=local.model_id, training_file=train,
                                                         method=hp(n_epochs=50, batch_size=1))
        await local.wait_for(job.id, lambda j: j.status == "running" and local.step(job.id) >= 2, timeout=60)
        ranks = list(local.engine.ranks[job.id])
        assert len(ranks) == 2
        await local.client.fine_tuning.jobs.pause(job.id)
        paused_at = None
        while paused_at is None:
            texts = await local.messages(job.id)
            paused_at = next((int(t.rsplit(" ", 1)[1]) for t in texts if t.startswith("Training paused after")),
                             None)
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)
        assert local.step(job.id) == paused_at  # both hold: rank 0 cannot step without rank 1 and back
        assert all(r.returncode is None for r in ranks)
        await local.client.fine_tuning.jobs.resume(job.id)
        await local.wait_for(job.id, lambda j: local.step(job.id) >= paused_at + 3, timeout=60)
        steps = [r["step"] for r in await local.metrics(job.id)]
        assert steps == list(range(1, len(steps) + 1))
        assert local.engine.ranks[job.id] == ranks  # the same processes, so the same optimizer

        await local.client.fine_tuning.jobs.cancel(job.id)
        started = time.monotonic()
        for rank in ranks:
            await rank.wait()
        assert time.monotonic() - started < 3.0
        assert (await local.client.fine_tuning.jobs.retrieve(job.id)).status == "cancelled"


async def test_killing_one_rank_fails_the_job_and_frees_the_other(tmp_path, tiny_model_dir):
    async with Spread(tmp_path / "data", tiny_model_dir) as local:
        train = await local.upload(style_rows(20))
        job = await local.client.fine_tuning.jobs.create(model=local.model_id, training_file=train,
                                                         method=hp(n_epochs=50, batch_size=2))
        await local.wait_for(job.id, lambda j: j.status == "running" and local.step(job.id) >= 2, timeout=60)
        ranks = list(local.engine.ranks[job.id])
        ranks[1].kill()
        started = time.monotonic()
        failed = await local.wait_for(job.id, lambda j: j.status in TERMINAL, timeout=30)
        await ranks[0].wait()
        assert time.monotonic() - started < 10.0  # no collective timeout was waited for
        assert failed.status == "failed" and failed.error.code == "training_failed"
        assert "rank 1 of 2 was killed by signal SIGKILL" in failed.error.message, failed.error.message
        assert "the other ranks were stopped" in failed.error.message
        # the server lives on, and the engine holds no process of that job
        assert [j.id for j in (await local.client.fine_tuning.jobs.list()).data] == [job.id]
        assert (await local.client.files.list()).data
        assert job.id not in local.engine.ranks and all(r.returncode is not None for r in ranks)


@pytest.mark.slow  # two servers start two ranks each: about 50 s on a busy 2-core machine
async def test_a_two_process_job_resumes_after_a_restart(tmp_path, tiny_model_dir):
    data = tmp_path / "data"
    async with Spread(data, tiny_model_dir) as local:
        train = await local.upload(style_rows(20))
        job = await local.client.fine_tuning.jobs.create(model=local.model_id, training_file=train,
                                                         method=hp(n_epochs=2, batch_size=1))
        await local.wait_for(job.id, lambda j: local.step(job.id) >= 12, timeout=60)  # resume state at 10
    async with Spread(data, tiny_model_dir) as local:
        done = await local.wait_for(job.id, lambda j: j.status in TERMINAL, timeout=60)
        assert done.status == "succeeded", done.error
        resumed = [t for t in await local.messages(job.id) if t.startswith("Resuming from step")]
        assert resumed and int(resumed[0].split()[3]) >= 10
        assert [r["step"] for r in await local.metrics(job.id)][-1] == 40
        assert (data / "adapters" / job.id / "final" / "adapter_model.safetensors").is_file()


def test_the_header_label_shows_processes_and_threads_each():
    assert describe_device("cpu", 2, procs=2) == "cpu, 2 procs x 1 thread"
    assert describe_device("cpu", 4, procs=2) == "cpu, 2 procs x 2 threads"
    assert describe_device("cpu", 2) == "cpu, 2 threads"


def test_bad_engine_settings_are_refused_with_a_reason(tmp_path):
    with pytest.raises(ValueError, match="procs must be 1 or more"):
        LocalEngine([], data_dir=tmp_path, procs=0)
    with pytest.raises(ValueError, match="strategy must be one of ddp, fsdp"):
        LocalEngine([], data_dir=tmp_path, strategy="zero3")


async def test_start_local_spreads_jobs_and_says_so_in_its_label(tmp_path, tiny_model_dir):
    from ftui.core.local.server import start_local

    handle = await start_local(data_dir=tmp_path / "data", model_folders=[tiny_model_dir], device="cpu",
                               threads=2, procs=2)
    try:
        assert handle.device_label == "cpu, 2 procs x 1 thread"
        engine = handle.ctx.engine
        assert (engine.procs, engine.threads_per_process, engine.backend) == (2, 1, "gloo")
    finally:
        await handle.stop()
    auto = await start_local(data_dir=tmp_path / "data", model_folders=[tiny_model_dir], device="cpu",
                             threads=1, procs="auto")
    try:
        assert auto.device_label == "cpu, 1 thread"  # auto on CPU: one process
    finally:
        await auto.stop()


@pytest.mark.parametrize(("argv", "says"), [
    (["--procs", "0"], "--procs: must be 1 or more, got 0"),
    (["--procs", "many"], "--procs: expected a whole number or auto, got 'many'"),
])
def test_bad_procs_exit_2_with_a_clear_message(argv, says, capsys, monkeypatch, tmp_path):
    from tests.local.test_cli_local import _empty_config, exit_code

    monkeypatch.setenv("FTUI_CONFIG", str(_empty_config(tmp_path)))
    assert exit_code(["local", "--data-dir", str(tmp_path / "data"), *argv]) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err


def test_the_local_table_takes_procs_and_refuses_bad_ones(capsys, monkeypatch, tmp_path):
    from ftui.core.settings import load_local_config
    from tests.local.test_cli_local import exit_code

    config = tmp_path / "config.toml"
    config.write_text('[local]\nprocs = "auto"\nstrategy = "ddp"\n', encoding="utf-8")
    monkeypatch.setenv("FTUI_CONFIG", str(config))
    assert load_local_config().procs == "auto"
    config.write_text("[local]\nprocs = 0\n", encoding="utf-8")
    assert exit_code(["local"]) == 2
    err = capsys.readouterr().err
    assert str(config) in err and "local.procs" in err


async def _ten_examples_to_the_end(local: Spread, n_epochs: int):
    """A job of 10 examples in steps of 2, waited for until it ends."""
    train = await local.upload(style_rows(10))
    job = await local.client.fine_tuning.jobs.create(model=local.model_id, training_file=train,
                                                     method=hp(n_epochs=n_epochs, batch_size=2))
    return await local.wait_for(job.id, lambda j: j.status in TERMINAL, timeout=120)


async def test_a_rank_dying_after_the_last_step_leaves_the_job_succeeded(tmp_path, tiny_model_dir, monkeypatch):
    # rank 1 aborts the way gloo's threads can at exit (SIGABRT), once the run and its teardown are done
    hook_workers(tmp_path / "hooks", monkeypatch,
                 "import atexit, os\nif os.environ.get('RANK') == '1':\n    atexit.register(os.abort)\n")
    async with Spread(tmp_path / "data", tiny_model_dir) as local:
        job = await _ten_examples_to_the_end(local, n_epochs=1)
        assert job.status == "succeeded", job.error
        late = [t for t in await local.messages(job.id) if "while shutting down" in t]
        assert late and "rank 1 of 2 was killed by signal SIGABRT" in late[0], late
        assert "the adapter is complete" in late[0]
        assert (tmp_path / "data" / "adapters" / job.id / "final" / "adapter_model.safetensors").is_file()


async def test_a_rank_stuck_after_the_last_step_is_stopped_and_the_job_succeeds(tmp_path, tiny_model_dir,
                                                                               monkeypatch):
    # rank 1 never exits (a teardown that hangs); the engine gives it leave_seconds, then stops it
    hook_workers(tmp_path / "hooks", monkeypatch,
                 "import atexit, os, time\nif os.environ.get('RANK') == '1':\n"
                 "    atexit.register(time.sleep, 3600)\n")
    async with Spread(tmp_path / "data", tiny_model_dir) as local:
        local.engine.leave_seconds = 5.0  # rank 0 exits well within it, even on a busy machine
        job = await _ten_examples_to_the_end(local, n_epochs=1)
        assert job.status == "succeeded", job.error
        late = [t for t in await local.messages(job.id) if "after the last step" in t]
        assert len(late) == 1, late
        assert "rank 1 of 2 had not exited 5 s after the last step and was stopped" in late[0], late
        assert job.id not in local.engine.ranks


async def test_a_rank_dying_before_the_last_step_still_fails_the_job(tmp_path, tiny_model_dir, monkeypatch):
    # the same abort, partway through rank 1's run (its 7th all-reduce): the run is not whole, so the
    # job fails and names the rank
    hook_workers(tmp_path / "hooks", monkeypatch,
                 "import os\nif os.environ.get('RANK') == '1':\n"
                 "    import torch.distributed as dist\n    calls = []\n    reduce = dist.all_reduce\n"
                 "    def all_reduce(*args, **kwargs):\n        calls.append(1)\n"
                 "        if len(calls) > 6:\n            os.abort()\n        return reduce(*args, **kwargs)\n"
                 "    dist.all_reduce = all_reduce\n")
    async with Spread(tmp_path / "data", tiny_model_dir) as local:
        job = await _ten_examples_to_the_end(local, n_epochs=3)
        assert job.status == "failed"
        assert "rank 1 of 2 was killed by signal SIGABRT" in job.error.message, job.error.message
