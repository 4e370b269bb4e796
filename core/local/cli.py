"""`ftui local`: serve the local engine until Ctrl+C; `ftui local export`: write a tuned model out;
`ftui local join`: train the head engine's jobs on another node too.

Settings come from the command line, then the config file's `[local]` table, then defaults.
Every failure is a message and an exit code (2: bad arguments, 1: could not run), never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from ftui.core.server.cli import (
    UsageError,
    add_listen_arguments,
    api_key_from,
    print_usage,
    serve_until_stopped,
    stop_on_signals,
)

PROG = "ftui local"


class RunError(Exception):
    """The engine could not run or export; main() prints it and exits 1."""


def _add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="where files, jobs and adapters are kept (default: the [local] table's "
                             "data_dir, else the user data folder's local/)")
    parser.add_argument("--model", dest="models", action="append", type=Path, default=[],
                        metavar="PATH",
                        help="a Hugging Face model folder to offer as a base model (repeatable; "
                             "added to the [local] table's models)")


def _serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Serve real LoRA fine-tuning and chat on this machine behind "
                               "OpenAI's API. `ftui local export --help` for exporting a model.")
    add_listen_arguments(parser)
    _add_engine_arguments(parser)
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default=None,
                        help="where to train and generate (default auto: the GPU when there is one)")
    parser.add_argument("--threads", type=int, default=None,
                        help="CPU threads for training and generation, in all (default: all cores)")
    parser.add_argument("--procs", type=_procs, default=None, metavar="N|auto",
                        help="processes that train each job with torch.distributed (default 1; auto: one "
                             "per GPU, 1 on CPU); on CPU they share --threads")
    parser.add_argument("--strategy", choices=("ddp", "fsdp"), default=None,
                        help="how several processes share a job: ddp, a whole model per process (default); "
                             "fsdp, the base model sharded per decoder layer across them")
    parser.add_argument("--nodes", type=_at_least_one, default=None, metavar="N",
                        help="machines that train each job (default 1, or [local] nodes); this is node 0, "
                             "the others run `ftui local join` on the same (shared) data folder")
    parser.add_argument("--master-addr", default=None, metavar="HOST",
                        help="with --nodes: the address the other nodes reach this one at for the rendezvous "
                             "(default 127.0.0.1, or [local] master_addr)")
    parser.add_argument("--master-port", type=int, default=None, metavar="PORT",
                        help="with --nodes: the rendezvous port on this node (default 29500, or [local] "
                             "master_port)")
    return parser


def _join_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"{PROG} join", description="Run this node's ranks of every job the head engine "
                                         "(`ftui local --nodes N`) trains, until Ctrl+C.")
    parser.add_argument("--data-dir", type=Path, required=True,
                        help="the head engine's data folder, shared with this node")
    parser.add_argument("--node-rank", type=_at_least_one, required=True, metavar="K",
                        help="this node's place, 1 .. nodes-1 (the head is 0)")
    parser.add_argument("--threads", type=int, default=None,
                        help="CPU threads per training process (default: the head's)")
    return parser


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def _procs(text: str) -> int | str:
    if text == "auto":
        return text
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number or auto, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def _export_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"{PROG} export", description="Write a fine-tuned model (or a checkpoint) to a folder.")
    parser.add_argument("model", help="the fine-tuned model's name, e.g. ft:SmolLM2-135M-Instruct:local:...")
    parser.add_argument("dest", type=Path, help="the folder to write")
    parser.add_argument("--merged", action="store_true",
                        help="write a standalone model (base + adapter merged) instead of the adapter")
    _add_engine_arguments(parser)
    return parser


def _config():
    """The config file's [local] table (defaults when there is no file)."""
    from ftui.core.errors import CoreError
    from ftui.core.settings import load_local_config

    try:
        return load_local_config()
    except CoreError as exc:
        raise UsageError(exc.summary()) from None


def _model_folders(args: argparse.Namespace, config) -> list[Path]:
    folders = [Path(p).expanduser() for p in config.models] + [p.expanduser() for p in args.models]
    for folder in folders:
        if not folder.exists():
            raise UsageError(f"--model {folder}: no such file or folder")
    return folders


