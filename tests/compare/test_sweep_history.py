"""A checkpoint sweep saved as rounds and read back: the same labels and scores."""

from __future__ import annotations

from ftui.core.compare.batch import SweepScore, score_sweep
from ftui.core.compare.pane import PaneResult
from ftui.core.compare.params import Params
from ftui.core.compare.prompts import PromptExample
from ftui.core.compare.sweep_history import label_of, sweep_from_rounds, sweep_to_rounds

BASE = "gpt-4o-mini-2024-07-18"
FINAL = "ft:gpt-4o-mini-2024-07-18:org:marv:abc123"


def answer(model: str, text: str, error: str | None = None) -> PaneResult:
    return PaneResult(model=model, choices=[text], error=error, status="error" if error else "done")


def test_a_sweep_survives_the_round_trip_through_rounds():
    examples = [PromptExample(line=i + 1, messages=[{"role": "user", "content": f"q{i}"}],
                              expected=want, source="held.jsonl")
                for i, want in enumerate(["paris is the capital", "shakespeare wrote it", "about 384000 km"])]
    step = f"{FINAL}:ckpt-step-20"
    scores = [
        SweepScore(BASE, "base", None, answers=[answer(BASE, "no idea"), answer(BASE, "a poet"),
                                                 answer(BASE, "far")]),
        SweepScore(step, "step 20", 20, answers=[answer(step, "paris"), answer(step, "", "timeout"),
                                                 answer(step, "far away")]),
        SweepScore(FINAL, "final", None, answers=[answer(FINAL, "paris is the capital"),
                                                  answer(FINAL, "shakespeare wrote it"),
                                                  answer(FINAL, "about 384000 km")]),
    ]
    score_sweep(scores, [ex.expected for ex in examples])
    rounds = sweep_to_rounds(scores, examples, Params())
    assert len(rounds) == 2 * 3 and {r.left_model for r in rounds} == {BASE}
    assert [r.right_model for r in rounds[:3]] == [step] * 3 and rounds[0].source == "held.jsonl:1"
    back = sweep_from_rounds(rounds)
    assert [(s.model, s.label, s.step) for s in back] == [(s.model, s.label, s.step) for s in scores]
    assert [(s.mean_similarity, s.beats_base, s.answered, s.errors) for s in back] == \
        [(s.mean_similarity, s.beats_base, s.answered, s.errors) for s in scores]
    assert back[2].mean_similarity == 1.0 and back[2].beats_base == 3
    assert back[1].errors == 1 and back[1].answered == 2
    assert sweep_from_rounds([]) == []


def test_labels_come_from_openai_checkpoint_names():
    assert label_of(f"{FINAL}:ckpt-step-88") == "step 88"
    assert label_of(FINAL) == "final"
