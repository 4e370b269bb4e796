"""Each problem code on a small inline file: exact codes and 1-based line numbers."""

from __future__ import annotations

import pytest

from ftui.core.dataset.checks import CODES
from ftui.core.dataset.validate import validate_path
from tests.dataset.helpers import chat, check, found, write

OK = chat()


def test_a_clean_file_has_no_problem(tmp_path):
    assert check(tmp_path, []) == set()


@pytest.mark.parametrize("bad, code", [
    (b'{"messages": [', "invalid_json"),
    (b"[1, 2]", "data_type"),
    (b'"text"', "data_type"),
    (b'{"prompt": "a", "completion": "b"}', "missing_messages_list"),
    (b'{"messages": "hello"}', "missing_messages_list"),
    (b'{"messages": []}', "empty_messages"),
    (b'{"messages": [{"content": "x"}, {"role": "assistant", "content": "y"}]}', "message_missing_key"),
    (b'{"messages": [{"role": "user"}, {"role": "assistant", "content": "y"}]}', "message_missing_key"),
    (b'{"messages": [{"role": "user", "content": "x", "mood": 1}, {"role": "assistant", "content": "y"}]}',
     "message_unrecognized_key"),
    (b'{"messages": [{"role": "user", "content": "x", "weight": 1}, {"role": "assistant", "content": "y"}]}',
     "message_unrecognized_key"),
    (b'{"messages": [{"role": "robot", "content": "x"}, {"role": "assistant", "content": "y"}]}',
     "unrecognized_role"),
    (b'{"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": null}]}', "missing_content"),
    (b'{"messages": [{"role": "user", "content": "  "}, {"role": "assistant", "content": "y"}]}', "missing_content"),
    (b'{"messages": [{"role": "user", "content": []}, {"role": "assistant", "content": "y"}]}', "missing_content"),
    (b'{"messages": [{"role": "user", "content": 5}, {"role": "assistant", "content": "y"}]}', "invalid_content_type"),
    (b'{"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y", "weight": 2}]}',
     "invalid_weight"),
    (b'{"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y", "weight": true}]}',
     "invalid_weight"),
    (b'{"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y", "weight": 0.5}]}',
     "invalid_weight"),
    (b'{"messages": [{"role": "user", "content": [{"type": "input_audio", "input_audio": {}}]}, '
     b'{"role": "assistant", "content": "y"}]}', "unsupported_content_part"),
    (b'{"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": [{"type": "image_url", '
     b'"image_url": {"url": "https://a/b.png"}}]}]}', "unsupported_content_part"),
    (b'{"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "ftp://x"}}]}, '
     b'{"role": "assistant", "content": "y"}]}', "invalid_content_part"),
    (b'{"messages": [{"role": "user", "content": [{"type": "text"}]}, {"role": "assistant", "content": "y"}]}',
     "invalid_content_part"),
    (b'{"messages": [{"role": "user", "content": "x", "name": 3}, {"role": "assistant", "content": "y"}]}',
     "invalid_name"),
    (b'{"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "tool_calls": []}]}',
     "invalid_tool_calls"),
    (b'{"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "tool_calls": [{"id": "c", '
     b'"type": "function", "function": {"name": "f", "arguments": {"a": 1}}}]}]}', "invalid_tool_calls"),
    (b'{"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "tool_calls": [{"type": "function", '
     b'"function": {"name": "f", "arguments": "{}"}}]}]}', "invalid_tool_calls"),
    (b'{"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "function_call": {"name": "f"}}]}',
     "invalid_tool_calls"),
    (b'{"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "tool_calls": [{"id": "c", '
     b'"type": "function", "function": {"name": "f", "arguments": "{oops"}}]}, '
     b'{"role": "tool", "tool_call_id": "c", "content": "1"}, {"role": "assistant", "content": "y"}]}',
     "tool_arguments_not_json"),
    (b'{"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "tool_calls": [{"id": "c", '
     b'"type": "function", "function": {"name": "f", "arguments": "{}"}}]}, '
     b'{"role": "tool", "content": "1"}, {"role": "assistant", "content": "y"}]}', "missing_tool_call_id"),
    (b'{"messages": [{"role": "user", "content": "x"}, {"role": "tool", "tool_call_id": "zz", "content": "1"}, '
     b'{"role": "assistant", "content": "y"}]}', "unknown_tool_call_id"),
    (b'{"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}], "tools": {}}',
     "invalid_tools"),
    (b'{"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}], '
     b'"tools": [{"type": "function", "function": {"description": "no name"}}]}', "invalid_tools"),
    (b'{"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}], '
     b'"parallel_tool_calls": "yes"}', "invalid_tools"),
    (b'{"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}], "extra": 1}',
     "unrecognized_key"),
    (b'{"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "x"}]}',
     "example_missing_assistant_message"),
    (b'{"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y", "weight": 0}]}',
     "no_trainable_assistant"),
    (b'{"messages": [{"role": "user", "content": "x<|endoftext|>"}, {"role": "assistant", "content": "y"}]}',
     "special_token"),
    (b'{"input": {"messages": [{"role": "user", "content": "x"}]}, "preferred_output": '
     b'[{"role": "assistant", "content": "a"}], "non_preferred_output": [{"role": "assistant", "content": "b"}]}',
     "mixed_formats"),
    (b'{"messages": [{"role": "user", "content": "\xff"}]}', "invalid_utf8"),
    (b"", "blank_line"),
    (b"   \t", "blank_line"),
])
def test_each_line_code_on_its_line(tmp_path, bad, code):
    # the bad line is line 3, between two valid examples
    assert check(tmp_path, [chat("a?"), chat("b?"), bad]) == {(3, code)}


