"""Several nodes, on one machine: a head engine (`nodes=2`, node 0, 1 process) and `ftui local join
--node-rank 1` in its own process, both on 127.0.0.1 and one data folder, train one job as 2 ranks.

What this covers: the launch announcement, the joined node starting rank 1 with torchrun's environment,
the env:// rendezvous at the head's master address and port, and the result (same steps and losses as
1 process within the DDP test's tolerance). What it cannot: two machines, a real network between them,
or shared storage other than one local folder.
"""

from __future__ import annotations

import asyncio
import glob
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ftui.core.local.engine import LocalEngine, _free_port
from ftui.core.local.join import launches_dir, pending_launches, rank_env
from ftui.core.server.runner import start_sandbox
from tests.bench.common import ROOT
from tests.local.style_data import style_rows
from tests.local.test_distributed import LOSS_TOLERANCE, Spread, _train
from tests.local.test_engine_jobs import TERMINAL, hp


def nodes_message(strategy: str = "ddp") -> str:
    return f"Training on 2 processes (2 nodes x 1, gloo, {strategy})"


class Head(Spread):
    """An engine that is node 0 of 2, one process here, its rendezvous on a free loopback port."""

    async def __aenter__(self) -> Head:  # noqa: PYI034
        import openai

        self.engine = LocalEngine(self.models, data_dir=self.data_dir, threads=1, procs=1, nodes=2,
                                  strategy=self.strategy, master_addr="127.0.0.1", master_port=_free_port())
        self.handle = await start_sandbox(engine=self.engine, data_dir=self.data_dir)
        self.client = openai.AsyncOpenAI(base_url=self.handle.base_url, api_key="anything", max_retries=0)
        return self


def _join(data_dir) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ftui.core.local.cli", "join", "--data-dir", str(data_dir),
                             "--node-rank", "1", "--threads", "1"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


@pytest.mark.slow  # a 1-process job, then the same on two "nodes": about 50 s on a busy 2-core machine
@pytest.mark.parametrize("strategy", ["ddp", "fsdp"])
async def test_two_nodes_on_loopback_train_one_job_like_one_process(tmp_path, tiny_model_dir, strategy):
    method = dict(n_epochs=1, batch_size=3, learning_rate_multiplier=25)
    async with Spread(tmp_path / "one", tiny_model_dir, procs=1) as one:
        _, rows1, texts1, ckpts1 = await _train(one, **method)
    data = tmp_path / "shared"
    data.mkdir()
    agent = _join(data)
    assert agent.stdout is not None
    joined = agent.stdout.readline()  # the agent has started (the job's ranks would wait for it anyway)
    try:
        async with Head(data, tiny_model_dir, strategy=strategy) as head:
            job2, rows2, texts2, ckpts2 = await _train(head, **method)
            # the announcement is withdrawn once the head's ranks end
            deadline = time.monotonic() + 10
            while list(launches_dir(data).glob("*.json")) and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            assert not list(launches_dir(data).glob("*.json"))
        said = joined + await _said_until(agent, "Ranks ended")  # its rank may end after the head's
    finally:
        agent.kill()
        agent.communicate(timeout=30)
    assert "Joined as node 1" in said and "ranks 1..1 of 2" in said and "status 0" in said, said
    assert nodes_message(strategy) in texts2
    assert [r["step"] for r in rows1] == [r["step"] for r in rows2] == list(range(1, 8))
    for a, b in zip(rows1, rows2, strict=True):
        for key in ("train_loss", "valid_loss", "full_valid_loss"):
            if key in a:
                assert abs(a[key] - b[key]) <= LOSS_TOLERANCE, (a["step"], key, a[key], b[key])
    assert ckpts1 == ckpts2 == [7]
    assert (data / "adapters" / job2.id / "final" / "adapter_model.safetensors").is_file()


async def _said_until(agent: subprocess.Popen, words: str, timeout: float = 30.0) -> str:
    """The agent's lines up to and including the first with `words` (what it said, if it ends first)."""
    assert agent.stdout is not None
    lines: list[str] = []

    def read() -> None:
        while line := agent.stdout.readline():
            lines.append(line)
            if words in line:
                return

    await asyncio.wait_for(asyncio.to_thread(read), timeout)
    return "".join(lines)


