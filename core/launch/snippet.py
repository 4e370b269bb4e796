"""The job request as the keyword arguments of the SDK call, and as a runnable Python script."""

from __future__ import annotations

from typing import Any

from ftui.core.types import JobSpec


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


# The hosts the SDKs use when given no base_url: a snippet names base_url only when it differs.
DEFAULT_BASE_URLS = ("https://api.openai.com/v1", "https://api.together.ai", "https://api.together.xyz")


def _client_line(sdk_class: str, base_url: str | None) -> str:
    if base_url and base_url.rstrip("/") not in DEFAULT_BASE_URLS:
        return f"client = {sdk_class}(base_url={base_url.rstrip('/')!r})"
    return f"client = {sdk_class}()"


def python_snippet(spec: JobSpec, *, sdk: str = "openai", base_url: str | None = None,
                   key_note: str = "") -> str:
    """A runnable script that sends the same job request with the official SDK (`sdk` is
    Capabilities.sdk) to the same place (`base_url`: the profile's, when not the SDK's default).
    `key_note` is a comment about the key (e.g. that a sandbox takes any); keys are never shown."""
    if sdk == "together":
        return _together_snippet(spec, base_url, key_note)
    args = request_args(spec)
    if spec.extra_body:  # the SDK merges these into the request body
        args["extra_body"] = dict(spec.extra_body)
    lines = [
        "# Launch the same fine-tuning job from Python (pip install openai).",
        "# Reads the key from OPENAI_API_KEY.",
        *([f"# {key_note}"] if key_note else []),
        "from openai import OpenAI",
        "",
        _client_line("OpenAI", base_url),
        "job = client.fine_tuning.jobs.create(",
    ]
    for key, value in args.items():
        lines.append(f"    {key}={_py(value, 4)},")
    lines += [")", "print(job.id, job.status)", ""]
    return "\n".join(lines)


def _together_snippet(spec: JobSpec, base_url: str | None, key_note: str) -> str:
    from ftui.core.backends.together_convert import job_create_args

    args = job_create_args(spec)
    wandb_key = args.pop("wandb_api_key", None) is not None or bool(spec.wandb_project)
    lines = [
        "# Launch the same fine-tuning job from Python (pip install together).",
        "# Reads the key from TOGETHER_API_KEY.",
        *([f"# {key_note}"] if key_note else []),
        *(["import os", ""] if wandb_key else []),
        "from together import Together",
        "",
        _client_line("Together", base_url),
        "job = client.fine_tuning.create(",
    ]
    for key, value in args.items():
        lines.append(f"    {key}={_py(value, 4)},")
    if wandb_key:
        lines.append('    wandb_api_key=os.environ["WANDB_API_KEY"],')
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
