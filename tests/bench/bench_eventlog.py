"""A job's event log with 20,000 events: time to show the newest, memory, cost per new batch.

The events are handed to `widgets.event_log.EventLog` in a headless 80x24 app, the way the
job view does after paging them in. Costs are CPU time of the UI thread (the app's event
loop runs on it) from handing events in until the screen has been redrawn, so the idle wait
that lets the redraw happen does not count. Textual's own `Log` widget, given the same lines,
is the reference. A counter of `render_line` calls checks that only visible lines are drawn.
"""

from __future__ import annotations

import asyncio
import sys
import time
import tracemalloc

from tests.bench.common import Row, median, row

NAME = "event log"


def make_events(count: int, start: int = 0) -> list:
    from ftui.core.types import JobEvent

    base = 1_790_000_000
    events = []
    for i in range(start, start + count):
        if i % 10 == 0:
            events.append(JobEvent(id=f"ftevent-{i:08d}", created_at=base + i, level="info",
                                   message=f"Step {i}/100000: training loss={1 / (1 + i / 500):.4f}",
                                   type="metrics", data={"step": i, "train_loss": 1 / (1 + i / 500)}))
        else:
            events.append(JobEvent(id=f"ftevent-{i:08d}", created_at=base + i,
                                   level="warn" if i % 97 == 0 else "info",
                                   message=f"Event {i}: processed batch {i % 400} of the epoch"))
    return events


def line_text(event) -> str:
    return event.message


async def measure(total: int, batches: int, batch_size: int) -> dict:
    from textual.app import App
    from textual.widgets import Log

    from ftui.widgets.event_log import EventLog

    class CountingLog(EventLog):
        lines_drawn = 0

        def render_line(self, y: int):
            CountingLog.lines_drawn += 1
            return super().render_line(y)

    class Bench(App):
        def compose(self):
            yield CountingLog(id="events")
            yield Log(id="reference")

    events = make_events(total)
    more = [make_events(batch_size, total + b * batch_size) for b in range(batches)]
    app = Bench()
    result: dict = {}
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.query_one(CountingLog)
        ref = app.query_one(Log)
        ref.display = False
        await pilot.pause()

        async def timed(action) -> tuple[float, int]:
            """UI-thread CPU seconds for `action` plus the redraw it causes; lines drawn."""
            await pilot.pause()
            CountingLog.lines_drawn = 0
            start = time.thread_time()
            action()
            await pilot.pause()
            return time.thread_time() - start, CountingLog.lines_drawn

        result["show"], result["show_lines"] = await timed(lambda: log.append(events))
        height = log.scrollable_content_region.height
        result["followed"] = events[-1].message in log.render_line(height - 1).text
        if not result["followed"]:
            # Follow mode did not reach the end on this first big append; count what the
            # user then has to do (End) in the time to see the newest.
            extra, lines = await timed(log.action_scroll_end)
            result["show"] += extra
            result["show_lines"] += lines
        shown = log.render_line(height - 1).text
        if events[-1].message not in shown:
            raise RuntimeError(f"newest event not on screen: {shown!r}")
        frames, drawn = [], []
        for batch in more:
            seconds, lines = await timed(lambda batch=batch: log.append(batch))
            frames.append(seconds)
            drawn.append(lines)
        result["frames"], result["frame_lines"] = frames, drawn
        if more and more[-1][-1].message not in log.render_line(height - 1).text:
            raise RuntimeError("follow mode lost the newest event")

        # Memory: a second, fresh log given the same events (traced apart from the timings,
        # since tracing slows every allocation down).
        log.display = False
        second = EventLog()
        await app.mount(second)
        await pilot.pause()
        tracemalloc.start()
        before = tracemalloc.take_snapshot()
        second.append(events)
        await pilot.pause()
        after = tracemalloc.take_snapshot()
        tracemalloc.stop()
        result["memory"] = sum(s.size_diff for s in after.compare_to(before, "filename"))
        await second.remove()

        # The same with Textual's Log (lines of the same text), shown in the same place.
        log.display = False
        ref.display = True
        await pilot.pause()
        ref_start = time.thread_time()
        ref.write_lines([line_text(e) for e in events])
        await pilot.pause()
        result["ref_show"] = time.thread_time() - ref_start
        ref_frames = []
        for batch in more:
            start = time.thread_time()
            ref.write_lines([line_text(e) for e in batch])
            await pilot.pause()
            ref_frames.append(time.thread_time() - start)
        result["ref_frames"] = ref_frames
        result["events_size"] = sum(sys.getsizeof(e) + sys.getsizeof(e.message) for e in events)
        result["height"] = height
    return result


def run(quick: bool = False, *, total: int | None = None) -> list[Row]:
    total = total or 20_000
    batches = 10 if quick else 50
    r = asyncio.run(measure(total, batches, batch_size=20))
    frame = median(r["frames"]) * 1000
    ref_frame = median(r["ref_frames"]) * 1000
    return [
        row(NAME, f"show newest of {total:,} events", r["show"] * 1000, r["ref_show"] * 1000, "ms",
            f"UI-thread CPU, append + redraw at 80x24; {r['show_lines']} lines drawn "
            f"(view {r['height']} high); reference: textual Log with the same lines"
            + ("" if r["followed"] else "; NOTE: follow mode stayed at the top after this first "
               "append, time includes pressing End")),
        row(NAME, "memory added by the widget", r["memory"] / 1e6, r["events_size"] / 1e6, "MB",
            "tracemalloc, during append + first redraw; reference: the JobEvent objects themselves"),
        row(NAME, f"cost per batch of 20 new events (median of {len(r['frames'])})", frame, ref_frame,
            "ms", f"max {max(r['frames']) * 1000:.1f} ms; lines drawn per batch: "
            f"{int(median(r['frame_lines']))}; reference: textual Log"),
    ]


if __name__ == "__main__":
    from tests.bench.common import print_rows

    print_rows(run(quick="--quick" in sys.argv))
