"""`python -m tests.bench [--quick] [--only startup,upload]`: every benchmark, one Markdown table.

`make bench` runs this. Each benchmark runs on its own; one that fails shows its error in its
row and the others still run. Progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import time

from tests.bench.common import Row, error_row, print_rows

# (name in --only, module); bench_dataset is another engineer's and is run if present.
BENCHMARKS = (
    ("startup", "tests.bench.bench_startup"),
    ("dataset", "tests.bench.bench_dataset"),
    ("eventlog", "tests.bench.bench_eventlog"),
    ("upload", "tests.bench.bench_upload"),
    ("compare", "tests.bench.bench_compare"),
    ("local", "tests.bench.bench_local"),
    ("local-chat", "tests.bench.bench_local_chat"),
    ("big-file", "tests.bench.bench_big_file"),  # the app on a 1 GB dataset (20 MB with --quick)
)


def run_one(name: str, module_name: str, quick: bool) -> list[Row]:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return [error_row(name, RuntimeError(f"{module_name} is not there yet"))]
        return [error_row(name, exc)]
    except Exception as exc:
        return [error_row(name, exc)]
    try:
        rows = module.run(quick=quick)
    except Exception as exc:  # a broken benchmark must not hide the others' figures
        return [error_row(name, exc)]
    return rows or [error_row(name, RuntimeError("returned no figures"))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="smaller inputs (100 MB upload, a 20 MB big file, fewer repeats)")
    parser.add_argument("--only", default="", help="comma-separated: " + ",".join(n for n, _ in BENCHMARKS))
    args = parser.parse_args(argv)
    chosen = {n.strip() for n in args.only.split(",") if n.strip()}
    unknown = chosen - {n for n, _ in BENCHMARKS}
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")

    rows: list[Row] = []
    for name, module_name in BENCHMARKS:
        if chosen and name not in chosen:
            continue
        print(f"running {name}...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        rows += run_one(name, module_name, args.quick)
        print(f"  {name} took {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
    print(f"ftui benchmarks{' (quick)' if args.quick else ''}: Python {platform.python_version()}, "
          f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
          f"{time.strftime('%Y-%m-%d %H:%M')}\n")
    print_rows(rows)
    return 1 if any(r["measure"] == "ERROR" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
