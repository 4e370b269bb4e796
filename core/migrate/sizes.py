"""Which of the target's base models is closest in size to the source's, and why, in words."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ftui.core import catalog

SIZE_CLASSES = ("tiny", "small", "medium", "large")
CLASS_RANGES = {"tiny": "under 1B parameters", "small": "1-10B", "medium": "10-40B", "large": "over 40B"}
# OpenAI publishes no parameter counts: ftui places its models by tier.
OPENAI_TIERS = (("gpt-4.1-nano", "small"), ("gpt-4.1-mini", "small"), ("gpt-4o-mini", "small"),
                ("gpt-3.5-turbo", "medium"), ("gpt-4.1", "large"), ("gpt-4o", "large"))
_MOE = re.compile(r"(?<![\d.])(\d+)x(\d+(?:\.\d+)?)[bB](?![a-zA-Z])")
_PARAMS = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)([bBmM])(?![a-zA-Z])")


@dataclass(frozen=True)
class SizeClass:
    name: str  # one of SIZE_CLASSES
    parameters: float | None  # in billions, when the name says
    basis: str  # how it was told, in words


def parameters_in_name(model: str) -> float | None:
    """Billions of parameters a model's name states ("SmolLM2-135M" 0.135, "Mixtral-8x7B" 56)."""
    name = model.rsplit("/", 1)[-1]
    if m := _MOE.search(name):
        return int(m.group(1)) * float(m.group(2))
    if m := _PARAMS.search(name):
        value = float(m.group(1))
        return value / 1000 if m.group(2) in "mM" else value
    return None


def _class_of(billions: float) -> str:
    if billions < 1:
        return "tiny"
    if billions <= 10:
        return "small"
    return "medium" if billions <= 40 else "large"


def size_class(model: str) -> SizeClass | None:
    base = catalog.base_model(model)
    for prefix, tier in OPENAI_TIERS:
        if base.startswith(prefix):
            return SizeClass(tier, None, f"OpenAI publishes no sizes; ftui counts {prefix} as {tier}")
    billions = parameters_in_name(base)
    if billions is None:
        return None
    shown = f"{billions * 1000:g}M" if billions < 1 else f"{billions:g}B"
    return SizeClass(_class_of(billions), billions, f"{shown} parameters by its name")


@dataclass(frozen=True)
class BaseSuggestion:
    model: str | None
    reason: str
    alternatives: tuple[str, ...] = ()  # the others the target offers, closest first


def suggest_base(source_model: str, candidates: list[str]) -> BaseSuggestion:
    """The target's fine-tunable model closest by size class (the same base when offered)."""
    base = catalog.base_model(source_model)
    if not candidates:
        return BaseSuggestion(None, "the target offers no model to fine-tune")
    if base in candidates:
        return BaseSuggestion(base, f"the target offers the same base model, {base}",
                              tuple(c for c in candidates if c != base))
    source = size_class(base)
    sized = [(c, size_class(c)) for c in candidates]
    if source is None:
        return BaseSuggestion(candidates[0], f"the size of {base} is unknown, so the first model the "
                              f"target offers is suggested; pick another if it fits better",
                              tuple(candidates[1:]))
    rank = SIZE_CLASSES.index(source.name)

    def distance(item) -> tuple:
        name, size = item
        if size is None:
            return (len(SIZE_CLASSES), 0.0, name)
        # closest class first; at the same distance the larger model (less lost), then the larger count
        gap = SIZE_CLASSES.index(size.name) - rank
        return (abs(gap), -gap, -(size.parameters or 0.0), name)

    ordered = sorted(sized, key=distance)
    chosen, size = ordered[0]
    alternatives = tuple(name for name, _ in ordered[1:])
    head = f"{base} is {source.name} ({source.basis})"
    if size is None:
        return BaseSuggestion(chosen, f"{head}; no model the target offers states its size, so {chosen} "
                              "is only a guess", alternatives)
    gap = SIZE_CLASSES.index(size.name) - rank
    if gap == 0:
        how = f"the same class ({CLASS_RANGES[size.name]})"
    else:
        steps = f"{abs(gap)} class{'es' * (abs(gap) > 1)}"
        how = f"{size.name}, {steps} {'smaller' if gap < 0 else 'larger'}"
    only = "the only model" if len(candidates) == 1 else "the closest model"
    reason = f"{head}; {chosen} ({size.basis}) is {only} the target offers: {how}"
    if gap < 0:
        reason += "; expect weaker answers and check with a blind comparison before relying on it"
    return BaseSuggestion(chosen, reason, alternatives)
