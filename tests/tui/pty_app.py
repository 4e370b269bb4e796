"""ftui as a user runs it: a real process on a pseudo-terminal of 80x24, driven by keystrokes.

For what the headless test driver cannot do (handing the terminal to another program).
"""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"f2": "\x1bOQ", "f4": "\x1bOS", "ctrl+q": "\x11", "escape": "\x1b"}


class PtyApp:
    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        env = {**env, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24",
               "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen([sys.executable, "-m", "ftui.tui", *args], stdin=slave, stdout=slave,
                                     stderr=slave, env=env, cwd=cwd, start_new_session=True,
                                     close_fds=True)
        os.close(slave)
        self.seen = b""

    def _read(self, seconds: float) -> None:
        ready, _, _ = select.select([self.master], [], [], seconds)
        if ready:
            try:
                self.seen += os.read(self.master, 65536)
            except OSError:  # the process closed the terminal
                time.sleep(seconds)

    def wait_for(self, text: str, timeout: float = 30.0) -> None:
        """Until `text` has been drawn since the last `press` (or the start)."""
        marker = text.encode()
        end = time.monotonic() + timeout
        while marker not in self.seen:
            if time.monotonic() > end:
                raise AssertionError(f"{text!r} never shown; last output: {self.seen[-400:]!r}")
            if self.proc.poll() is not None:
                raise AssertionError(f"ftui exited ({self.proc.returncode}): {self.seen[-400:]!r}")
            self._read(0.1)

    def press(self, *keys: str) -> None:
        self.seen = b""
        for key in keys:
            os.write(self.master, KEYS.get(key, key).encode())
            time.sleep(0.05)

    def close(self) -> int:
        """Quit the way a user does; returns the exit code."""
        try:
            os.write(self.master, KEYS["ctrl+q"].encode())
        except OSError:
            pass
        end = time.monotonic() + 15
        while self.proc.poll() is None and time.monotonic() < end:
            self._read(0.1)
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        os.close(self.master)
        return self.proc.returncode
