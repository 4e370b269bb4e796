"""LocalEngine: the TrainingEngine that really trains, in a child process (ftui.core.local.worker).

The server's event loop only relays the child's JSON lines to the job (metrics, messages, checkpoints,
progress); a crash, an out-of-memory or a killed child fails that job with a clear error while the server
lives on. Cancel kills the child at once; pause and resume are passed to it, and it holds at the next step
boundary with its optimizer in memory. One job trains at a time per engine: the others wait `queued`, in
the order they came (asyncio.Lock wakes waiters first come, first served).

With `procs` > 1 a job trains as that many worker processes, started the way torchrun starts its workers
(RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT), on one GPU each or sharing the CPU threads.
The engine launches them itself rather than through torchrun's agent so that it holds every rank: cancel
kills them all at once, and when one rank dies the others are killed and the job's error names that
rank. Only rank 0's protocol lines become events; the others' are read for their errors. `strategy`
"fsdp" shards the base model across the processes (ftui.core.local.sharding) instead of replicating it.

With `nodes` > 1 this engine is node 0 of several: a job's world is nodes x procs ranks, this node runs
ranks 0..procs-1 and hosts the rendezvous (MASTER_ADDR/MASTER_PORT, torch's env:// store) at
`master_addr`, and each launch is announced as a file in <data_dir>/launches/, which `ftui local join`
on the other nodes (sharing the data folder) picks up to start the other ranks (ftui.core.local.join).
The job API, events and the adapter stay here; the speed estimate is measured on this node alone.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
import uuid
from collections import deque
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

from ftui.core.local.distributed import STRATEGIES
from ftui.core.local.models import LocalModel, LocalModelError, adapter_dir, conversion_cache, find_model
from ftui.core.server.engine import EngineError, RunControl, TrainingPlan

LORA_DEFAULTS = {"lora_r": 8, "lora_alpha": 16, "lora_dropout": 0.05, "lora_target_modules": "all-linear"}
PAUSE_POLL_SECONDS = 0.1
LEAVE_SECONDS = 30.0  # after rank 0's result, how long the ranks get to leave the process group and exit
LOG_TAIL_BYTES = 2000


class LocalEngine:
    name_tag = "local"  # model names become ft:<base>:local:<suffix>:<job id tail>
    phase_seconds = 0.0  # no simulated waits: validation and queueing take what they take
    measures_time = True  # estimated finish comes from measured step times, not the simulated plan
    methods = ("supervised",)  # DPO answers 400 "not yet supported locally"
    extra_hyperparameters = tuple(LORA_DEFAULTS)

    def __init__(self, models: Sequence[LocalModel], *, data_dir: Path, device: str = "cpu",
                 threads: int = 0, procs: int = 1, strategy: str = "ddp", nodes: int = 1,
                 master_addr: str = "127.0.0.1", master_port: int = 0) -> None:
        if procs < 1:
            raise ValueError(f"procs must be 1 or more, got {procs}")
        if nodes < 1:
            raise ValueError(f"nodes must be 1 or more, got {nodes}")
        if strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}, got {strategy!r}")
        self.models = list(models)
        self.data_dir = Path(data_dir)
        self.device = device
        self.threads = threads  # in all: each of `procs` processes gets its share
        self.procs = procs
        self.strategy = strategy
        self.nodes = nodes  # this engine is node 0; `ftui local join` runs the others
        self.master_addr = master_addr  # where the other nodes reach this one's rendezvous
        self.master_port = master_port  # 0: a free port per job (fine on one machine)
        self.children: dict[str, asyncio.subprocess.Process] = {}  # job id -> its rank 0 process
        self.ranks: dict[str, list[asyncio.subprocess.Process]] = {}  # job id -> every rank, by rank
        self._lock: asyncio.Lock | None = None
        self._measure_lock: asyncio.Lock | None = None
        self._withdrawals: set[asyncio.Task] = set()  # removing launch announcements when their ranks end
        self._announced: dict[Path, str] = {}  # job file -> its launch's id, while other nodes may join it
        self.leave_seconds = LEAVE_SECONDS

    @property
    def threads_per_process(self) -> int:
        return max(1, self.threads // self.procs) if self.threads > 0 else 0

    @property
    def backend(self) -> str:
        return "nccl" if self.device == "cuda" else "gloo"

    # what the runner and the job request ask -----------------------------------------------------------
    def model_error(self, model_id: str) -> str | None:
        try:
            find_model(model_id, self.models)
        except LocalModelError as exc:
            return exc.message
        return None

    def slot(self) -> asyncio.Lock:
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock

    async def measure_speed(self, model_id: str, hyperparameters: dict[str, Any],
                            training_path: Path | None = None) -> dict[str, Any]:
        """This machine's training speed for `model_id` (ftui.core.local.measure): cached, or measured
        now in a child process; EngineBusy while a job trains."""
        from ftui.core.local.measure import measure_speed

        if self._measure_lock is None:
            self._measure_lock = asyncio.Lock()
        return await measure_speed(self, model_id, hyperparameters, training_path, self._measure_lock)

    def job_folder(self, job_id: str) -> Path:
        return adapter_dir(self.data_dir, job_id).parent

    # training ------------------------------------------------------------------------------------------------
    def _job_file(self, plan: TrainingPlan, model: LocalModel) -> Path:
        from ftui.core.local.trainer import TrainJob

        folder = self.job_folder(plan.job_id)
        folder.mkdir(parents=True, exist_ok=True)
        lora = {**LORA_DEFAULTS, **{k: v for k, v in (plan.extra or {}).items() if v != "auto"}}
        job = TrainJob(job_id=plan.job_id, model={**asdict(model), "path": str(model.path)},
                       training_file=plan.training_path or "", validation_file=plan.validation_path,
                       output_dir=str(folder), n_epochs=plan.n_epochs, batch_size=plan.batch_size,
                       learning_rate_multiplier=plan.learning_rate_multiplier, seed=plan.seed,
                       device=self.device, threads=self.threads_per_process, strategy=self.strategy,
                       cache_dir=str(conversion_cache(self.data_dir)),
                       lora_r=int(lora["lora_r"]), lora_alpha=lora["lora_alpha"],
                       lora_dropout=float(lora["lora_dropout"]), lora_target_modules=lora["lora_target_modules"])
        path = folder / "job.json"
        job.save(path)
        return path

    async def train(self, plan: TrainingPlan, control: RunControl) -> list[dict[str, Any]]:
        if plan.method != "supervised":
            raise EngineError(f"The '{plan.method}' method is not yet supported locally.", "invalid_value")
        try:
            model = find_model(plan.base_model, self.models)
        except LocalModelError as exc:
            raise EngineError(exc.message, "model_not_available") from None
        while control.paused:  # paused before training started (e.g. across a restart): start when resumed
            await asyncio.sleep(PAUSE_POLL_SECONDS)
        job_file = self._job_file(plan, model)
        log_path = job_file.parent / "worker.log"
        ranks = await self._launch(job_file, log_path)
        child = ranks[0]
        self.children[plan.job_id] = child
        self.ranks[plan.job_id] = ranks
        if self.nodes > 1:
            control.message(f"Training on {self.nodes * self.procs} processes ({self.nodes} nodes x {self.procs}, "
                            f"{self.backend}, {self.strategy})")
        elif self.procs > 1:
            control.message(f"Training on {self.procs} processes ({self.backend}, {self.strategy})")
        follower = asyncio.get_running_loop().create_task(self._follow_pause(child, control))
        try:
            return await self._supervise(ranks, plan, control, log_path, self._announced.get(job_file))
        finally:
            follower.cancel()
            for rank in ranks:  # cancel or shutdown: stop now; the resume state on disk is what survives
                if rank.returncode is None:
                    rank.kill()
            for rank in ranks:
                await rank.wait()
            self.children.pop(plan.job_id, None)
            self.ranks.pop(plan.job_id, None)

    async def _launch(self, job_file: Path, log_path: Path, *flags: str) -> list[asyncio.subprocess.Process]:
        """This node's ranks of one run (flags: a measurement, which stays on this node)."""
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
        if self.threads_per_process > 0:
            env["OMP_NUM_THREADS"] = str(self.threads_per_process)
        nodes = 1 if flags else self.nodes
        world = nodes * self.procs
        announce: dict[str, Any] | None = None
        if world > 1:
            addr = self.master_addr if nodes > 1 else "127.0.0.1"
            port = self.master_port if nodes > 1 and self.master_port else _free_port()
            env.update(WORLD_SIZE=str(world), LOCAL_WORLD_SIZE=str(self.procs), MASTER_ADDR=addr,
                       MASTER_PORT=str(port), GROUP_RANK="0", ROLE_RANK="0")
            if nodes > 1:
                announce = {"launch": uuid.uuid4().hex, "job_file": str(job_file), "world": world,
                            "procs_per_node": self.procs, "master_addr": addr, "master_port": port,
                            "threads": self.threads_per_process}
        ranks = []
        with open(log_path, "ab") as log:  # noqa: ASYNC230 -- opening a log file is instant
            for rank in range(self.procs):
                rank_env = {**env, "RANK": str(rank), "LOCAL_RANK": str(rank)} if world > 1 else env
                ranks.append(await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "ftui.core.local.worker", *flags, str(job_file),
                    # every rank gets a stdin pipe: when the server dies, each sees it close and exits
                    stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=log, env=rank_env,
                    limit=64 * 1024 * 1024))  # the done line carries every metrics row
        if announce is not None:
            self._announce(announce, ranks)
        return ranks

    def _announce(self, launch: dict[str, Any], ranks: list[asyncio.subprocess.Process]) -> None:
        """Tell the joined nodes to start their ranks of this launch, until this node's ranks end."""
        from ftui.core.local.join import launches_dir

        folder = launches_dir(self.data_dir)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{launch['launch']}.json"
        job_file = Path(launch["job_file"])
        self._announced[job_file] = launch["launch"]
        temp = path.with_suffix(".tmp")
        temp.write_text(json.dumps(launch), encoding="utf-8")
        temp.rename(path)  # a joined node never reads half a file

        async def withdraw() -> None:
            for rank in ranks:
                await rank.wait()
            path.unlink(missing_ok=True)
            if self._announced.get(job_file) == launch["launch"]:
                del self._announced[job_file]

        self._withdrawals.add(task := asyncio.get_running_loop().create_task(withdraw()))
        task.add_done_callback(self._withdrawals.discard)

    async def _supervise(self, ranks: list[asyncio.subprocess.Process], plan: TrainingPlan,
                         control: RunControl, log_path: Path, launch: str | None) -> list[dict[str, Any]]:
        """Relay rank 0 and watch the others; the moment any rank exits unsuccessfully, kill the rest
        (a peer blocked in a collective would otherwise wait for its timeout) and fail the job."""
        outcomes = [RankOutcome(rank) for rank in range(len(ranks))]
        main = outcomes[0]
        tasks = {asyncio.ensure_future(self._relay(ranks[0], plan, control, main)): 0}
        for rank in range(1, len(ranks)):
            tasks[asyncio.ensure_future(self._watch(ranks[rank], outcomes[rank]))] = rank
        pending = set(tasks)
        first_failed: int | None = None
        killed: set[int] = set()
        late: list[RankOutcome] = []  # ranks that died after the last step: rank 0 alone still saves
        try:
            while pending and first_failed is None:
                done, pending = await asyncio.wait(pending, timeout=1.0, return_when=asyncio.FIRST_COMPLETED)
                if main.done is not None and time.monotonic() - main.done_at > self.leave_seconds:
                    # the result is in hand: a rank stuck leaving the group only holds the job back
                    lingering = [outcomes[rank] for rank, process in enumerate(ranks) if process.returncode is None]
                    for outcome in lingering:
                        outcome.lingered = True
                        ranks[outcome.rank].kill()
                    await asyncio.gather(*pending)
                    late += lingering
                    break
                failed = sorted(tasks[t] for t in done if t.result() != 0)
                if main.finished_training:
                    late += [outcomes[rank] for rank in failed if rank != 0]
                    failed = [rank for rank in failed if rank == 0 and main.done is None]
                first_failed = failed[0] if failed else None
            if first_failed is not None:
                killed = {rank for rank, process in enumerate(ranks) if process.returncode is None}
                for rank in killed:
                    ranks[rank].kill()
                await asyncio.gather(*pending)
        finally:
            for task in pending:  # cancelled job: train() kills the processes
                task.cancel()
        if first_failed is None and main.done is not None:
            for outcome in late:  # the adapter is whole; say what happened, for whoever reads the log
                control.message(_late_exit_message(outcome, len(ranks), log_path, self.leave_seconds), "warn")
            control.record(adapter=main.done["adapter"], trained_tokens=main.done["trained_tokens"])
            return main.done["rows"]
        culprit = _culprit(outcomes, killed, 0 if first_failed is None else first_failed)
        code = culprit.error.get("code", "training_failed") if culprit.error else "training_failed"
        if self.nodes > 1 and code == "peer_lost":  # no rank here failed on its own: one on another node did
            from ftui.core.local.join import launches_dir

            logs = launches_dir(self.data_dir) / f"{launch or '*'}.node*.log"
            raise EngineError(_remote_failure_message(culprit, self.nodes * len(ranks), main.step, logs),
                              "training_failed")
        raise EngineError(_failure_message(culprit, len(ranks), main.step, log_path),
                          "training_failed" if code == "peer_lost" else code)

    async def _watch(self, process: asyncio.subprocess.Process, outcome: RankOutcome) -> int:
        """A rank other than 0: its protocol lines only matter for its error; returns its exit status."""
        stdout = _pipe(process.stdout)
        while line := await stdout.readline():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("type") == "error":
                outcome.error = event
        outcome.code = await process.wait()
        return outcome.code

    async def _follow_pause(self, child: asyncio.subprocess.Process, control: RunControl) -> None:
        sent = False
        stdin = _pipe(child.stdin)
        while child.returncode is None:
            if control.paused != sent:
                sent = control.paused
                try:
                    stdin.write(b"pause\n" if sent else b"resume\n")
                    await stdin.drain()
                except (BrokenPipeError, ConnectionResetError):
                    return
            await asyncio.sleep(PAUSE_POLL_SECONDS)

    async def _relay(self, child: asyncio.subprocess.Process, plan: TrainingPlan, control: RunControl,
                     outcome: RankOutcome) -> int:
        """Rank 0's protocol lines become the job's events; returns its exit status."""
        total = plan.total_steps
        step_times: deque[float] = deque(maxlen=10)
        last = time.monotonic()
        stdout = _pipe(child.stdout)
        while line := await stdout.readline():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            kind = event.get("type")
            if kind == "started":
                total = outcome.total_steps = event["total_steps"]
                outcome.step = event["start_step"]
                control.message(f"Training {event['examples']} examples for {total} steps on {self.device} "
                                f"(learning rate {event['learning_rate']:g})")
                last = time.monotonic()
            elif kind == "metrics":
                row = event["row"]
                outcome.step = step = row["step"]
                now = time.monotonic()
                step_times.append(now - last)
                last = now
                text = f"Step {step}/{total}: training loss={row['train_loss']:.4f}"
                if "valid_loss" in row:
                    text += f", validation loss={row['valid_loss']:.4f}"
                control.metrics(step, row, text)
                control.progress(step, (total - step) * sum(step_times) / len(step_times))
            elif kind == "checkpoint":
                control.checkpoint(event["step"], event["metrics"], event["path"])
            elif kind in ("message", "warning"):
                control.message(event["message"], "warn" if kind == "warning" else "info")
            elif kind == "paused":
                control.message(f"Training paused after step {event['step']}")
            elif kind == "resumed":
                control.message(f"Training resumed at step {event['step'] + 1}")
                last = time.monotonic()
            elif kind == "done":
                outcome.done, outcome.done_at = event, time.monotonic()
            elif kind == "error":
                outcome.error = event
        outcome.code = await child.wait()
        return 1 if outcome.code == 0 and outcome.done is None else outcome.code


