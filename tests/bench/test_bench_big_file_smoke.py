"""The big-file benchmark runs end to end at a tiny size, so it cannot rot unnoticed."""

from __future__ import annotations

import pytest

from tests.bench.test_bench_smoke import check


@pytest.mark.slow
def test_big_file_bench_smoke(tmp_path, monkeypatch):
    monkeypatch.setenv("FTUI_DATA_DIR", str(tmp_path / "ftui-data"))
    from tests.bench import bench_big_file

    check(bench_big_file.run(mb=2))
