"""Strategy "fsdp": one job on 2 gloo processes (1 thread each) with the tiny model's base weights sharded
per decoder layer (torch's fully_shard), against the same job on 1 process, through the server and the
official openai client.

The tolerance is the DDP test's (LOSS_TOLERANCE): sharding changes where the frozen weights live, not the
arithmetic, and the adapter's gradients are summed exactly as with DDP. Measured on the tiny model: every
train and validation loss equal to 1 process's within 1e-5 (the events round them to 5 decimals).
"""

from __future__ import annotations

import pytest
from safetensors.torch import load_file

from ftui.core.local.engine import LocalEngine
from tests.local.test_distributed import one_against_two


def _greedy_reply(model_dir, adapter) -> list[int]:
    """A few greedy tokens from the tiny model with `adapter` on it: the saved adapter loads and generates."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(model_dir)
    tuned = PeftModel.from_pretrained(base, adapter).eval()
    prompt = torch.tensor([[1, 2, 3, 4]])
    with torch.no_grad():
        out = tuned.generate(prompt, attention_mask=torch.ones_like(prompt), max_new_tokens=6, do_sample=False)
    return out[0, prompt.shape[1]:].tolist()


@pytest.mark.slow  # a 1-process and a 2-process job of 14 steps: about 60 s on a busy 2-core machine
async def test_fsdp_on_two_processes_gives_the_loss_curve_of_one(tmp_path, tiny_model_dir):
    # batch 3: shares of 2 and 1, so rank 1 runs idle passes in the validation of each step
    job1, job2 = await one_against_two(tmp_path, tiny_model_dir, strategy="fsdp")
    final = lambda root, job: root / "adapters" / job.id / "final"  # noqa: E731
    first = load_file(final(tmp_path / "one", job1) / "adapter_model.safetensors")
    second = load_file(final(tmp_path / "two", job2) / "adapter_model.safetensors")
    assert set(first) == set(second) and any("lora_A" in k for k in second)
    assert max(float((first[k] - second[k]).abs().max()) for k in first) < 1e-4
    # the whole adapter, in PEFT's format: it loads on the unsharded base model and generates as 1 process's
    reply = _greedy_reply(tiny_model_dir, final(tmp_path / "two", job2))
    assert len(reply) == 6 and reply == _greedy_reply(tiny_model_dir, final(tmp_path / "one", job1))


def test_fsdp_is_an_engine_strategy(tmp_path):
    engine = LocalEngine([], data_dir=tmp_path, procs=2, strategy="fsdp")
    assert (engine.procs, engine.strategy, engine.backend) == (2, "fsdp", "gloo")


def test_a_model_without_decoder_layers_is_refused_with_a_reason():
    from torch import nn

    from ftui.core.local.models import LocalModelError
    from ftui.core.local.sharding import shard_base_model

    with pytest.raises(LocalModelError, match="no `layers` list; train it with strategy ddp"):
        shard_base_model(nn.Linear(2, 2), nn.Sequential(nn.Linear(2, 2)), nn.Linear(2, 2))


def test_idle_rounds_follow_the_busiest_rank():
    from ftui.core.local.sharding import rounds_per_rank

    def pairs(share):  # two items a row
        return [share[i:i + 2] for i in range(0, len(share), 2)]

    assert rounds_per_rank([[1, 2, 3], [4]], pairs) == 2
    assert rounds_per_rank([[1], []], pairs) == 1
