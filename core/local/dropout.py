"""LoRA dropout whose mask is a function of the example, not of the process that trains it.

torch's Dropout draws from one generator per process in the order rows arrive, so splitting a step's
examples across ranks (or packing them differently) would change every mask and the loss curve with it.
Here each example's mask comes from a generator seeded by (job seed, step, the example's place in the
step, the LoRA layer), so 1 and N processes train on the same masks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MIX = 0x9E3779B97F4A7C15  # an odd 64-bit constant: spreads consecutive keys apart
MASK64 = (1 << 63) - 1


def example_key(seed: int, step: int, index: int) -> int:
    return ((seed * 1_000_003 + step) * 65_537 + index) & MASK64


@dataclass
class PackLayout:
    """What the next forward's packed row holds: (token count, example key) per example, in order."""

    spans: list[tuple[int, int]] = field(default_factory=list)


def install_example_dropout(model, layout: PackLayout) -> int:
    """Swap every LoRA layer's nn.Dropout for one that follows `layout`; returns how many were swapped."""
    import torch
    from torch import nn

    class ExampleDropout(nn.Module):
        def __init__(self, p: float, layer_key: int) -> None:
            super().__init__()
            self.p = p
            self.layer_key = layer_key

        def forward(self, x):
            if not self.training or self.p == 0 or not layout.spans:
                return x
            rows = []
            for length, key in layout.spans:
                generator = torch.Generator(device=x.device)
                generator.manual_seed(((key * MIX) ^ self.layer_key) & MASK64)
                rows.append(torch.rand((length, x.shape[-1]), generator=generator, device=x.device))
            keep = (torch.cat(rows) >= self.p).to(x.dtype)
            return x * keep.view(x.shape) / (1.0 - self.p)

    swapped = 0
    for module in model.modules():
        dropouts = getattr(module, "lora_dropout", None)
        if not isinstance(dropouts, nn.ModuleDict):
            continue
        for adapter, dropout in list(dropouts.items()):
            if isinstance(dropout, nn.Dropout) and dropout.p > 0:
                dropouts[adapter] = ExampleDropout(dropout.p, swapped * 7919 + 1)
                swapped += 1
    return swapped