def test_every_reported_code_is_documented(tmp_path):
    report = validate_path(write(tmp_path / "t.jsonl", [b"{", b"[]", b""], filler=2))
    for p in report.errors + report.warnings:
        assert p.code in CODES and p.severity == CODES[p.code][0]


def test_cookbook_code_names_are_kept():
    for code in ("invalid_json", "data_type", "missing_messages_list", "message_missing_key",
                 "message_unrecognized_key", "unrecognized_role", "missing_content",
                 "example_missing_assistant_message"):
        assert CODES[code][0] == "error"


def test_assistant_with_tool_calls_needs_no_content(tmp_path):
    ok = (b'{"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": null, "tool_calls": '
          b'[{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{\\"a\\": 1}"}}]}, '
          b'{"role": "tool", "tool_call_id": "c1", "content": "42"}, {"role": "assistant", "content": "42."}], '
          b'"tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]}')
    assert check(tmp_path, [ok]) == set()


def test_images_and_weights_are_accepted(tmp_path):
    ok = (b'{"messages": [{"role": "user", "content": [{"type": "text", "text": "What is it?"}, {"type": "image_url", '
          b'"image_url": {"url": "data:image/png;base64,iVBO", "detail": "low"}}]}, {"role": "assistant", '
          b'"content": "A cat.", "weight": 0}, {"role": "user", "content": "Sure?"}, '
          b'{"role": "assistant", "content": "Yes.", "weight": 1}]}')
    assert check(tmp_path, [ok]) == set()


def test_bom_is_reported_on_line_1_and_the_line_still_checked(tmp_path):
    path = write(tmp_path / "t.jsonl", [b"\xef\xbb\xbf" + b'{"messages": [{"role": "user", "content": "x"}]}'],
                 filler=60)
    assert found(validate_path(path)) == {(1, "bom"), (1, "example_missing_assistant_message")}


def test_crlf_is_one_warning_at_its_first_line(tmp_path):
    path = tmp_path / "t.jsonl"
    rows = [b'{"messages": [{"role": "user", "content": "q%d"}, {"role": "assistant", "content": "a"}]}' % i
            for i in range(60)]
    path.write_bytes(b"\n".join(rows[:4]) + b"\n" + b"\r\n".join(rows[4:]) + b"\r\n")
    report = validate_path(path)
    assert found(report) == {(5, "crlf_line_endings")}
    assert report.examples == 60 and report.valid


