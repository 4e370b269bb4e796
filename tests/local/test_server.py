"""The local engine's server (start_local / LocalThread) through the official openai client."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openai
import pytest

from ftui.core.local.server import LocalThread, default_data_dir, start_local
from tests.server.helpers import raw_request

ROOT = Path(__file__).resolve().parents[2]


def _run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT), **env})


async def test_serves_the_named_model_and_real_chat(tmp_path, tiny_model_dir):
    handle = await start_local(data_dir=tmp_path, model_folders=[tiny_model_dir], device="cpu", threads=1)
    try:
        assert handle.base_url.startswith("http://127.0.0.1:")
        assert handle.device_label == "cpu, 1 thread"
        assert tiny_model_dir.name in {m.id for m in handle.models}
        async with openai.AsyncOpenAI(base_url=handle.base_url, api_key="anything") as client:
            raw = await client.models.with_raw_response.list()
            assert raw.headers["x-sandbox"] == "local"  # not "simulated"
            ids = [m.id for m in raw.parse().data]
            assert tiny_model_dir.name in ids
            answer = await client.chat.completions.create(
                model=tiny_model_dir.name, messages=[{"role": "user", "content": "hello"}],
                max_completion_tokens=3, seed=1)
            assert answer.model == tiny_model_dir.name
            assert 1 <= answer.usage.completion_tokens <= 3
    finally:
        await handle.stop()
    assert (tmp_path / "sandbox.sqlite3").exists()  # data stays: the folder is not temporary


async def test_an_uploaded_file_survives_a_restart_on_the_same_data_dir(tmp_path, tiny_model_dir,
                                                                         marv_path):
    options = dict(data_dir=tmp_path, model_folders=[tiny_model_dir], device="cpu", threads=1)
    first = await start_local(**options)
    try:
        async with openai.AsyncOpenAI(base_url=first.base_url, api_key="k") as client:
            uploaded = await client.files.create(file=marv_path, purpose="fine-tune")
    finally:
        await first.stop()
    second = await start_local(**options)
    try:
        async with openai.AsyncOpenAI(base_url=second.base_url, api_key="k") as client:
            again = await client.files.retrieve(uploaded.id)
            assert (again.filename, again.bytes) == (uploaded.filename, marv_path.stat().st_size)
            content = await client.files.content(uploaded.id)
            assert content.content == marv_path.read_bytes()
    finally:
        await second.stop()


def test_thread_serves_from_the_user_data_folder_by_default(tmp_path, tiny_model_dir, monkeypatch):
    monkeypatch.setenv("FTUI_DATA_DIR", str(tmp_path))
    assert default_data_dir() == tmp_path / "local"
    engine = LocalThread(model_folders=[tiny_model_dir], device="cpu", threads=2, api_key="session-key")
    base_url = engine.start()
    try:
        assert engine.device_label == "cpu, 2 threads"
        assert raw_request("GET", f"{base_url}/models", headers={"Authorization": "Bearer x"})[0] == 401
        status, _, body = raw_request("GET", f"{base_url}/models",
                                      headers={"Authorization": "Bearer session-key"})
        assert status == 200 and tiny_model_dir.name in {m["id"] for m in body["data"]}
    finally:
        engine.stop()
    assert (tmp_path / "local" / "sandbox.sqlite3").exists()


async def test_bad_device_and_threads_are_refused(tmp_path):
    with pytest.raises(ValueError, match="device must be one of"):
        await start_local(data_dir=tmp_path, device="tpu")
    with pytest.raises(ValueError, match="threads"):
        await start_local(data_dir=tmp_path, threads=-1)


def test_nothing_heavy_loads_until_the_engine_starts():
    code = ("import sys; import ftui.core.local.server, ftui.core.local.cli, ftui.core.session, "
            "ftui.core.connect, ftui.core.settings, ftui.tui.cli\n"
            "heavy = [m for m in ('torch', 'transformers', 'peft', 'safetensors', 'gguf') if m in sys.modules]\n"
            "print(heavy)")
    result = _run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_without_the_extra_it_says_what_to_install(tmp_path):
    # sys.modules[name] = None is how Python itself marks a module as not importable.
    code = ("import sys; sys.modules['peft'] = None\n"
            "from ftui.core.local.cli import main; sys.exit(main(sys.argv[1:]))")
    result = subprocess.run([sys.executable, "-c", code, "--data-dir", str(tmp_path)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 1
    assert "peft" in result.stderr and "pip install 'ftui-workbench[local]'" in result.stderr
    assert "Traceback" not in result.stderr
