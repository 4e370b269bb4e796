"""`ftui --sandbox --dialect together` and `ftui sandbox --dialect together`: the same sandbox answering
Together's paths, reached through ftui's Together backend or the official SDK alone."""

from __future__ import annotations

import subprocess
import sys

import pytest
from together import Together

from ftui.core.session import SessionRequest
from tests.conftest import ROOT


async def test_the_app_session_uses_the_together_backend_against_the_sandbox(tmp_path, marv_path):
    session = SessionRequest(sandbox=True, dialect="together", data_dir=tmp_path, speed=50).open()
    try:
        provider = session.provider
        assert provider is not None and provider.simulated
        assert "Together" in provider.label
        assert provider.capabilities.pause_resume is False  # what the screens follow
        uploaded = await provider.upload_file(marv_path)
        assert (await provider.retrieve_file(uploaded.id)).id == uploaded.id
        assert any(m.fine_tunable for m in await provider.list_models())
        await provider.aclose()
    finally:
        session.close()


def test_the_sandbox_command_serves_together_to_the_official_sdk(tmp_path, marv_path):
    proc = subprocess.Popen([sys.executable, "-m", "ftui.tui", "sandbox", "--dialect", "together", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        first = proc.stdout.readline()
        assert "listening on http://127.0.0.1:" in first, first + proc.stderr.read()
        base_url = first.split("listening on ")[1].strip()
        assert not base_url.endswith("/v1")  # Together's SDK takes the host; its paths carry /v1
        client = Together(api_key="anything", base_url=base_url, max_retries=0)
        uploaded = client.files.upload(file=marv_path, purpose="fine-tune", check=True)
        assert uploaded.id in [f.id for f in client.files.list().data]
    finally:
        proc.terminate()
        proc.wait(10)


def test_dialect_without_sandbox_is_refused():
    done = subprocess.run([sys.executable, "-m", "ftui.tui", "--dialect", "together"], capture_output=True,
                          text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 2 and "--dialect is a sandbox setting" in done.stderr


@pytest.mark.parametrize("dialect", ["klingon"])
def test_an_unknown_dialect_is_an_argument_error(dialect):
    done = subprocess.run([sys.executable, "-m", "ftui.tui", "sandbox", "--dialect", dialect],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 2 and "invalid choice" in done.stderr
