"""Upload of a big training file through the Uploads API to the sandbox: rate and memory.

The upload runs in a child process (the sandbox stays in this one), so the child's peak
resident memory (ru_maxrss) is the uploader's alone; its resident size after the imports,
before the upload, is the reference. The file is generated once under tests/bench/.data/.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.bench.common import PYTHON, ROOT, Row, ensure_file, row, sandbox

NAME = "upload"
MB = 1024 * 1024
# Run in the child: upload with the Uploads API forced (threshold below the file size).
CHILD = """
import asyncio, json, resource, sys, time
from pathlib import Path
from tests.bench.common import sandbox_provider

async def main(base_url, path):
    provider = sandbox_provider(base_url)
    provider.upload_threshold = 1  # always the Uploads API, whatever the size
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    calls = []
    def progress(p):  # what the UI is handed; counted to show it is called
        calls.append(p.done)
    start = time.perf_counter()
    try:
        made = await provider.upload_file(Path(path), purpose="fine-tune", progress=progress)
    finally:
        await provider.aclose()
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "bytes": made.bytes, "id": made.id,
                      "rss_before_kb": before, "peak_kb": peak, "part_size": provider.part_size,
                      "concurrency": provider.part_concurrency, "progress_calls": len(calls)}))

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


def training_line(i: int) -> bytes:
    question = f"Question {i}: how many widgets fit in box number {i % 997}?"
    answer = ("A box of that kind holds about " + str(i % 53 + 7) + " widgets; " +
              "pack them upright and check the lid closes. " * (1 + i % 5))
    line = {"messages": [{"role": "system", "content": "You answer packing questions."},
                         {"role": "user", "content": question},
                         {"role": "assistant", "content": answer}]}
    return (json.dumps(line) + "\n").encode()


def run(quick: bool = False, *, size_mb: int | None = None) -> list[Row]:
    size_mb = size_mb or (100 if quick else 1024)
    path = ensure_file(f"upload-{size_mb}mb.jsonl", size_mb * MB, training_line)
    size = path.stat().st_size
    with tempfile.TemporaryDirectory(prefix="ftui-bench-upload-") as tmp:
        with sandbox(speed=1000.0, data_dir=Path(tmp)) as base_url:
            done = subprocess.run([PYTHON, "-c", CHILD, base_url, str(path)], cwd=ROOT,
                                  capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(f"upload child failed: {done.stderr.strip()[-400:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["bytes"] != size:
        raise RuntimeError(f"the sandbox stored {result['bytes']} bytes of {size}")
    rate = size / MB / result["seconds"]
    peak_mb, before_mb = result["peak_kb"] / 1024, result["rss_before_kb"] / 1024
    parts = (f"parts of {result['part_size'] // MB} MB, {result['concurrency']} at a time, "
             f"{result['progress_calls']} progress calls")
    return [
        row(NAME, f"{size / MB:,.0f} MB via Uploads API, rate", rate, "", "MB/s",
            f"{result['seconds']:.1f} s to the sandbox on loopback; {parts}"),
        row(NAME, "peak memory of the uploading process", peak_mb, before_mb, "MB",
            f"ru_maxrss; reference: the same process after imports, before uploading "
            f"(+{peak_mb - before_mb:.0f} MB for the upload)"),
    ]


if __name__ == "__main__":
    from tests.bench.common import print_rows

    print_rows(run(quick="--quick" in sys.argv))
