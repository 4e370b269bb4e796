"""The SDK's own retries (a 429 here) are reported per batch row, so the batch screen can show them instead of
looking stuck; through a provider made by core.connect, as the app makes it, against the sandbox over HTTP."""

from __future__ import annotations

from ftui.core.compare.batch import run_batch
from ftui.core.compare.params import Params
from ftui.core.compare.prompts import read_prompts
from ftui.core.connect import make_provider
from ftui.core.server.faults import FaultDice, Faults
from ftui.core.settings import load_settings
from tests.compare.conftest import BASE, HOLDOUT


class OnceDice(FaultDice):
    """The sandbox's dice, firing its fault once, then never."""

    def __init__(self, faults: Faults) -> None:
        super().__init__(faults)
        self.fired = 0

    def roll(self, share: float) -> bool:
        if self.fired or not super().roll(share):
            return False
        self.fired += 1
        return True


async def test_a_429_retried_by_the_sdk_is_reported_for_its_row(sandbox_factory):
    sandbox = sandbox_factory()
    provider = make_provider(load_settings("sandbox", env={}), sandbox_base_url=sandbox.base_url)
    examples, _ = await read_prompts(HOLDOUT)
    retries: list[tuple[int, int]] = []
    try:
        sandbox.handle.ctx.dice = OnceDice(Faults(rate429=1.0, retry_after_ms=20))
        rounds = await run_batch(provider, examples[:3], BASE, BASE, Params(max_completion_tokens=20),
                                 concurrency=1, on_retry=lambda i, attempt: retries.append((i, attempt)))
    finally:
        await provider.aclose()
    assert sandbox.handle.ctx.dice.fired == 1
    assert retries == [(0, 1)]  # the first row's first call was refused once, then retried by the SDK
    assert all(r.left.text and r.right.text and not r.left.error for r in rounds)


async def test_no_retries_no_reports(sandbox_factory):
    sandbox = sandbox_factory()
    provider = make_provider(load_settings("sandbox", env={}), sandbox_base_url=sandbox.base_url)
    examples, _ = await read_prompts(HOLDOUT)
    retries: list[tuple[int, int]] = []
    try:
        await run_batch(provider, examples[:2], BASE, BASE, Params(max_completion_tokens=20),
                        on_retry=lambda i, attempt: retries.append((i, attempt)))
    finally:
        await provider.aclose()
    assert retries == []
