"""A Together-dialect sandbox on loopback, and a TogetherProvider over the real SDK."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from aiohttp import web
from together import AsyncTogether

from ftui.core.backends.together_backend import TogetherProvider
from ftui.core.server.context import SandboxContext
from ftui.core.server.jobs import JobRunner
from ftui.core.server.store import Store
from ftui.core.server.together import build_together_app

KEY = "sandbox-key"
SPEED = 40.0  # simulated seconds per real second


class TogetherSandbox:
    def __init__(self, ctx: SandboxContext, runner: web.AppRunner, url: str) -> None:
        self.ctx, self.web_runner, self.url = ctx, runner, url

    def client(self, **kwargs) -> AsyncTogether:
        return AsyncTogether(api_key=KEY, base_url=self.url, max_retries=0, **kwargs)


@pytest.fixture
async def together_sandbox():
    root = Path(tempfile.mkdtemp(prefix="ftui-together-"))
    ctx = SandboxContext(store=Store(root), speed=SPEED)
    ctx.runner = JobRunner(ctx)
    runner = web.AppRunner(build_together_app(ctx, api_key=KEY), access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    yield TogetherSandbox(ctx, runner, f"http://{host}:{port}")
    await runner.cleanup()
    await ctx.runner.shutdown()
    ctx.store.close()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
async def provider(together_sandbox):
    made = TogetherProvider(together_sandbox.client(), name="together-sandbox",
                            key_source="TOGETHER_API_KEY")
    yield made
    await made.aclose()
