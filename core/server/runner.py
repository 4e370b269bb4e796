"""Starting and stopping the OpenAI-shaped server: in the caller's event loop, or in a background thread.

`start_sandbox()` is for async code (tests, tools); `SandboxThread` is for `ftui --sandbox`,
so the UI's event loop never carries the server's work. The same server runs the local engine
(ftui.core.local.server), with a real engine and chat passed in.
"""

from __future__ import annotations

import asyncio
import ipaddress
import shutil
import tempfile
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypedDict

from aiohttp import web

from ftui.core.server.context import SandboxContext
from ftui.core.server.engine import SimulatedEngine, TrainingEngine
from ftui.core.server.faults import Faults
from ftui.core.server.jobs import JobRunner
from ftui.core.server.store import Store

LOOPBACK_NAMES = ("localhost", "localhost.localdomain")


class ListenRefused(ValueError):
    """The server was asked to listen where it must not; the message says what to do."""


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to anything, so it counts as off loopback
        return False


def check_listen(host: str, api_key: str | None) -> None:
    """Refuse to listen off loopback without a key: anyone who can reach the port could read the
    data and run jobs."""
    if not api_key and not is_loopback(host):
        raise ListenRefused(
            f"refusing to listen on {host} without an API key: anyone who can reach it could use it. "
            "Give a key with --api-key-env VAR (the name of an environment variable holding it), "
            "or listen on 127.0.0.1 and reach it through an SSH tunnel")


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
        # The local engine fills these: "cpu, 2 threads" or the GPU's name; the base models offered.
        self.device_label: str | None = None
        self.models: list[Any] = []

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
        for part in (self.ctx.engine, getattr(self.ctx, "chat", None)):
            await _close(part)
        self.ctx.store.close()
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)


async def _close(part: Any) -> None:
    """Let an engine or chat backend free what it holds (child processes, models), if it can."""
    close = getattr(part, "aclose", None) or getattr(part, "close", None)
    if close is None:
        return
    result = close()
    if asyncio.iscoroutine(result):
        await result


async def start_sandbox(speed: float = 1.0, data_dir: Path | str | None = None,
                        host: str = "127.0.0.1", port: int = 0,
                        faults: Faults | str | None = None,
                        engine: TrainingEngine | None = None,
                        new_jobs_closed: bool = False, *,
                        chat: Any = None, api_key: str | None = None,
                        kind: str = "simulated", dialect: str = "openai",
                        unnamed_outputs: bool = False) -> SandboxHandle:
    """Serve the API. `data_dir=None` means a temporary folder removed at stop; `api_key` set means
    only that key is accepted; `kind` is what the x-sandbox header says ("simulated", "local");
    `dialect` is whose API it speaks over the same store and engine ("openai" or "together");
    `unnamed_outputs` (Together) answers finished jobs without their output model's name."""
    from ftui.core.server.together import DIALECTS, base_url_for, build_app_for

    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}: use one of {', '.join(DIALECTS)}")
    if speed <= 0:
        raise ValueError(f"speed must be positive, got {speed}")
    check_listen(host, api_key)
    temp_dir = None
    if data_dir is None:
        temp_dir = Path(tempfile.mkdtemp(prefix="ftui-sandbox-"))
        root = temp_dir
    else:
        root = Path(data_dir).expanduser()
        root.mkdir(parents=True, exist_ok=True)
    ctx = SandboxContext(store=Store(root), speed=float(speed), engine=engine or SimulatedEngine(),
                         new_jobs_closed=new_jobs_closed, unnamed_outputs=unnamed_outputs)
    if chat is not None:
        ctx.chat = chat
    ctx.set_faults(as_faults(faults))
    ctx.runner = JobRunner(ctx)
    app = build_app_for(dialect, ctx, api_key=api_key, kind=kind)
    web_runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
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
    return SandboxHandle(ctx, web_runner, base_url_for(dialect, f"http://{shown}:{bound_port}"), temp_dir)


class ServerThread:
    """A server served from its own thread and event loop; `start_server` builds it there."""

    thread_name = "ftui-server"

    def __init__(self, start_server: Callable[[], Awaitable[SandboxHandle]]) -> None:
        self._start_server = start_server
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._handle: SandboxHandle | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self.base_url: str | None = None

    @property
    def handle(self) -> SandboxHandle:
        assert self._handle is not None, "server not started"
        return self._handle

    def start(self, timeout: float = 30.0) -> str:
        """Start serving; returns the base URL once the port is bound."""
        if self.base_url is not None:
            return self.base_url
        self._thread = threading.Thread(target=self._serve, name=self.thread_name, daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("the server did not start in time")
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
            self._handle = loop.run_until_complete(self._start_server())
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

    def stop(self, timeout: float = 10.0) -> None:
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)
        self.base_url = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class _SandboxOptions(TypedDict):
    """SandboxThread's arguments to start_sandbox; `faults` may change before it starts."""

    speed: float
    data_dir: Path | str | None
    host: str
    port: int
    faults: Faults
    new_jobs_closed: bool
    api_key: str | None
    dialect: str


class SandboxThread(ServerThread):
    """A sandbox served from its own thread and event loop."""

    thread_name = "ftui-sandbox"

    def __init__(self, speed: float = 1.0, data_dir: Path | str | None = None,
                 host: str = "127.0.0.1", port: int = 0,
                 faults: Faults | str | None = None, new_jobs_closed: bool = False,
                 api_key: str | None = None, dialect: str = "openai") -> None:
        self._options = _SandboxOptions(speed=speed, data_dir=data_dir, host=host, port=port,
                                        faults=as_faults(faults), new_jobs_closed=new_jobs_closed,
                                        api_key=api_key, dialect=dialect)
        super().__init__(lambda: start_sandbox(**self._options))

    def set_faults(self, faults: Faults | str | None) -> None:
        parsed = as_faults(faults)
        if self._loop is None or self._handle is None:
            self._options["faults"] = parsed
            return
        async def apply() -> None:
            self.handle.ctx.set_faults(parsed)

        # Wait until the server's loop has applied it, so the next request sees it.
        asyncio.run_coroutine_threadsafe(apply(), self._loop).result(10)
