"""Compare streams two models at once: the pair should take about as long as the slower one.

Both answers come through `provider.stream_chat` (the path the Compare screen uses) from
the sandbox over loopback HTTP. Each model is first timed alone, then both together; if the
streams were handled one after the other the pair would take the sum of the two.
"""

from __future__ import annotations

import asyncio
import sys
import time

from tests.bench.common import Row, median, row, sandbox, sandbox_provider

NAME = "compare"
MODELS = ("gpt-4o-mini", "gpt-4.1-mini-2025-04-14")
PROMPT = ("Explain, step by step, how to check a fine-tuning dataset for problems before "
          "uploading it, and what to do about each kind of problem you find.")


async def stream_once(provider, model: str) -> tuple[float, float, int]:
    """(seconds to the end, seconds to the first text, characters) of one streamed answer."""
    from ftui.core.types import ChatRequest

    request = ChatRequest(model=model, messages=[{"role": "user", "content": PROMPT}],
                          max_completion_tokens=200)
    start = time.perf_counter()
    first: float | None = None
    chars = 0
    async for delta in provider.stream_chat(request):
        if delta.text:
            chars += len(delta.text)
            if first is None:
                first = time.perf_counter() - start
    if not chars:
        raise RuntimeError(f"{model} streamed no text")
    return time.perf_counter() - start, first or 0.0, chars


async def measure(base_url: str, repeats: int) -> dict[str, list[float]]:
    provider = sandbox_provider(base_url)
    times: dict[str, list[float]] = {"a": [], "b": [], "both": [], "first": [], "chars": []}
    try:
        await stream_once(provider, MODELS[0])  # warm the connection pool
        for _ in range(repeats):
            a, first, chars = await stream_once(provider, MODELS[0])
            b, _, _ = await stream_once(provider, MODELS[1])
            start = time.perf_counter()
            await asyncio.gather(stream_once(provider, MODELS[0]), stream_once(provider, MODELS[1]))
            times["both"].append(time.perf_counter() - start)
            times["a"].append(a)
            times["b"].append(b)
            times["first"].append(first)
            times["chars"].append(chars)
    finally:
        await provider.aclose()
    return times


def run(quick: bool = False) -> list[Row]:
    repeats = 1 if quick else 3
    with sandbox(speed=1.0) as base_url:
        t = asyncio.run(measure(base_url, repeats))
    a, b, both = median(t["a"]), median(t["b"]), median(t["both"])
    slower, total = max(a, b), a + b
    return [
        row(NAME, f"{MODELS[0]} alone", a * 1000, "", "ms",
            f"{median(t['chars']):.0f} chars; first text after {median(t['first']) * 1000:.0f} ms"),
        row(NAME, f"{MODELS[1]} alone", b * 1000, "", "ms", ""),
        row(NAME, "both streaming at once", both * 1000, slower * 1000, "ms",
            f"reference: the slower alone; one after the other would be {total * 1000:.0f} ms; "
            f"{both / slower:.2f}x the slower, {both / total:.2f}x the sum; median of {repeats}"),
    ]


if __name__ == "__main__":
    from tests.bench.common import print_rows

    print_rows(run(quick="--quick" in sys.argv))
