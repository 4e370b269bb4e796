"""Several nodes, on one machine: a head engine (`nodes=2`, node 0, 1 process) and `ftui local join
--node-rank 1` in its own process, both on 127.0.0.1 and one data folder, train one job as 2 ranks.

What this covers: the launch announcement, the joined node starting rank 1 with torchrun's environment,
the env:// rendezvous at the head's master address and port, and the result (same steps and losses as
1 process within the DDP test's tolerance). What it cannot: two machines, a real network between them,
or shared storage other than one local folder.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time

import pytest

from ftui.core.local.engine import LocalEngine, _free_port
from ftui.core.local.join import launches_dir, pending_launches, rank_env
from ftui.core.server.runner import start_sandbox
from tests.bench.common import ROOT
from tests.local.test_distributed import LOSS_TOLERANCE, Spread, _train

NODES_MESSAGE = "Training on 2 processes (2 nodes x 1, gloo, ddp)"


class Head(Spread):
    """An engine that is node 0 of 2, one process here, its rendezvous on a free loopback port."""

    async def __aenter__(self) -> Head:  # noqa: PYI034
        import openai

        self.engine = LocalEngine(self.models, data_dir=self.data_dir, threads=1, procs=1, nodes=2,
                                  master_addr="127.0.0.1", master_port=_free_port())
        self.handle = await start_sandbox(engine=self.engine, data_dir=self.data_dir)
        self.client = openai.AsyncOpenAI(base_url=self.handle.base_url, api_key="anything", max_retries=0)
        return self


def _join(data_dir) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ftui.core.local.cli", "join", "--data-dir", str(data_dir),
                             "--node-rank", "1", "--threads", "1"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


@pytest.mark.slow  # a 1-process job, then the same on two "nodes": about 50 s on a busy 2-core machine
async def test_two_nodes_on_loopback_train_one_job_like_one_process(tmp_path, tiny_model_dir):
    method = dict(n_epochs=1, batch_size=3, learning_rate_multiplier=25)
    async with Spread(tmp_path / "one", tiny_model_dir, procs=1) as one:
        _, rows1, texts1, ckpts1 = await _train(one, **method)
    data = tmp_path / "shared"
    data.mkdir()
    agent = _join(data)
    assert agent.stdout is not None
    joined = agent.stdout.readline()  # the agent has started (the job's ranks would wait for it anyway)
    try:
        async with Head(data, tiny_model_dir) as head:
            job2, rows2, texts2, ckpts2 = await _train(head, **method)
            # the announcement is withdrawn once the head's ranks end
            deadline = time.monotonic() + 10
            while list(launches_dir(data).glob("*.json")) and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            assert not list(launches_dir(data).glob("*.json"))
    finally:
        agent.kill()
        said = agent.communicate(timeout=30)[0]
    said = joined + said
    assert "Joined as node 1" in said and "ranks 1..1 of 2" in said and "status 0" in said, said
    assert NODES_MESSAGE in texts2
    assert [r["step"] for r in rows1] == [r["step"] for r in rows2] == list(range(1, 8))
    for a, b in zip(rows1, rows2, strict=True):
        for key in ("train_loss", "valid_loss", "full_valid_loss"):
            if key in a:
                assert abs(a[key] - b[key]) <= LOSS_TOLERANCE, (a["step"], key, a[key], b[key])
    assert ckpts1 == ckpts2 == [7]
    assert (data / "adapters" / job2.id / "final" / "adapter_model.safetensors").is_file()


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
