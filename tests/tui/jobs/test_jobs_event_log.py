"""The event log with 20,000 events: only visible lines are drawn; follow mode; older history."""

from __future__ import annotations

import time

from textual import events as textual_events
from textual.app import App, ComposeResult

from ftui.core.types import JobEvent
from ftui.widgets.event_log import EventLog


def events(start: int, stop: int) -> list[JobEvent]:
    return [JobEvent(id=f"ev-{i}", created_at=1_795_000_000 + i, level="info",
                     message=f"Step {i}: training loss={1 / (i + 1):.4f}", type="metrics")
            for i in range(start, stop)]


class LogApp(App):
    def compose(self) -> ComposeResult:
        yield EventLog()


async def test_twenty_thousand_events_stay_fast_and_ordered():
    app = LogApp()
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.query_one(EventLog)
        started = time.perf_counter()
        for chunk in range(10_000, 20_000, 500):  # arriving poll by poll
            log.append(events(chunk, chunk + 500))
        await pilot.pause()
        appended = time.perf_counter() - started
        assert len(log.events) == 10_000
        assert log.virtual_size.height == 10_000
        assert log.scroll_y == log.max_scroll_y  # following the newest
        # the full history arrives later, in front, without moving what the reader sees
        log.follow = False
        await pilot.press("up")
        before = log.scroll_y
        log.prepend(events(0, 10_000))
        await pilot.pause()
        assert [e.id for e in log.events] == [f"ev-{i}" for i in range(20_000)]
        assert log.scroll_y == before + 10_000
        assert log.append(events(19_990, 20_000)) == 0  # duplicates never shown twice
        started = time.perf_counter()
        for _ in range(20):
            log.scroll_to(y=0, animate=False, immediate=True)
            await pilot.pause()
            log.scroll_to(y=15_000, animate=False, immediate=True)
            await pilot.pause()
        scrolled = time.perf_counter() - started
        line = log.render_line(0)
        assert "Step 15000" in line.text
        print(f"\n20,000 events: append {appended * 1000:.0f} ms, 40 jumps {scrolled * 1000:.0f} ms")
        await pilot.press("end")
        assert log.follow and log.scroll_y == log.max_scroll_y
        # the mouse wheel up reads back: it scrolls and stops following
        end = log.scroll_y
        log.post_message(textual_events.MouseScrollUp(log, 1, 1, 0, -1, 0, False, False, False))
        await pilot.pause()
        assert not log.follow and log.scroll_y < end
