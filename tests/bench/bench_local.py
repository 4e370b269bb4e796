"""The local engine's training against Hugging Face TRL's SFTTrainer, in the same run on the same machine.

ftui's side goes the way a user's does: the official `openai` client uploads a 20-example dataset that
gives every answer one style and starts a job with default hyperparameters on the local engine's server;
the figures come from the job (trained tokens, metrics events). TRL then trains the same model with the
same LoRA config, data, epochs, batch size and learning rate in its own process (trl_reference.py).
Full run: the bundled SmolLM2-135M-Instruct; --quick: the tiny test model.

Then the same job as 1 and 2 processes (torch.distributed, gloo) sharing the same CPU threads, DDP and FSDP:
examples per second and time from job creation to the first step; on a machine with CUDA, a GPU section
(1 GPU, all GPUs, DDP), and without one a row saying it was skipped.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from tests.bench.common import PYTHON, ROOT, Row, row

NAME = "local"
THREADS = 2
SPREAD_EPOCHS, SPREAD_BATCH = 5, 4  # 25 steps of 20 examples; batch 4 gives each of 2 ranks 2 examples


def _model(quick: bool, folder: Path):
    from ftui.core.local.models import discover_models

    if quick:
        from tests.local.tiny_model import build_tiny_model

        tiny = build_tiny_model(folder / "tiny")
        return [m for m in discover_models([tiny], hf_cache=False) if m.source == "folder"][0], [tiny]
    bundled = [m for m in discover_models(hf_cache=False) if m.source == "bundled"]
    if not bundled:
        raise RuntimeError("the bundled SmolLM2 is not installed (make test installs it)")
    return bundled[0], []


def _train_with_ftui(folder: Path, model, model_folders: list[Path], data: Path, seed: int = 7) -> dict:
    import openai

    from ftui.core.local.server import LocalThread

    server = LocalThread(data_dir=folder / f"engine-{seed}", model_folders=model_folders, device="cpu",
                         threads=THREADS)
    base_url = server.start()
    try:
        client = openai.OpenAI(base_url=base_url, api_key="bench")
        upload = client.files.create(file=data, purpose="fine-tune")
        job = client.fine_tuning.jobs.create(model=model.id, training_file=upload.id, seed=seed)
        while job.status not in ("succeeded", "failed", "cancelled"):
            time.sleep(0.5)
            job = client.fine_tuning.jobs.retrieve(job.id)
        if job.status != "succeeded":
            raise RuntimeError(f"the local job ended {job.status}: {job.error}")
        events = list(client.fine_tuning.jobs.list_events(job.id, limit=1000))
        steps = sorted((e for e in events if e.type == "metrics"), key=lambda e: e.data["step"])
        hp = job.method.supervised.hyperparameters
        first, last = steps[0].created_at, steps[-1].created_at
        per_step = (last - first) / max(1, len(steps) - 1)
        seconds = max(per_step * len(steps), 1e-9)
        per_epoch = len(steps) // int(hp.n_epochs)
        return {"tokens": job.trained_tokens, "seconds": seconds, "steps": len(steps),
                "epochs": int(hp.n_epochs), "batch_size": int(hp.batch_size),
                "multiplier": float(hp.learning_rate_multiplier),
                "final_loss": statistics.mean(e.data["train_loss"] for e in steps[-per_epoch:]),
                "to_first_step": first - job.created_at,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}
    finally:
        server.stop()


def _train_with_trl(folder: Path, model, data: Path, ftui: dict, seed: int = 7) -> dict:
    from ftui.core.local.trainer import BASE_LEARNING_RATE

    settings = {"model": asdict(model), "data": str(data), "output_dir": str(folder / f"trl-{seed}"),
                "epochs": ftui["epochs"], "batch_size": ftui["batch_size"],
                "learning_rate": BASE_LEARNING_RATE * ftui["multiplier"], "seed": seed, "threads": THREADS,
                "lora_r": 8, "lora_alpha": 16, "lora_dropout": 0.05, "max_length": 2048,
                "tokens": ftui["tokens"], "last_epoch_steps": max(1, ftui["steps"] // ftui["epochs"])}
    path = folder / f"trl-{seed}.json"
    path.write_text(json.dumps(settings, default=str), encoding="utf-8")
    done = subprocess.run([PYTHON, "-m", "tests.bench.trl_reference", str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(f"TRL failed: {done.stderr.strip().splitlines()[-1:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    logged = result["final_loss"]
    result["final_loss"] = logged
    return result


def _time_spread(folder: Path, model, model_folders: list[Path], data: Path, procs: int, device: str,
                 strategy: str = "ddp") -> dict:
    """One job of SPREAD_EPOCHS x batch SPREAD_BATCH on `procs` processes, timed by polling the server's
    own step counter (the API's event times have 1 s resolution, too coarse for the tiny model)."""
    import openai

    from ftui.core.local.server import LocalThread
    from ftui.core.server.context import PRIVATE

    server = LocalThread(data_dir=folder / f"spread-{device}-{procs}-{strategy}", model_folders=model_folders,
                         device=device, threads=THREADS if device == "cpu" else 0, procs=procs, strategy=strategy)
    base_url = server.start()
    try:
        client = openai.OpenAI(base_url=base_url, api_key="bench")
        upload = client.files.create(file=data, purpose="fine-tune")
        hyper = {"n_epochs": SPREAD_EPOCHS, "batch_size": SPREAD_BATCH}
        created = time.monotonic()
        job = client.fine_tuning.jobs.create(model=model.id, training_file=upload.id, seed=7,
                                             method={"type": "supervised", "supervised": {"hyperparameters": hyper}})
        first = last = None
        first_step = seen = 0
        while True:
            record = server.handle.ctx.store.get("jobs", job.id)
            step = record[PRIVATE].get("step", 0)
            now = time.monotonic()
            if step != seen:  # a new step was reported since the last look
                seen, last = step, now
                if first is None:
                    first, first_step = now, step
            if record["status"] in ("succeeded", "failed", "cancelled"):
                break
            time.sleep(0.02)
        if record["status"] != "succeeded":
            raise RuntimeError(f"the {procs}-process job ended {record['status']}: {record.get('error')}")
        examples = (seen - first_step) * SPREAD_BATCH
        return {"examples_per_second": examples / max(last - first, 1e-9), "to_first_step": first - created,
                "steps": seen}
    finally:
        server.stop()


def _spread_rows(folder: Path, model, folders: list[Path], data: Path, device: str,
                 counts: list[int], what: str, fsdp: bool = False) -> list[Row]:
    """Examples per second and time to first step for each process count (DDP), and with `fsdp` for the
    largest count sharded too."""
    runs = {(n, "ddp"): _time_spread(folder, model, folders, data, n, device) for n in counts}
    if fsdp and counts[-1] > 1:
        runs[(counts[-1], "fsdp")] = _time_spread(folder, model, folders, data, counts[-1], device, "fsdp")
    one = runs[(counts[0], "ddp")]
    rows = []
    for (n, strategy), result in runs.items():
        label = f"{n} process{'es' if n > 1 else ''}" + (", fsdp" if strategy == "fsdp" else "")
        ratio = result["examples_per_second"] / one["examples_per_second"]
        speedup = f"{ratio:.2f}x {counts[0]} process; " if (n, strategy) != (counts[0], "ddp") else ""
        rows.append(row(NAME, f"examples per second, {label} ({device})", result["examples_per_second"], "",
                        "ex/s", f"{speedup}{what}, batch {SPREAD_BATCH}, {result['steps']} steps"))
        rows.append(row(NAME, f"job created to first step, {label} ({device})", result["to_first_step"], "", "s",
                        "every rank imports torch and loads the model"))
    return rows


def _gpu_count() -> int:
    import torch

    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def run(quick: bool = False) -> list[Row]:
    from tests.local.style_data import style_rows, write_jsonl

    with tempfile.TemporaryDirectory(prefix="ftui-bench-local-") as tmp:
        folder = Path(tmp)
        model, folders = _model(quick, folder)
        data = write_jsonl(folder / "style.jsonl", style_rows(20))
        ftui = _train_with_ftui(folder, model, folders, data)
        print(f"  local: ftui trained: {ftui}", file=sys.stderr, flush=True)
        trl = _train_with_trl(folder, model, data, ftui)
        print(f"  local: TRL trained: {trl}", file=sys.stderr, flush=True)
        spread = _spread_rows(folder, model, folders, data, "cpu", [1, 2],
                              f"{model.id}, cpu {THREADS} threads shared",
                              fsdp=not quick)  # --quick (the smoke test) skips the FSDP row: tests cover FSDP
        gpus = _gpu_count()
        if gpus:
            spread += _spread_rows(folder, model, folders, data, "cuda", sorted({1, gpus}), f"{model.id}")
        else:
            spread.append(row(NAME, "GPU section (1 GPU, all GPUs)", "skipped", "", "",
                              "torch sees no CUDA device here; the same command measures a GPU box"))
    what = f"{model.id}, 20 examples, {ftui['epochs']} epochs x batch {ftui['batch_size']}, cpu {THREADS} threads"
    speed = ftui["tokens"] / ftui["seconds"]
    return [
        row(NAME, "trained tokens per second", speed, trl["tokens_per_second"], "tok/s",
            f"{speed / trl['tokens_per_second']:.2f}x TRL SFTTrainer (aim >= 1.5x); {what}"),
        row(NAME, "training wall time", ftui["seconds"], trl["seconds"], "s",
            f"{ftui['steps']} steps (TRL {trl['steps']}); ftui from its step events (1 s resolution)"),
        row(NAME, "final training loss", ftui["final_loss"], trl["final_loss"], "",
            "mean over the last epoch's steps, both"),
        row(NAME, "peak memory of the training process", ftui["peak_rss_mb"], trl["peak_rss_mb"], "MB",
            "ru_maxrss: ftui's training child, TRL's own process"),
        row(NAME, "job created to first step", ftui["to_first_step"], "", "s",
            "validating the file, queue, starting the child, loading the model"),
        *spread,
    ]


def loss_over_seeds(seeds: list[int], quick: bool = False) -> list[Row]:
    """Final training loss of ftui and of TRL on the same job at each seed (LoRA's initial weights,
    dropout and example order differ by seed): one seed's gap says little, the means and ranges do.

    Space the seeds further apart than the job has epochs: TRL's sampler shuffles epoch e with seed + e,
    so its runs at seeds 7 and 8 share four of five epoch orders and are not two independent draws.
    With the same draws the two trainers take the same steps (tests/local/test_matches_trl.py)."""
    from tests.local.style_data import style_rows, write_jsonl

    ours, theirs = [], []
    with tempfile.TemporaryDirectory(prefix="ftui-bench-seeds-") as tmp:
        folder = Path(tmp)
        model, folders = _model(quick, folder)
        data = write_jsonl(folder / "style.jsonl", style_rows(20))
        for seed in seeds:
            ftui = _train_with_ftui(folder, model, folders, data, seed=seed)
            trl = _train_with_trl(folder, model, data, ftui, seed=seed)
            ours.append(ftui["final_loss"])
            theirs.append(trl["final_loss"])
            print(f"  local: seed {seed}: ftui {ftui['final_loss']:.4f}, TRL {trl['final_loss']:.4f}",
                  file=sys.stderr, flush=True)
    listed = lambda values: ", ".join(f"{v:.4f}" for v in values)  # noqa: E731
    return [row(NAME, f"final training loss, mean of seeds {', '.join(map(str, seeds))}", statistics.mean(ours),
                statistics.mean(theirs), "", f"ftui {listed(ours)}; TRL {listed(theirs)}; {model.id}, 20 examples")]


if __name__ == "__main__":
    from tests.bench.common import print_rows

    if "--seeds" in sys.argv:  # python -m tests.bench.bench_local --seeds 100,200,300
        print_rows(loss_over_seeds([int(s) for s in sys.argv[sys.argv.index("--seeds") + 1].split(",")],
                                   quick="--quick" in sys.argv))
    else:
        print_rows(run(quick="--quick" in sys.argv))
