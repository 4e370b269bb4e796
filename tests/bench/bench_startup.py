"""Start-up time: launching `ftui --sandbox` until its first frame is on the terminal.

Method (the same for ftui and for the reference, a minimal Textual app with one Static):
spawn the command on a pseudo-terminal of 80x24 with the real terminal driver, read what it
writes, and stop the clock when a text that only the first full frame contains shows up
(ftui: the sandbox badge in the status header; the reference: its Static's text). Then
send ctrl+q and reap it. Each is run `repeats` times, alternating, and the median reported.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

from tests.bench.common import PYTHON, Row, bench_env, median, ratio_note, row

NAME = "startup"
FTUI_MARKER = b"simulated training"
SETUP_MARKER = b"No OpenAI API key"  # `ftui` with no key opens on the setup screen
# What comes after the first frame: the picker's folder list (a file the bench puts in the
# working folder) and, with a file named, its first example.
TREE_MARKER = b"zebra-train"  # the tree draws a name's extension in its own style
EXAMPLE_MARKER = b"Marv is a factual chatbot"
MINIMAL_MARKER = b"MINIMAL-APP-READY"
MINIMAL_APP = f"""
from textual.app import App
from textual.widgets import Static

class Minimal(App):
    def compose(self):
        yield Static({MINIMAL_MARKER.decode()!r})

Minimal().run()
"""


# Where ftui's start-up goes: each step timed in a fresh process, after the steps before it.
BREAKDOWN = """
import json, time
steps = []
def step(name, fn):
    start = time.perf_counter(); fn(); steps.append((name, time.perf_counter() - start))
