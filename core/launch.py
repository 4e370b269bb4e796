"""Everything the launch form needs before a job is sent: field checks against the API's
bounds, splitting a validation set off a training file, the same request as Python code,
and the pre-launch estimate kept per job so the billed figure can be shown next to it.

Bounds come from OpenAI's spec (CreateFineTuningJobRequest, FineTuneDPOHyperparameters,
Metadata): suffix 1..64 chars; n_epochs 1..50; batch_size 1..256; learning_rate_multiplier
> 0; beta > 0 and <= 2; metadata up to 16 pairs, keys <= 64 chars, values <= 512 chars.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ftui.core.dataset.writer import write_new_file
from ftui.core.errors import CoreError
from ftui.core.paths import data_dir
from ftui.core.types import JobSpec

SUFFIX_MAX = 64
# The suffix ends up inside a model id ("ft:base:org:SUFFIX:id"), so a colon or space would break it.
SUFFIX_CHARS = re.compile(r"^[A-Za-z0-9_-]+$")
METADATA_MAX_PAIRS = 16
METADATA_KEY_MAX = 64
METADATA_VALUE_MAX = 512
WANDB_PROJECT = re.compile(r"^[A-Za-z0-9._-]{1,128}$")

# name -> (kind, lowest, highest, lowest is exclusive)
HYPERPARAMETER_BOUNDS: dict[str, tuple[type, float, float | None, bool]] = {
    "n_epochs": (int, 1, 50, False),
    "batch_size": (int, 1, 256, False),
    "learning_rate_multiplier": (float, 0, None, True),
    "beta": (float, 0, 2, True),
}
METHOD_HYPERPARAMETERS = {
    "supervised": ("n_epochs", "batch_size", "learning_rate_multiplier"),
    "dpo": ("n_epochs", "batch_size", "learning_rate_multiplier", "beta"),
}


def _input_error(message: str, hint: str = "") -> CoreError:
    return CoreError(message, hint=hint, kind="input")


# --- field checks: each returns the clean value or raises CoreError(kind="input") ------------

def check_suffix(text: str) -> str | None:
    """The suffix as the API wants it, or None when left empty."""
    text = text.strip()
    if not text:
        return None
    if len(text) > SUFFIX_MAX:
        raise _input_error(f"suffix is {len(text)} characters; the API allows at most {SUFFIX_MAX}",
                           "shorten it")
    if not SUFFIX_CHARS.match(text):
        bad = sorted({c for c in text if not re.match(r"[A-Za-z0-9_-]", c)})
        shown = " ".join(repr(c) for c in bad)
        raise _input_error(f"suffix has characters that do not belong in a model name: {shown}",
                           "use letters, digits, '-' and '_'")
    return text


def check_hyperparameter(name: str, text: str) -> str | int | float:
    """`auto` (or empty) or a number within the API's bounds for `name`."""
    text = text.strip()
    if not text or text.lower() == "auto":
        return "auto"
    kind, low, high, exclusive = HYPERPARAMETER_BOUNDS[name]
    try:
        value: int | float = int(text) if kind is int else float(text)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise _input_error(f"{name}: {text!r} is not {what}", "type auto or a number") from None
    if kind is float and value != value:  # NaN
        raise _input_error(f"{name}: not a number", "type auto or a number")
    too_low = value <= low if exclusive else value < low
    too_high = high is not None and value > high
    if too_low or too_high:
        if high is None:
            rule = f"greater than {low:g}"
        elif exclusive:
            rule = f"greater than {low:g} and at most {high:g}"
        else:
            rule = f"between {low:g} and {high:g}"
        raise _input_error(f"{name} must be {rule}; got {text}")
    return value