def _children(pid: int) -> list[int]:
    """The processes `pid` started (Linux's /proc), e.g. the ranks a join agent runs."""
    with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as fh:
        return [int(p) for p in fh.read().split()]


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="finds the joined rank through Linux's /proc")
async def test_a_joined_rank_dying_fails_the_job_on_the_head_and_says_where(tmp_path, tiny_model_dir):
    data = tmp_path / "shared"
    data.mkdir()
    agent = _join(data)
    assert agent.stdout is not None
    joined = agent.stdout.readline()
    try:
        async with Head(data, tiny_model_dir) as head:
            train = await head.upload(style_rows(20))
            job = await head.client.fine_tuning.jobs.create(model=head.model_id, training_file=train,
                                                            method=hp(n_epochs=50, batch_size=2))
            await head.wait_for(job.id, lambda j: j.status == "running" and head.step(job.id) >= 2, timeout=90)
            (rank1,) = _children(agent.pid)
            os.kill(rank1, signal.SIGKILL)
            started = time.monotonic()
            failed = await head.wait_for(job.id, lambda j: j.status in TERMINAL, timeout=60)
            assert time.monotonic() - started < 15.0  # the head noticed at once, not at a collective timeout
            assert failed.status == "failed" and failed.error.code == "training_failed"
            message = failed.error.message
            assert "rank 0 of 2 lost its peers" in message and "another node" in message, message
            logs = message.rsplit("logs: ", 1)[1]  # the joined node's log of this launch, by name
            assert [Path(p).name for p in glob.glob(logs)] == [p.name for p in launches_dir(data).glob("*.node1.log")]
            assert not Path(logs).name.startswith("*"), logs  # this launch, not every one
            assert job.id not in head.engine.ranks  # the head's own rank is gone too
            assert (await head.client.models.list()).data  # and the server lives on
            said = joined + await _said_until(agent, "Ranks ended")
    finally:
        agent.kill()
        agent.communicate(timeout=30)
    assert "Ranks ended with status -9" in said, said


def test_a_joined_rank_gets_torchruns_environment():
    launch = {"launch": "x", "job_file": "/shared/job.json", "world": 6, "procs_per_node": 2,
              "master_addr": "10.0.0.1", "master_port": 29500, "threads": 3}
    env = rank_env(launch, node_rank=2, local_rank=1, threads=3)
    assert {k: env[k] for k in ("RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "GROUP_RANK",
                                "MASTER_ADDR", "MASTER_PORT", "OMP_NUM_THREADS")} == {
        "RANK": "5", "LOCAL_RANK": "1", "WORLD_SIZE": "6", "LOCAL_WORLD_SIZE": "2", "GROUP_RANK": "2",
        "MASTER_ADDR": "10.0.0.1", "MASTER_PORT": "29500", "OMP_NUM_THREADS": "3"}


def test_pending_launches_skip_seen_and_unreadable_ones(tmp_path):
    folder = launches_dir(tmp_path)
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps({"launch": "a"}), encoding="utf-8")
    (folder / "b.json").write_text("{half", encoding="utf-8")
    (folder / "c.json").write_text(json.dumps({"launch": "c"}), encoding="utf-8")
    (folder / "d.json").write_text(json.dumps({"launch": "d"}), encoding="utf-8")
    old = time.time() - 3600  # a head that died an hour ago
    os.utime(folder / "d.json", (old, old))
    assert [launch["launch"] for launch in pending_launches(tmp_path, {"c"})] == ["a"]


@pytest.mark.parametrize(("argv", "says"), [
    (["join", "--node-rank", "1"], "--data-dir"),
    (["join", "--data-dir", "{missing}", "--node-rank", "1"], "no such folder"),
    (["join", "--data-dir", "{here}", "--node-rank", "0"], "--node-rank: must be 1 or more, got 0"),
    (["--nodes", "0"], "--nodes: must be 1 or more, got 0"),
])
def test_bad_join_and_nodes_arguments_exit_2_with_a_clear_message(argv, says, capsys, monkeypatch, tmp_path):
    from tests.local.test_cli_local import _empty_config, exit_code

    monkeypatch.setenv("FTUI_CONFIG", str(_empty_config(tmp_path)))
    argv = [a.format(missing=tmp_path / "nowhere", here=tmp_path) for a in argv]
    assert exit_code(["local", *argv]) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err



def test_the_local_table_sets_nodes_and_the_rendezvous(tmp_path, tiny_model_dir, capsys, monkeypatch):
    from tests.local.test_cli_local import exit_code
    from tests.local.test_remote_auth import _read_until

    config = tmp_path / "config.toml"
    config.write_text('[local]\nnodes = 2\nmaster_addr = "127.0.0.1"\nmaster_port = 29611\n', encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "FTUI_CONFIG": str(config)}
    code = "import sys; from ftui.tui.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.Popen([sys.executable, "-c", code, "local", "--data-dir", str(tmp_path / "data"),
                             "--model", str(tiny_model_dir), "--device", "cpu", "--threads", "1"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert "Device: cpu, 1 thread, node 0 of 2\n" in "".join(_read_until(proc, "Press Ctrl+C"))
    finally:
        proc.kill()
        proc.wait()
    config.write_text("[local]\nnodes = 0\n", encoding="utf-8")
    monkeypatch.setenv("FTUI_CONFIG", str(config))
    assert exit_code(["local"]) == 2
    err = capsys.readouterr().err
    assert str(config) in err and "local.nodes" in err, err
