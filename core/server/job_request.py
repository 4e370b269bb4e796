"""Checking a POST /fine_tuning/jobs body the way OpenAI does, before any job exists."""

from __future__ import annotations

import random
import re
from typing import Any

from ftui.core.server.api_errors import bad_request
from ftui.core.server.catalog import FINE_TUNABLE_MODELS
from ftui.core.server.context import SandboxContext

SUFFIX = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
HYPERPARAMETER_RULES: dict[str, tuple[type, float, float, bool]] = {
    # name: (type, minimum, maximum, minimum is exclusive)
    "n_epochs": (int, 1, 50, False),
    "batch_size": (int, 1, 256, False),
    "learning_rate_multiplier": (float, 0, 1e6, True),
    "beta": (float, 0, 2, True),
    # LoRA extras the local engine takes (an engine lists the ones it accepts in extra_hyperparameters)
    "lora_r": (int, 1, 256, False),
    "lora_alpha": (float, 0, 4096, True),
    "lora_dropout": (float, 0, 0.9, False),
}
TARGET_MODULES = "lora_target_modules"  # "all-linear" or a list of module names, e.g. ["q_proj", "v_proj"]


def check_model(ctx: SandboxContext, model: Any) -> str:
    if not isinstance(model, str) or not model:
        raise bad_request("Missing required parameter: 'model'.", param="model",
                          code="missing_required_parameter")
    model_error = getattr(ctx.engine, "model_error", None)
    if model_error is not None:  # a real engine knows which base models it has
        if (problem := model_error(model)) is not None:
            raise bad_request(problem, param="model", code="model_not_available")
        return model
    if model in FINE_TUNABLE_MODELS or ctx.store.get("models", model) is not None:
        return model
    raise bad_request(f"Model {model} is not available for fine-tuning or does not exist.",
                      param="model", code="model_not_available")


def check_file(ctx: SandboxContext, file_id: Any, param: str) -> str:
    if not isinstance(file_id, str) or not file_id:
        raise bad_request(f"Missing required parameter: '{param}'.", param=param,
                          code="missing_required_parameter")
    obj = ctx.store.get("files", file_id)
    if obj is None:
        raise bad_request(f"Invalid file '{file_id}': no such file.", param=param,
                          code="invalid_file")
    if obj["purpose"] != "fine-tune":
        raise bad_request(f"File '{file_id}' has purpose {obj['purpose']!r}; {param} must be "
                          "uploaded with purpose 'fine-tune'.", param=param, code="invalid_file")
    return file_id


