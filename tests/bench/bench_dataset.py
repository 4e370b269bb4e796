"""Dataset validation with token counting vs what OpenAI's data-preparation cookbook does.

Reference ("cookbook"): read every line with json.loads into a list, run the cookbook's format
checks, then count tokens message by message with encoding.encode (all messages, then the
assistant messages again, as the cookbook does for its two statistics). ftui: `validate_path`
(streaming, every check, duplicates, per-example tokens). Two reference points: "tiktoken floor", a
process that only loads tiktoken and runs it once on each distinct string (the least CPU of any counter
that hands whole strings to tiktoken; ftui goes below it by counting each distinct word once where that
is exact), and "decode floor", a process that only reads the file and decodes each line with msgspec (no
checks, no counting: the least any validator spends). Each measurement runs in its own child
process; its peak memory is the child's ru_maxrss (read from RUSAGE_CHILDREN by the parent).
Files are generated once under tests/bench/.data/ and reused.

    python -m tests.bench.bench_dataset --sizes 20MB
    python -m tests.bench.bench_dataset --sizes 100MB,1GB
    python -m tests.bench.bench_dataset --sizes 1GB --workers 2   # force the worker processes
    python -m tests.bench.bench_dataset --sizes 100MB --repeat 3  # least-CPU of 3 interleaved runs
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

from tests.bench.common import PYTHON, ROOT, Row, ensure_file, row

NAME = "dataset"
MB = 1_000_000
AIM_SPEEDUP = 3.0
AIM_PEAK_MB = 200

SYSTEM_PROMPTS = [
    "Marv is a factual chatbot that is also sarcastic. He answers every question correctly, briefly, and "
    "with a dry remark; he never invents facts, and when he does not know he says so in a snarky way.",
    "You are a support agent for Acme Cloud. Be concise and polite, cite the relevant documentation page "
    "when you can, never promise refunds, and escalate billing disputes to a human by saying so clearly.",
    "You are a careful medical information assistant. You explain terms in plain language, you always "
    "recommend seeing a professional for a diagnosis, and you never give dosages for prescription drugs.",
    "You translate English product descriptions into French for an online shop, keeping the brand names, "
    "units and prices unchanged, and you use the formal 'vous' form throughout the text.",
    "You are a SQL tutor. Explain each query step by step, point out common mistakes, prefer standard SQL "
    "over vendor extensions, and finish with one short exercise for the student to try.",
]
WORDS = ("the a of to and in is it that for on with as was by at from this be or are an not have had "
         "data model river mountain capital planet energy history science computer network question "
         "answer because although however therefore example file token price cloud server quickly "
         "carefully Paris Tokyo Einstein photosynthesis gravity protein algorithm database kernel "
         "latency throughput invoice refund customer account password browser cookie").split()


def _sentences(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(6, 18))]
        if rng.random() < 0.3:
            words.insert(rng.randint(0, len(words)), str(rng.randint(1, 99999)))
        out.append(" ".join(words).capitalize() + rng.choice([".", ".", "?", "!", ";"]))
    return out


def make_line_factory(seed: int = 42):
    rng = random.Random(seed)
    pool = _sentences(rng, 50_000)

    def text(k_lo: int, k_hi: int) -> str:
        return " ".join(rng.choices(pool, k=rng.randint(k_lo, k_hi)))

    def make_line(_i: int) -> bytes:
        messages = [{"role": "system", "content": rng.choice(SYSTEM_PROMPTS)}]
        for _turn in range(rng.choice([1, 1, 1, 2, 3])):
            messages.append({"role": "user", "content": text(1, 4)})
            messages.append({"role": "assistant", "content": text(3, 12)})
        return json.dumps({"messages": messages}).encode() + b"\n"

    return make_line


def data_file(size: int) -> Path:
    label = f"{size // MB}MB" if size < 1000 * MB else f"{size // (1000 * MB)}GB"
    return ensure_file(f"dataset-{label}.jsonl", size, make_line_factory())


# -- what runs in the children ---------------------------------------------------------------
def run_ftui(path: str, model: str) -> dict:
    import os

    from ftui.core.dataset.pool import pool_workers
    from ftui.core.dataset.validate import MAX_WORKERS, PARALLEL_MIN_BYTES, validate_path

    forced = os.environ.get("FTUI_BENCH_WORKERS")  # default: ftui's own choice, made as validate_path makes it
    workers = int(forced) if forced else pool_workers(os.path.getsize(path), min_bytes=PARALLEL_MIN_BYTES,
                                                      max_workers=MAX_WORKERS)
    report = validate_path(path, model=model, workers=workers)
    return {"examples": report.examples, "tokens": report.total_tokens, "errors": len(report.errors),
            "workers": workers, "notes": report.notes}


def run_cookbook(path: str, model: str) -> dict:
    """The data-preparation cookbook's steps, as written there (with our offline encoding)."""
    from collections import defaultdict

    from ftui.core.dataset.tokens import encoding_for_model

    with open(path, encoding="utf-8") as f:
        dataset = [json.loads(line) for line in f]
    format_errors: defaultdict[str, int] = defaultdict(int)
    for ex in dataset:
        if not isinstance(ex, dict):
            format_errors["data_type"] += 1
            continue
        messages = ex.get("messages", None)
        if not messages:
            format_errors["missing_messages_list"] += 1
            continue
        for message in messages:
            if "role" not in message or "content" not in message:
                format_errors["message_missing_key"] += 1
            if any(k not in ("role", "content", "name", "function_call", "weight") for k in message):
                format_errors["message_unrecognized_key"] += 1
            if message.get("role", None) not in ("system", "user", "assistant", "function"):
                format_errors["unrecognized_role"] += 1
            content = message.get("content", None)
            function_call = message.get("function_call", None)
            if (not content and not function_call) or not isinstance(content, str):
                format_errors["missing_content"] += 1
        if not any(message.get("role", None) == "assistant" for message in messages):
            format_errors["example_missing_assistant_message"] += 1
    encoding = encoding_for_model(model)

    def num_tokens_from_messages(messages, tokens_per_message=3, tokens_per_name=1):
        num_tokens = 0
        for message in messages:
            num_tokens += tokens_per_message
            for key, value in message.items():
                num_tokens += len(encoding.encode(value))
                if key == "name":
                    num_tokens += tokens_per_name
        num_tokens += 3
        return num_tokens

    def num_assistant_tokens_from_messages(messages):
        return sum(len(encoding.encode(m["content"])) for m in messages if m["role"] == "assistant")

    convo_lens, assistant_lens = [], []
    for ex in dataset:
        convo_lens.append(num_tokens_from_messages(ex["messages"]))
        assistant_lens.append(num_assistant_tokens_from_messages(ex["messages"]))
    return {"examples": len(dataset), "tokens": sum(convo_lens), "errors": sum(format_errors.values())}


