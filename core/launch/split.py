"""Splitting a validation set off a training file, the same way for the same file, share and seed."""

from __future__ import annotations

import random
from pathlib import Path

from ftui.core.dataset.writer import write_new_file
from ftui.core.errors import CoreError
from ftui.core.launch.fields import input_error


def split_dataset(path: Path | str, share: float, seed: int, out_dir: Path | str) -> tuple[Path, Path]:
    """Split the JSONL at `path` into new training and validation files in `out_dir`.

    The same (file, share, seed) always gives the same split; lines keep their original order
    within each part; blank lines are dropped; the original file is only read.
    """
    src = Path(path)
    out = Path(out_dir)
    if not 0 < share < 1:
        raise input_error("validation share must be between 0 and 1")
    try:
        lines = [ln for ln in src.read_bytes().splitlines() if ln.strip()]
    except OSError as exc:
        raise CoreError(f"cannot read {src}: {exc.strerror or exc}", kind="io") from exc
    if len(lines) < 2:
        raise input_error(f"{src.name} has {len(lines)} example(s); a split needs at least 2")
    count = min(len(lines) - 1, max(1, round(len(lines) * share)))
    picked = set(random.Random(seed).sample(range(len(lines)), count))
    train = [ln for i, ln in enumerate(lines) if i not in picked]
    valid = [ln for i, ln in enumerate(lines) if i in picked]
    tag = f"{round(share * 100)}pct-seed{seed}"
    train_path = out / f"{src.stem}.train-{tag}.jsonl"
    valid_path = out / f"{src.stem}.valid-{tag}.jsonl"
    if src.resolve() in (train_path.resolve(), valid_path.resolve()):
        raise input_error("the split would overwrite the original file", "choose another folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        write_new_file(train_path, train)
        write_new_file(valid_path, valid)
    except OSError as exc:
        raise CoreError(f"cannot write the split to {out}: {exc.strerror or exc}", kind="io") from exc
    return train_path, valid_path
