"""`ftui local join`: another node's share of the head engine's training jobs.

The head (`ftui local --nodes N`) announces each job's launch as <data_dir>/launches/<id>.json (its job
file, the world size, ranks per node, the rendezvous address) and withdraws it when its own ranks end.
A joined node sees the same data folder (shared storage: the job file, the training file and the model
paths in it must resolve here too), starts ranks node_rank*P .. node_rank*P+P-1 of every new launch with
torchrun's environment, and waits for them. Only rank 0, on the head, speaks to the job API and writes;
if a rank here dies, the head's ranks lose their peer and the head fails the job; if the head cancels,
the ranks here lose theirs and exit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

POLL_SECONDS = 0.5
LAUNCHES = "launches"
# The head's ranks wait this long for their peers (ftui.core.local.distributed's collective timeout), so
# an announcement older than that is left by a head that died and is not joined.
STALE_SECONDS = 600.0


def launches_dir(data_dir: Path) -> Path:
    return Path(data_dir) / LAUNCHES


def rank_env(launch: dict[str, Any], node_rank: int, local_rank: int, threads: int) -> dict[str, str]:
    """One rank's environment, as torchrun would give it on node `node_rank`."""
    procs = int(launch["procs_per_node"])
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
           "WORLD_SIZE": str(launch["world"]), "LOCAL_WORLD_SIZE": str(procs),
           "RANK": str(node_rank * procs + local_rank), "LOCAL_RANK": str(local_rank),
           "GROUP_RANK": str(node_rank), "ROLE_RANK": str(node_rank),
           "MASTER_ADDR": str(launch["master_addr"]), "MASTER_PORT": str(launch["master_port"])}
    if threads > 0:
        env["OMP_NUM_THREADS"] = str(threads)
    return env


def run_launch(launch: dict[str, Any], node_rank: int, log_path: Path, threads: int | None = None) -> list[int]:
    """Start this node's ranks of `launch`, wait for them all; their exit statuses."""
    procs = int(launch["procs_per_node"])
    each = int(launch.get("threads", 0)) if threads is None else threads
    ranks = []
    with open(log_path, "ab") as log:
        try:
            for local_rank in range(procs):
                # stdin stays open while this agent lives: if it dies, its ranks see it close and exit
                ranks.append(subprocess.Popen(
                    [sys.executable, "-m", "ftui.core.local.worker", launch["job_file"]],
                    stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=log,
                    env=rank_env(launch, node_rank, local_rank, each)))
            return [rank.wait() for rank in ranks]
        finally:
            for rank in ranks:  # interrupted: no rank outlives the agent
                if rank.poll() is None:
                    rank.kill()
                rank.wait()


def pending_launches(data_dir: Path, seen: set[str], stale_seconds: float = STALE_SECONDS) -> list[dict[str, Any]]:
    """Announced launches not handled yet and not stale, oldest first."""
    found = []
    folder = launches_dir(data_dir)
    now = time.time()
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            age = now - path.stat().st_mtime
            if path.stem in seen or age > stale_seconds:
                continue
            found.append((age, json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError):  # withdrawn while being read
            continue
    return [launch for _, launch in sorted(found, key=lambda pair: -pair[0])]


def join(data_dir: Path, node_rank: int, *, threads: int | None = None, say: Callable[[str], None] = print,
         stop_after: int | None = None) -> int:
    """Serve launches until interrupted (or `stop_after` of them); returns how many were run."""
    if node_rank < 1:
        raise ValueError(f"node rank must be 1 or more (the head engine is node 0), got {node_rank}")
    seen: set[str] = set()
    served = 0
    while stop_after is None or served < stop_after:
        for launch in pending_launches(data_dir, seen):
            seen.add(launch["launch"])
            procs, world = int(launch["procs_per_node"]), int(launch["world"])
            if (node_rank + 1) * procs > world:
                say(f"Launch {launch['launch']} has {world // procs} node(s); node {node_rank} is not one of them")
                continue
            first = node_rank * procs
            say(f"Training {Path(launch['job_file']).parent.name}: ranks {first}..{first + procs - 1} of {world}")
            log = launches_dir(data_dir) / f"{launch['launch']}.node{node_rank}.log"
            codes = run_launch(launch, node_rank, log, threads)
            say(f"Ranks ended with status {', '.join(map(str, codes))}" + ("" if not any(codes) else f"; see {log}"))
            served += 1
        time.sleep(POLL_SECONDS)
    return served
