"""This machine's training speed for a base model, measured, for the launch form's time estimate.

A short warm-up in a training child process (ftui.core.local.worker --measure): the Trainer loads the model
and data exactly as a job would, trains one untimed step (first-step overheads) and MEASURED_STEPS timed
ones with the job's LoRA settings, and reports trained tokens per second. The figure is cached per (model,
device, threads, procs, LoRA settings) in the engine's data folder, so a later estimate is instant.

The measuring holds the engine's one-job slot, so it never runs while a job trains: then it answers busy.
Nothing heavy is imported at module level; the child side imports the Trainer when it runs.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ftui.core.server.engine import EngineError, default_batch_size

if TYPE_CHECKING:
    from ftui.core.local.engine import LocalEngine
    from ftui.core.local.trainer import Trainer

MEASURE_FLAG = "--measure"  # the worker's argument for a measuring run
WARMUP_STEPS = 1  # untimed: the first step pays for lazy initialisation
MEASURED_STEPS = 2
SAMPLE_EXAMPLES = 8  # examples taken from the user's file (or written by fixed_sample)
CACHE_FILE = "speeds.json"
BUSY = "busy: estimate after the running job"


class EngineBusy(EngineError):
    """A job holds the engine's slot: measuring now would slow it and be wrong."""

    def __init__(self) -> None:
        super().__init__(f"The local engine is training a job; {BUSY}.", "engine_busy")


# the cache --------------------------------------------------------------------------------------------
def speed_key(model_id: str, device: str, threads: int, procs: int, lora: dict[str, Any]) -> str:
    modules = lora["lora_target_modules"]
    modules = ",".join(modules) if isinstance(modules, list) else str(modules)
    return f"{model_id}|{device}|threads={threads}|procs={procs}|r={lora['lora_r']}|modules={modules}"


