"""`ftui sandbox`: serve the sandbox until Ctrl+C (or SIGTERM)."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import sys
from collections.abc import Mapping
from urllib.parse import urlsplit

from ftui.core.server.faults import Faults
from ftui.core.server.runner import SandboxHandle, check_listen, is_loopback, start_sandbox


class UsageError(ValueError):
    """A bad command-line argument; main() prints it and exits 2."""


def add_listen_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1; any other needs --api-key-env)")
    parser.add_argument("--port", type=int, default=0, help="port (default: any free port)")
    parser.add_argument("--api-key-env", metavar="VAR", default=None,
                        help="accept only the key held in environment variable VAR "
                             "(required to listen off loopback)")


def api_key_from(args: argparse.Namespace, env: Mapping[str, str] | None = None) -> str | None:
    """The key named by --api-key-env (never printed), checked against --host and --port."""
    env = os.environ if env is None else env
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, got {args.port}")
    key = None
    if args.api_key_env is not None:
        key = env.get(args.api_key_env, "").strip()
        if not key:
            raise UsageError(f"--api-key-env: the environment variable {args.api_key_env} is not set "
                             "(or empty); export it with the key first")
    try:
        check_listen(args.host, key)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return key


def usage_line(base_url: str, key_env: str | None) -> str:
    """How a client connects; names the key's variable, never the key."""
    key = f'os.environ["{key_env}"]' if key_env else '"anything"'
    return f'Use it with: OpenAI(base_url="{base_url}", api_key={key})'


def print_usage(base_url: str, host: str, key_env: str | None) -> None:
    print(usage_line(base_url, key_env))
    if not is_loopback(host):  # 0.0.0.0 is where it listens, not an address to connect to
        port = urlsplit(base_url).port
        print(f"From another machine: base_url http://{socket.gethostname()}:{port}/v1 "
              f"(or this machine's address), with the key from {key_env}")


def stop_on_signals() -> asyncio.Event:
    """An event Ctrl+C (SIGINT) or SIGTERM sets; called before the server starts, so a signal that
    comes as soon as it says "Press Ctrl+C" is not lost. Both get a handler of their own: a server
    started in the background of a script inherits SIGINT ignored, and would never stop on it."""
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(stop_signal, stopped.set)
        except (NotImplementedError, RuntimeError):  # no signal handlers on this platform or thread
            pass
    return stopped


async def serve_until_stopped(handle: SandboxHandle, stopped: asyncio.Event) -> None:
    """Serve until `stopped` (stop_on_signals), then stop cleanly (a temporary data folder goes with it)."""
    try:
        await stopped.wait()
    finally:
        await handle.stop()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ftui sandbox",
        description="A local OpenAI-compatible server with simulated fine-tuning.")
    add_listen_arguments(parser)
    parser.add_argument("--speed", type=float, default=1.0,
                        help="time scale: 1 makes a demo job take ~30 s, 10 about 3 s")
    parser.add_argument("--data-dir", default=None,
                        help="keep files, jobs and models here across restarts (default: a temp dir)")
    parser.add_argument("--faults", default=None,
                        help="inject faults, e.g. rate429=0.1,error5xx=0.1,latency=50,drop=0.05,cut_stream=0.1")
    parser.add_argument("--no-new-jobs", action="store_true",
                        help="refuse job creation with 403, as OpenAI will after 2027-01-06 "
                             "(models, files and chat keep working)")
    parser.add_argument("--dialect", choices=("openai", "together"), default="openai",
                        help="whose API to speak: OpenAI's (default) or Together AI's, over the same "
                             "files, jobs and engine")
    parser.add_argument("--unnamed-outputs", action="store_true",
                        help="Together dialect: answer finished jobs without model_output_name, as "
                             "Together may for a while after a job completes")
    return parser


async def _serve(args: argparse.Namespace, faults: Faults, api_key: str | None) -> None:
    stopped = stop_on_signals()
    handle = await start_sandbox(speed=args.speed, data_dir=args.data_dir, host=args.host,
                                 port=args.port, faults=faults, new_jobs_closed=args.no_new_jobs,
                                 api_key=api_key, dialect=args.dialect,
                                 unnamed_outputs=args.unnamed_outputs)
    try:
        print(f"ftui sandbox listening on {handle.base_url}")
        if args.dialect == "together":
            print(f'Use it with: together.Together(base_url="{handle.base_url}", api_key="anything")')
        else:
            print_usage(handle.base_url, args.host, args.api_key_env)
        print(f"Data: {handle.data_dir}" + ("" if args.data_dir else " (temporary, removed at exit)"))
        if faults.active:
            print(f"Faults: {faults}")
        if args.no_new_jobs:
            print("New fine-tuning jobs are refused (403), as after OpenAI's wind-down.")
        print("Press Ctrl+C to stop.", flush=True)
    except BaseException:
        await handle.stop()
        raise
    await serve_until_stopped(handle, stopped)


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.speed <= 0:
        print("ftui sandbox: --speed must be positive", file=sys.stderr)
        return 2
    try:
        faults = Faults.parse(args.faults)
        api_key = api_key_from(args)
    except UsageError as exc:
        print(f"ftui sandbox: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"ftui sandbox: --faults: {exc}", file=sys.stderr)
        return 2
    try:
        asyncio.run(_serve(args, faults, api_key))
        print("sandbox stopped", flush=True)
    except KeyboardInterrupt:  # Ctrl+C while it was still starting
        print("sandbox stopped", flush=True)
    except OSError as exc:
        print(f"ftui sandbox: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