def _data_dir(args: argparse.Namespace, config) -> Path:
    from ftui.core.local.server import default_data_dir

    chosen = args.data_dir or config.data_dir
    return Path(chosen).expanduser() if chosen else default_data_dir()


async def _serve(args: argparse.Namespace, api_key: str | None, config) -> None:
    from ftui.core.local.server import start_local

    stopped = stop_on_signals()
    data_dir = _data_dir(args, config)
    threads = args.threads if args.threads is not None else config.threads
    handle = await start_local(data_dir=data_dir, host=args.host, port=args.port,
                               model_folders=_model_folders(args, config),
                               device=args.device or config.device, threads=threads,
                               procs=args.procs or config.procs, strategy=args.strategy or config.strategy,
                               nodes=args.nodes or config.nodes, master_addr=args.master_addr or config.master_addr,
                               master_port=config.master_port if args.master_port is None else args.master_port,
                               api_key=api_key)
    try:
        print(f"ftui local engine listening on {handle.base_url}")
        print_usage(handle.base_url, args.host, args.api_key_env)
        print(f"Device: {handle.device_label}")
        print(f"Data: {handle.data_dir} (kept across restarts)")
        print("Base models:" if handle.models else "Base models: none found (add one with --model PATH)")
        for model in handle.models:
            print(f"  {model.id}  {model.description}")
        print("Press Ctrl+C to stop.", flush=True)
    except BaseException:
        await handle.stop()
        raise
    await serve_until_stopped(handle, stopped)


def _export(args: argparse.Namespace, config) -> Path:
    from ftui.core.local.export import export_model
    from ftui.core.local.models import discover_models

    data_dir = _data_dir(args, config)
    if not data_dir.is_dir():
        raise UsageError(f"--data-dir {data_dir}: no such folder (the local engine has not run there)")
    models = discover_models(_model_folders(args, config))
    return export_model(data_dir, args.model, args.dest.expanduser(), merged=args.merged, models=models)


def _fail(code: int, message: str) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return code


def _join(argv: list[str]) -> int:
    args = _join_parser().parse_args(argv)
    from ftui.core.local.join import join

    if not args.data_dir.expanduser().is_dir():
        return _fail(2, f"--data-dir {args.data_dir}: no such folder (it must be the head engine's, shared)")
    print(f"Joined as node {args.node_rank}; waiting for jobs in {args.data_dir}. Press Ctrl+C to stop.",
          flush=True)
    try:
        join(args.data_dir.expanduser(), args.node_rank, threads=args.threads,
             say=lambda text: print(text, flush=True))
    except KeyboardInterrupt:
        print("left the engine", flush=True)
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["join"]:
        return _join(argv[1:])
    exporting = bool(argv) and argv[0] == "export"
    args = (_export_parser() if exporting else _serve_parser()).parse_args(argv[1:] if exporting else argv)
    from ftui.core.local.server import LocalEngineUnavailable, require_local_extra

    try:
        config = _config()
        if exporting:
            _model_folders(args, config)
        else:
            if args.threads is not None and args.threads < 0:
                raise UsageError(f"--threads must be 0 (all cores) or more, got {args.threads}")
            api_key = api_key_from(args)
            _model_folders(args, config)
        require_local_extra()
        from ftui.core.local.models import LocalModelError
    except UsageError as exc:
        return _fail(2, str(exc))
    except LocalEngineUnavailable as exc:
        return _fail(1, str(exc))
    try:
        if exporting:
            dest = _export(args, config)
            print(f"Exported {args.model} to {dest}" + (" (merged)" if args.merged else " (adapter)"))
            return 0
        asyncio.run(_serve(args, api_key, config))
        print("local engine stopped", flush=True)
    except KeyboardInterrupt:  # Ctrl+C while it was still starting
        print("local engine stopped", flush=True)
    except UsageError as exc:
        return _fail(2, str(exc))
    except (LocalModelError, ValueError) as exc:  # a model, device or name the user gave is wrong
        return _fail(2, str(exc))
    except LocalEngineUnavailable as exc:
        return _fail(1, str(exc))
    except OSError as exc:
        where = "export" if exporting else f"cannot listen on {args.host}:{args.port}"
        return _fail(1, f"{where}: {exc.strerror or exc}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