@dataclass
class RankOutcome:
    """How one training process ended."""

    rank: int
    code: int | None = None
    error: dict[str, Any] | None = None  # its last "error" line
    done: dict[str, Any] | None = None  # rank 0's "done" line
    step: int = 0  # rank 0: the last step it reported
    total_steps: int = 0  # rank 0: the run's steps, once it has started
    done_at: float = 0.0  # rank 0: when its "done" line came (time.monotonic)
    lingered: bool = False  # still running LEAVE_SECONDS after rank 0's result, so stopped

    @property
    def finished_training(self) -> bool:
        """Rank 0 reported the last step, so every collective of the run is behind all ranks."""
        return self.total_steps > 0 and self.step >= self.total_steps


def _culprit(outcomes: list[RankOutcome], killed: set[int], first_failed: int) -> RankOutcome:
    """The rank that really failed: one that died on its own of a signal, else one with its own error
    (not a lost peer), else the first one seen to fail."""
    own = [o for o in outcomes if o.rank not in killed]
    for test in (lambda o: o.code is not None and o.code < 0,
                 lambda o: o.error is not None and o.error.get("code") != "peer_lost"):
        found = [o for o in own if test(o)]
        if found:
            return found[0]
    return outcomes[first_failed]


def _failure_message(outcome: RankOutcome, procs: int, step: int, log_path: Path) -> str:
    who = "The training process" if procs == 1 else f"Training process rank {outcome.rank} of {procs}"
    others = "" if procs == 1 else "; the other ranks were stopped"
    if outcome.error is not None and outcome.error.get("code") != "peer_lost":
        return outcome.error["message"] if procs == 1 else f"{who}: {outcome.error['message']}{others}."
    return (f"{who} {_how_it_ended(outcome)} after step {step}{others}; the job stopped. "
            f"Details: {log_path}{_log_tail(log_path)}")


