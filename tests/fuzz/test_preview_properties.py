"""Hostile input for the preview: arbitrary bytes through the reader, arbitrary JSON through
the conversation drawing. Nothing but a DatasetError may come out, and every line is reachable."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from ftui.core.dataset.errors import DatasetError
from ftui.core.dataset.reader import DatasetReader
from ftui.widgets.conversation_view import example_renderable, raw_renderable

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["messages", "role", "content", "weight", "tool_calls", "name", "input",
                         "preferred_output", "non_preferred_output", "tools", "type", "text", "x"]),
        inner, max_size=5),
    max_leaves=25,
)
chat_like = st.fixed_dictionaries({"messages": st.lists(st.dictionaries(
    st.sampled_from(["role", "content", "weight", "tool_calls", "tool_call_id", "name"]),
    json_values, max_size=4), max_size=5)})


def draw(renderable) -> str:
    console = Console(width=80, record=True, file=open("/dev/null", "w"), color_system=None)
    console.print(renderable)
    return console.export_text()


@SETTINGS
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_every_line_shows_or_says_why(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.jsonl"
        path.write_bytes(data)
        try:
            reader = DatasetReader(path)
        except DatasetError as exc:  # e.g. a binary file: refused whole, saying so
            assert exc.message
            return
        with reader:
            count = reader.line_count
            assert count == data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
            for number in range(1, count + 1):
                view = reader.line(number)
                assert view.number == number
                try:
                    example = reader.example(number)
                except DatasetError as exc:
                    assert f"line {number}" in exc.message
                    example = None
                draw(raw_renderable(view.text, example))
                if example is not None:
                    draw(example_renderable(example))


@SETTINGS
@given(st.one_of(json_values, chat_like))
def test_arbitrary_json_draws_as_a_conversation_or_raw(value):
    assert isinstance(draw(example_renderable(value)), str)
    assert isinstance(draw(raw_renderable(json.dumps(value), value)), str)