step("import textual.app", lambda: __import__("textual.app"))
step("import openai", lambda: __import__("openai"))
step("import core.server.runner (aiohttp)", lambda: __import__("ftui.core.server.runner"))
step("import tui.app (screens, widgets, core)", lambda: __import__("ftui.tui.shell.app"))
from ftui.core.server.runner import SandboxThread
sandbox = SandboxThread()
step("start the sandbox thread", sandbox.start)
sandbox.stop()
print(json.dumps(steps))
"""


def breakdown(env: dict[str, str], cwd: Path) -> list[tuple[str, float]]:
    done = subprocess.run([PYTHON, "-c", BREAKDOWN], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip()[-300:])
    return [(name, seconds) for name, seconds in json.loads(done.stdout.strip().splitlines()[-1])]


def _set_size(fd: int, rows: int = 24, cols: int = 80) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def _drain(master: int, seconds: float) -> bytes:
    """Read whatever the child writes for up to `seconds` (so it never blocks on a full pty)."""
    out = b""
    end = time.perf_counter() + seconds
    while (left := end - time.perf_counter()) > 0:
        ready, _, _ = select.select([master], [], [], left)
        if not ready:
            continue
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        out += data
    return out


def time_to_first_frame(argv: list[str], marker: bytes, env: dict[str, str], cwd: Path,
                        timeout: float = 60.0) -> float:
    """Seconds from spawning `argv` on an 80x24 pty until `marker` appears in its output."""
    master, slave = os.openpty()
    _set_size(slave)
    env = {**env, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd,
                            start_new_session=True, close_fds=True)
    os.close(slave)
    seen = b""
    elapsed: float | None = None
    try:
        while elapsed is None:
            left = start + timeout - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"no first frame within {timeout:.0f} s: {seen[-300:]!r}")
            ready, _, _ = select.select([master], [], [], left)
            if not ready:
                continue
            try:
                data = os.read(master, 65536)
            except OSError:
                data = b""
            if not data:
                raise RuntimeError(f"exited (code {proc.poll()}) before its first frame: "
                                   f"{seen[-300:]!r}")
            seen += data
            if marker in seen[-(len(data) + len(marker)):]:
                elapsed = time.perf_counter() - start
        return elapsed
    finally:
        _stop(proc, master)


def _stop(proc: subprocess.Popen, master: int) -> None:
    """Quit the way a user does (ctrl+q); terminate only this child if it does not go."""
    try:
        os.write(master, b"\x11")
    except OSError:
        pass
    deadline = time.perf_counter() + 10
    while proc.poll() is None and time.perf_counter() < deadline:
        _drain(master, 0.1)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # the process group this function started
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    os.close(master)


def run(quick: bool = False, *, repeats: int | None = None) -> list[Row]:
    repeats = repeats or (2 if quick else 5)
    ftui_times: list[float] = []
    ref_times: list[float] = []
    setup_times: list[float] = []
    file_times: list[float] = []
    tree_times: list[float] = []
    example_times: list[float] = []
    dataset = Path(__file__).resolve().parents[2] / "examples" / "marv.jsonl"
    with tempfile.TemporaryDirectory(prefix="ftui-bench-startup-") as tmp:
        home = Path(tmp)
        env = bench_env(home)
        script = home / "minimal_app.py"
        script.write_text(MINIMAL_APP)
        work = home / "work"
        work.mkdir()
        (work / f"{TREE_MARKER.decode()}.jsonl").write_bytes(dataset.read_bytes())
        ftui_argv = [PYTHON, "-m", "ftui.tui", "--sandbox", "--data-dir", str(home / "sandbox")]
        # One untimed run of each warms the OS file cache and writes .pyc files, so the
        # figures compare the apps rather than the first read of the disk.
        time_to_first_frame([PYTHON, str(script)], MINIMAL_MARKER, env, work)
        time_to_first_frame(ftui_argv, FTUI_MARKER, env, work)
        for _ in range(repeats):
            ref_times.append(time_to_first_frame([PYTHON, str(script)], MINIMAL_MARKER, env, work))
            ftui_times.append(time_to_first_frame(ftui_argv, FTUI_MARKER, env, work))
            setup_times.append(time_to_first_frame([PYTHON, "-m", "ftui.tui"], SETUP_MARKER, env, work))
            file_times.append(time_to_first_frame(ftui_argv + [str(dataset)], FTUI_MARKER, env, work))
            tree_times.append(time_to_first_frame(ftui_argv, TREE_MARKER, env, work))
            example_times.append(time_to_first_frame(ftui_argv + [str(dataset)], EXAMPLE_MARKER, env,
                                                     work))
        steps = [breakdown(env, work) for _ in range(min(repeats, 3))]
    ftui_ms, ref_ms = median(ftui_times) * 1000, median(ref_times) * 1000
    setup_ms = median(setup_times) * 1000
    file_ms = median(file_times) * 1000
    how = f"median of {repeats}, 80x24 pty, to first frame"
    return [
        row(NAME, "ftui --sandbox to first frame", ftui_ms, ref_ms, "ms",
            f"{how}; reference: minimal Textual app; {ratio_note(ftui_ms, ref_ms, aim=1.5)}"),
        row(NAME, "ftui --sandbox examples/marv.jsonl to first frame", file_ms, ref_ms, "ms",
            f"what `make demo` runs: the file opens, no picker; {ratio_note(file_ms, ref_ms, aim=1.5)}"),
        row(NAME, "ftui with no key to first frame (setup screen)", setup_ms, ref_ms, "ms",
            f"no sandbox started; {ratio_note(setup_ms, ref_ms, aim=1.5)}"),
        row(NAME, "ftui --sandbox until the folder list is filled", median(tree_times) * 1000, "",
            "ms", "after the first frame: the picker lists the folder once the frame is out"),
        row(NAME, "ftui --sandbox examples/marv.jsonl until its first example shows",
            median(example_times) * 1000, "", "ms", "the file is opened and read in a worker"),
        row(NAME, "spread ftui --sandbox (min-max)", f"{min(ftui_times) * 1000:.0f}-{max(ftui_times) * 1000:.0f}",
            f"{min(ref_times) * 1000:.0f}-{max(ref_times) * 1000:.0f}", "ms", ""),
    ] + [
        row(NAME, f"  part: {name}", median([run[i][1] for run in steps]) * 1000, "", "ms",
            "incremental, after the steps above; median of " + str(len(steps)))
        for i, (name, _) in enumerate(steps[0])
    ]


if __name__ == "__main__":
    from tests.bench.common import print_rows

    print_rows(run(quick="--quick" in sys.argv))
