"""Many prompts through both models with bounded concurrency, progress and cancellation;
and a sweep of a job's checkpoints scored by similarity to the expected answers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ftui.core.compare.diff import similarity
from ftui.core.compare.pane import PaneResult, run_pair, stream_pane
from ftui.core.compare.params import Params
from ftui.core.compare.prompts import PromptExample
from ftui.core.compare.records import Round
from ftui.core.errors import CoreError
from ftui.core.provider import Provider
from ftui.core.retries import reporting_retries

Progress = Callable[[int, int], None]  # (done, total)


async def run_batch(provider: Provider, examples: Sequence[PromptExample], left_model: str,
                    right_model: str, params: Params, *, concurrency: int = 4,
                    progress: Progress | None = None,
                    on_round: Callable[[int, Round], None] | None = None,
                    right_provider: Provider | None = None,
                    on_retry: Callable[[int, int], None] | None = None) -> list[Round]:
    """Every example to both models, at most `concurrency` pairs in flight (the right model on
    `right_provider` when given, e.g. another profile's account). Rounds come back in
    the examples' order; `on_round(i, round)` reports each as it finishes. Cancel the awaiting
    task to stop: pairs in flight are cancelled too. `on_retry(i, attempt)` reports each retry the SDK
    makes on its own for example i (429, 5xx, a dropped connection), which would look like a stall."""
    gate = asyncio.Semaphore(max(1, concurrency))
    rounds: list[Round | None] = [None] * len(examples)
    done = 0

    async def one(i: int, example: PromptExample) -> None:
        nonlocal done
        async with gate:
            retries = reporting_retries(lambda attempt: on_retry(i, attempt)) if on_retry \
                else contextlib.nullcontext()
            with retries:
                left, right = await run_pair(provider, params.request(left_model, example.messages),
                                             params.request(right_model, example.messages),
                                             right_provider=right_provider)
        r = Round(left_model=left_model, right_model=right_model, system=example.system,
                  user=example.user, params=params.to_dict(), left=left, right=right,
                  expected=example.expected, source=example.label,
                  left_messages=list(example.messages), right_messages=list(example.messages))
        rounds[i] = r
        done += 1
        if on_round:
            on_round(i, r)
        if progress:
            progress(done, len(examples))

    if progress:
        progress(0, len(examples))
    await _all_or_none([one(i, ex) for i, ex in enumerate(examples)])
    return [r for r in rounds if r is not None]


async def _all_or_none(coros) -> None:
    tasks = [asyncio.create_task(c) for c in coros]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


@dataclass
class SweepScore:
    """How close one model's answers came to the expected ones."""

    model: str
    label: str  # "base", "step 10", "final"
    step: int | None
    mean_similarity: float = 0.0
    beats_base: int = 0  # prompts where it is closer to expected than the base model
    answered: int = 0
    errors: int = 0
    # One per prompt; None where a saved sweep kept no answer for it (score_sweep skips those).
    answers: list[PaneResult | None] = field(default_factory=list)


async def sweep_checkpoints(provider: Provider, job_id: str, examples: Sequence[PromptExample],
                            params: Params, *, concurrency: int = 4,
                            progress: Progress | None = None) -> list[SweepScore]:
    """The job's base model, each checkpoint and the final model on the same prompts, each scored
    by mean word similarity to the expected answers. Best first is left to the caller."""
    job = await provider.retrieve_job(job_id)
    if job.status != "succeeded" and not job.fine_tuned_model:
        raise CoreError(f"job {job_id} is {job.status}; sweep a succeeded job", kind="input")
    checkpoints = (await provider.list_checkpoints(job_id, limit=100)).items
    if not any(ex.expected for ex in examples):
        raise CoreError("these prompts have no expected answers to score against", kind="input",
                        hint="use a held-out file whose lines end with an assistant reply")
    scores = [SweepScore(job.model, "base", None)]
    for cp in sorted(checkpoints, key=lambda c: c.step_number):
        scores.append(SweepScore(cp.model, f"step {cp.step_number}", cp.step_number))
    if job.fine_tuned_model and all(s.model != job.fine_tuned_model for s in scores):
        scores.append(SweepScore(job.fine_tuned_model, "final", None))

    gate = asyncio.Semaphore(max(1, concurrency))
    total = len(scores) * len(examples)
    done = 0
    for s in scores:
        s.answers = [PaneResult(model=s.model) for _ in examples]

    async def one(s: SweepScore, i: int, example: PromptExample) -> None:
        nonlocal done
        async with gate:
            s.answers[i] = await stream_pane(provider, params.request(s.model, example.messages))
        done += 1
        if progress:
            progress(done, total)

    if progress:
        progress(0, total)
    await _all_or_none([one(s, i, ex) for s in scores for i, ex in enumerate(examples)])

    score_sweep(scores, [ex.expected for ex in examples])
    return scores


def score_sweep(scores: Sequence[SweepScore], expected: Sequence[str | None]) -> None:
    """Fill each score's similarity figures from its answers; `scores[0]` is the base model."""
    base = scores[0]
    for s in scores:
        s.mean_similarity, s.beats_base, s.answered, s.errors = 0.0, 0, 0, 0
        sims = []
        for i, want in enumerate(expected):
            answer = s.answers[i]
            if answer is None or (answer.error and not answer.text):
                s.errors += 1
                continue
            s.answered += 1
            sim = similarity(answer.text, want or "")
            sims.append(sim)
            base_answer = base.answers[i]
            base_text = base_answer.text if base_answer is not None else ""
            if s is not base and sim > similarity(base_text, want or ""):
                s.beats_base += 1
        s.mean_similarity = sum(sims) / len(sims) if sims else 0.0


def best(scores: Sequence[SweepScore]) -> SweepScore | None:
    candidates = [s for s in scores if s.answered]
    return max(candidates, key=lambda s: s.mean_similarity) if candidates else None
