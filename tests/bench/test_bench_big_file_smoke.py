"""The big-file benchmark runs end to end at a tiny size, so it cannot rot unnoticed, and
`make bench` runs it (1 GB, or 20 MB with --quick)."""

from __future__ import annotations

import pytest

from tests.bench.test_bench_smoke import check


def test_make_bench_runs_the_big_file_benchmark():
    from tests.bench import __main__ as runner

    assert ("big-file", "tests.bench.bench_big_file") in runner.BENCHMARKS


@pytest.mark.slow
def test_big_file_bench_smoke(tmp_path, monkeypatch):
    monkeypatch.setenv("FTUI_DATA_DIR", str(tmp_path / "ftui-data"))
    from tests.bench import bench_big_file

    rows = bench_big_file.run(mb=2)
    check(rows)
    measures = [r["measure"] for r in rows]
    for step in ("esc during a save (F2 to written)", "delete line 1 (y to reopened)", "search stopped with esc"):
        assert step in measures, measures
