"""Exporting a local model: a fine-tune's PEFT adapter folder, or (merged) a standalone model
folder that plain transformers loads and that Ollama or vLLM import: safetensors weights with the
adapter merged in, the tokenizer with its chat template, and a generation config that stops at the
end-of-turn token.

The folder is written next to its destination and renamed into place at the end, so a failure
leaves nothing half-written behind.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ftui.core.local.resolve import ADAPTER_CONFIG, AdapterMissing, ModelRef, UnknownModel, resolve_model

if TYPE_CHECKING:
    from ftui.core.local.models import LocalModel

STORE_FILE = "sandbox.sqlite3"  # the server's records (ftui.core.server.store.Store) in its data dir


def _error(message: str) -> Exception:
    from ftui.core.local.models import LocalModelError

    return LocalModelError(message)


def _check_dest(dest: Path) -> None:
    if dest.is_file() or dest.is_symlink():
        raise _error(f"{dest} already exists and is a file; give a folder that does not exist yet.")
    if dest.is_dir() and any(dest.iterdir()):
        raise _error(f"{dest} already exists and is not empty; nothing was written. Give a new folder, "
                     "or remove that one first.")


def _resolve(data_dir: Path, model: str, base_ids: Sequence[str]) -> ModelRef:
    if model in base_ids:
        return ModelRef(model, model, None)
    if not (data_dir / STORE_FILE).is_file():
        raise _error(f"No model `{model}`: it is not one of the base models ({', '.join(base_ids) or 'none'}) "
                     f"and {data_dir} holds no local engine data to find a fine-tune in "
                     "(wrong --data-dir?).")
    from ftui.core.server.store import Store

    store = Store(data_dir)
    try:
        return resolve_model(store, model, base_ids)
    except UnknownModel:
        raise _error(f"No model `{model}`: it is not one of the base models ({', '.join(base_ids)}) nor a "
                     f"fine-tuned model or checkpoint in {data_dir}.") from None
    except AdapterMissing as exc:
        raise _error(exc.message) from None
    finally:
        store.close()


def _copy_adapter(adapter: Path, folder: Path) -> None:
    # The adapter's own files only: a checkpoint's folder also holds optimizer state.
    folder.mkdir()
    for path in sorted(adapter.iterdir()):
        if path.is_file() and (path.name.startswith("adapter_") or path.name == "README.md"):
            shutil.copy2(path, folder / path.name)


def _write_merged(ref: ModelRef, base: LocalModel, folder: Path) -> None:
    from ftui.core.local.models import load_model

    weights, tokenizer = load_model(base, device="cpu")  # fp32: merging in full precision
    _forget_gguf(weights)
    if ref.adapter is not None:
        from peft import PeftModel

        weights = PeftModel.from_pretrained(weights, str(ref.adapter)).merge_and_unload()
    # load_model made the tokenizer's eos the end-of-turn token and put it in the generation
    # config, so every importer stops where the chat template ends a turn.
    weights.config.eos_token_id = tokenizer.eos_token_id
    weights.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    _template_in_config(folder, tokenizer.chat_template)


def _forget_gguf(weights: object) -> None:
    # Weights read from a GGUF file are dequantized into plain tensors, but transformers still
    # marks the model "quantized with gguf" and refuses to save it; the saved model is plain.
    quantizer = getattr(weights, "hf_quantizer", None)
    method = getattr(getattr(quantizer, "quantization_config", None), "quant_method", None)
    if quantizer is not None and getattr(method, "value", method) == "gguf":
        quantizer.remove_quantization_config(weights)


def _template_in_config(folder: Path, template: object) -> None:
    # transformers 5 writes the template to chat_template.jinja only; importers that read
    # tokenizer_config.json (older transformers, Ollama's converter) find it there as well.
    if not isinstance(template, str):
        return
    path = folder / "tokenizer_config.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    config["chat_template"] = template
    path.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def export_model(data_dir: Path, model: str, dest: Path, *, merged: bool,
                 models: Sequence[LocalModel]) -> Path:
    """Write `model` (a base model, fine-tune or checkpoint) to the new folder `dest`; returns it.
    LocalModelError says what is wrong (unknown model, missing adapter, `dest` not empty)."""
    data_dir, dest = Path(data_dir).expanduser(), Path(dest).expanduser()
    _check_dest(dest)
    by_id = {m.id: m for m in models}
    ref = _resolve(data_dir, model, list(by_id))
    if ref.adapter is None and not merged:
        raise _error(f"`{model}` is a base model, so it has no adapter to export; use --merged to "
                     "write a standalone copy of it.")
    if ref.adapter is not None and not (ref.adapter / ADAPTER_CONFIG).is_file():
        raise _error(f"The adapter of `{model}` is missing from {ref.adapter}.")
    partial = dest.parent / f".{dest.name}.partial-{os.getpid()}"
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(partial, ignore_errors=True)
        if merged:
            _write_merged(ref, by_id[ref.base], partial)
        elif ref.adapter is not None:  # always, here: a base model was refused above
            _copy_adapter(ref.adapter, partial)
        if dest.is_dir():
            dest.rmdir()  # empty, checked above
        partial.replace(dest)
    except OSError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise _error(f"Cannot write the export to {dest}: {exc.strerror or exc}.") from None
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return dest
