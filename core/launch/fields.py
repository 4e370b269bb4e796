"""The launch form's fields checked against the API's bounds, and the JobSpec they make.

Bounds come from OpenAI's spec (CreateFineTuningJobRequest, FineTuneDPOHyperparameters,
Metadata): suffix 1..64 chars; n_epochs 1..50; batch_size 1..256; learning_rate_multiplier
> 0; beta > 0 and <= 2; metadata up to 16 pairs, keys <= 64 chars, values <= 512 chars.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from ftui.core.errors import CoreError
from ftui.core.types import HyperparameterField, JobSpec, TrainingMethod, is_training_method

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
METHOD_HYPERPARAMETERS: dict[TrainingMethod, tuple[str, ...]] = {
    "supervised": ("n_epochs", "batch_size", "learning_rate_multiplier"),
    "dpo": ("n_epochs", "batch_size", "learning_rate_multiplier", "beta"),
}


def input_error(message: str, hint: str = "") -> CoreError:
    return CoreError(message, hint=hint, kind="input")


# --- field checks: each returns the clean value or raises CoreError(kind="input") ------------

def check_suffix(text: str) -> str | None:
    """The suffix as the API wants it, or None when left empty."""
    text = text.strip()
    if not text:
        return None
    if len(text) > SUFFIX_MAX:
        raise input_error(f"suffix is {len(text)} characters; the API allows at most {SUFFIX_MAX}",
                           "shorten it")
    if not SUFFIX_CHARS.match(text):
        bad = sorted({c for c in text if not re.match(r"[A-Za-z0-9_-]", c)})
        shown = " ".join(repr(c) for c in bad)
        raise input_error(f"suffix has characters that do not belong in a model name: {shown}",
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
        raise input_error(f"{name}: {text!r} is not {what}", "type auto or a number") from None
    if kind is float and value != value:  # NaN
        raise input_error(f"{name}: not a number", "type auto or a number")
    too_low = value <= low if exclusive else value < low
    too_high = high is not None and value > high
    if too_low or too_high:
        if high is None:
            rule = f"greater than {low:g}"
        elif exclusive:
            rule = f"greater than {low:g} and at most {high:g}"
        else:
            rule = f"between {low:g} and {high:g}"
        raise input_error(f"{name} must be {rule}; got {text}")
    return value


def check_seed(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        raise input_error(f"seed: {text!r} is not a whole number") from None
    if not 0 <= value <= 2**31 - 1:
        raise input_error("seed must be between 0 and 2147483647")
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
            raise input_error(f"metadata: {item!r} is not key=value")
        if len(key) > METADATA_KEY_MAX:
            raise input_error(f"metadata key {key[:20]!r}… is {len(key)} characters; at most "
                               f"{METADATA_KEY_MAX}")
        if len(value) > METADATA_VALUE_MAX:
            raise input_error(f"metadata value of {key!r} is {len(value)} characters; at most "
                               f"{METADATA_VALUE_MAX}")
        if key in pairs:
            raise input_error(f"metadata key {key!r} is given twice")
        pairs[key] = value
    if len(pairs) > METADATA_MAX_PAIRS:
        raise input_error(f"metadata has {len(pairs)} pairs; the API allows at most {METADATA_MAX_PAIRS}")
    return pairs or None


def check_wandb_project(text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    if not WANDB_PROJECT.match(text):
        raise input_error("W&B project: use up to 128 letters, digits, '-', '_' or '.'")
    return text


def check_share(text: str) -> float:
    """A validation share typed as 0.1, 10 or 10%."""
    text = text.strip().rstrip("%").strip()
    try:
        value = float(text)
    except ValueError:
        raise input_error(f"validation share: {text!r} is not a number", "e.g. 10% or 0.1") from None
    if value >= 1:
        value /= 100
    if not 0 < value < 1:
        raise input_error("validation share must be between 0 and 100%")
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
    # The provider's own fields (core.types.HyperparameterField name -> text as typed), used
    # instead of the four above when build_spec is given those fields.
    hyperparameters: dict[str, str] = dc_field(default_factory=dict)
    extra_fields: str = ""  # key = value lines, sent as the SDK's extra_body


def build_spec(values: FormValues, fields: Sequence[HyperparameterField] | None = None
               ) -> tuple[JobSpec | None, dict[str, str]]:
    """The JobSpec for these values, or None and {field: message} for every field in error.

    training_file / validation_file must already be file ids here (locals are uploaded first).
    With `fields` (the provider's), the hyperparameters are read from `values.hyperparameters`.
    """
    from ftui.core.launch.form_fields import hyperparameters_from, parse_extra_fields

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
    method: TrainingMethod = values.method if is_training_method(values.method) else "supervised"
    suffix = field("suffix", check_suffix, values.suffix)
    hyper: dict[str, Any] = {}
    if fields is not None:
        hyper, field_errors = hyperparameters_from(fields, values.hyperparameters, method)
        errors.update(field_errors)
    else:
        for name in METHOD_HYPERPARAMETERS[method]:
            value = field(name, check_hyperparameter, name, getattr(values, name))
            if value is not None and value != "auto":
                hyper[name] = value
    extra, extra_error = parse_extra_fields(values.extra_fields)
    if extra_error:
        errors["extra_fields"] = extra_error
    seed = field("seed", check_seed, values.seed)
    metadata = field("metadata", check_metadata, values.metadata)
    wandb = field("wandb_project", check_wandb_project, values.wandb_project)
    if errors:
        return None, errors
    spec = JobSpec(model=values.model.strip(), training_file=values.training_file.strip(),
                   validation_file=values.validation_file.strip() or None, suffix=suffix,
                   method=method, hyperparameters=hyper, seed=seed, metadata=metadata,
                   wandb_project=wandb, extra_body=extra)
    return spec, {}