def _remote_failure_message(outcome: RankOutcome, world: int, step: int, logs: Path) -> str:
    return (f"Training process rank {outcome.rank} of {world} lost its peers after step {step}: a rank on "
            f"another node stopped or could not be reached; the job stopped. The joined nodes' logs: {logs}")


def _how_it_ended(outcome: RankOutcome) -> str:
    code = outcome.code or 0
    if code == -signal.SIGKILL:  # not by this engine (those are not blamed): most often the kernel's OOM killer
        return "was killed by signal SIGKILL (when memory runs out, the system's out-of-memory killer does this)"
    return f"was killed by signal {signal.Signals(-code).name}" if code < 0 else f"exited with status {code}"


def _late_exit_message(outcome: RankOutcome, procs: int, log_path: Path, leave_seconds: float) -> str:
    who = f"Training process rank {outcome.rank} of {procs}"
    if outcome.lingered:
        what = f"{who} had not exited {leave_seconds:g} s after the last step and was stopped"
    else:
        what = f"{who} {_how_it_ended(outcome)} while shutting down, after the last step"
    return f"{what}; the adapter is complete. Details: {log_path}{_log_tail(log_path)}"


_Stream = TypeVar("_Stream", asyncio.StreamReader, asyncio.StreamWriter)


def _pipe(stream: _Stream | None) -> _Stream:
    """A worker's stdin/stdout; _launch always opens both with PIPE, so None is a bug there."""
    if stream is None:
        raise RuntimeError("worker process was started without its stdin/stdout pipe")
    return stream


def _free_port() -> int:
    """A TCP port free on loopback now, for the ranks' rendezvous."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _log_tail(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(max(0, path.stat().st_size - LOG_TAIL_BYTES))
            lines = fh.read().decode("utf-8", "replace").strip().splitlines()
    except OSError:
        return ""
    return f" (last line: {lines[-1][:300]})" if lines else ""
