"""The source job's hyperparameters as the target defines them, side by side, with what cannot be
carried over named.

Learning rates differ most: OpenAI takes a multiplier of a base rate it does not publish, Together
an absolute rate, the local engine a multiplier of its own base (core/local/trainer.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ftui.core.types import HyperparameterField, Job

AUTO = "auto"
MULTIPLIER_KINDS = ("openai", "azure", "sandbox", "compatible", "local")
TOGETHER_DEFAULT_LR_FIELD = "learning_rate"
# Hyperparameters with the same meaning everywhere, under each kind's name.
_SAME = {"n_epochs": "n_epochs", "batch_size": "batch_size"}
_BETA = {"together": "dpo_beta"}  # DPO beta; "beta" elsewhere


@dataclass(frozen=True)
class MappedValue:
    label: str  # what the row is ("Epochs", "Learning rate", "Seed", ...)
    source_name: str
    source_value: Any
    target_name: str | None  # None: not carried over
    target_value: Any
    note: str = ""


def local_base_lr() -> float:
    from ftui.core.local.trainer import BASE_LEARNING_RATE  # light: no torch at import

    return BASE_LEARNING_RATE


def _together_default_lr(fields: list[HyperparameterField]) -> float:
    found = next((f for f in fields if f.name == TOGETHER_DEFAULT_LR_FIELD), None)
    if found is not None and isinstance(found.default, (int, float)):
        return float(found.default)
    from ftui.core.backends.together_capabilities import TOGETHER_HYPERPARAMETERS

    return float(next(f.default for f in TOGETHER_HYPERPARAMETERS if f.name == TOGETHER_DEFAULT_LR_FIELD))


def _is_auto(value: Any) -> bool:
    return value is None or value == AUTO


def map_learning_rate(source_kind: str, hp: dict[str, Any], target_kind: str,
                      target_fields: list[HyperparameterField]) -> MappedValue:
    """One row: the source's rate in the target's terms, with how it was turned."""
    value: Any  # a JSON value; None when the job left it to the provider
    if source_kind == "together":
        name, value = "learning_rate", hp.get("learning_rate")
        absolute = None if _is_auto(value) else float(value)
    else:
        name, value = "learning_rate_multiplier", hp.get("learning_rate_multiplier")
        absolute = None
        if source_kind == "local" and not _is_auto(value):
            absolute = float(value) * local_base_lr()
    label = "Learning rate"
    if _is_auto(value):
        target = "learning_rate" if target_kind == "together" else "learning_rate_multiplier"
        return MappedValue(label, name, value, target, AUTO, "the provider chose it; the target chooses too")
    if target_kind == "together":
        if absolute is not None:
            return MappedValue(label, name, value, "learning_rate", absolute,
                               f"{value:g} x the local base {local_base_lr():g}" if source_kind == "local" else "")
        default = _together_default_lr(target_fields)
        return MappedValue(label, name, value, "learning_rate", float(value) * default,
                           f"OpenAI's base rate is not published: Together's default {default:g} x {value:g}")
    if target_kind == "local":
        base = local_base_lr()
        if absolute is not None and source_kind == "together":
            return MappedValue(label, name, value, "learning_rate_multiplier", absolute / base,
                               f"{absolute:g} / the local base {base:g}")
        note = "" if source_kind == "local" else \
            f"kept as a multiplier of the local base {base:g} (OpenAI's base is not published)"
        return MappedValue(label, name, value, "learning_rate_multiplier", float(value), note)
    # an OpenAI-speaking target: a multiplier of an unpublished base
    if source_kind == "together" or source_kind == "local":
        return MappedValue(label, name, value, "learning_rate_multiplier", AUTO,
                           f"{absolute:g} cannot be turned into a multiplier of an unpublished base rate: "
                           "left to the target")
    return MappedValue(label, name, value, "learning_rate_multiplier", float(value), "same meaning")


def _clamped(row: MappedValue, fields: list[HyperparameterField]) -> MappedValue:
    """Held to the target model's bounds, saying so, when it has them."""
    found = next((f for f in fields if f.name == row.target_name), None)
    if found is None or _is_auto(row.target_value) or found.check(row.target_value) is None:
        return row
    value = row.target_value
    if found.minimum is not None and value < found.minimum:
        value = found.minimum
    if found.maximum is not None and value > found.maximum:
        value = found.maximum
    if found.type == "int":
        value = int(value)
    note = f"{row.target_value!r} is outside the target's bounds: {found.check(row.target_value)}"
    return MappedValue(row.label, row.source_name, row.source_value, row.target_name, value,
                       "; ".join(x for x in (row.note, note) if x))


def map_hyperparameters(job: Job, source_kind: str, target_kind: str, *,
                        target_fields: Sequence[HyperparameterField] = (),
                        target_methods: tuple[str, ...] = ("supervised", "dpo"),
                        ) -> tuple[list[MappedValue], list[str]]:
    """(rows side by side, what cannot be carried over, in words)."""
    hp = dict(job.hyperparameters or {})
    fields = list(target_fields)
    rows: list[MappedValue] = []
    for label, name in (("Epochs", "n_epochs"), ("Batch size", "batch_size")):
        value = hp.get(name)
        rows.append(MappedValue(label, name, value, _SAME[name], AUTO if _is_auto(value) else value))
    rows.append(map_learning_rate(source_kind, hp, target_kind, fields))
    lost: list[str] = []
    if job.method in target_methods:
        rows.append(MappedValue("Method", "method", job.method, "method", job.method))
    else:
        rows.append(MappedValue("Method", "method", job.method, None, None, "the target cannot train it"))
        lost.append(f"method {job.method}: the target offers only {', '.join(target_methods) or 'nothing'}")
    source_beta = "dpo_beta" if source_kind == "together" else "beta"
    if job.method == "dpo" and source_beta in hp:
        rows.append(MappedValue("DPO beta", source_beta, hp[source_beta], _BETA.get(target_kind, "beta"),
                                hp[source_beta]))
    rows.append(MappedValue("Seed", "seed", job.seed, "seed", job.seed))
    rows.append(MappedValue("Suffix", "suffix", job.suffix, "suffix", job.suffix))
    rows = [_clamped(r, fields) for r in rows]
    carried = {"n_epochs", "batch_size", "learning_rate", "learning_rate_multiplier", source_beta}
    for name, value in sorted(hp.items()):
        if name not in carried and not _is_auto(value):
            lost.append(f"{name} = {value!r}: no counterpart on the target")
    if job.metadata and target_kind == "together":
        lost.append("metadata: Together keeps none")
    return rows, lost


def spec_hyperparameters(rows: list[MappedValue]) -> dict[str, Any]:
    """The JobSpec.hyperparameters the rows make (method, seed and suffix go elsewhere)."""
    return {r.target_name: r.target_value for r in rows
            if r.target_name and r.target_name not in ("method", "seed", "suffix")
            and not _is_auto(r.target_value)}
