"""The pre-launch estimate, and the store that keeps it per job so the billed figure can be shown
beside it once the job has run."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ftui.core.dataset.writer import write_new_file
from ftui.core.errors import CoreError
from ftui.core.launch.pricing import training_price
from ftui.core.paths import data_dir


@dataclass(frozen=True)
class Estimate:
    """What the validator predicted before launch."""

    model: str
    examples: int
    dataset_tokens: int
    epochs: int
    billable_tokens: int
    cost: float | None  # in `currency`; None when the model's price is unknown
    currency: str = "USD"


def _estimates_path() -> Path:
    return data_dir() / "estimates.json"


def _read_estimates() -> dict[str, dict]:
    path = _estimates_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return {}  # a damaged file only loses old estimates; it is rewritten on the next save
    return data if isinstance(data, dict) else {}


def save_estimate(job_id: str, estimate: Estimate) -> None:
    data = _read_estimates()
    data[job_id] = asdict(estimate)
    path = _estimates_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_new_file(path, [json.dumps(data, indent=1, sort_keys=True).encode()], backup=False)
    except OSError as exc:
        raise CoreError(f"cannot save the estimate to {path}: {exc.strerror or exc}", kind="io") from exc


def load_estimate(job_id: str) -> Estimate | None:
    raw = _read_estimates().get(job_id)
    if not isinstance(raw, dict):
        return None
    try:
        return Estimate(**raw)
    except TypeError:
        return None


async def validate_source(provider, source: str | Path, model: str):
    """Validate a local path, or an uploaded file (id) fetched through `provider` into a
    temporary folder that is removed afterwards; returns the validator's Report."""
    import asyncio
    import tempfile

    from ftui.core.dataset.validate import validate_path

    if isinstance(source, Path):
        return await asyncio.to_thread(validate_path, source, model=model)
    with tempfile.TemporaryDirectory(prefix="ftui-check-") as folder:
        copy = await provider.download_file(source, Path(folder) / f"{source}.jsonl")
        return await asyncio.to_thread(validate_path, copy, model=model)


def estimate_from_report(report, model: str, n_epochs: Any = "auto") -> Estimate:
    """The pre-launch estimate from a dataset Report (core/dataset): billable tokens are each
    example's tokens (capped at the model's limit) times the epochs, `auto` by OpenAI's rule."""
    epochs = int(n_epochs) if isinstance(n_epochs, (int, float)) and n_epochs else None
    from ftui.core.dataset.stats import estimate_cost

    cost = estimate_cost(report.example_tokens, model=model, epochs=epochs)
    return Estimate(model=model, examples=report.examples, dataset_tokens=report.total_tokens,
                    epochs=cost.epochs, billable_tokens=cost.billable_tokens, cost=cost.cost,
                    currency=cost.currency)


def make_estimate(model: str, examples: int, dataset_tokens: int, n_epochs: Any) -> Estimate:
    """The estimate from bare counts (when no per-example tokens are at hand)."""
    from ftui.core.dataset.stats import default_epochs

    epochs = int(n_epochs) if isinstance(n_epochs, (int, float)) and n_epochs else default_epochs(examples)
    billable = dataset_tokens * epochs
    price, currency = training_price(model)
    cost = None if price is None else billable * price / 1_000_000
    return Estimate(model=model, examples=examples, dataset_tokens=dataset_tokens, epochs=epochs,
                    billable_tokens=billable, cost=cost, currency=currency)
