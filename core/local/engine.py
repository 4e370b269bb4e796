"""LocalEngine: the TrainingEngine that really trains, in a child process (ftui.core.local.worker).

The server's event loop only relays the child's JSON lines to the job (metrics, messages, checkpoints,
progress); a crash, an out-of-memory or a killed child fails that job with a clear error while the server
lives on. Cancel kills the child at once; pause and resume are passed to it, and it holds at the next step
boundary with its optimizer in memory. One job trains at a time per engine: the others wait `queued`, in
the order they came (asyncio.Lock wakes waiters first come, first served).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ftui.core.local.models import LocalModel, LocalModelError, adapter_dir, find_model
from ftui.core.sandbox.engine import EngineError, RunControl, TrainingPlan

LORA_DEFAULTS = {"lora_r": 8, "lora_alpha": 16, "lora_dropout": 0.05, "lora_target_modules": "all-linear"}
PAUSE_POLL_SECONDS = 0.1
LOG_TAIL_BYTES = 2000


class LocalEngine:
    name_tag = "local"  # model names become ft:<base>:local:<suffix>:<job id tail>
    phase_seconds = 0.0  # no simulated waits: validation and queueing take what they take
    measures_time = True  # estimated finish comes from measured step times, not the simulated plan
    methods = ("supervised",)  # DPO answers 400 "not yet supported locally"
    extra_hyperparameters = tuple(LORA_DEFAULTS)

    def __init__(self, models: Sequence[LocalModel], *, data_dir: Path, device: str = "cpu",
                 threads: int = 0) -> None:
        self.models = list(models)
        self.data_dir = Path(data_dir)
        self.device = device
        self.threads = threads
        self.children: dict[str, asyncio.subprocess.Process] = {}  # job id -> its training process
        self._lock: asyncio.Lock | None = None

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
                       device=self.device, threads=self.threads, cache_dir=str(self.data_dir / "converted"),
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
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
        if self.threads > 0:
            env["OMP_NUM_THREADS"] = str(self.threads)
        with open(log_path, "ab") as log:  # noqa: ASYNC230 -- opening a log file is instant
            child = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "ftui.core.local.worker", str(job_file),
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=log, env=env,
                limit=64 * 1024 * 1024)  # the done line carries every metrics row
        self.children[plan.job_id] = child
        follower = asyncio.get_running_loop().create_task(self._follow_pause(child, control))
        try:
            return await self._relay(child, plan, control, log_path)
        finally:
            follower.cancel()
            if child.returncode is None:
                child.kill()  # cancel or shutdown: stop now; the resume state on disk is what survives
                await child.wait()
            self.children.pop(plan.job_id, None)

    async def _follow_pause(self, child: asyncio.subprocess.Process, control: RunControl) -> None:
        sent = False
        while child.returncode is None:
            if control.paused != sent:
                sent = control.paused
                try:
                    child.stdin.write(b"pause\n" if sent else b"resume\n")
                    await child.stdin.drain()
                except (BrokenPipeError, ConnectionResetError):
                    return
            await asyncio.sleep(PAUSE_POLL_SECONDS)

    async def _relay(self, child: asyncio.subprocess.Process, plan: TrainingPlan, control: RunControl,
                     log_path: Path) -> list[dict[str, Any]]:
        total = plan.total_steps
        step_times: deque[float] = deque(maxlen=10)
        last = time.monotonic()
        error: dict[str, Any] | None = None
        done: dict[str, Any] | None = None
        step = 0
        while line := await child.stdout.readline():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            kind = event.get("type")
            if kind == "started":
                total = event["total_steps"]
                step = event["start_step"]
                control.message(f"Training {event['examples']} examples for {total} steps on {self.device} "
                                f"(learning rate {event['learning_rate']:g})")
                last = time.monotonic()
            elif kind == "metrics":
                row = event["row"]
                step = row["step"]
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
                done = event
            elif kind == "error":
                error = event
        code = await child.wait()
        if done is not None and code == 0:
            control.record(adapter=done["adapter"], trained_tokens=done["trained_tokens"])
            return done["rows"]
        if error is not None:
            raise EngineError(error["message"], error.get("code", "training_failed"))
        how = f"was killed by signal {signal.Signals(-code).name}" if code < 0 else f"exited with status {code}"
        raise EngineError(f"The training process {how} after step {step}; the job stopped. "
                          f"Details: {log_path}{_log_tail(log_path)}", "training_failed")


def _log_tail(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(max(0, path.stat().st_size - LOG_TAIL_BYTES))
            lines = fh.read().decode("utf-8", "replace").strip().splitlines()
    except OSError:
        return ""
    return f" (last line: {lines[-1][:300]})" if lines else ""
