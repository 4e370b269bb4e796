"""When the validator starts worker processes: only for big files and only when cores are idle, since
workers cost CPU of their own and buy time only where no other program wants the cores."""

from __future__ import annotations

import os

from ftui.core.dataset.pool import idle_cores, load_average, pool_workers, usable_cores
from ftui.core.dataset.validate import MAX_WORKERS, PARALLEL_MIN_BYTES, _auto_workers

BIG = PARALLEL_MIN_BYTES * 2


def test_idle_cores_are_the_cores_less_the_load():
    assert idle_cores(cores=2, load=0.0) == 2
    assert idle_cores(cores=2, load=0.4) == 2  # less than half a core in use: still idle
    assert idle_cores(cores=2, load=0.6) == 1
    assert idle_cores(cores=2, load=5.0) == 0  # busier than the machine: none, not negative
    assert idle_cores(cores=16, load=3.2) == 13


def test_workers_only_for_big_files_and_two_idle_cores():
    assert pool_workers(BIG, min_bytes=PARALLEL_MIN_BYTES, max_workers=4, idle=8) == 4
    assert pool_workers(BIG, min_bytes=PARALLEL_MIN_BYTES, max_workers=4, idle=3) == 3
    assert pool_workers(BIG, min_bytes=PARALLEL_MIN_BYTES, max_workers=4, idle=2) == 2
    assert pool_workers(BIG, min_bytes=PARALLEL_MIN_BYTES, max_workers=4, idle=1) == 0  # one worker: no gain
    assert pool_workers(BIG, min_bytes=PARALLEL_MIN_BYTES, max_workers=4, idle=0) == 0
    assert pool_workers(PARALLEL_MIN_BYTES - 1, min_bytes=PARALLEL_MIN_BYTES, max_workers=4, idle=8) == 0


def test_the_machine_is_read_as_it_is():
    cores = usable_cores()
    assert 1 <= cores <= (os.cpu_count() or 1)
    assert load_average() >= 0
    assert 0 <= idle_cores() <= cores
    got = _auto_workers(BIG, None)
    assert got == 0 or 2 <= got <= min(MAX_WORKERS, cores)


def test_asked_for_workers_are_given():
    assert _auto_workers(1, 2) == 2 and _auto_workers(BIG, 0) == 0 and _auto_workers(BIG, -1) == 0