def test_truncated_last_line_vs_valid_last_line_without_newline(tmp_path):
    assert check(tmp_path, [b'{"messages": [{"role"'], ) != set()
    path = write(tmp_path / "t.jsonl", [chat("q?")] * 0, filler=60, end=b"")
    assert found(validate_path(path)) == set()
    path.write_bytes(path.read_bytes() + b'\n{"messages": [{"role": "user", "content": "cut')
    assert found(validate_path(path)) == {(61, "truncated_line")}


def test_too_few_and_few_examples(tmp_path):
    assert found(validate_path(write(tmp_path / "a.jsonl", [], filler=9))) == {(0, "too_few_examples")}
    assert found(validate_path(write(tmp_path / "b.jsonl", [], filler=10))) == {(0, "few_examples")}
    assert found(validate_path(write(tmp_path / "c.jsonl", [], filler=50))) == set()
    assert found(validate_path(write(tmp_path / "d.jsonl", []))) == {(0, "too_few_examples")}


def test_duplicates_and_conflicting_answers(tmp_path):
    lines = [chat("Capital of Peru?", "Lima."), chat("x?"), chat("Capital of Peru?", "Lima."),
             chat("Capital of Peru?", "Cusco.")]
    assert check(tmp_path, lines) == {(3, "duplicate_example"), (4, "conflicting_answers")}


def test_examples_shared_with_the_training_file(tmp_path):
    train = write(tmp_path / "train.jsonl", [chat("Shared?", "Yes.")], filler=60)
    held = write(tmp_path / "held.jsonl", [chat("New?", "Yes."), chat("Shared?", "Yes.")] +
                 [chat(f"Other {i}?") for i in range(60)])
    report = validate_path(held, against=train)
    assert found(report) == {(2, "shared_with_training")}


def test_too_many_tokens_uses_the_models_limit(tmp_path):
    long = chat("word " * 20_000)  # about 20k tokens: over gpt-3.5-turbo's 16,385, under gpt-4o-mini's 65,536
    assert check(tmp_path, [long], model="gpt-3.5-turbo") == {(1, "too_many_tokens")}
    assert check(tmp_path, [long], model="gpt-4o-mini") == set()


def test_problems_per_code_are_capped_and_counted(tmp_path):
    from ftui.core.dataset.validate import iter_validate
    path = write(tmp_path / "t.jsonl", [b"{"] * 30, filler=60)
    events = list(iter_validate(path, max_per_code=5))
    report = events[-1]
    assert [p.line for p in report.errors if p.code == "invalid_json"] == [1, 2, 3, 4, 5]
    assert report.counts["invalid_json"] == 30
    assert any(p.code == "more_problems" and "25" in p.message for p in report.errors)


def test_nul_bytes_after_the_sniffed_start_are_a_line_problem(tmp_path):
    # NULs in the first 64 KiB make it a binary file (tested with the reader); later ones are per line
    lines = [chat(f"q{i}?", "x" * 100) for i in range(700)] + [b'{"messages": [{"role": "user", "content": "a\x00"}]}']
    assert check(tmp_path, lines, filler=0) == {(701, "nul_byte")}


def test_file_size_limits(tmp_path, monkeypatch):
    from ftui.core.dataset import validate
    path = write(tmp_path / "big.jsonl", [], filler=60)
    monkeypatch.setattr(validate, "UPLOADS_API_BYTES", path.stat().st_size - 1)
    assert found(validate_path(path)) == {(0, "large_file_upload")}
    monkeypatch.setattr(validate, "MAX_UPLOAD_BYTES", path.stat().st_size - 1)
    assert found(validate_path(path)) == {(0, "file_too_large")}
