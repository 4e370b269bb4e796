"""FSDP for LoRA training (strategy "fsdp"): the frozen base model sharded per decoder layer with torch's
`fully_shard` (FSDP2), the adapter whole on every rank.

The adapter stays out of FSDP (`ignored_params`) on purpose. It is well under 1% of the weights, so
keeping it whole costs little, and its gradients are then summed by the same one all-reduce as with DDP
(ftui.core.local.distributed), so its optimizer state, checkpoints, resume state and the saved adapter
are exactly DDP's: rank 0 holds the full adapter and saves it in PEFT's format with nothing to gather.
What is sharded is what does not fit: the base weights. Each decoder layer is gathered only while it
runs (and again in backward), then freed. Tied input/output embeddings stay whole too (the head is
called outside the decoder); untied ones are sharded, the head as a group of its own.

Every rank must run the same number of forwards and backwards in a step, because each layer's forward
gathers its weights from every rank. A rank with fewer packed rows than another runs idle passes: a
few-token forward whose loss is multiplied by zero, so it adds nothing to any gradient.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ftui.core.local.models import LocalModelError

IDLE_TOKENS = 2  # an idle pass runs the whole model on this many tokens


def shard_base_model(model: Any, decoder: Any, head: Any) -> int:
    """Shard `model`'s frozen weights across the process group: each of `decoder.layers`, then the rest of
    the decoder (embeddings, final norm), then an untied `head`. Returns how many layers were sharded."""
    from torch.distributed.fsdp import fully_shard

    layers = getattr(decoder, "layers", None)
    if layers is None or len(layers) == 0:
        raise LocalModelError(f"FSDP shards a model per decoder layer, and {type(decoder).__name__} has no "
                            "`layers` list; train it with strategy ddp.")
    adapter: set[Any] = {p for p in model.parameters() if p.requires_grad}
    for layer in layers:
        fully_shard(layer, ignored_params=adapter)
    head_weight = getattr(head, "weight", None)
    tied: set[Any] = {p for p in decoder.parameters() if p is head_weight}
    fully_shard(decoder, ignored_params=adapter | tied)
    if not tied and any(True for _ in head.parameters()):
        fully_shard(head, ignored_params=adapter)
    return len(layers)


def rounds_per_rank(shares: Sequence[Sequence[Any]], split: Callable[[Sequence[Any]], list]) -> int:
    """The forwards every rank runs in a step: the most packed rows any rank's share makes. Every rank
    knows every share, so this needs no collective."""
    return max((len(split(share)) for share in shares), default=0)


def idle_pass(decoder: Any, head: Any, token_ids: Sequence[int], device: str, *, backward: bool) -> None:
    """Run the model on a few tokens, taking part in every layer's collectives, with a zero loss."""
    import torch

    ids = torch.tensor([list(token_ids[:IDLE_TOKENS])], dtype=torch.long, device=device)
    positions = torch.arange(ids.shape[1], device=device).unsqueeze(0)
    hidden = decoder(input_ids=ids, position_ids=positions, use_cache=False).last_hidden_state
    zero = head(hidden[0]).float().sum() * 0.0
    if backward:
        zero.backward()