def check_seed(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        raise _input_error(f"seed: {text!r} is not a whole number") from None
    if not 0 <= value <= 2**31 - 1:
        raise _input_error("seed must be between 0 and 2147483647")
    return value


def check_metadata(text: str) -> dict[str, str] | None:
    """`key=value` pairs separated by commas or new lines."""
    pairs: dict[str, str] = {}
    for raw in re.split(r"[,\n]", text):
        item = raw.strip()
        if not item:
            continue
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            raise _input_error(f"metadata: {item!r} is not key=value")
        if len(key) > METADATA_KEY_MAX:
            raise _input_error(f"metadata key {key[:20]!r}… is {len(key)} characters; at most "
                               f"{METADATA_KEY_MAX}")
        if len(value) > METADATA_VALUE_MAX:
            raise _input_error(f"metadata value of {key!r} is {len(value)} characters; at most "
                               f"{METADATA_VALUE_MAX}")
        if key in pairs:
            raise _input_error(f"metadata key {key!r} is given twice")
        pairs[key] = value
    if len(pairs) > METADATA_MAX_PAIRS:
        raise _input_error(f"metadata has {len(pairs)} pairs; the API allows at most {METADATA_MAX_PAIRS}")
    return pairs or None


def check_wandb_project(text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    if not WANDB_PROJECT.match(text):
        raise _input_error("W&B project: use up to 128 letters, digits, '-', '_' or '.'")
    return text


def check_share(text: str) -> float:
    """A validation share typed as 0.1, 10 or 10%."""
    text = text.strip().rstrip("%").strip()
    try:
        value = float(text)
    except ValueError:
        raise _input_error(f"validation share: {text!r} is not a number", "e.g. 10% or 0.1") from None
    if value >= 1:
        value /= 100
    if not 0 < value < 1:
        raise _input_error("validation share must be between 0 and 100%")
    return value


@dataclass
class FormValues:
    """What the launch form holds, as typed (all strings), so a failed launch loses nothing."""

    model: str = ""
    training_file: str = ""
    validation_file: str = ""
    suffix: str = ""
    method: str = "supervised"
    n_epochs: str = "auto"
    batch_size: str = "auto"
    learning_rate_multiplier: str = "auto"
    beta: str = "auto"
    seed: str = ""
    metadata: str = ""
    wandb_project: str = ""


def build_spec(values: FormValues) -> tuple[JobSpec | None, dict[str, str]]:
    """The JobSpec for these values, or None and {field: message} for every field in error.

    training_file / validation_file must already be file ids here (locals are uploaded first).
    """
    errors: dict[str, str] = {}

    def field(name: str, check, *args):
        try:
            return check(*args)
        except CoreError as exc:
            errors[name] = exc.summary()
            return None

    if not values.model.strip():
        errors["model"] = "choose a base model"
    if not values.training_file.strip():
        errors["training_file"] = "choose a training file"
    method = values.method if values.method in METHOD_HYPERPARAMETERS else "supervised"
    suffix = field("suffix", check_suffix, values.suffix)
    hyper: dict[str, Any] = {}
    for name in METHOD_HYPERPARAMETERS[method]:
        value = field(name, check_hyperparameter, name, getattr(values, name))
        if value is not None and value != "auto":
            hyper[name] = value
    seed = field("seed", check_seed, values.seed)
    metadata = field("metadata", check_metadata, values.metadata)
    wandb = field("wandb_project", check_wandb_project, values.wandb_project)
    if errors:
        return None, errors
    spec = JobSpec(model=values.model.strip(), training_file=values.training_file.strip(),
                   validation_file=values.validation_file.strip() or None, suffix=suffix,
                   method=method, hyperparameters=hyper, seed=seed, metadata=metadata,
                   wandb_project=wandb)
    return spec, {}


# --- validation split --------------------------------------------------------------------------

def split_dataset(path: Path | str, share: float, seed: int, out_dir: Path | str) -> tuple[Path, Path]:
    """Split the JSONL at `path` into new training and validation files in `out_dir`.

    The same (file, share, seed) always gives the same split; lines keep their original order
    within each part; blank lines are dropped; the original file is only read.
    """
    src = Path(path)
    out = Path(out_dir)
    if not 0 < share < 1:
        raise _input_error("validation share must be between 0 and 1")
    try:
        lines = [ln for ln in src.read_bytes().splitlines() if ln.strip()]
    except OSError as exc:
        raise CoreError(f"cannot read {src}: {exc.strerror or exc}", kind="io") from exc
    if len(lines) < 2:
        raise _input_error(f"{src.name} has {len(lines)} example(s); a split needs at least 2")
    count = min(len(lines) - 1, max(1, round(len(lines) * share)))
    picked = set(random.Random(seed).sample(range(len(lines)), count))
    train = [ln for i, ln in enumerate(lines) if i not in picked]
    valid = [ln for i, ln in enumerate(lines) if i in picked]
    tag = f"{round(share * 100)}pct-seed{seed}"
    train_path = out / f"{src.stem}.train-{tag}.jsonl"
    valid_path = out / f"{src.stem}.valid-{tag}.jsonl"
    if src.resolve() in (train_path.resolve(), valid_path.resolve()):
        raise _input_error("the split would overwrite the original file", "choose another folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        write_new_file(train_path, train)
        write_new_file(valid_path, valid)
    except OSError as exc:
        raise CoreError(f"cannot write the split to {out}: {exc.strerror or exc}", kind="io") from exc
    return train_path, valid_path


# --- the same request as Python ----------------------------------------------------------------

def request_args(spec: JobSpec) -> dict[str, Any]:
    """The keyword arguments of `client.fine_tuning.jobs.create` for this spec."""
    method: dict[str, Any] = {"type": spec.method}
    if spec.hyperparameters:
        method[spec.method] = {"hyperparameters": dict(spec.hyperparameters)}
    args: dict[str, Any] = {"model": spec.model, "training_file": spec.training_file}
    for name in ("validation_file", "suffix", "seed"):
        value = getattr(spec, name)
        if value is not None:
            args[name] = value
    args["method"] = method
    if spec.metadata:
        args["metadata"] = dict(spec.metadata)
    if spec.wandb_project:
        args["integrations"] = [{"type": "wandb", "wandb": {"project": spec.wandb_project}}]
    return args


def python_snippet(spec: JobSpec) -> str:
    """A runnable script that sends the same job request with the `openai` package."""
    lines = [
        "# Launch the same fine-tuning job from Python (pip install openai).",
        "# Reads the key from OPENAI_API_KEY.",
        "from openai import OpenAI",
        "",
        "client = OpenAI()",
        "job = client.fine_tuning.jobs.create(",
    ]
    for key, value in request_args(spec).items():
        lines.append(f"    {key}={_py(value, 4)},")
    lines += [")", "print(job.id, job.status)", ""]
    return "\n".join(lines)


def _py(value: Any, indent: int) -> str:
    """A Python literal for JSON-like values, dicts spread over lines when nested."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        pad = " " * (indent + 4)
        inner = ",\n".join(f"{pad}{k!r}: {_py(v, indent + 4)}" for k, v in value.items())
        return "{\n" + inner + ",\n" + " " * indent + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_py(v, indent) for v in value) + "]"
    return repr(value)


# --- estimates kept per job ---------------------------------------------------------------------

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


def training_price(model: str) -> tuple[float | None, str]:
    """USD (or the user's currency) per 1M training tokens for `model`, from core/dataset."""
    from ftui.core.dataset.prices import load_prices

    try:
        table = load_prices()
    except CoreError:
        from ftui.core.dataset.prices import PriceTable

        table = PriceTable()
    return table.training_price(model), table.currency


def billed_cost(model: str, trained_tokens: int | None) -> float | None:
    """What a finished job's trained tokens cost at the price table's rate."""
    if trained_tokens is None:
        return None
    price, _ = training_price(model)
    return None if price is None else trained_tokens * price / 1_000_000


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
