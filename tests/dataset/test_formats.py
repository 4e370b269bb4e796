"""Format detection and the preference (DPO) and reinforcement line checks."""

from __future__ import annotations

import json

import pytest

from ftui.core.dataset.checks import decide_format, line_format
from ftui.core.dataset.validate import detect_format, validate_example, validate_path, validate_text
from tests.dataset.helpers import chat, found, write


def pref(user="Hi?", good="Hello!", bad="Go away.", **kw):
    obj = {"input": {"messages": [{"role": "user", "content": user}]},
           "preferred_output": [{"role": "assistant", "content": good}],
           "non_preferred_output": [{"role": "assistant", "content": bad}]}
    obj.update(kw)
    return obj


def rft(user="Count the donors in CCO", **data):
    return {"messages": [{"role": "developer", "content": "Answer with a number."},
                         {"role": "user", "content": user}], "reference_answer": data or {"donors": 1}}


def test_line_format():
    assert line_format(chat()) == "chat"
    assert line_format(pref()) == "preference"
    assert line_format(rft()) == "reinforcement"
    assert line_format([1]) == "unknown"
    assert decide_format({"chat": 3, "preference": 1}) == "chat"
    assert decide_format({"preference": 3, "chat": 1}) == "preference"
    assert decide_format({"reinforcement": 5, "chat": 1}) == "reinforcement"
    assert decide_format({}) == "chat"


@pytest.mark.parametrize("make, fmt", [(lambda i: chat(f"q{i}"), "chat"), (lambda i: pref(f"q{i}"), "preference"),
                                       (lambda i: rft(f"q{i}"), "reinforcement")])
def test_files_of_each_format_are_detected_and_valid(tmp_path, make, fmt):
    path = write(tmp_path / "f.jsonl", [make(i) for i in range(60)])
    report = validate_path(path)
    assert report.format == fmt and found(report) == set() and report.examples == 60
    assert detect_format(path) == fmt
    assert all(t > 0 for t in report.example_tokens)


def test_forced_format_reports_mismatches(tmp_path):
    path = write(tmp_path / "f.jsonl", [chat(f"q{i}") for i in range(60)])
    report = validate_path(path, format="preference")
    assert report.format == "preference" and {p.code for p in report.errors} == {"mixed_formats"}


@pytest.mark.parametrize("obj, codes", [
    (pref(), set()),
    ({k: v for k, v in pref().items() if k != "input"}, {"missing_input"}),
    (pref(input={"text": "x"}), {"missing_messages_list"}),
    ({k: v for k, v in pref().items() if k != "preferred_output"}, {"missing_preferred_output"}),
    ({k: v for k, v in pref().items() if k != "non_preferred_output"}, {"missing_non_preferred_output"}),
    (pref(preferred_output=[{"role": "assistant", "content": "a"}, {"role": "assistant", "content": "b"}]),
     {"invalid_preference_output"}),
    (pref(non_preferred_output=[{"role": "user", "content": "a"}]), {"invalid_preference_output"}),
    (pref(preferred_output={"role": "assistant", "content": "a"}), {"invalid_preference_output"}),
    (pref(preferred_output=[{"role": "assistant", "content": ""}]), {"missing_content"}),
    (pref(good="Same", bad="Same"), {"identical_outputs"}),
    (pref(input={"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}]}),
     {"input_ends_with_assistant"}),
    (pref(input={"messages": [{"role": "robot", "content": "x"}]}), {"unrecognized_role"}),
    (pref(extra=1), {"unrecognized_key"}),
    (chat(), {"mixed_formats"}),
])
def test_preference_line_checks(obj, codes):
    assert {p.code for p in validate_example(obj, format="preference")} == codes


@pytest.mark.parametrize("obj, codes", [
    (rft(), set()),
    ({"messages": [{"role": "system", "content": "x"}, {"role": "user", "content": "y"}]}, {"unrecognized_role"}),
    ({"reference_answer": 1}, {"missing_messages_list"}),
    ({"messages": [{"role": "user", "content": "y"}], "tools": "no"}, {"invalid_tools"}),
])
def test_reinforcement_line_checks(obj, codes):
    assert {p.code for p in validate_example(obj, format="reinforcement")} == codes


def test_chat_rejects_the_developer_role_with_a_hint():
    obj = {"messages": [{"role": "developer", "content": "x"}, {"role": "user", "content": "y"},
                        {"role": "assistant", "content": "z"}]}
    problems = validate_example(obj, format="chat")
    assert [p.code for p in problems] == ["unrecognized_role"] and "system" in problems[0].message


def test_validate_text_for_editors():
    assert [p.code for p in validate_text("{bad")] == ["invalid_json"]
    assert [p.code for p in validate_text("  ")] == ["blank_line"]
    assert validate_text(json.dumps(chat())) == []
    pretty = json.dumps(chat(), indent=2)
    assert validate_text(pretty) == []
