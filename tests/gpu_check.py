"""`make gpu-check`: the local engine on a CUDA GPU, in a few minutes, through the same server and client
path a user takes: a few training steps of the bundled SmolLM2-135M-Instruct, then generation from the base
and the tuned model, with tokens per second. `--device cpu` runs the same check here, without a GPU.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path


def _chat_speed(client, model: str, prompt: str) -> tuple[float, str]:
    start = time.perf_counter()
    answer = client.chat.completions.create(model=model, messages=[{"role": "user", "content": prompt}],
                                            max_completion_tokens=64, temperature=0, seed=1)
    seconds = time.perf_counter() - start
    return answer.usage.completion_tokens / seconds, answer.choices[0].message.content or ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.gpu_check", description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda", choices=("cuda", "cpu"))
    args = parser.parse_args(argv)
    if args.device == "cuda":
        import torch

        if not torch.cuda.is_available():
            print("gpu-check: no CUDA device is visible to torch on this machine", file=sys.stderr)
            return 2
    import openai

    from ftui.core.local.server import LocalThread
    from tests.local.style_data import STYLE, style_rows, write_jsonl

    with tempfile.TemporaryDirectory(prefix="ftui-gpu-check-") as tmp:
        folder = Path(tmp)
        server = LocalThread(data_dir=folder / "engine", device=args.device)
        base_url = server.start()
        try:
            print(f"engine: {server.device_label}; models: {', '.join(m.id for m in server.models)}")
            client = openai.OpenAI(base_url=base_url, api_key="gpu-check")
            data = client.files.create(file=write_jsonl(folder / "style.jsonl", style_rows(20)), purpose="fine-tune")
            start = time.perf_counter()
            job = client.fine_tuning.jobs.create(
                model="SmolLM2-135M-Instruct", training_file=data.id, seed=1,
                method={"type": "supervised", "supervised": {"hyperparameters": {
                    "n_epochs": 2, "batch_size": 4, "learning_rate_multiplier": 2}}})
            while job.status not in ("succeeded", "failed", "cancelled"):
                time.sleep(0.5)
                job = client.fine_tuning.jobs.retrieve(job.id)
            seconds = time.perf_counter() - start
            losses = [e.data["train_loss"] for e in client.fine_tuning.jobs.list_events(job.id, limit=1000)
                      if e.type == "metrics"]
            print(f"training: {job.status} in {seconds:.1f} s, {job.trained_tokens} tokens "
                  f"({job.trained_tokens / seconds:.0f} tok/s including start-up), "
                  f"loss {losses[-1] if losses else '?'} (first step: {losses[0] if losses else '?'})")
            if job.status != "succeeded":
                print(f"gpu-check: the job failed: {job.error}", file=sys.stderr)
                return 1
            prompt = "What is the moon?"
            for name in ("SmolLM2-135M-Instruct", job.fine_tuned_model):
                _chat_speed(client, name, prompt)  # warm: the first answer loads the model or adapter
                speed, text = _chat_speed(client, name, prompt)
                print(f"generation {name}: {speed:.1f} tok/s: {text[:70]!r}")
            _, tuned = _chat_speed(client, job.fine_tuned_model, prompt)
            print(f"tuned answer in the trained style: {tuned.startswith(STYLE.strip()[:3])}")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