def run_floor(path: str, model: str) -> dict:
    """What exact counting cannot go below: a process that loads tiktoken and runs it on each distinct
    string once. Its CPU without the reading and decoding of the file is the floor (see bench_size)."""
    import time

    from ftui.core.dataset.tokens import encoding_for_model, example_pieces

    core = encoding_for_model(model)._core_bpe
    none: set[str] = set()

    def tokens_of(text: str) -> int:  # tiktoken's cheapest exact call: a buffer of u32, no list of ints
        return memoryview(core.encode_to_tiktoken_buffer(text, none)).nbytes // 4
    start = time.process_time()
    distinct: dict[str, None] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            pieces: list[str] = []
            example_pieces(json.loads(line), pieces)
            distinct.update(dict.fromkeys(pieces))
    reading = time.process_time() - start
    tokens = sum(tokens_of(text) for text in distinct)
    return {"reading_cpu": reading, "distinct": len(distinct), "tokens": tokens}


def run_decode(path: str, model: str) -> dict:
    """Read the file and decode each line with msgspec, nothing else: no validator can spend less."""
    import msgspec

    decode = msgspec.json.decode
    lines = 0
    with open(path, "rb") as f:
        for raw in f:
            decode(raw)
            lines += 1
    return {"lines": lines}


CHILD = """
import json, resource, sys, time
from tests.bench.bench_dataset import run_cookbook, run_decode, run_floor, run_ftui
if sys.argv[1] == "cookbook":  # the cookbook's load is not timed; ftui's workers build theirs inside the timing
    from ftui.core.dataset.tokens import encoding_for_model
    encoding_for_model(sys.argv[3])
t = time.perf_counter()
out = {"ftui": run_ftui, "cookbook": run_cookbook, "floor": run_floor, "decode": run_decode}[sys.argv[1]](
    sys.argv[2], sys.argv[3])
out["seconds"] = time.perf_counter() - t
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
out["cpu"] = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime  # with the worker processes
out["self_mb"] = me.ru_maxrss / 1024
out["workers_mb"] = kids.ru_maxrss / 1024
print(json.dumps(out))
"""


