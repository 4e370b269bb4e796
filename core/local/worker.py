"""The training child process: `python -m ftui.core.local.worker JOB.json`.

It trains one job and speaks JSON lines on its stdout (the protocol below); anything libraries print goes
to stderr, which the engine keeps in a log. On stdin it reads `pause` and `resume`: pause takes effect at
the next step boundary (the resume state is saved, then it holds with the optimizer in memory); resume
continues the same optimizer. When stdin closes (the server died) it exits, so no orphan keeps training.

Lines out: {"type": "started" | "metrics" | "message" | "warning" | "checkpoint" | "paused" | "resumed" |
"done" | "error", ...}; with --measure, a few timed steps and one {"type": "measured", ...} line.
Exit status: 0 done, 2 bad model or data, 3 out of memory, 1 anything else.

Several processes: each rank is this same module with torchrun's environment (RANK, WORLD_SIZE,
LOCAL_RANK, MASTER_ADDR, MASTER_PORT). Rank 0 speaks the protocol and reads pause/resume; the trainer
passes its pause flag to the other ranks. Every rank exits when its stdin closes, and a rank whose
collective fails because a peer is gone says so with the code "peer_lost", so the engine can name the
rank that really failed.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from ftui.core.local.distributed import Ranks

EXIT_BAD_INPUT, EXIT_OUT_OF_MEMORY, EXIT_CRASH, EXIT_ORPHANED = 2, 3, 1, 4
PAUSE_POLL_SECONDS = 0.2  # while paused, rank 0 tells the other ranks this often that it still is


class Channel:
    """The protocol stream (a private copy of fd 1) and the pause state read from stdin."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._lock = threading.Lock()
        self._wake = threading.Condition()
        self.paused = False

    def send(self, event: dict[str, Any]) -> None:
        line = json.dumps(event)
        with self._lock:
            self._out.write(line + "\n")
            self._out.flush()

    def read_commands(self, stdin: TextIO) -> None:
        for line in stdin:
            command = line.strip()
            with self._wake:
                if command == "pause":
                    self.paused = True
                elif command == "resume":
                    self.paused = False
                self._wake.notify_all()
        os._exit(EXIT_ORPHANED)  # stdin closed: the engine that owned this run is gone

    def is_paused(self) -> bool:
        with self._wake:
            return self.paused

    def wait_a_moment(self) -> None:
        """Until a command arrives or PAUSE_POLL_SECONDS pass."""
        with self._wake:
            if self.paused:
                self._wake.wait(PAUSE_POLL_SECONDS)


def _protocol_stream() -> TextIO:
    """Keep fd 1 for the protocol and point fd 1 at stderr, so stray prints cannot corrupt it."""
    sys.stdout.flush()
    private = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(private, "w", encoding="utf-8", buffering=1)


# What running out says: CUDA's OutOfMemoryError ("CUDA out of memory"), PyTorch's CPU allocator
# ("DefaultCPUAllocator: can't allocate memory ... Error code 12 (Cannot allocate memory)"), Python's own.
_OUT_OF_MEMORY_WORDS = ("out of memory", "can't allocate memory", "cannot allocate memory")


def _is_out_of_memory(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryError" or \
        any(words in text for words in _OUT_OF_MEMORY_WORDS)


def main(argv: list[str]) -> int:
    from ftui.core.local.measure import MEASURE_FLAG

    measuring = argv[:1] == [MEASURE_FLAG]  # a short warm-up that reports the speed, not a job
    argv = argv[1:] if measuring else argv
    if len(argv) != 1:
        print(f"usage: python -m ftui.core.local.worker [{MEASURE_FLAG}] JOB.json", file=sys.stderr)
        return EXIT_BAD_INPUT
    channel = Channel(_protocol_stream())
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    threading.Thread(target=channel.read_commands, args=(sys.stdin,), daemon=True).start()
    from ftui.core.local.collate import CollateError
    from ftui.core.local.distributed import is_peer_lost, ranks_from_env
    from ftui.core.local.models import LocalModelError

    ranks = ranks_from_env()
    try:
        from ftui.core.local import distributed
        from ftui.core.local.trainer import Trainer, TrainJob

        job = TrainJob.load(Path(argv[0]))
        ranks = distributed.start(ranks, job.device)
        trainer = Trainer(job, channel.send, ranks=ranks)
        if measuring:
            from ftui.core.local.measure import measure

            channel.send(measure(trainer))
        else:
            trainer.between_steps = lambda step: trainer.hold_if_paused(step, channel.is_paused,
                                                                        channel.wait_a_moment)
            trainer.run()
    except (LocalModelError, CollateError) as exc:
        channel.send({"type": "error", "code": "invalid_training_file" if isinstance(exc, CollateError)
                      else "invalid_model", "message": str(exc)})
        return EXIT_BAD_INPUT
    except BaseException as exc:  # noqa: BLE001 -- the engine turns this line into the job's error
        if _is_out_of_memory(exc):
            channel.send({"type": "error", "code": "out_of_memory", "message":
                          "Training ran out of memory; try a smaller batch_size or a smaller model."})
            return EXIT_OUT_OF_MEMORY
        import traceback

        traceback.print_exc()  # to stderr, the worker log, for whoever debugs it
        if ranks.distributed and is_peer_lost(exc):
            channel.send({"type": "error", "code": "peer_lost", "rank": ranks.rank,
                          "message": f"Training process rank {ranks.rank} lost its peers: {exc}"})
            return EXIT_CRASH
        channel.send({"type": "error", "code": "server_error",
                      "message": f"Training crashed: {type(exc).__name__}: {exc}"})
        return EXIT_CRASH
    return _leave_group(ranks)


def _leave_group(ranks: Ranks) -> int:
    """After a finished run: its results are written, so a peer gone by now only goes to the log."""
    from ftui.core.local import distributed

    try:
        distributed.stop(ranks)
    except Exception:  # noqa: BLE001
        import traceback

        traceback.print_exc()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