def check_hyperparameters(raw: Any, allowed: tuple[str, ...], param: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise bad_request(f"Invalid '{param}': expected an object.", param=param, code="invalid_type")
    out: dict[str, Any] = {}
    for name, value in raw.items():
        where = f"{param}.{name}"
        if name not in allowed:
            raise bad_request(f"Unknown hyperparameter '{name}'.", param=where, code="invalid_value")
        if value == "auto" or value is None:
            out[name] = "auto"
            continue
        if name == TARGET_MODULES:
            out[name] = check_target_modules(value, where)
            continue
        kind, low, high, exclusive = HYPERPARAMETER_RULES[name]
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not numeric or (kind is int and not float(value).is_integer()):
            raise bad_request(f"Invalid '{where}': expected 'auto' or a{'n integer' if kind is int else ' number'}.",
                              param=where, code="invalid_type")
        too_low = value <= low if exclusive else value < low
        if too_low or value > high:
            bound = f"greater than {low}" if exclusive else f"at least {low}"
            raise bad_request(f"Invalid '{where}': {value} must be {bound} and at most {high}.",
                              param=where, code="invalid_value")
        out[name] = kind(value)
    return out


def check_target_modules(value: Any, where: str) -> str | list[str]:
    if value == "all-linear":
        return value
    if not isinstance(value, list) or not value or len(value) > 64 or not all(
            isinstance(v, str) and re.fullmatch(r"[A-Za-z0-9_.]{1,128}", v) for v in value):
        raise bad_request(f"Invalid '{where}': expected 'all-linear' or a list of module names such as "
                          '["q_proj", "v_proj"].', param=where, code="invalid_value")
    return list(value)


def check_method(body: dict[str, Any], ctx: SandboxContext | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Returns (method object for the job, requested hyperparameters). With `ctx`, its engine says which
    methods it runs and which extra hyperparameters it accepts."""
    engine = ctx.engine if ctx is not None else None
    extras = tuple(getattr(engine, "extra_hyperparameters", ()))
    legacy = check_hyperparameters(body.get("hyperparameters"),
                                   ("n_epochs", "batch_size", "learning_rate_multiplier") + extras,
                                   "hyperparameters")
    method = body.get("method")
    if method is None:
        method = {"type": "supervised"}
    if not isinstance(method, dict) or method.get("type") not in ("supervised", "dpo", "reinforcement"):
        raise bad_request("Invalid 'method.type': use 'supervised' or 'dpo'.", param="method.type",
                          code="invalid_value")
    kind = method["type"]
    if kind == "reinforcement":
        raise bad_request("Reinforcement fine-tuning is not available in the sandbox.",
                          param="method.type", code="invalid_value")
    if kind not in getattr(engine, "methods", ("supervised", "dpo")):
        raise bad_request(f"The '{kind}' method is not yet supported locally; use 'supervised'.",
                          param="method.type", code="invalid_value")
    section = method.get(kind) or {}
    if not isinstance(section, dict):
        raise bad_request(f"Invalid 'method.{kind}': expected an object.", param=f"method.{kind}",
                          code="invalid_type")
    names = ("n_epochs", "batch_size", "learning_rate_multiplier") + (("beta",) if kind == "dpo" else ())
    requested = check_hyperparameters(section.get("hyperparameters"), names + extras,
                                      f"method.{kind}.hyperparameters")
    if legacy and requested:
        raise bad_request("Give hyperparameters either at the top level or in 'method', not both.",
                          param="hyperparameters", code="invalid_value")
    requested = requested or legacy
    shown = {name: requested.get(name, "auto") for name in names}
    shown.update({name: requested[name] for name in extras if name in requested})
    return {"type": kind, kind: {"hyperparameters": shown}}, requested


def check_suffix(suffix: Any) -> str | None:
    if suffix is None:
        return None
    if not isinstance(suffix, str) or not SUFFIX.match(suffix):
        raise bad_request("Invalid 'suffix': use 1 to 64 letters, digits, '-' or '_' "
                          f"(got {suffix!r}).", param="suffix", code="invalid_value")
    return suffix


def check_seed(seed: Any) -> int:
    if seed is None:
        return random.randrange(0, 2**31 - 1)
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= 2147483647:
        raise bad_request("Invalid 'seed': expected an integer between 0 and 2147483647.",
                          param="seed", code="invalid_value")
    return seed


def check_metadata(metadata: Any) -> dict[str, str] | None:
    if metadata is None:
        return None
    if not isinstance(metadata, dict) or len(metadata) > 16:
        raise bad_request("Invalid 'metadata': expected an object with at most 16 keys.",
                          param="metadata", code="invalid_value")
    for key, value in metadata.items():
        if len(key) > 64 or not isinstance(value, str) or len(value) > 512:
            raise bad_request(f"Invalid 'metadata.{key}': keys up to 64 characters, string values "
                              "up to 512 characters.", param="metadata", code="invalid_value")
    return metadata


def check_integrations(integrations: Any) -> list[dict[str, Any]] | None:
    if integrations is None:
        return None
    if not isinstance(integrations, list) or len(integrations) > 5:
        raise bad_request("Invalid 'integrations': expected a list of at most 5 items.",
                          param="integrations", code="invalid_value")
    for item in integrations:
        wandb = item.get("wandb") if isinstance(item, dict) else None
        if not isinstance(item, dict) or item.get("type") != "wandb" or not isinstance(wandb, dict) \
                or not isinstance(wandb.get("project"), str):
            raise bad_request("Invalid integration: expected {'type': 'wandb', 'wandb': "
                              "{'project': ...}}.", param="integrations", code="invalid_value")
    return integrations
