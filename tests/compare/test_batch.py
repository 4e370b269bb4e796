"""Batch runs with bounded concurrency and progress; checkpoint sweep; choosing models."""

from __future__ import annotations

import asyncio

import pytest

from ftui.core.compare.batch import best, run_batch, sweep_checkpoints
from ftui.core.compare.models import default_pair, job_of_model, model_choices
from ftui.core.compare.params import Params
from ftui.core.compare.prompts import read_prompts, sample
from ftui.core.compare.stats import tally
from ftui.core.errors import CoreError
from tests.compare.conftest import BASE, HOLDOUT

OTHER = "gpt-4.1-mini-2025-04-14"


class CountingProvider:
    """Our provider, with a count of streams in flight (to see the concurrency bound)."""

    def __init__(self, inner):
        self.inner, self.now, self.most = inner, 0, 0

    async def stream_chat(self, request):
        self.now += 1
        self.most = max(self.most, self.now)
        try:
            async for delta in self.inner.stream_chat(request):
                yield delta
        finally:
            self.now -= 1


async def test_batch_runs_every_prompt_with_bounded_concurrency(slow_provider):
    examples, _ = await read_prompts(HOLDOUT)
    assert len(examples) == 10
    counting = CountingProvider(slow_provider)
    seen: list[tuple[int, int]] = []
    rounds = await run_batch(counting, examples, BASE, OTHER, Params(max_completion_tokens=30),
                             concurrency=2, progress=lambda d, t: seen.append((d, t)))
    assert len(rounds) == 10
    assert [r.user for r in rounds] == [e.user for e in examples]  # file order kept
    assert seen[0] == (0, 10) and seen[-1] == (10, 10)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert counting.most == 4  # 2 pairs in flight, 2 streams each
    assert all(r.left.status == "done" and r.right.status == "done" for r in rounds)
    assert all(r.expected for r in rounds)
    for i, r in enumerate(rounds):
        r.judgement = "right" if i < 7 else "left"
    rate = tally(r.judgement for r in rounds)
    assert rate.rate == pytest.approx(0.7) and rate.low < 0.7 < rate.high


async def test_batch_can_be_cancelled(slow_provider):
    examples, _ = await read_prompts(HOLDOUT)
    done: list[int] = []
    task = asyncio.create_task(run_batch(slow_provider, examples, BASE, BASE, Params(),
                                         concurrency=1, on_round=lambda i, r: done.append(i)))
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(done) < len(examples)


async def test_sweep_scores_base_checkpoints_and_final(provider, tuned, marv_path):
    # On prompts it was trained on, the sandbox fine-tune gives the trained replies back.
    job_id, model = tuned
    examples, _ = await read_prompts(marv_path)
    examples = sample(examples, 4, seed=1)
    steps: list[int] = []
    scores = await sweep_checkpoints(provider, job_id, examples, Params(max_completion_tokens=60),
                                     progress=lambda d, t: steps.append(d))
    labels = [s.label for s in scores]
    assert labels[0] == "base" and any(lbl.startswith("step") for lbl in labels)
    assert steps[-1] == len(scores) * 4
    assert all(s.answered == 4 and s.errors == 0 for s in scores)
    assert all(0 <= s.mean_similarity <= 1 for s in scores)
    top = best(scores)
    assert top is not None and top.label != "base"
    assert top.mean_similarity > 0.9 > scores[0].mean_similarity
    assert top.beats_base == 4


async def test_sweep_refuses_prompts_without_expected_answers(provider, tuned, tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"messages": [{"role": "user", "content": "hi"}]}\n')
    examples, _ = await read_prompts(path)
    with pytest.raises(CoreError, match="no expected answers"):
        await sweep_checkpoints(provider, tuned[0], examples, Params())


async def test_default_pair_and_model_choices(provider, tuned):
    assert await default_pair(provider) == (BASE, tuned[1])
    choices = await model_choices(provider)
    kinds = {c.kind for c in choices}
    assert {"model", "fine-tune", "checkpoint"} <= kinds
    checkpoint = next(c for c in choices if c.kind == "checkpoint")
    assert (await job_of_model(provider, checkpoint.id)).id == tuned[0]
    assert (await job_of_model(provider, tuned[1])).id == tuned[0]


async def test_no_succeeded_job_means_no_default_pair(provider):
    assert await default_pair(provider) is None
