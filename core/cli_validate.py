"""`ftui validate PATH [--json] [--model M]`: check a training file from the shell.

Exit status: 0 the file would be accepted, 1 it has errors, 2 it cannot be read or bad arguments.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import NoReturn

from ftui.core.dataset.errors import DatasetError
from ftui.core.dataset.models import DEFAULT_MODEL
from ftui.core.errors import CoreError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 too, but say it our way
        self.print_usage(sys.stderr)
        print(f"ftui validate: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="ftui validate", description="Check a fine-tuning JSONL file the way OpenAI does, "
                                                  "and count its tokens and training cost (offline).")
    p.add_argument("path", help="the .jsonl training or validation file")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument("--model", default=DEFAULT_MODEL, help=f"base model to train (default {DEFAULT_MODEL})")
    p.add_argument("--format", choices=["chat", "preference", "reinforcement"],
                   help="force the format instead of detecting it")
    p.add_argument("--against", metavar="TRAIN", help="report examples also found in this training file")
    p.add_argument("--epochs", type=int, help="epochs for the cost estimate (default: OpenAI's auto rule)")
    p.add_argument("--prices", metavar="TOML", help="price table overriding the built-in one")
    p.add_argument("--all", action="store_true", help="list every problem (default: the first 100)")
    return p


def main(argv: list[str]) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) if exc.code in (0, None) else 2
    if args.epochs is not None and not 1 <= args.epochs <= 50:
        print("ftui validate: --epochs must be between 1 and 50", file=sys.stderr)
        return 2
    from ftui.core.dataset.prices import load_prices
    from ftui.core.dataset.validate import Report, ValidationProgress, iter_validate

    try:
        prices = load_prices(args.prices)
        report: Report | None = None
        show = sys.stderr.isatty()  # a progress line for big files, only for a person watching
        for ev in iter_validate(args.path, model=args.model, format=args.format, against=args.against):
            if isinstance(ev, Report):
                report = ev
            elif show and isinstance(ev, ValidationProgress) and ev.bytes_total > 32 << 20:
                print(f"\rchecking {ev.fraction:4.0%}  {ev.lines:,} lines  {ev.errors:,} errors", end="",
                      file=sys.stderr, flush=True)
        if show:
            print("\r\033[K", end="", file=sys.stderr, flush=True)
        if report is None:  # iter_validate always ends with one; a bug otherwise
            raise RuntimeError("the validator stopped without a report")
        data = report.to_dict(prices=prices, epochs=args.epochs)
    except (DatasetError, CoreError) as exc:
        if args.json:
            print(json.dumps({"path": args.path, "error": exc.message, "hint": exc.hint}))
        else:
            print(f"ftui validate: {exc.summary()}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 2
    except (OSError, ValueError, RuntimeError) as exc:  # never a traceback for the user
        print(f"ftui validate: cannot validate {args.path}: {exc}", file=sys.stderr)
        return 2
    try:
        if args.json:
            print(json.dumps(data, ensure_ascii=False))
        else:
            print_human(data, limit=10**9 if args.all else 100)
        sys.stdout.flush()
    except BrokenPipeError:  # `ftui validate ... | head`: the reader left, which is fine
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0 if report.valid else 1


def print_human(d: dict, limit: int = 100) -> None:
    out = sys.stdout
    print(f"{d['path']}: {d['format']} format, {d['examples']:,} example(s), {d['lines']:,} line(s)", file=out)
    problems = sorted(d["errors"] + d["warnings"], key=lambda p: (p["severity"] != "error", p["line"]))
    for p in problems[:limit]:
        where = f"line {p['line']}" if p["line"] else "file"
        print(f"  {p['severity']:<7} {where:>10}  {p['code']}: {p['message']}", file=out)
    if len(problems) > limit:
        print(f"  … {len(problems) - limit:,} more not shown (--all shows them, --json lists them)", file=out)
    t = d["tokens"]
    print(f"\nTokens ({d['model']}): total {t['total']:,}  min {t['min']:,}  max {t['max']:,}  "
          f"mean {t['mean']:,.1f}  p50 {t['p50']:,}  p95 {t['p95']:,}", file=out)
    if t["over_limit"]:
        print(f"  {t['over_limit']:,} example(s) exceed the {t['limit']:,}-token training context", file=out)
    h = t["histogram"]
    peak = max(h["counts"]) or 1
    for lo, hi, n in zip(h["edges"], h["edges"][1:], h["counts"]):
        print(f"  {lo:>8,}-{hi - 1:<8,} {'#' * max(1 if n else 0, round(30 * n / peak))} {n:,}", file=out)
    c = d["estimated_cost"]
    if c["amount"] is None:
        cost = "unknown (no price for this model)"
    else:  # cents hide small files' costs; show four decimals below one unit
        cost = f"{c['amount']:,.{2 if c['amount'] >= 1 else 4}f} {c['currency']}"
    print(f"\nEpochs {d['epochs']}, billable tokens {d['billable_tokens']:,}, estimated cost {cost}"
          f" (prices of {c['price_date']}, {c['price_source']})", file=out)
    n_err, n_warn = len(d["errors"]), len(d["warnings"])
    verdict = "would be accepted" if d["valid"] else "would be rejected"
    print(f"\n{n_err} error(s), {n_warn} warning(s): the file {verdict}.", file=out)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
