"""The job view's Checkpoints tab: one row per checkpoint, and the highlighted one whole."""

from __future__ import annotations

from ftui.core.types import Checkpoint
from ftui.widgets.keyed_table import Column


def _figure(metrics: dict, *keys: str) -> str:
    """The first of `keys` the checkpoint's metrics have, to 4 places; "-" when none."""
    for key in keys:
        if key in metrics:
            return f"{metrics[key]:.4f}"
    return "-"


# The step first (the names of one job's checkpoints differ only at their end, `:ckpt-step-N`,
# which is what a cut name keeps); the whole name is in the detail line under the table.
CHECKPOINT_COLUMNS = (Column("Step", 4, priority=9), Column("Train loss", 10, priority=6),
                      Column("Valid loss", 10, priority=5), Column("Train acc", 9, priority=4),
                      Column("Checkpoint model", 16, priority=8, keep_end=True))


def checkpoint_row(ckpt: Checkpoint) -> tuple:
    m = ckpt.metrics
    return (str(ckpt.step_number), _figure(m, "train_loss"), _figure(m, "full_valid_loss", "valid_loss"),
            _figure(m, "train_mean_token_accuracy", "train_accuracy"), ckpt.model)


def checkpoint_detail(ckpt: Checkpoint) -> str:
    m = ckpt.metrics
    return (f"step {ckpt.step_number} · {ckpt.model} · train loss {_figure(m, 'train_loss')} · "
            f"valid loss {_figure(m, 'full_valid_loss', 'valid_loss')}")
