"""A dataset over the validator's process-pool threshold validates in the app, the path the user
takes, with its progress bar moving to the end (not only `ftui validate`)."""

from __future__ import annotations

import time

from ftui.core.dataset.validate import PARALLEL_MIN_BYTES
from tests.tui.data.test_data_support import chat_line, data_screen, make_app


def write_big_dataset(path, size: int) -> None:
    """Chat examples sharing one long system prompt (as real datasets do), each with its own
    question and answer, so no cache makes the check instant."""
    system = "You are a support bot for ftui. " * 50
    with path.open("w", encoding="utf-8") as fh:
        i = 0
        while fh.tell() < size:
            fh.write("\n".join(chat_line(n, system=system) for n in range(i, i + 2000)) + "\n")
            i += 2000


async def test_a_file_over_the_pool_threshold_validates_in_the_app(tmp_path):
    path = tmp_path / "big.jsonl"
    write_big_dataset(path, PARALLEL_MIN_BYTES + (2 << 20))
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = data_screen(app)
        bar = screen.query_one("#data-progress")
        # Every value the bar is given (70 MB can take under a second: too quick to catch by looking).
        seen: set[float] = set()
        given = bar.update

        def record(**kwargs):
            if kwargs.get("progress"):
                seen.add(kwargs["progress"])
            return given(**kwargs)

        bar.update = record
        started = time.perf_counter()
        while screen.validating or not screen.report:
            await pilot.pause(0.05)
            assert not [n for n in app._notifications if n.severity == "error"], "validation failed"
            assert time.perf_counter() - started < 120, f"stuck at {bar.progress} of {bar.total}"
        print(f"\nvalidated {path.stat().st_size / 2**20:.0f} MiB in the app in {time.perf_counter() - started:.1f} s")
        assert len({p for p in seen if 0 < p < bar.total}) >= 2  # the bar moved, more than once
        assert screen.report.valid and screen.report.examples > 10_000
