"""JobFollower against the sandbox: order, no duplicates, no gaps, under faults too."""

from __future__ import annotations

import asyncio

from ftui.core.watch import JobFollower
from tests.core_watch.conftest import all_events


async def follow_until_done(follower: JobFollower, timeout: float = 30.0) -> list:
    """Poll like the UI does and collect what each poll hands over, until finished and clean."""
    delivered, errors = [], []

    async def loop():
        while True:
            result = await follower.poll()
            if result.error is not None:
                errors.append(result.error)
            delivered.extend(result.new_events)
            if result.error is None and result.job.finished:
                return
            await asyncio.sleep(follower.next_delay)

    await asyncio.wait_for(loop(), timeout)
    return delivered, errors


async def test_follows_a_job_to_success_in_order_without_duplicates(bare_provider, started_job):
    follower = JobFollower(bare_provider, started_job.id, interval=0.05, page_size=5)
    delivered, errors = await follow_until_done(follower)
    assert errors == []
    truth = await all_events(bare_provider, started_job.id)
    ids = [e.id for e in delivered]
    assert len(ids) == len(set(ids))
    assert ids == [e.id for e in truth]
    assert follower.job.status == "succeeded"
    assert follower.checkpoints and follower.checkpoints == sorted(follower.checkpoints,
                                                                   key=lambda c: c.step_number)
    points = follower.metrics()
    assert points and points[-1].step == points[-1].total_steps
    assert follower.progress() == (points[-1].step, points[-1].total_steps)
    assert follower.polls > 3  # it really saw the job move


async def test_faults_never_duplicate_or_lose_an_event(bare_provider, started_job, slow_sandbox):
    slow_sandbox.set_faults("rate429=0.2,error5xx=0.15,drop=0.1,seed=3,retry_after_ms=10")
    follower = JobFollower(bare_provider, started_job.id, interval=0.02, page_size=4, max_backoff=0.05)
    delivered, errors = await follow_until_done(follower, timeout=60)
    slow_sandbox.set_faults(None)
    assert errors, "the faults should have reached the follower"
    assert {e.status for e in errors if e.status} <= {429, 500, 502, 503}
    truth = await all_events(bare_provider, started_job.id)
    ids = [e.id for e in delivered]
    # The first look may have come late (newest page only); from then on nothing is missing.
    assert ids == [e.id for e in truth[len(truth) - len(ids):]]
    assert len(ids) > 20
    await follower.load_history()
    assert follower.events == truth


async def test_backoff_grows_and_caps_then_recovers(bare_provider, started_job, slow_sandbox):
    follower = JobFollower(bare_provider, started_job.id, interval=1.0, max_backoff=6.0,
                           finished_interval=30.0, hidden_interval=10.0)
    slow_sandbox.set_faults("error5xx=1.0")
    delays = []
    for _ in range(4):
        result = await follower.poll()
        assert result.error is not None and result.error.status in (500, 502, 503)
        delays.append(follower.next_delay)
    assert delays == [2.0, 4.0, 6.0, 6.0]
    assert follower.events == []  # nothing half-done was kept
    slow_sandbox.set_faults(None)
    result = await follower.poll()
    assert result.error is None and follower.next_delay == 1.0
    follower.set_hidden(True)
    assert follower.next_delay == 10.0
    follower.set_hidden(False)
    follower.set_interval(0.05)
    follower.finished_interval = 30.0
    await follow_until_done(follower)
    assert follower.next_delay == 30.0


async def test_polls_never_overlap(bare_provider, started_job):
    follower = JobFollower(bare_provider, started_job.id, interval=0.05)
    first, second = await asyncio.gather(follower.poll(), follower.poll())
    assert (first is None) != (second is None)
    assert follower.polls == 1


async def test_full_history_of_a_long_job_on_demand(bare_provider, started_job):
    await follow_until_done(JobFollower(bare_provider, started_job.id, interval=0.05))
    truth = await all_events(bare_provider, started_job.id)
    assert len(truth) > 30
    # A screen opened after the fact sees only the newest page first...
    late = JobFollower(bare_provider, started_job.id, page_size=10)
    result = await late.poll()
    assert [e.id for e in result.new_events] == [e.id for e in truth[-10:]]
    assert not late.history_complete
    seen = []
    older = await late.load_history(progress=seen.append)
    assert late.history_complete and seen and seen[-1] == len(truth) - 10
    assert [e.id for e in older] == [e.id for e in truth[:-10]]
    assert late.events == truth
    assert await late.load_history() == []


async def test_run_loop_stops_and_wakes(bare_provider, started_job):
    follower = JobFollower(bare_provider, started_job.id, interval=0.05, finished_interval=0.05)
    results = []

    def on_result(result):
        results.append(result)
        if result.job is not None and result.job.finished:
            follower.stop()

    await asyncio.wait_for(follower.run(on_result), 30)
    assert results[-1].job.finished
    assert sum(r.finished_now for r in results) == 1