def measure(which: str, path: Path, model: str = "gpt-4o-mini", workers: int | None = None) -> dict:
    """Run one measurement in a fresh child, which reports its own peak memory (ru_maxrss of itself
    and, through RUSAGE_CHILDREN, of its largest worker process)."""
    import os

    env = dict(os.environ)
    if workers is not None:
        env["FTUI_BENCH_WORKERS"] = str(workers)
    proc = subprocess.run([PYTHON, "-c", CHILD, which, str(path), model], cwd=ROOT, capture_output=True,
                          text=True, timeout=3600, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"{which} failed: {proc.stderr.strip()[-500:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


PREVIEW_CHILD = """
import json, resource, sys, time
start = time.perf_counter()
from ftui.core.dataset.reader import DatasetReader
reader = DatasetReader(sys.argv[1])
first = reader.example(1)
shown = time.perf_counter() - start
reader.build_index()
indexed = time.perf_counter() - start
middle = reader.example(reader.line_count // 2)
jump = time.perf_counter() - start - indexed
print(json.dumps({"first": shown, "index": indexed, "jump": jump, "lines": reader.line_count,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def bench_preview(path: Path, label: str) -> list[Row]:
    """What the Data screen does on open: the first example at once, the index behind it."""
    proc = subprocess.run([PYTHON, "-c", PREVIEW_CHILD, str(path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"preview failed: {proc.stderr.strip()[-500:]}")
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    return [
        row(NAME, f"preview {label}: first example shown", round(got["first"] * 1000, 1), "", "ms",
            "open + read line 1 + parse, in a fresh process (imports included); aim < 1 s"),
        row(NAME, f"preview {label}: whole line index", round(got["index"], 2), "", "s",
            f"{got['lines']:,} lines; then line {got['lines'] // 2:,} in {got['jump'] * 1000:.1f} ms"),
        row(NAME, f"preview {label}: peak memory", round(got["rss_mb"], 1), "", "MB", "ru_maxrss of the process"),
    ]


def parse_size(text: str) -> int:
    t = text.strip().upper()
    for unit, mult in (("GB", 1000 * MB), ("MB", MB), ("KB", 1000)):
        if t.endswith(unit):
            return int(float(t[:-len(unit)]) * mult)
    return int(t)


def least_cpu(runs: list[dict], key: str = "cpu") -> dict:
    """Of repeated runs, the one that the other programs on the machine disturbed least."""
    return min(runs, key=lambda r: r[key])


def bench_size(size: int, workers: int | None = None, repeats: int = 1) -> list[Row]:
    import os

    from ftui.core.dataset.pool import usable_cores
    from ftui.core.dataset.validate import MAX_WORKERS, PARALLEL_MIN_BYTES

    t = time.perf_counter()
    path = data_file(size)
    gen = time.perf_counter() - t
    mb = path.stat().st_size / MB
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    runs: dict[str, list[dict]] = {"ftui": [], "cookbook": [], "floor": [], "decode": []}
    other: list[dict] = []  # ftui the other way (one process or a pool), to show what the pool costs and buys
    pool_size = min(MAX_WORKERS, usable_cores())
    for _ in range(max(1, repeats)):  # interleaved, so a busy spell on the machine hits all of them alike
        for which in runs:
            runs[which].append(measure(which, path, workers=workers if which == "ftui" else None))
            if which == "ftui" and workers is None and pool_size >= 2 and size >= PARALLEL_MIN_BYTES:
                other.append(measure("ftui", path, workers=0 if runs["ftui"][-1]["workers"] else pool_size))
    for r in runs["floor"]:
        r["cpu_floor"] = r["cpu"] - r["reading_cpu"]  # start-up, imports, tiktoken: no more
    ours, ref, floor = least_cpu(runs["ftui"]), least_cpu(runs["cookbook"]), least_cpu(runs["floor"], "cpu_floor")
    decoding = least_cpu(runs["decode"])
    label = f"{size // MB} MB" if size < 1000 * MB else f"{size / (1000 * MB):g} GB"
    ours_rate, ref_rate = mb / ours["seconds"], mb / ref["seconds"]
    speed = ours_rate / ref_rate  # wall-time ratio
    cpu_ratio = ref["cpu"] / ours["cpu"]
    same = ours["tokens"] == ref["tokens"]
    note_tokens = "same tokens" if same else f"tokens differ: {ours['tokens']} vs {ref['tokens']}"
    peak = max(ours["self_mb"], ours["workers_mb"])
    ceiling = ref["cpu"] / floor["cpu_floor"]
    rows = [
        row(NAME, f"validate+tokens {label}: throughput", round(ours_rate, 1), round(ref_rate, 1), "MB/s",
            f"{speed:.2f}x the cookbook (aim >= {AIM_SPEEDUP}x: {'met' if speed >= AIM_SPEEDUP else 'NOT met'}); "
            f"{ours['examples']:,} examples; {note_tokens}"),
        row(NAME, f"validate+tokens {label}: wall time", round(ours["seconds"], 2), round(ref["seconds"], 2), "s",
            f"file {mb:,.0f} MB" + (f", generated in {gen:.0f} s" if gen > 1 else "")
            + f"; load average before: {load:.1f} on {os.cpu_count()} cores"
            + (f"; workers forced to {workers}" if workers is not None
               else f"; ftui chose {ours['workers']} worker processes")
            + (f"; least-CPU run of {repeats} each" if repeats > 1 else "")),
        row(NAME, f"validate+tokens {label}: CPU time", round(ours["cpu"], 2), round(ref["cpu"], 2), "s",
            f"all processes, the honest figure on a shared machine: {cpu_ratio:.2f}x less CPU than the cookbook "
            f"(aim >= {AIM_SPEEDUP}x: {'met' if cpu_ratio >= AIM_SPEEDUP else 'NOT met'}); "
            f"wall-time ratio {speed:.2f}x"),
        row(NAME, f"validate+tokens {label}: tiktoken floor", round(floor["cpu_floor"], 2), round(ref["cpu"], 2),
            "s", f"CPU of a process that only starts, loads tiktoken and runs it once on each of the "
                 f"{floor['distinct']:,} distinct strings: a counter handing whole strings to tiktoken "
                 f"reaches {ceiling:.2f}x at most; ftui counts each distinct word once where that is exact "
                 f"and uses {ours['cpu'] / floor['cpu_floor']:.0%} of this"),
        row(NAME, f"validate+tokens {label}: decode floor", round(decoding["cpu"], 2), round(ref["cpu"], 2), "s",
            f"CPU of a process that only reads the file and decodes its {decoding['lines']:,} lines with "
            f"msgspec (no checks, no counting): no validator spends less, so "
            f"{ref['cpu'] / decoding['cpu']:.1f}x is the absolute ceiling"),
        row(NAME, f"validate+tokens {label}: peak memory (largest process)", round(peak, 1),
            round(ref["self_mb"], 1), "MB",
            f"aim < {AIM_PEAK_MB} MB: {'met' if peak < AIM_PEAK_MB else 'NOT met'}; ftui main "
            f"{ours['self_mb']:.0f} MB" + (f", each worker <= {ours['workers_mb']:.0f} MB" if ours["workers_mb"]
                                           else ", no workers")),
    ]
    if other:
        rows += pool_rows(label, ours, least_cpu(other), ref)
    return rows + bench_preview(path, label)


def pool_rows(label: str, ours: dict, other: dict, ref: dict) -> list[Row]:
    """ftui in one process against ftui with worker processes: the CPU the pool costs, the wall time it buys."""
    single, pooled = (ours, other) if not ours["workers"] else (other, ours)
    n = pooled["workers"]
    fell_back = f"; the pool did not run: {pooled['notes'][0]}" if pooled["notes"] else ""
    return [
        row(NAME, f"validate+tokens {label}: in one process", round(single["cpu"], 2), round(ref["cpu"], 2), "s",
            f"CPU ({ref['cpu'] / single['cpu']:.2f}x less than the cookbook); wall {single['seconds']:.2f} s"
            + ("; ftui's own choice here" if single is ours else "")),
        row(NAME, f"validate+tokens {label}: with {n} worker processes", round(pooled["cpu"], 2),
            round(ref["cpu"], 2), "s",
            f"CPU ({ref['cpu'] / pooled['cpu']:.2f}x less than the cookbook, {pooled['cpu'] / single['cpu']:.2f}x "
            f"one process's); wall {pooled['seconds']:.2f} s ({pooled['seconds'] / single['seconds']:.2f}x one "
            "process's)" + ("; ftui's own choice here" if pooled is ours else
                                   "; ftui uses workers only when at least 2 cores are idle") + fell_back),
    ]


def run(quick: bool = False, sizes: list[int] | None = None, workers: int | None = None,
        repeats: int = 1) -> list[Row]:
    from tests.bench.common import run_safely

    sizes = sizes or ([20 * MB] if quick else [100 * MB, 1000 * MB])
    rows: list[Row] = []
    for size in sizes:
        rows += run_safely(NAME, lambda size=size: bench_size(size, workers, repeats))
    return rows


def main(argv: list[str]) -> int:
    from tests.bench.common import print_rows

    sizes = None
    if "--sizes" in argv:
        sizes = [parse_size(s) for s in argv[argv.index("--sizes") + 1].split(",")]
    workers = int(argv[argv.index("--workers") + 1]) if "--workers" in argv else None
    repeats = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 1
    print_rows(run(quick="--quick" in argv, sizes=sizes, workers=workers, repeats=repeats))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
