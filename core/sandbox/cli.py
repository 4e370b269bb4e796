"""`ftui sandbox`: serve the sandbox until Ctrl+C."""

from __future__ import annotations

import argparse
import asyncio
import sys

from ftui.core.sandbox.faults import Faults
from ftui.core.sandbox.runner import start_sandbox


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ftui sandbox",
        description="A local OpenAI-compatible server with simulated fine-tuning.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default: any free port)")
    parser.add_argument("--speed", type=float, default=1.0,
                        help="time scale: 1 makes a demo job take ~30 s, 10 about 3 s")
    parser.add_argument("--data-dir", default=None,
                        help="keep files, jobs and models here across restarts (default: a temp dir)")
    parser.add_argument("--faults", default=None,
                        help="inject faults, e.g. rate429=0.1,error5xx=0.1,latency=50,drop=0.05,cut_stream=0.1")
    parser.add_argument("--no-new-jobs", action="store_true",
                        help="refuse job creation with 403, as OpenAI will after 2027-01-06 "
                             "(models, files and chat keep working)")
    return parser


async def _serve(args: argparse.Namespace, faults: Faults) -> None:
    handle = await start_sandbox(speed=args.speed, data_dir=args.data_dir, host=args.host,
                                 port=args.port, faults=faults, new_jobs_closed=args.no_new_jobs)
    try:
        print(f"ftui sandbox listening on {handle.base_url}")
        print(f'Use it with: OpenAI(base_url="{handle.base_url}", api_key="anything")')
        print(f"Data: {handle.data_dir}" + ("" if args.data_dir else " (temporary, removed at exit)"))
        if faults.active:
            print(f"Faults: {faults}")
        if args.no_new_jobs:
            print("New fine-tuning jobs are refused (403), as after OpenAI's wind-down.")
        print("Press Ctrl+C to stop.", flush=True)
        await asyncio.Event().wait()
    finally:
        await handle.stop()


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.speed <= 0:
        print("ftui sandbox: --speed must be positive", file=sys.stderr)
        return 2
    try:
        faults = Faults.parse(args.faults)
    except ValueError as exc:
        print(f"ftui sandbox: --faults: {exc}", file=sys.stderr)
        return 2
    try:
        asyncio.run(_serve(args, faults))
    except KeyboardInterrupt:
        print("sandbox stopped", flush=True)
    except OSError as exc:
        print(f"ftui sandbox: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
