"""App sessions on the other providers the screens must follow: the sandbox speaking Together's
API, and the local engine training the tiny model for real (both over loopback HTTP)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing here may download


@pytest.fixture
async def together_session(sandbox_factory):
    """A Session on the sandbox answering Together's paths, through the real Together backend."""
    from ftui.core.backends.together_backend import make_sandbox_provider
    from ftui.core.session import Session

    thread = sandbox_factory(dialect="together")
    provider = make_sandbox_provider(thread.base_url)
    yield Session(provider, "sandbox", simulated=True)
    await provider.aclose()


@pytest.fixture(scope="module")
def local_engine(tmp_path_factory):
    """The local engine on the tiny model (CPU, one thread), shared by a module's tests."""
    from ftui.core.local.server import LocalThread
    from tests.local.tiny_model import build_tiny_model

    tiny = build_tiny_model(tmp_path_factory.mktemp("tiny-model") / "tiny-llama")
    engine = LocalThread(data_dir=tmp_path_factory.mktemp("local-data"), model_folders=[tiny],
                         device="cpu", threads=1)
    engine.start()
    yield engine
    engine.stop()


class Borrowed:
    """The module's engine lent to one app: the app's close at exit leaves it running."""

    def __init__(self, engine) -> None:
        self._engine = engine

    @property
    def handle(self):
        return self._engine.handle

    @property
    def device_label(self) -> str:
        return self._engine.device_label

    def stop(self) -> None:
        pass


@pytest.fixture
async def local_session(local_engine, tmp_path, monkeypatch):
    """A Session as `ftui --local` opens it, on the shared engine."""
    from pydantic import SecretStr

    from ftui.core.connect import make_provider
    from ftui.core.session import Session
    from ftui.core.settings import load_local_settings

    config = tmp_path / "config.toml"
    config.write_text("")
    monkeypatch.setenv("FTUI_CONFIG", str(config))
    settings = load_local_settings().model_copy(update={"api_key": SecretStr("local-test")})
    provider = make_provider(settings, sandbox_base_url=local_engine.base_url,
                             local_device=local_engine.device_label)
    yield Session(provider, "local", _sandbox=Borrowed(local_engine))
    await provider.aclose()


def tiny_model_id(engine) -> str:
    return next(m.id for m in engine.models if Path(m.path).name == "tiny-llama")
