"""The app driven on a big generated dataset (1 GB by default), step by step, as issue 12 tried it:
open, G, search near the end, append, edit, prompt from a dataset, batch sample. Prints each
step's time and the process's RSS after it (and the peak); asserts nothing.

    python -m tests.bench.bench_big_file              # 1 GB (FTUI_BENCH_BIG_MB sets the size)
    python -m tests.bench.bench_big_file --mb 50      # quick
The file is generated into a temp folder and removed afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.common import Row, row

NAME = "big-file"
NEEDLE = "zebrafinch"
REOPENS = 10


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(path: Path, size: int) -> int:
    """Chat examples up to `size` bytes; the needle only in the last hundred lines."""
    system = "You are a support bot for ftui, a terminal workbench for fine-tuning. " * 3
    lines = 0
    with path.open("w", encoding="utf-8") as fh:
        while fh.tell() < size:
            fh.write("".join(json.dumps({"messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": f"How do I do thing number {i}?"},
                {"role": "assistant", "content": f"Press the key for thing {i}, then wait. " * 4}]}) + "\n"
                for i in range(lines, lines + 1000)))
            lines += 1000
        for i in range(100):
            fh.write(json.dumps({"messages": [{"role": "user", "content": f"last {i} {NEEDLE if i == 50 else ''}"},
                                              {"role": "assistant", "content": "ok"}]}) + "\n")
    return lines + 100


async def drive(path: Path, lines: int) -> list[Row]:
    from textual.widgets import Input, TextArea

    from ftui.core.compare.prompts import sample_prompts
    from ftui.core.session import Session
    from ftui.tui.screens.compare.examples import ExamplePicker
    from ftui.tui.screens.data.edit import AppendExampleScreen, EditExampleScreen
    from ftui.tui.shell.app import FtuiApp

    rows: list[Row] = []

    async def until(pilot, condition, limit: float = 900.0) -> None:
        end = time.perf_counter() + limit
        while not condition():
            if time.perf_counter() > end:
                raise TimeoutError("gave up waiting")
            await pilot.pause(0.05)

    def lap(measure: str, started: float, note: str = "") -> None:
        rows.append(row(NAME, measure, time.perf_counter() - started, "", "s",
                        f"RSS {rss_mb():,.0f} MB, peak {peak_mb():,.0f} MB{'; ' + note if note else ''}"))
        print(f"{measure:<28} {rows[-1]['ftui']:8.2f} s   {rows[-1]['note']}", file=sys.stderr)

    app = FtuiApp(Session(None, "openai"), open_path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        t = time.perf_counter()
        await until(pilot, lambda: getattr(app.screen_stack[0], "current_text", ""))
        screen = app.screen_stack[0]
        lap("open: first example", t)
        t = time.perf_counter()
        await pilot.press("G")
        await until(pilot, lambda: screen.line == lines)
        lap("G: last line", t)
        await pilot.press("g")
        await until(pilot, lambda: screen.line == 1)
        t = time.perf_counter()
        await pilot.press("slash")
        await pilot.pause()
        app.screen.query_one(Input).value = NEEDLE
        await pilot.press("enter")
        await until(pilot, lambda: screen.line == lines - 49)
        lap("search near the end", t)
        await until(pilot, lambda: not screen.validating)  # the rest alone on the CPU
        t = time.perf_counter()
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AppendExampleScreen))
        form = app.screen
        form.query_one("#append-user", TextArea).text = "A question added by the benchmark?"
        form.query_one("#append-assistant", TextArea).text = "An answer."
        await pilot.press("f2")
        await until(pilot, lambda: app.screen is not form)
        lap("append (F2 to written)", t)
        await pilot.press("g")
        await until(pilot, lambda: screen.line == 1 and screen.current_text)
        t = time.perf_counter()
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, EditExampleScreen))
        form = app.screen
        area = form.query_one("#edit-json", TextArea)
        area.text = area.text.replace("thing number 0", "thing number zero")
        await pilot.press("f2")
        await until(pilot, lambda: app.screen is not form)
        lap("edit line 1 (F2 to written)", t)
        await until(pilot, lambda: not screen.validating)
        before, t = rss_mb(), time.perf_counter()
        for _ in range(REOPENS):  # issue 12 saw ~10 MB kept per reopen of a 1 GB file
            old_reader = screen.reader
            screen.action_reload()
            await until(pilot, lambda old=old_reader: screen.reader is not old and screen.current_text)
            await until(pilot, lambda: not screen.validating)
        lap(f"reopen x{REOPENS}, validated", t, f"RSS {(rss_mb() - before) / REOPENS:+,.1f} MB per reopen")
        t = time.perf_counter()
        picker = ExamplePicker(path)
        app.push_screen(picker)
        await until(pilot, lambda: picker.examples)
        lap("prompt from dataset: listed", t)
        await until(pilot, lambda: picker.indexed is not None)
        lap("prompt from dataset: indexed", t)
        picker.dismiss(None)
        await pilot.pause()
        t = time.perf_counter()
        sample, _ = await sample_prompts(path, 20, seed=1)
        lap("batch sample of 20", t, f"{len(sample)} prompts")
    return rows


def run(quick: bool = False, mb: float | None = None) -> list[Row]:
    size_mb = mb or float(os.environ.get("FTUI_BENCH_BIG_MB") or (20 if quick else 1000))
    with tempfile.TemporaryDirectory(prefix="ftui-bench-big-") as folder:
        os.environ.setdefault("FTUI_DATA_DIR", str(Path(folder) / "ftui-data"))
        path = Path(folder) / "big.jsonl"
        t = time.perf_counter()
        lines = generate(path, int(size_mb * 1_000_000))
        print(f"generated {path.stat().st_size / 2**20:,.0f} MiB, {lines:,} lines in "
              f"{time.perf_counter() - t:.1f} s", file=sys.stderr)
        return asyncio.run(drive(path, lines))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=None, help="size of the generated file in MB")
    args = parser.parse_args()
    from tests.bench.common import print_rows

    print_rows(run(mb=args.mb))
