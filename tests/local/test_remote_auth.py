"""A server that listens off loopback takes only its key; without one it does not listen at all.

Servers here bind 0.0.0.0 but every request goes to 127.0.0.1: test traffic never leaves loopback.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import openai
import pytest

from ftui.core.errors import CoreError
from ftui.core.local.server import start_local
from ftui.core.server.cli import main as sandbox_main
from ftui.core.server.runner import ListenRefused, SandboxThread, is_loopback, start_sandbox
from ftui.core.session import open_session
from tests.server.helpers import raw_request
from tests.spec_check import check_error

ROOT = Path(__file__).resolve().parents[2]
KEY = "remote-key-7f3a9c2e"


def via_loopback(base_url: str) -> str:
    return f"http://127.0.0.1:{urlsplit(base_url).port}/v1"


def test_loopback_addresses_are_told_apart():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert is_loopback("127.5.6.7") and is_loopback("[::1]")
    assert not is_loopback("0.0.0.0") and not is_loopback("::") and not is_loopback("gpu-box.lan")


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "gpu-box.lan"])
async def test_no_key_no_listening_off_loopback(host):
    with pytest.raises(ListenRefused, match="--api-key-env"):
        await start_sandbox(host=host)
    with pytest.raises(ListenRefused, match="without an API key"):
        await start_local(host=host)  # refused before anything heavy loads


def test_off_loopback_server_takes_only_its_key():
    with SandboxThread(host="0.0.0.0", api_key=KEY, speed=400) as sandbox:
        assert "0.0.0.0" in sandbox.base_url
        url = via_loopback(sandbox.base_url)
        for headers in ({}, {"Authorization": "Bearer wrong-key"},
                        {"Authorization": f"Bearer {KEY}x"}, {"Authorization": f"Bearer {KEY[:-1]}"}):
            status, _, body = raw_request("GET", f"{url}/models", headers=headers)
            assert status == 401, headers
            check_error(body)
            assert KEY not in str(body)
        status, _, body = raw_request("GET", f"{url}/models", headers={"Authorization": "Bearer wrong"})
        assert body["error"]["code"] == "invalid_api_key"
        with openai.OpenAI(base_url=url, api_key="wrong", max_retries=0) as bad:
            with pytest.raises(openai.AuthenticationError):
                bad.models.list()
        with openai.OpenAI(base_url=url, api_key=KEY, max_retries=0) as good:
            assert good.models.list().data


def test_loopback_server_without_key_still_takes_any_key():
    with SandboxThread(speed=400) as sandbox:
        status, head, _ = raw_request("GET", f"{sandbox.base_url}/models",
                                      headers={"Authorization": "Bearer anything"})
        assert status == 200 and head["x-sandbox"] == "simulated"


def test_sandbox_cli_refuses_off_loopback_without_key(capsys, monkeypatch):
    assert sandbox_main(["--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert "refusing to listen on 0.0.0.0" in err and "Traceback" not in err
    monkeypatch.delenv("FTUI_TEST_UNSET_KEY", raising=False)
    assert sandbox_main(["--host", "0.0.0.0", "--api-key-env", "FTUI_TEST_UNSET_KEY"]) == 2
    assert "FTUI_TEST_UNSET_KEY is not set" in capsys.readouterr().err


def test_sandbox_cli_with_key_never_prints_it(tmp_path):
    code = "import sys; from ftui.core.server.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "--host", "0.0.0.0", "--api-key-env", "MY_SANDBOX_KEY"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "MY_SANDBOX_KEY": KEY, "TMPDIR": str(tmp_path)})
    try:
        lines = _read_until(proc, "Press Ctrl+C")
        text = "".join(lines)
        assert KEY not in text and 'api_key=os.environ["MY_SANDBOX_KEY"]' in text
        url = via_loopback(re.search(r"listening on (http://\S+/v1)", text).group(1))
        assert raw_request("GET", f"{url}/models", headers={"Authorization": "Bearer x"})[0] == 401
        assert raw_request("GET", f"{url}/models", headers={"Authorization": f"Bearer {KEY}"})[0] == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        assert KEY not in proc.stdout.read() + proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    # SIGTERM stopped it cleanly: its temporary data folder is gone too
    assert not list(tmp_path.glob("ftui-sandbox-*"))


def _read_until(proc: subprocess.Popen, marker: str, timeout: float = 120) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError("server exited early:\n" + "".join(lines) + proc.stderr.read())
        lines.append(line)
        if line.startswith(marker):
            return lines
    raise AssertionError("no start-up message in time:\n" + "".join(lines))


async def test_remote_local_profile_reaches_an_engine_bound_to_all_addresses(
        tmp_path, tiny_model_dir, monkeypatch):
    handle = await start_local(data_dir=tmp_path / "engine", host="0.0.0.0", api_key=KEY,
                               model_folders=[tiny_model_dir], device="cpu", threads=1)
    try:
        url = via_loopback(handle.base_url)
        config = tmp_path / "config.toml"
        config.write_text(f'[profiles.gpu]\nkind = "local"\nbase_url = "{url}"\n'
                          'api_key_env = "GPU_BOX_KEY"\n', encoding="utf-8")
        monkeypatch.setenv("FTUI_CONFIG", str(config))

        monkeypatch.delenv("GPU_BOX_KEY", raising=False)
        keyless = open_session("gpu")
        assert keyless.provider is None and "GPU_BOX_KEY" in keyless.problem

        monkeypatch.setenv("GPU_BOX_KEY", "not-the-key")
        wrong = open_session("gpu")
        with pytest.raises(CoreError) as refused:
            await wrong.provider.list_models()
        assert "GPU_BOX_KEY" in refused.value.hint and "not-the-key" not in refused.value.summary()
        await wrong.provider.aclose()

        monkeypatch.setenv("GPU_BOX_KEY", KEY)
        session = open_session("gpu")
        assert not session.simulated
        assert session.provider.label == f"LOCAL - real training on 127.0.0.1:{urlsplit(url).port} (remote engine)"
        ids = {m.id for m in await session.provider.list_models()}
        assert tiny_model_dir.name in ids
        await session.provider.aclose()
    finally:
        await handle.stop()


@pytest.mark.slow  # a 2-process job and a chat through a 0.0.0.0 engine: ~40 s idle, 100+ s busy
async def test_over_the_network_uploads_jobs_events_and_chat_stream_as_on_loopback(tmp_path, tiny_model_dir):
    """The remote-engine case: bound to 0.0.0.0 with a key (reached through 127.0.0.1), a job on 2 processes."""
    from tests.local.style_data import style_rows, write_jsonl

    handle = await start_local(data_dir=tmp_path / "engine", host="0.0.0.0", api_key=KEY,
                               model_folders=[tiny_model_dir], device="cpu", threads=2, procs=2)
    client = openai.AsyncOpenAI(base_url=via_loopback(handle.base_url), api_key=KEY, max_retries=0)
    try:
        path = write_jsonl(tmp_path / "train.jsonl", style_rows(10))
        size = path.stat().st_size
        upload = await client.uploads.create(bytes=size, filename=path.name, mime_type="text/jsonl",
                                             purpose="fine-tune")
        data = path.read_bytes()
        parts = [(await client.uploads.parts.create(upload.id, data=chunk)).id
                 for chunk in (data[:size // 2], data[size // 2:])]
        done = await client.uploads.complete(upload.id, part_ids=parts)
        job = await client.fine_tuning.jobs.create(
            model=tiny_model_dir.name, training_file=done.file.id,
            method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 1, "batch_size": 5}}})
        deadline = time.monotonic() + 120
        while (job := await client.fine_tuning.jobs.retrieve(job.id)).status not in ("succeeded", "failed"):
            assert time.monotonic() < deadline, job.status
            await asyncio.sleep(0.2)
        assert job.status == "succeeded", job.error
        texts = [e.message for e in (await client.fine_tuning.jobs.list_events(job.id)).data]
        assert "Training on 2 processes (gloo, ddp)" in texts and "Step 2/2" in " ".join(texts)
        stream = await client.chat.completions.create(model=job.fine_tuned_model, stream=True,
                                                      max_completion_tokens=3,
                                                      messages=[{"role": "user", "content": "hi"}])
        chunks = [chunk async for chunk in stream]
        assert len(chunks) >= 2 and chunks[-1].choices[0].finish_reason in ("stop", "length")
    finally:
        await client.close()
        await handle.stop()
