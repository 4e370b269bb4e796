"""Each benchmark runs end to end at its smallest size, so `make bench` cannot rot unnoticed.

Figures are not checked (they are for people); the rows must be complete and none an error.
"""

from __future__ import annotations

import pytest

from tests.bench.common import COLUMNS, markdown_table


def check(rows) -> None:
    assert rows, "no figures"
    for r in rows:
        assert set(r) == set(COLUMNS), r
        assert r["measure"] != "ERROR", r["note"]
    assert markdown_table(rows).count("\n") == len(rows) + 1


def test_startup_smoke():
    from tests.bench import bench_startup

    check(bench_startup.run(quick=True, repeats=1))


def test_eventlog_smoke():
    from tests.bench import bench_eventlog

    check(bench_eventlog.run(quick=True, total=300))


def test_upload_smoke():
    from tests.bench import bench_upload

    check(bench_upload.run(quick=True, size_mb=2))


def test_compare_smoke():
    from tests.bench import bench_compare

    check(bench_compare.run(quick=True))


def test_dataset_smoke():
    bench_dataset = pytest.importorskip("tests.bench.bench_dataset")
    check(bench_dataset.run(quick=True, sizes=[1_000_000]))


@pytest.mark.slow  # trains the tiny model four times (no FSDP row in --quick), and TRL once
def test_local_smoke():
    from tests.bench import bench_local

    check(bench_local.run(quick=True))


@pytest.mark.slow  # loads the bundled SmolLM2 (converted from GGUF once)
def test_local_chat_smoke():
    from tests.bench import bench_local_chat

    check(bench_local_chat.run(quick=True))


def test_runner_reports_a_broken_benchmark_and_goes_on(capsys, monkeypatch, tmp_path):
    from tests.bench import __main__ as runner

    (tmp_path / "smoke_good_bench.py").write_text(
        "def run(quick):\n"
        "    return [{'benchmark': 'good', 'measure': 'm', 'ftui': 1.0, 'reference': 2.0,"
        " 'unit': 'ms', 'note': ''}]\n")
    (tmp_path / "smoke_raising_bench.py").write_text("def run(quick):\n    raise ValueError('boom')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(runner, "BENCHMARKS", (("missing", "tests.bench.no_such_module"),
                                               ("raising", "smoke_raising_bench"),
                                               ("good", "smoke_good_bench")))
    assert runner.main(["--quick"]) == 1
    out = capsys.readouterr().out
    assert "| missing | ERROR |" in out and "not there yet" in out
    assert "| raising | ERROR |" in out and "ValueError: boom" in out
    assert "| good | m | 1.00 | 2.00 | ms |  |" in out
