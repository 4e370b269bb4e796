"""From a model name in the API to what generates it: a base model and, for a fine-tune or a
checkpoint, the PEFT adapter folder trained on it. Reads the server's store; imports no torch."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from ftui.core.server.context import PRIVATE
from ftui.core.server.store import Store

ADAPTER_CONFIG = "adapter_config.json"  # what makes a folder a PEFT adapter


class UnknownModel(LookupError):
    """No base model, fine-tune or checkpoint has this name."""

    def __init__(self, model_id: str) -> None:
        super().__init__(f"The model `{model_id}` does not exist or you do not have access to it.")
        self.model_id = model_id
        self.message = self.args[0]


class AdapterMissing(LookupError):
    """A fine-tune or checkpoint is recorded, but what it needs to generate is not there."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ModelRef:
    model_id: str           # the name asked for
    base: str               # the base model's id
    adapter: Path | None    # the adapter folder; None for the base model itself
    job_id: str | None = None


def _checkpoint_adapter(data_dir: Path, job_id: str, model_id: str) -> Path:
    # Older records (before the adapter path was stored) name the step only in the model id.
    from ftui.core.local.models import adapter_dir

    step = int(model_id.rsplit(":ckpt-step-", 1)[1])
    return adapter_dir(data_dir, job_id, step)


def resolve_model(store: Store, model_id: str, base_ids: Collection[str]) -> ModelRef:
    """The base model and adapter behind `model_id`; UnknownModel or AdapterMissing if none."""
    if model_id in base_ids:
        return ModelRef(model_id, model_id, None)
    record = store.get("models", model_id)
    if record is not None:
        private = record.get(PRIVATE, {})
        job_id, base, adapter = private.get("job_id"), private.get("base"), private.get("adapter")
    else:
        rows = store.find("checkpoints", "model = ?", (model_id,), limit=1)
        if not rows:
            raise UnknownModel(model_id)
        job_id = rows[0]["fine_tuning_job_id"]
        job = store.get("jobs", job_id) or {}
        base = job.get("model")
        adapter = rows[0].get(PRIVATE, {}).get("adapter")
        if adapter is None and ":ckpt-step-" in model_id:
            adapter = _checkpoint_adapter(store.root, job_id, model_id)
    if not base or not adapter:
        raise AdapterMissing(f"The model `{model_id}` was not trained by the local engine, so it has "
                             "no adapter to generate with.")
    if base not in base_ids:
        raise AdapterMissing(f"The model `{model_id}` was trained on `{base}`, which this server does not "
                             f"serve; start it with that base model (--model PATH) to use it.")
    folder = Path(adapter)
    if not (folder / ADAPTER_CONFIG).is_file():
        raise AdapterMissing(f"The adapter of `{model_id}` is missing: expected a PEFT adapter folder "
                             f"at {folder} (was it moved or deleted?).")
    return ModelRef(model_id, base, folder, job_id)
