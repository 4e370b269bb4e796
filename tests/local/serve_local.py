"""A local-engine server in its own process, for tests that SIGKILL it: `python -m tests.local.serve_local
DATA_DIR MODEL_DIR` prints the base URL on its first line and serves until killed."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from ftui.core.local.engine import LocalEngine
from ftui.core.local.models import discover_models
from ftui.core.server.runner import start_sandbox


async def serve(data_dir: Path, model_dir: Path) -> None:
    engine = LocalEngine(discover_models([model_dir], hf_cache=False), data_dir=data_dir, threads=1)
    handle = await start_sandbox(engine=engine, data_dir=data_dir)
    print(handle.base_url, flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(serve(Path(sys.argv[1]), Path(sys.argv[2])))
