"""The shipped example files: Marv is valid, the hold-out is separate, broken.jsonl has one of each."""

from __future__ import annotations

import json
from pathlib import Path

from ftui.core.dataset.validate import validate_path
from tests.dataset.helpers import found

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_marv_is_valid_and_varied():
    report = validate_path(EXAMPLES / "marv.jsonl")
    assert report.valid and report.format == "chat" and report.examples >= 30
    lines = [json.loads(x) for x in (EXAMPLES / "marv.jsonl").read_text().splitlines()]
    assert all(x["messages"][0] == {"role": "system", "content": "Marv is a factual chatbot that is also sarcastic."}
               for x in lines)
    questions = {m["content"] for x in lines for m in x["messages"] if m["role"] == "user"}
    assert len(questions) >= 30


def test_holdout_is_valid_and_shares_nothing_with_training():
    report = validate_path(EXAMPLES / "marv_holdout.jsonl", against=EXAMPLES / "marv.jsonl")
    assert report.valid and 8 <= report.examples <= 12
    assert "shared_with_training" not in report.counts


def test_broken_has_one_of_each_problem():
    assert found(validate_path(EXAMPLES / "broken.jsonl")) == {
        (0, "few_examples"), (1, "bom"), (2, "invalid_json"), (3, "data_type"), (4, "missing_messages_list"),
        (5, "message_missing_key"), (6, "message_unrecognized_key"), (7, "unrecognized_role"),
        (8, "missing_content"), (9, "example_missing_assistant_message"), (10, "invalid_weight"),
        (11, "missing_tool_call_id"), (12, "invalid_tool_calls"), (13, "blank_line"), (14, "duplicate_example"),
        (15, "conflicting_answers"), (16, "special_token"), (16, "crlf_line_endings"), (17, "invalid_utf8"),
        (18, "mixed_formats"), (19, "truncated_line")}


def test_report_helpers_for_the_data_screen():
    report = validate_path(EXAMPLES / "broken.jsonl")
    assert [p.code for p in report.problems_at(16)] == ["special_token", "crlf_line_endings"]
    assert report.by_line()[0][0].code == "few_examples"
    assert report.tokens_at(1) > 0 and report.tokens_at(2) is None  # line 2 is not valid JSON
    assert "14 examples (chat), 16 error(s), 5 warning(s)" in report.summary()
    assert validate_path(EXAMPLES / "marv.jsonl").summary().endswith("ready to upload")
