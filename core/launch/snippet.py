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
