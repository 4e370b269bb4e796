"""Exporting local models: the adapter folder as it is, or a merged standalone model that plain
transformers loads in another process and that answers exactly as the server does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import openai
import pytest

from ftui.core.local.export import export_model
from ftui.core.local.generate import LocalChat
from ftui.core.local.models import LocalModelError, adapter_dir, discover_models
from ftui.core.server.runner import ServerThread, start_sandbox
from tests.local.adapters import make_adapter, register_checkpoint, register_fine_tune

JOB = "ftjob-export00000000001"
ASK = [{"role": "user", "content": "Hello! What is the capital city of france?"}]
GREEDY_TOKENS = 16

# Plain transformers, nothing of ftui: what Ollama's or vLLM's import sees.
LOAD_AND_ANSWER = """
import json, sys
from transformers import AutoModelForCausalLM, AutoTokenizer
folder, messages, tokens = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
tokenizer = AutoTokenizer.from_pretrained(folder)
model = AutoModelForCausalLM.from_pretrained(folder).eval()
ids = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                    return_dict=True)["input_ids"]
out = model.generate(ids, max_new_tokens=tokens, do_sample=False)
text = tokenizer.decode(out[0, ids.shape[1]:], skip_special_tokens=True, clean_up_tokenization_spaces=False)
print(json.dumps({"text": text, "eos": tokenizer.eos_token, "class": type(model).__name__}))
"""


@dataclass
class Local:
    data: Path
    models: list
    base: str
    tuned: str
    checkpoint: str
    base_url: str


@pytest.fixture(scope="module")
def local(tiny_model_dir, tmp_path_factory):
    data = tmp_path_factory.mktemp("export-data")
    models = discover_models([tiny_model_dir], hf_cache=False)
    base = next(m.id for m in models if m.source == "folder")
    server = ServerThread(lambda: start_sandbox(
        data_dir=data, chat=LocalChat(models, data_dir=data, threads=1), kind="local"))
    server.start(120)
    store = server.handle.ctx.store
    tuned = register_fine_tune(store, base=base, job_id=JOB)
    checkpoint = register_checkpoint(store, fine_tune=tuned, job_id=JOB, step=4)
    make_adapter(tiny_model_dir, adapter_dir(data, JOB), seed=3)
    step = make_adapter(tiny_model_dir, adapter_dir(data, JOB, 4), seed=4)
    (step / "optimizer.pt").write_bytes(b"optimizer state, not part of an export")
    yield Local(data, models, base, tuned, checkpoint, server.base_url)
    server.stop()


async def server_greedy(local: Local, model: str) -> str:
    async with openai.AsyncOpenAI(base_url=local.base_url, api_key="anything", max_retries=0) as client:
        answer = await client.chat.completions.create(model=model, messages=ASK, temperature=0,
                                                      max_completion_tokens=GREEDY_TOKENS)
    return answer.choices[0].message.content


def answer_in_another_process(folder: Path) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", LOAD_AND_ANSWER, str(folder), json.dumps(ASK),
                           str(GREEDY_TOKENS)], capture_output=True, text=True, timeout=240, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


async def test_a_merged_export_loads_with_plain_transformers_and_answers_like_the_server(local, tmp_path):
    dest = export_model(local.data, local.tuned, tmp_path / "merged", merged=True, models=local.models)
    names = {p.name for p in dest.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "generation_config.json"} <= names
    assert not any(n.startswith("adapter_") for n in names)  # merged in, not alongside
    generation = json.loads((dest / "generation_config.json").read_text(encoding="utf-8"))
    tokenizer_config = json.loads((dest / "tokenizer_config.json").read_text(encoding="utf-8"))
    assert "<|im_start|>assistant" in tokenizer_config["chat_template"]
    loaded = answer_in_another_process(dest)
    assert loaded["eos"] == "<|im_end|>" and loaded["class"] == "LlamaForCausalLM"
    eos = generation["eos_token_id"]
    assert 2 in (eos if isinstance(eos, list) else [eos])  # <|im_end|> in the tiny vocabulary
    served = await server_greedy(local, local.tuned)
    assert loaded["text"] == served
    assert served != await server_greedy(local, local.base)  # the adapter really was merged in


def test_an_adapter_export_is_the_adapter_folder_without_optimizer_state(local, tmp_path):
    dest = export_model(local.data, local.checkpoint, tmp_path / "out" / "adapter", merged=False,
                        models=local.models)
    assert sorted(p.name for p in dest.iterdir()) == ["README.md", "adapter_config.json",
                                                      "adapter_model.safetensors"]
    source = adapter_dir(local.data, JOB, 4) / "adapter_model.safetensors"
    assert (dest / "adapter_model.safetensors").read_bytes() == source.read_bytes()
    assert not list(dest.parent.glob(".*partial*"))


def test_an_existing_folder_with_files_is_never_overwritten(local, tmp_path):
    dest = tmp_path / "taken"
    dest.mkdir()
    (dest / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(LocalModelError, match="already exists and is not empty"):
        export_model(local.data, local.tuned, dest, merged=False, models=local.models)
    assert [p.name for p in dest.iterdir()] == ["keep.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert export_model(local.data, local.tuned, empty, merged=False, models=local.models) == empty
    assert (empty / "adapter_config.json").is_file()


def test_unknown_models_and_wrong_folders_get_clear_messages(local, tmp_path):
    with pytest.raises(LocalModelError, match=f"No model `nope`.*{local.base}"):
        export_model(local.data, "nope", tmp_path / "a", merged=False, models=local.models)
    with pytest.raises(LocalModelError, match="holds no local engine data"):
        export_model(tmp_path, local.tuned, tmp_path / "b", merged=False, models=local.models)
    assert not (tmp_path / "sandbox.sqlite3").exists()  # looking did not create a store there
    with pytest.raises(LocalModelError, match="base model, so it has no adapter.*--merged"):
        export_model(local.data, local.base, tmp_path / "c", merged=False, models=local.models)
    assert not (tmp_path / "a").exists() and not (tmp_path / "c").exists()
