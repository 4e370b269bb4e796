"""Profiles for the local engine (kind = "local", the [local] table, `ftui --local`) and Together's key."""

from __future__ import annotations

from pathlib import Path

import pytest

from ftui.core.connect import explain_missing_key, make_provider
from ftui.core.errors import CoreError
from ftui.core.session import SessionRequest, open_session
from ftui.core.settings import load_local_config, load_local_settings, load_settings


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


async def test_a_local_profile_opens_the_in_process_engine(tmp_path, tiny_model_dir, monkeypatch):
    config = _config(tmp_path, f'default_profile = "mine"\n[profiles.mine]\nkind = "local"\n'
                               f'[local]\nmodels = ["{tiny_model_dir}"]\ndevice = "cpu"\nthreads = 1\n'
                               'data_dir = "engine-data"\n')
    monkeypatch.setenv("FTUI_CONFIG", str(config))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    session = open_session()
    try:
        assert session.problem is None and not session.simulated
        assert session.provider.label == "LOCAL - real training on this machine (cpu, 1 thread)"
        assert tiny_model_dir.name in {m.id for m in await session.provider.list_models()}
        await session.provider.aclose()
    finally:
        session.close()
    # relative to the config file's folder, and kept after the session ends
    assert (tmp_path / "engine-data" / "sandbox.sqlite3").exists()


async def test_ftui_local_needs_no_key_and_no_config(tmp_path, tiny_model_dir, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("FTUI_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))
    request = SessionRequest(local=True, data_dir=tmp_path / "data", model_folders=(tiny_model_dir,),
                             device="cpu", threads=2)
    placeholder = request.placeholder()
    assert placeholder.problem is None and placeholder.connecting and placeholder.label == "local"
    session = request.open()
    try:
        assert session.problem is None
        assert session.provider.label == "LOCAL - real training on this machine (cpu, 2 threads)"
        assert tiny_model_dir.name in {m.id for m in await session.provider.list_models()}
        await session.provider.aclose()
    finally:
        session.close()


def test_a_local_engine_that_cannot_start_is_the_sessions_problem(tmp_path, monkeypatch):
    monkeypatch.setenv("FTUI_CONFIG", str(_config(tmp_path, "")))
    session = SessionRequest(local=True, data_dir=tmp_path, model_folders=(tmp_path,)).open()
    assert session.provider is None
    assert "The local engine did not start" in session.problem and str(tmp_path) in session.problem


def test_the_local_table_is_checked_and_paths_are_placed(tmp_path):
    config = _config(tmp_path, '[local]\nmodels = ["models/a", "/abs/b"]\nthreads = 3\n')
    local = load_local_config(env={}, config_path=config)
    assert local.models == [tmp_path / "models" / "a", Path("/abs/b")]
    assert (local.threads, local.device, local.data_dir) == (3, "auto", None)
    bad = _config(tmp_path, '[local]\ndevice = "tpu"\ngpus_per_node = 2\n')
    with pytest.raises(CoreError) as info:
        load_local_config(env={}, config_path=bad)
    assert "local.device" in info.value.message and "local.gpus_per_node" in info.value.message


def test_local_settings_need_no_key_but_a_remote_engine_uses_its_key_env(tmp_path):
    config = _config(tmp_path, '[profiles.gpu]\nkind = "local"\nbase_url = "http://gpu-box:8000/v1"\n'
                               'api_key_env = "GPU_KEY"\n[profiles.loop]\nkind = "local"\n'
                               'base_url = "http://127.0.0.1:9/v1"\n')
    in_process = load_local_settings(env={}, config_path=config)
    assert in_process.in_process and explain_missing_key(in_process) is None
    assert in_process.timeout == 300.0  # first chat loads the model; CPU generation is slow
    remote = load_settings("gpu", env={}, config_path=config)
    assert not remote.in_process and "GPU_KEY" in explain_missing_key(remote)
    remote = load_settings("gpu", env={"GPU_KEY": "sk-remote-0123456789"}, config_path=config)
    provider = make_provider(remote)
    assert provider.label == "LOCAL - real training on gpu-box:8000 (remote engine)"
    assert not provider.simulated
    tunnelled = make_provider(load_settings("loop", env={}, config_path=config))  # any key on loopback
    assert tunnelled.label.endswith("127.0.0.1:9 (remote engine)")
    with pytest.raises(CoreError, match="local engine is not running"):
        make_provider(in_process)


def test_together_reads_its_own_key_variable(tmp_path):
    config = _config(tmp_path, '[profiles.tg]\nkind = "together"\n')
    settings = load_settings("tg", env={"OPENAI_API_KEY": "sk-openai-not-this"}, config_path=config)
    assert settings.key_env == "TOGETHER_API_KEY" and not settings.has_key
    assert "TOGETHER_API_KEY" in explain_missing_key(settings)
    settings = load_settings("tg", env={"TOGETHER_API_KEY": "tg-key-0123456789"}, config_path=config)
    assert settings.key == "tg-key-0123456789" and explain_missing_key(settings) is None
    assert settings.organization is None
