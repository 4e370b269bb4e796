"""Two models at once over the sandbox: streams interleave, n > 1, stop, faults, 404."""

from __future__ import annotations

import time

from ftui.core.compare.pane import run_pair, stream_pane
from ftui.core.compare.params import Params
from ftui.core.server.faults import FaultDice, Faults
from tests.compare.conftest import BASE

MSGS = [{"role": "system", "content": "Marv is a factual chatbot that is also sarcastic."},
        {"role": "user", "content": "Tell me something about the ocean and its many waves"}]


async def test_both_sides_stream_at_the_same_time(slow_provider):
    params = Params(max_completion_tokens=40)
    order: list[str] = []
    left, right = await run_pair(slow_provider, params.request(BASE, MSGS),
                                 params.request("gpt-4.1-mini-2025-04-14", MSGS),
                                 lambda side, r: order.append(side))
    assert left.status == right.status == "done"
    assert left.text and right.text
    # Interleaved: the sides alternate many times, not one whole stream after the other.
    switches = sum(1 for a, b in zip(order, order[1:]) if a != b)
    assert switches >= 6, order
    for r in (left, right):
        assert r.ttft is not None and r.total is not None and 0 < r.ttft <= r.total
        assert r.usage is not None and r.usage.completion_tokens > 0
        assert r.finish_reasons == ["stop"] or r.finish_reasons == ["length"]


async def test_n_choices_and_stop_sequences(provider):
    full = await stream_pane(provider, Params(temperature=1.0).request(BASE, MSGS))
    words = full.text.split()
    assert len(words) > 3
    stop_word = words[2]
    cut = await stream_pane(provider, Params(temperature=1.0, stop=[stop_word]).request(BASE, MSGS))
    assert stop_word not in cut.text and full.text.startswith(cut.text.rstrip())
    many = await stream_pane(provider, Params(n=3, temperature=1.0).request(BASE, MSGS))
    assert len(many.choices) == 3 and all(many.choices)
    assert many.finish_reasons == ["stop"] * 3 and many.status == "done"


def _one_of_two_cut_seed() -> int:
    """A fault seed whose first chat request is cut and the second is not (either may be first)."""
    for seed in range(200):
        dice = FaultDice(Faults(cut_stream=0.5, seed=seed))
        first = dice.roll(0.5)
        if first:
            dice.fraction()
        if first and not dice.roll(0.5):
            return seed
    raise AssertionError("no seed found")


async def test_a_broken_stream_keeps_its_text_and_the_other_side_completes(provider, sandbox):
    sandbox.set_faults(Faults(cut_stream=0.5, seed=_one_of_two_cut_seed()))
    params = Params(max_completion_tokens=60)
    left, right = await run_pair(provider, params.request(BASE, MSGS), params.request(BASE, MSGS))
    broken = [r for r in (left, right) if r.status == "error"]
    fine = [r for r in (left, right) if r.status == "done"]
    assert len(broken) == 1 and len(fine) == 1
    assert "broke off" in broken[0].error
    assert len(broken[0].text) < len(fine[0].text)
    assert fine[0].error is None


async def test_a_missing_model_says_404_and_the_other_side_answers(provider):
    params = Params(max_completion_tokens=20)
    left, right = await run_pair(provider, params.request("ft:gpt-4o-mini:gone:abc123", MSGS),
                                 params.request(BASE, MSGS))
    assert left.status == "error" and "404" in left.error and "not found" in left.error
    assert left.text == ""
    assert right.status == "done" and right.text


async def test_rate_limit_is_reported_in_place(provider, sandbox):
    sandbox.set_faults(Faults(rate429=1.0, retry_after_ms=1))
    start = time.perf_counter()
    r = await stream_pane(provider, Params().request(BASE, MSGS))
    assert r.status == "error" and "429" in r.error
    assert time.perf_counter() - start < 20


async def test_an_empty_answer_is_called_out(provider):
    # The base model's answer starts with "Happy", so this stop sequence leaves nothing.
    r = await stream_pane(provider, Params(stop=["Happy"]).request(BASE, MSGS))
    assert r.status == "error" and r.text == ""
    assert "empty answer" in r.error
