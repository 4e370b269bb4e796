"""Starting and stopping a sandbox: in the caller's event loop, or in a background thread.

`start_sandbox()` is for async code (tests, tools); `SandboxThread` is for `ftui --sandbox`,
so the UI's event loop never carries the server's work.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import threading
from pathlib import Path

from aiohttp import web

from ftui.core.sandbox.app import build_app
from ftui.core.sandbox.context import SandboxContext
from ftui.core.sandbox.engine import SimulatedEngine, TrainingEngine
from ftui.core.sandbox.faults import Faults
from ftui.core.sandbox.jobs import JobRunner
from ftui.core.sandbox.store import Store


def as_faults(faults: Faults | str | None) -> Faults:
    if faults is None:
        return Faults()
    return Faults.parse(faults) if isinstance(faults, str) else faults


class SandboxHandle:
    """A running sandbox in the current event loop."""

    def __init__(self, ctx: SandboxContext, web_runner: web.AppRunner, base_url: str,
                 temp_dir: Path | None) -> None:
        self.ctx = ctx
        self.base_url = base_url  # e.g. http://127.0.0.1:PORT/v1
        self._web_runner = web_runner
        self._temp_dir = temp_dir
        self._stopped = False

    @property
    def data_dir(self) -> Path:
        return self.ctx.store.root

    def set_faults(self, faults: Faults | str | None) -> None:
        self.ctx.set_faults(as_faults(faults))

    @property
    def faults(self) -> Faults:
        return self.ctx.dice.faults

    async def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        await self._web_runner.cleanup()
        if self.ctx.runner is not None:
            await self.ctx.runner.shutdown()
        self.ctx.store.close()
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)


async def start_sandbox(speed: float = 1.0, data_dir: Path | str | None = None,
                        host: str = "127.0.0.1", port: int = 0,
                        faults: Faults | str | None = None,
                        engine: TrainingEngine | None = None,
                        new_jobs_closed: bool = False) -> SandboxHandle:
    if speed <= 0:
        raise ValueError(f"speed must be positive, got {speed}")
    temp_dir = None
    if data_dir is None:
        temp_dir = Path(tempfile.mkdtemp(prefix="ftui-sandbox-"))
        root = temp_dir
    else:
        root = Path(data_dir).expanduser()
        root.mkdir(parents=True, exist_ok=True)
    ctx = SandboxContext(store=Store(root), speed=float(speed), engine=engine or SimulatedEngine(),
                         new_jobs_closed=new_jobs_closed)
    ctx.set_faults(as_faults(faults))
    ctx.runner = JobRunner(ctx)
    web_runner = web.AppRunner(build_app(ctx), access_log=None, shutdown_timeout=1.0)
    try:
        await web_runner.setup()
        site = web.TCPSite(web_runner, host, port)
        await site.start()
    except BaseException:
        await web_runner.cleanup()
        ctx.store.close()
        if temp_dir is not None:
            shutil.rmtree(temp_dir, ignore_errors=True)
        raise
    bound_host, bound_port = web_runner.addresses[0][:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    ctx.runner.resume_all()
    return SandboxHandle(ctx, web_runner, f"http://{shown}:{bound_port}/v1", temp_dir)


class SandboxThread:
    """A sandbox served from its own thread and event loop."""

    def __init__(self, speed: float = 1.0, data_dir: Path | str | None = None,
                 host: str = "127.0.0.1", port: int = 0,
                 faults: Faults | str | None = None, new_jobs_closed: bool = False) -> None:
        self._options = dict(speed=speed, data_dir=data_dir, host=host, port=port,
                             faults=as_faults(faults), new_jobs_closed=new_jobs_closed)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._handle: SandboxHandle | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self.base_url: str | None = None

    @property
    def handle(self) -> SandboxHandle:
        assert self._handle is not None, "sandbox not started"
        return self._handle

    def start(self, timeout: float = 30.0) -> str:
        """Start serving; returns the base URL once the port is bound."""
        if self.base_url is not None:
            return self.base_url
        self._thread = threading.Thread(target=self._serve, name="ftui-sandbox", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("the sandbox did not start in time")
        if self._error is not None:
            raise self._error
        assert self._handle is not None
        self.base_url = self._handle.base_url
        return self.base_url

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            self._handle = loop.run_until_complete(start_sandbox(**self._options))
        except BaseException as exc:  # reported to the thread that called start()
            self._error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(self._handle.stop())
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())  # validation threads
            loop.close()

    def set_faults(self, faults: Faults | str | None) -> None:
        parsed = as_faults(faults)
        if self._loop is None or self._handle is None:
            self._options["faults"] = parsed
            return
        async def apply() -> None:
            self.handle.ctx.set_faults(parsed)

        # Wait until the server's loop has applied it, so the next request sees it.
        asyncio.run_coroutine_threadsafe(apply(), self._loop).result(10)

    def stop(self, timeout: float = 10.0) -> None:
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)
        self.base_url = None

    def __enter__(self) -> SandboxThread:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
