"""Training that runs out of memory fails its job with the out-of-memory message, not a crash report.

The worker really runs out: a sitecustomize on its PYTHONPATH caps its address space (RLIMIT_AS) at what
it has mapped when the optimizer takes its second step, and that step then asks for more (a 1 GiB
buffer, as a bigger batch would), which PyTorch's CPU allocator refuses the way an exhausted machine
refuses it ("can't allocate memory"). A GPU's OutOfMemoryError takes the same path; no GPU here to show it.
"""

from __future__ import annotations

import sys

import pytest

from tests.local.style_data import style_rows
from tests.local.test_engine_jobs import TERMINAL, Local, hp
from tests.local.worker_hooks import hook_workers

CAP_ON_SECOND_STEP = """\
import resource

import torch
import torch.optim

_step = torch.optim.AdamW.step
_calls = []


def _capped(self, *args, **kwargs):
    _calls.append(1)
    if len(_calls) == 2:
        with open("/proc/self/status", encoding="ascii") as fh:
            mapped = int(fh.read().split("VmSize:")[1].split()[0]) * 1024
        resource.setrlimit(resource.RLIMIT_AS, (mapped, resource.RLIM_INFINITY))
        torch.empty(1 << 30, dtype=torch.uint8)
    return _step(self, *args, **kwargs)


torch.optim.AdamW.step = _capped
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="caps memory through Linux's RLIMIT_AS")
async def test_running_out_of_memory_fails_the_job_with_a_hint(tmp_path, tiny_model_dir, monkeypatch):
    async with Local(tmp_path / "data", tiny_model_dir) as local:
        train = await local.upload(style_rows(10))
        # only the training process (started after this) gets the cap; the server is this process
        before = hook_workers(tmp_path / "hooks", monkeypatch, CAP_ON_SECOND_STEP)
        job = await local.client.fine_tuning.jobs.create(model=local.model_id, training_file=train,
                                                         method=hp(n_epochs=2, batch_size=2))
        job = await local.wait_for(job.id, lambda j: j.status in TERMINAL, timeout=120)
        assert job.status == "failed"
        assert job.error.code == "out_of_memory", job.error
        assert "ran out of memory" in job.error.message and "smaller batch_size" in job.error.message
        assert local.step(job.id) == 1  # the first step finished, the second could not
        # the server is fine: the next job (without the cap) trains
        monkeypatch.setenv("PYTHONPATH", before)
        again = await local.client.fine_tuning.jobs.create(model=local.model_id, training_file=train,
                                                           method=hp(n_epochs=1, batch_size=2))
        again = await local.wait_for(again.id, lambda j: j.status in TERMINAL, timeout=120)
        assert again.status == "succeeded", again.error
