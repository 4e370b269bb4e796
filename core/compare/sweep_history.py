"""A checkpoint sweep kept in the compare history: one round per prompt and model, with the base
model's answer on the left, so it reopens as its table and exports like any session."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ftui.core.compare.batch import SweepScore, score_sweep
from ftui.core.compare.params import Params
from ftui.core.compare.prompts import PromptExample
from ftui.core.compare.records import Round

_STEP = re.compile(r":ckpt-step-(\d+)$")


def sweep_to_rounds(scores: Sequence[SweepScore], examples: Sequence[PromptExample],
                    params: Params) -> list[Round]:
    """Rounds of base vs every other model of the sweep, model by model, prompt by prompt."""
    base, others = scores[0], scores[1:]
    return [
        Round(left_model=base.model, right_model=s.model, system=ex.system, user=ex.user,
              params=params.to_dict(), left=base.answers[i], right=s.answers[i],
              expected=ex.expected, source=ex.label,
              left_messages=list(ex.messages), right_messages=list(ex.messages))
        for s in others for i, ex in enumerate(examples)
    ]


def step_of(model: str) -> int | None:
    """The step of a checkpoint model (OpenAI names them ...:ckpt-step-N); None for the final one."""
    match = _STEP.search(model)
    return int(match.group(1)) if match else None


def label_of(model: str) -> str:
    step = step_of(model)
    return "final" if step is None else f"step {step}"


def sweep_from_rounds(rounds: Sequence[Round]) -> list[SweepScore]:
    """The scores of a saved sweep, recomputed from its answers (base first)."""
    if not rounds:
        return []
    order: list[str] = []
    by_model: dict[str, list[Round]] = {}
    for r in rounds:
        if r.right_model not in by_model:
            order.append(r.right_model)
            by_model[r.right_model] = []
        by_model[r.right_model].append(r)
    first = by_model[order[0]]
    base = SweepScore(rounds[0].left_model, "base", None, answers=[r.left for r in first])
    scores = [base]
    for model in order:
        scores.append(SweepScore(model, label_of(model), step_of(model),
                                 answers=[r.right for r in by_model[model]]))
    score_sweep(scores, [r.expected for r in first])
    return scores
