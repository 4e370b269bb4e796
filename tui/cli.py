"""The `ftui` command: the app, plus `ftui validate` and `ftui sandbox` for scripts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

USAGE_EPILOG = """commands:
  ftui [PATH]                 open the workbench (optionally on a dataset)
  ftui validate PATH          check a training file the way OpenAI will (exit 0 ok, 1 errors, 2 unreadable)
  ftui sandbox                run the local OpenAI-compatible sandbox server
  ftui local                  run the local engine (real LoRA training on this machine) as a server
  ftui --archive DIR          browse an archive written by `ftui archive`, read-only
  ftui local export MODEL DEST  write a fine-tuned local model to a folder (--merged: standalone)
"""


def _app_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ftui", description="A keyboard-driven terminal workbench for fine-tuning.",
        epilog=USAGE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", nargs="?", type=Path, help="a JSONL dataset to open")
    parser.add_argument("--sandbox", action="store_true",
                        help="run against a local simulated OpenAI server (no key, no cost)")
    parser.add_argument("--local", action="store_true",
                        help="run against the local engine: real training on this machine")
    parser.add_argument("--model", dest="models", action="append", type=Path, default=[],
                        metavar="PATH", help="local: a Hugging Face model folder to offer (repeatable)")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"),
                        help="local: where to train and generate (default: the [local] table, else auto)")
    parser.add_argument("--threads", type=int, help="local: CPU threads (default: all cores)")
    parser.add_argument("--archive", type=Path, metavar="DIR",
                        help="open an archive folder (from `ftui archive`) read-only")
    parser.add_argument("--profile", help="a profile from the config file (default: its default_profile)")
    parser.add_argument("--speed", type=float, default=1.0, help="sandbox time scale (higher is faster)")
    parser.add_argument("--data-dir", type=Path,
                        help="keep the sandbox's or local engine's files and jobs in this folder")
    parser.add_argument("--no-new-jobs", action="store_true",
                        help="sandbox: refuse new jobs (403) as OpenAI will after 2027-01-06")
    parser.add_argument("--dialect", choices=("openai", "together"), default="openai",
                        help="sandbox: speak OpenAI's API (default) or Together AI's, through ftui's "
                             "Together backend")
    return parser


def _local_arguments_problem(args: argparse.Namespace) -> str | None:
    if args.local and (args.sandbox or args.profile):
        return "--local runs the local engine; it does not go with --sandbox or --profile"
    if not args.local and (args.models or args.device or args.threads is not None):
        return "--model, --device and --threads are local engine settings; add --local"
    if args.threads is not None and args.threads < 0:
        return f"--threads must be 0 (all cores) or more, got {args.threads}"
    missing = [str(p) for p in args.models if not p.expanduser().exists()]
    if missing:
        return f"--model {missing[0]}: no such file or folder"
    return None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from ftui.core.commands import run_subcommand
    code = run_subcommand(argv)
    if code is not None:
        return code
    args = _app_parser().parse_args(argv)
    if args.path is not None and not args.path.exists():
        print(f"ftui: {args.path}: no such file", file=sys.stderr)
        return 2

    from ftui.core.session import SessionRequest
    from ftui.tui.shell.app import FtuiApp  # Textual loads only when the app runs, keeping the CLI commands fast
    if args.dialect != "openai" and not args.sandbox:
        print("ftui: --dialect is a sandbox setting; add --sandbox", file=sys.stderr)
        return 2
    if args.no_new_jobs and not args.sandbox:
        print("ftui: --no-new-jobs is a sandbox setting; add --sandbox", file=sys.stderr)
        return 2
    problem = _local_arguments_problem(args)
    if args.archive is not None and (args.sandbox or args.local or args.profile):
        problem = "--archive opens an archive folder; it does not go with --sandbox, --local or --profile"
    elif args.archive is not None and not args.archive.is_dir():
        problem = f"--archive {args.archive}: no such folder"
    if problem:
        print(f"ftui: {problem}", file=sys.stderr)
        return 2
    request = SessionRequest(args.profile, sandbox=args.sandbox, speed=args.speed, data_dir=args.data_dir,
                             new_jobs_closed=args.no_new_jobs, local=args.local,
                             model_folders=tuple(args.models), device=args.device, threads=args.threads,
                             dialect=args.dialect,
                             archive=args.archive.resolve() if args.archive is not None else None)
    app = FtuiApp(request, open_path=args.path, sandbox_speed=args.speed)
    try:
        app.run()
    finally:
        app.session.close()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
