"""`ftui archive PROFILE DEST`: everything about a profile's fine-tuning, written to a new folder.

Progress goes to stderr, the summary to stdout. Exit 0 done, 1 the account could not be read,
2 bad arguments (unknown profile, DEST not empty, no key)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from ftui.core.errors import CoreError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        self.exit(2, f"ftui archive: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ftui archive",
                     description="Write a profile's jobs, events, checkpoints, result files, fine-tuned "
                                 "models and ftui's compare sessions to a new folder (JSONL/CSV) that "
                                 "ftui can reopen read-only.")
    parser.add_argument("profile", help="the profile to archive")
    parser.add_argument("dest", type=Path, help="a new or empty folder")
    parser.add_argument("--no-compare", action="store_true", help="leave ftui's compare sessions out")
    return parser


async def _run(args) -> int:
    from ftui.core.archive.write import archive_account, refuse_non_empty
    from ftui.core.compare.store import CompareStore
    from ftui.core.connect import explain_missing_key, make_provider
    from ftui.core.settings import load_settings

    settings = load_settings(args.profile)
    missing = explain_missing_key(settings)
    if missing:
        raise CoreError(missing, kind="input")
    if settings.kind == "sandbox" and not settings.base_url or settings.in_process:
        raise CoreError(f"profile {args.profile!r} runs in process; archive it from the app",
                        kind="input", hint="or give the profile a base_url")
    refuse_non_empty(args.dest)
    provider = make_provider(settings)
    try:
        summary = await archive_account(
            provider, args.dest, profile=args.profile,
            progress=lambda text: print(f"archive: {text}", file=sys.stderr, flush=True),
            compare_store=None if args.no_compare else CompareStore())
    except CoreError as exc:
        if exc.kind == "input":
            raise
        print(f"ftui archive: {exc.summary()}", file=sys.stderr)
        return 1
    finally:
        await provider.aclose()
    counts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in summary.counts.items())
    print(f"Archived {args.profile} to {summary.path}: {counts}")
    for line in summary.missing:
        print(f"  not archived: {line}")
    return 0


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    try:
        return asyncio.run(_run(args))
    except CoreError as exc:
        print(f"ftui archive: {exc.summary()}", file=sys.stderr)
        return 2