def load_speeds(data_dir: Path) -> dict[str, dict[str, Any]]:
    try:
        loaded = json.loads((data_dir / CACHE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # no figure yet, or a damaged file: measure again
    return loaded if isinstance(loaded, dict) else {}


def save_speed(data_dir: Path, key: str, figure: dict[str, Any]) -> None:
    speeds = {**load_speeds(data_dir), key: figure}
    temp = data_dir / (CACHE_FILE + ".tmp")
    temp.write_text(json.dumps(speeds, indent=1), encoding="utf-8")
    temp.replace(data_dir / CACHE_FILE)  # a reader never sees half a file


# the sample -------------------------------------------------------------------------------------------
def fixed_sample(path: Path) -> Path:
    """SAMPLE_EXAMPLES chat examples of a typical short length, when there is no user file to sample."""
    answer = "Sure. " + " ".join(f"Point {i}: keep the answer short, clear and on topic." for i in range(6))
    lines = [json.dumps({"messages": [
        {"role": "system", "content": "You are a helpful assistant who answers briefly."},
        {"role": "user", "content": f"Question {n}: how should I explain this to a new colleague?"},
        {"role": "assistant", "content": answer}]}) for n in range(SAMPLE_EXAMPLES)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def first_examples(source: Path, path: Path) -> Path:
    """The first SAMPLE_EXAMPLES non-blank lines of the user's file, so a big file is not read whole."""
    taken: list[str] = []
    with open(source, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            if line.strip():
                taken.append(line.rstrip("\n"))
            if len(taken) == SAMPLE_EXAMPLES:
                break
    if not taken:
        raise EngineError(f"The training file {source.name} has no examples to measure with.",
                          "invalid_training_file")
    path.write_text("\n".join(taken) + "\n", encoding="utf-8")
    return path


# the child side ---------------------------------------------------------------------------------------
def measure(trainer: Trainer) -> dict[str, Any]:
    """Train WARMUP_STEPS + MEASURED_STEPS real steps with the Trainer's own step; the protocol line."""
    from ftui.core.local.trainer import step_examples

    trainer._setup()
    job = trainer.job
    tokens = 0
    seconds = 0.0
    for step in range(1, WARMUP_STEPS + MEASURED_STEPS + 1):
        examples = step_examples(trainer.examples, job.seed, step, job.batch_size)
        before, started = trainer.trained_tokens, time.perf_counter()
        trainer._train_step(examples, step)
        if step > WARMUP_STEPS:
            seconds += time.perf_counter() - started
            tokens += trainer.trained_tokens - before
    return {"type": "measured", "tokens_per_second": tokens / max(seconds, 1e-9), "tokens": tokens,
            "seconds": seconds, "steps": MEASURED_STEPS}


# the engine side --------------------------------------------------------------------------------------
async def measure_speed(engine: LocalEngine, model_id: str, hyperparameters: dict[str, Any],
                        training_path: Path | None, lock: asyncio.Lock) -> dict[str, Any]:
    """{tokens_per_second, measured_at, cached}: from the cache, else measured in a child process.
    Raises EngineBusy while a job holds the slot, EngineError for a bad model, file or setting."""
    from ftui.core.local.engine import LORA_DEFAULTS
    from ftui.core.local.models import LocalModelError, find_model

    try:
        model = find_model(model_id, engine.models)
    except LocalModelError as exc:
        raise EngineError(exc.message, "model_not_available") from None
    lora = {**LORA_DEFAULTS, **{k: v for k, v in hyperparameters.items() if k in LORA_DEFAULTS and v != "auto"}}
    key = speed_key(model.id, engine.device, engine.threads, engine.procs, lora)
    async with lock:  # one measurement at a time; a second caller then finds it cached
        if (figure := load_speeds(engine.data_dir).get(key)) is not None:
            return {**figure, "cached": True}
        slot = engine.slot()
        if slot.locked():
            raise EngineBusy
        async with slot:  # a job created meanwhile waits queued until the measuring is done
            measured = await _run_child(engine, model, hyperparameters, lora, training_path)
        figure = {"tokens_per_second": round(measured["tokens_per_second"], 3), "measured_at": int(time.time()),
                  "device": engine.device, "threads": engine.threads, "procs": engine.procs}
        save_speed(engine.data_dir, key, figure)
        return {**figure, "cached": False}


async def _run_child(engine: LocalEngine, model, hyperparameters: dict[str, Any], lora: dict[str, Any],
                     training_path: Path | None) -> dict[str, Any]:
    from ftui.core.local.trainer import TrainJob

    folder = engine.data_dir / "measure"
    folder.mkdir(parents=True, exist_ok=True)
    sample = (first_examples(training_path, folder / "sample.jsonl") if training_path is not None
              else fixed_sample(folder / "sample.jsonl"))
    batch = hyperparameters.get("batch_size")
    batch_size = max(engine.procs, batch if isinstance(batch, int) else default_batch_size(SAMPLE_EXAMPLES))
    job = TrainJob(job_id="measure", model={**asdict(model), "path": str(model.path)},
                   training_file=str(sample), output_dir=str(folder), n_epochs=WARMUP_STEPS + MEASURED_STEPS,
                   batch_size=batch_size, learning_rate_multiplier=1.0, seed=0, device=engine.device,
                   threads=engine.threads_per_process, strategy=engine.strategy,
                   cache_dir=str(engine.data_dir / "converted"), lora_r=int(lora["lora_r"]),
                   lora_alpha=lora["lora_alpha"], lora_dropout=float(lora["lora_dropout"]),
                   lora_target_modules=lora["lora_target_modules"])
    job_file = folder / "job.json"
    job.save(job_file)
    log_path = folder / "worker.log"
    log_path.unlink(missing_ok=True)
    ranks = await engine._launch(job_file, log_path, MEASURE_FLAG)
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    try:
        stdout = ranks[0].stdout
        assert stdout is not None  # _launch opens it with PIPE
        while line := await stdout.readline():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("type") == "measured":
                result = event
            elif event.get("type") == "error":
                error = event
        code = await ranks[0].wait()
    finally:
        for rank in ranks:  # the warm-up is over, or was cancelled: no process outlives it
            if rank.returncode is None:
                rank.kill()
            await rank.wait()
    if result is not None and code == 0:
        return result
    if error is not None:
        raise EngineError(f"Measuring the training speed failed: {error['message']}",
                          "invalid_training_file" if error.get("code") == "invalid_training_file"
                          else error.get("code", "server_error"))
    raise EngineError(f"Measuring the training speed failed: the process exited with status {code}; "
                      f"details: {log_path}", "server_error")
