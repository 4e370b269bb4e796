"""Property tests: whatever the bytes or JSON, the validator never raises past DatasetError, and every
problem has a code and a line number within the file."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ftui.core.dataset.checks import CODES
from ftui.core.dataset.errors import BinaryFileError
from ftui.core.dataset.reader import DatasetReader
from ftui.core.dataset.validate import Report, iter_validate

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)
roles = st.sampled_from(["system", "user", "assistant", "tool", "function", "developer", "bot", 3, None])
messages = st.lists(st.fixed_dictionaries(
    {"role": roles}, optional={"content": json_values | st.text(max_size=30), "weight": json_values,
                               "tool_calls": json_values, "tool_call_id": json_values, "name": json_values}),
    max_size=5)
lines = st.one_of(
    json_values,
    st.fixed_dictionaries({"messages": messages}, optional={"tools": json_values, "functions": json_values}),
    st.fixed_dictionaries({"input": st.fixed_dictionaries({"messages": messages}) | json_values},
                          optional={"preferred_output": messages | json_values,
                                    "non_preferred_output": messages | json_values}),
)


def run(data: bytes) -> Report | None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "f.jsonl"
        path.write_bytes(data)
        try:
            events = list(iter_validate(path))
        except BinaryFileError:
            assert b"\0" in data
            return None
        report = events[-1]
        assert isinstance(report, Report)
        n_lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
        assert report.lines == n_lines
        for p in report.errors + report.warnings:
            assert p.code in CODES and p.message
            assert 0 <= p.line <= n_lines
            assert p.severity in ("error", "warning")
        assert len(report.example_tokens) == report.examples
        with DatasetReader(path) as r:
            assert r.line_count == n_lines
            for n in range(1, n_lines + 1):
                r.line(n)
        return report


@SETTINGS
@given(st.binary(max_size=400))
def test_arbitrary_bytes(data):
    run(data)


@SETTINGS
@given(st.lists(st.binary(max_size=60).filter(lambda b: b"\n" not in b), max_size=8),
       st.sampled_from([b"\n", b"\r\n"]), st.booleans())
def test_arbitrary_lines(rows, sep, final):
    run(sep.join(rows) + (sep if final else b""))


@SETTINGS
@given(st.lists(lines, min_size=1, max_size=8), st.booleans())
def test_arbitrary_json_lines(objs, ascii_only):
    data = "\n".join(json.dumps(o, ensure_ascii=ascii_only) for o in objs).encode("utf-8", "surrogatepass") + b"\n"
    report = run(data)
    if report is not None:
        parsed_dicts = sum(isinstance(o, dict) for o in objs)
        assert report.examples == parsed_dicts


@SETTINGS
@given(st.binary(max_size=300), st.integers(1, 17))
def test_raw_line_stream_matches_split(data, chunk):
    import io

    from ftui.core.dataset.reader import iter_raw_lines
    got = list(iter_raw_lines(io.BytesIO(data), chunk_size=chunk))
    rows = data.split(b"\n")
    if rows[-1] == b"":
        rows.pop()
    assert [g[2] for g in got] == rows
    assert [g[0] for g in got] == list(range(1, len(rows) + 1))
    offsets = [0]
    for r in rows[:-1]:
        offsets.append(offsets[-1] + len(r) + 1)
    assert [g[1] for g in got] == offsets[:len(rows)]
    assert all(g[3] for g in got[:-1]) and (not got or got[-1][3] == data.endswith(b"\n"))


@SETTINGS
@given(st.lists(st.sampled_from([b'{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", '
                                 b'"content": "b"}]}', b"{", b"", b"\r", b'"x"', b"\xff", b'{"messages": []}']),
                max_size=12), st.booleans(), st.integers(1, 40))
def test_batch_boundaries_do_not_change_the_result(rows, final_newline, chunk):
    from ftui.core.dataset.validate import iter_validate
    data = b"\n".join(rows) + (b"\n" if final_newline else b"")
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "f.jsonl"
        path.write_bytes(data)
        small = list(iter_validate(path, chunk_size=chunk, workers=0))[-1]
        large = list(iter_validate(path, workers=0))[-1]
    assert small.errors == large.errors and small.warnings == large.warnings
    assert (small.lines, small.examples, list(small.example_tokens)) == \
        (large.lines, large.examples, list(large.example_tokens))
