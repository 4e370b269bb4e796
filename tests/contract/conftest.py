"""The Prism mock server generated from OpenAI's vendored spec, for contract tests.

Started once per session with `--errors`, so a request that breaks the spec is answered
422 (and a response that breaks it, 500) instead of being quietly served an example.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from openai import AsyncOpenAI

from ftui.core.backends.openai_backend import OpenAIProvider
from ftui.core.errors import CoreError
from tests.specs import OPENAI_SPEC

ROOT = Path(__file__).resolve().parents[2]
SPEC = OPENAI_SPEC
PRISM = ROOT / ".ci" / "node" / "node_modules" / ".bin" / "prism"
START_TIMEOUT = 180.0  # parsing the 3 MB spec takes ~15 s on a small machine


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class PrismServer:
    def __init__(self, base_url: str, log: Path, started_in: float) -> None:
        self.base_url = base_url
        self.log = log
        self.started_in = started_in

    def log_tail(self, lines: int = 25) -> str:
        """Prism's latest validation messages, to show why a request was rejected."""
        text = self.log.read_text(errors="replace").splitlines()
        keep = [line for line in text if "VALIDATOR" in line or "error" in line.lower()]
        return "\n".join(keep[-lines:])


@pytest.fixture(scope="session")
def prism(tmp_path_factory) -> PrismServer:
    if not PRISM.exists():
        pytest.skip(f"Prism is not installed at {PRISM.relative_to(ROOT)}; `make test` installs it "
                    "(cd .ci/node && npm ci)")
    if not SPEC.exists():
        pytest.skip(f"OpenAI spec not found at {SPEC.resolve()}")
    port = _free_port()
    log = tmp_path_factory.mktemp("prism") / "prism.log"
    started = time.monotonic()
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(PRISM), "mock", "--errors", "-h", "127.0.0.1", "-p", str(port),
                                 str(SPEC.resolve())], stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        while not _listening(port):
            if proc.poll() is not None:
                pytest.fail(f"Prism exited with {proc.returncode}:\n{log.read_text()[-2000:]}")
            if time.monotonic() - started > START_TIMEOUT:
                pytest.fail(f"Prism did not listen on {port} within {START_TIMEOUT:.0f} s")
            time.sleep(0.2)
        server = PrismServer(f"http://127.0.0.1:{port}", log, time.monotonic() - started)
        print(f"\nPrism ready in {server.started_in:.1f} s")
        yield server
    finally:
        # Only the process group we started.
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture
async def provider(prism: PrismServer):
    """core's own OpenAIProvider against Prism; no retries so a rejection shows at once.
    Small upload threshold and parts so the Uploads API path is exercised with tiny files."""
    client = AsyncOpenAI(api_key="sk-contract-test", base_url=prism.base_url, max_retries=0,
                         timeout=30)
    p = OpenAIProvider(client, name="prism", upload_threshold=64, part_size=32)
    yield p
    await p.aclose()


@pytest.fixture
def conforms(prism: PrismServer):
    """`await conforms(provider.x(...))`: fail with Prism's reasons if it rejected the request."""

    async def check(awaitable):
        try:
            return await awaitable
        except CoreError as err:
            if err.status == 422:
                pytest.fail(f"Prism rejected the request: {err.details()}\n{prism.log_tail()}")
            raise

    return check
