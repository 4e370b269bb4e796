"""One job's training as several processes: which rank this process is, and the few collectives the
trainer needs (gloo on CPU, NCCL on CUDA).

A worker reads the same environment torchrun gives its workers (RANK, WORLD_SIZE, LOCAL_RANK,
MASTER_ADDR, MASTER_PORT), so the engine's own launcher and `torchrun` start it alike. Data
parallelism here is DDP's all-reduce of gradients, done once per optimizer step on one flat buffer
rather than through DistributedDataParallel: a rank's share of a step may be smaller than another's (or
empty, when batch_size < processes), and DDP's per-backward hooks would then wait for a peer forever.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

STRATEGIES = ("ddp", "fsdp")
COLLECTIVE_TIMEOUT_SECONDS = 600.0  # a backstop; the engine kills every rank as soon as one dies


@dataclass(frozen=True)
class Ranks:
    rank: int = 0
    world: int = 1
    local_rank: int = 0
    backend: str = ""  # "" when not distributed

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world > 1

    def share(self, items: list) -> list:
        """This rank's part of one step's items (every rank knows the whole list)."""
        return items[self.rank::self.world]


def ranks_from_env(environ: dict[str, str] | None = None) -> Ranks:
    env = os.environ if environ is None else environ
    world = int(env.get("WORLD_SIZE", "1"))
    if world <= 1:
        return Ranks()
    return Ranks(rank=int(env["RANK"]), world=world, local_rank=int(env.get("LOCAL_RANK", env["RANK"])))


def start(ranks: Ranks, device: str, timeout: float = COLLECTIVE_TIMEOUT_SECONDS) -> Ranks:
    """Join the process group (and pick this rank's GPU); returns the ranks with their backend."""
    if not ranks.distributed:
        return ranks
    import torch
    import torch.distributed as dist

    backend = "nccl" if device == "cuda" else "gloo"
    if device == "cuda":
        torch.cuda.set_device(ranks.local_rank)  # "cuda" then means this rank's GPU
    dist.init_process_group(backend, timeout=timedelta(seconds=timeout))
    return Ranks(ranks.rank, ranks.world, ranks.local_rank, backend)


def stop(ranks: Ranks) -> None:
    """Leave the process group together: rank 0 may still be saving the adapter, and a rank that tears
    its connections down while a peer still holds them can abort in gloo's threads."""
    if ranks.distributed:
        import torch.distributed as dist

        if dist.is_initialized():
            dist.barrier()
            dist.destroy_process_group()


def sum_gradients(parameters: list[Any], ranks: Ranks) -> None:
    """Replace each parameter's gradient by its sum over ranks (a rank without examples adds zeros)."""
    if not ranks.distributed:
        return
    import torch
    import torch.distributed as dist

    flat = torch.cat([(p.grad if p.grad is not None else torch.zeros_like(p)).reshape(-1) for p in parameters])
    dist.all_reduce(flat, op=dist.ReduceOp.SUM)
    offset = 0
    for p in parameters:
        part = flat[offset:offset + p.numel()].view_as(p)
        offset += p.numel()
        if p.grad is None:
            p.grad = part.clone()
        else:
            p.grad.copy_(part)


def sum_values(values: list[float], ranks: Ranks, device: str) -> list[float]:
    """Each value summed over ranks (loss sums, correct counts)."""
    if not ranks.distributed:
        return values
    import torch
    import torch.distributed as dist

    tensor = torch.tensor(values, dtype=torch.float64, device=device)
    dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
    return tensor.tolist()


def broadcast_flag(flag: bool, ranks: Ranks, device: str) -> bool:
    """Rank 0's flag on every rank."""
    if not ranks.distributed:
        return flag
    import torch
    import torch.distributed as dist

    tensor = torch.tensor([1 if flag else 0], dtype=torch.int32, device=device)
    dist.broadcast(tensor, src=0)
    return bool(tensor.item())


def broadcast_parameters(parameters: list[Any], ranks: Ranks) -> None:
    """Rank 0's values for `parameters` everywhere, so every replica starts from the same adapter."""
    if not ranks.distributed:
        return
    import torch.distributed as dist

    for p in parameters:
        dist.broadcast(p.data, src=0)


def is_peer_lost(exc: BaseException) -> bool:
    """A collective failed because another rank is gone (the engine reports that rank instead)."""
    if type(exc).__name__ in ("DistError", "DistBackendError", "DistNetworkError", "DistStoreError"):
        return True
    text = str(exc).lower()
    return any(s in text for s in ("connection closed by peer", "connection reset", "gloo", "nccl",
                                   "timed out", "broken pipe"))
