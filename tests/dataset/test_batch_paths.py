"""check_batch's fast path for plain chat lines, and its local (in-process) keys, give exactly what the
full path and the portable keys give: same problems, lines, messages, counts and token numbers; keys
that find the same duplicates. Each comparison runs real batches of varied lines through both."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftui.core.dataset.batch import BatchJob, BatchResult, check_batch
from ftui.core.dataset.validate import Report, _Merge, validate_path

SYSTEM = "You are a helpful assistant."


def chat(*pairs: tuple[str, object], **top) -> bytes:
    return json.dumps({"messages": [{"role": r, "content": c} for r, c in pairs], **top},
                      ensure_ascii=False).encode()


PLAIN = chat(("system", SYSTEM), ("user", "What is 2+2?"), ("assistant", "4."))
VARIED: list[bytes] = [
    PLAIN,
    PLAIN,  # a duplicate
    chat(("system", SYSTEM), ("user", "What is 2+2?"), ("assistant", "Four.")),  # same prompt, other answer
    b'{"messages":[{"content":"What is 2+2?","role":"user"},{"role":"assistant","content":"4."}]}',  # key order
    b'{ "messages" : [ {"role": "user", "content": "What is 2+2?"}, {"role": "assistant", "content": "4."} ] }',
    b'{"messages":[{"role":"user","content":"caf\\u00e9"},{"role":"assistant","content":"caf\xc3\xa9"}]}',
    chat(("user", "café"), ("assistant", "café")),  # the same strings without escapes
    chat(("user", "日本語で答えて"), ("assistant", "はい、わかりました。")),  # non-ASCII
    chat(("user", "emoji 🎉 ok"), ("assistant", "🎉🎉")),
    b'{"messages":[{"role":"user","content":"\\ud800 lone"},{"role":"assistant","content":"x"}]}',  # surrogate
    b'{"messages":[{"role":"user","content":"a","content":"b"},{"role":"assistant","content":"c"}]}',  # dup key
    chat(("user", "b"), ("assistant", "c")),  # what the duplicate-key line means
    chat(("user", "   "), ("assistant", "blank question")),  # whitespace-only content
    chat(("user", ""), ("assistant", "empty question")),
    chat(("user", None), ("assistant", "null question")),
    chat(("user", "no answer")),
    chat(("assistant", "only an answer")),
    chat(("developer", "wrong role for chat"), ("user", "q"), ("assistant", "a")),
    chat(("tool", "tool without id"), ("assistant", "a")),
    chat(("user", "What is 2+2?"), ("assistant", "4."), extra=1),  # unknown top key: same messages as above
    json.dumps({"messages": [{"role": "user", "content": "What is 2+2?"},
                             {"role": "assistant", "content": "4.", "weight": 1}]}).encode(),
    json.dumps({"messages": [{"role": "user", "content": "q"},
                             {"role": "assistant", "content": "a", "weight": 0}]}).encode(),
    json.dumps({"messages": [{"role": "user", "content": "q"},
                             {"role": "assistant", "content": "a", "weight": 2}]}).encode(),
    json.dumps({"messages": [{"role": "user", "content": "q", "name": "bob"},
                             {"role": "assistant", "content": "a"}]}).encode(),
    json.dumps({"messages": [{"role": "user", "content": [
        {"type": "text", "text": "what is this?"},
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "low"}}]},
        {"role": "assistant", "content": "A cat."}]}).encode(),
    json.dumps({"messages": [{"role": "user", "content": "weather?"},
                             {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function", "function": {
                                 "name": "weather", "arguments": "{\"city\": \"Paris\"}"}}]},
                             {"role": "tool", "tool_call_id": "c1", "content": "sunny"},
                             {"role": "assistant", "content": "Sunny."}],
                "tools": [{"type": "function", "function": {"name": "weather", "parameters": {}}}]}).encode(),
    chat(("user", "weather?"), ("assistant", "Sunny."),
         tools=[{"type": "function", "function": {"name": "weather"}}]),
    chat(("user", "say <|endoftext|> please"), ("assistant", "no")),  # special token, otherwise plain
    chat(("user", "q"), ("assistant", "a <|im_end|>"), extra=True),
    chat(("user", "long " * 5000), ("assistant", "a")),  # over the small model's limit below
    b'{"messages": [',  # invalid JSON
    b'["a list"]',
    b'"a string"',
    b'{"prompt": "legacy", "completion": "format"}',
    b'{"messages": "not a list"}',
    b'{"messages": []}',
    b'{"input": {"messages": [{"role": "user", "content": "q"}]}, "preferred_output": '
    b'[{"role": "assistant", "content": "a"}], "non_preferred_output": [{"role": "assistant", "content": "b"}]}',
    b"\xff\xfe not UTF-8",
    b'{"messages": [\x00]}',
    b"",  # blank
    b"   \t",
    b'{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]} trailing',
    b"[" * 100_000,  # too deep for json.loads
    PLAIN + b"\r",  # a CRLF line
    b'{"messages":[{"role":"user","content":"tab\\there"},{"role":"assistant","content":"new\\nline  two"}]}',
]


def as_dict(res: BatchResult, keys: bool = True) -> dict:
    out = {"lines": res.lines, "problems": res.problems, "example_lines": list(res.example_lines),
           "example_tokens": list(res.example_tokens), "key_lines": list(res.key_lines),
           "crlf": (res.crlf_count, res.crlf_first)}
    if keys:
        out["keys"] = list(zip(res.prompt_keys, res.answer_keys))
    return out


def both_paths(data: bytes, *, first_line: int = 1, final: bool = True, fmt: str = "chat",
               model: str = "gpt-3.5-turbo-0613", count_tokens: bool = True) -> None:
    """Fast and full path agree on everything, in both kinds of keys; the kinds agree on all but the keys."""
    got = {}
    for portable in (True, False):
        for fast in (True, False):
            job = BatchJob(first_line, data, final, fmt, model, count_tokens, fast_path=fast,
                           portable_keys=portable)
            got[portable, fast] = check_batch(job)
        assert as_dict(got[portable, True]) == as_dict(got[portable, False])
    assert as_dict(got[True, True], keys=False) == as_dict(got[False, True], keys=False)
    assert repeats(got[True, True], fmt) == repeats(got[False, True], fmt)


def repeats(res: BatchResult, fmt: str) -> list:
    """The duplicate / conflicting-answer problems the keys give, merged as the validator does."""
    merge = _Merge(Report(path="x"), fmt, 1000, None)
    return [(p.line, p.code, p.message) for p in merge.add(BatchResult(
        key_lines=res.key_lines, prompt_keys=res.prompt_keys, answer_keys=res.answer_keys))]


@pytest.mark.parametrize("fmt", ["chat", "reinforcement", "preference"])
def test_varied_lines_give_the_same_on_both_paths(fmt):
    data = b"\n".join(VARIED) + b"\n"
    both_paths(data, fmt=fmt)
    both_paths(b"\xef\xbb\xbf" + data, fmt=fmt)  # with a BOM on line 1
    both_paths(data, first_line=7, fmt=fmt)  # not the file's start: no BOM check, numbers shifted


def test_the_cases_are_really_there():
    """Guard for the test above: the varied lines hold what they say (else equal results prove little)."""
    res = check_batch(BatchJob(1, b"\n".join(VARIED) + b"\n", True, "chat", "gpt-3.5-turbo-0613"))
    codes = {code for _line, code, _msg, _sev in res.problems}
    assert {"invalid_json", "invalid_utf8", "nul_byte", "blank_line", "data_type", "missing_content",
            "unrecognized_role", "example_missing_assistant_message", "unrecognized_key", "invalid_weight",
            "no_trainable_assistant", "special_token", "too_many_tokens", "mixed_formats",
            "missing_messages_list", "empty_messages"} <= codes
    found = repeats(res, "chat")
    assert (2, "duplicate_example") in [(line, code) for line, code, _m in found]
    assert (3, "conflicting_answers") in [(line, code) for line, code, _m in found]
    dup_lines = {line for line, code, _m in found if code == "duplicate_example"}
    crlf = VARIED.index(PLAIN + b"\r") + 1
    assert {5, 20, crlf} <= dup_lines  # spaces (of line 4, keys in another order), extra key, CRLF
    assert 7 in dup_lines and 12 in dup_lines  # escapes and duplicate JSON keys decode to the same strings
    assert (21, "conflicting_answers") in [(line, code) for line, code, _m in found]  # weight: another answer
    assert res.crlf_count == 1 and res.crlf_first == crlf


def test_cut_off_last_line_is_reported_on_both_paths():
    data = PLAIN + b"\n" + b'{"messages": [{"role": "user"'
    both_paths(data, final=True)
    res = check_batch(BatchJob(1, data, True, "chat", "gpt-4o-mini"))
    assert [p[1] for p in res.problems] == ["truncated_line"]


line_text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "<|endoftext|>", "é", "\t", "\\u00e9"]),
)
message = st.fixed_dictionaries({"role": st.sampled_from(["system", "user", "assistant", "tool", "developer"]),
                                 "content": st.one_of(line_text, st.none(), st.integers())},
                                optional={"weight": st.sampled_from([0, 1, 2]), "name": st.just("n")})
lines = st.one_of(
    st.builds(lambda m: json.dumps({"messages": m}, ensure_ascii=False).encode("utf-8", "surrogatepass"),
              st.lists(message, max_size=4)),
    st.builds(lambda m: json.dumps({"messages": m}).encode(), st.lists(message, max_size=4)),
    st.sampled_from(VARIED[:12]),  # repeats of plain lines, so duplicates happen
    st.binary(max_size=20),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(lines, min_size=1, max_size=12), st.sampled_from(["chat", "reinforcement"]))
def test_any_lines_give_the_same_on_both_paths(rows, fmt):
    data = b"\n".join(r.replace(b"\n", b" ") for r in rows) + b"\n"
    both_paths(data, fmt=fmt, model="gpt-4o-mini")
    both_paths(data, fmt=fmt, model="gpt-4o-mini", count_tokens=False)


def test_a_file_gives_the_same_report_in_small_and_large_batches(tmp_path):
    """Duplicates across batches are found with local keys as with one batch (keys kept across batches)."""
    path = tmp_path / "t.jsonl"
    path.write_bytes(b"\n".join([r for r in VARIED if b"\0" not in r] * 3) + b"\n")  # NUL: a binary file
    from ftui.core.dataset.validate import iter_validate
    small = list(iter_validate(path, workers=0, chunk_size=512))[-1]
    large = validate_path(path, workers=0)
    assert small.problems == large.problems and list(small.example_tokens) == list(large.example_tokens)
    assert small.counts["duplicate_example"] > len(VARIED)  # the second and third copies


def test_held_out_examples_are_found_with_either_kind_of_keys(tmp_path):
    """`against` fingerprints take the kind of keys the validation uses: local in one process, portable with
    worker processes (which one falls back to when they cannot start); both find the same shared examples."""
    from ftui.core.dataset.validate import example_fingerprints, iter_validate

    train, held = tmp_path / "train.jsonl", tmp_path / "held.jsonl"
    train.write_bytes(b"\n".join(chat(("user", f"q{i}"), ("assistant", f"a{i}")) for i in range(40)) + b"\n")
    held.write_bytes(b"\n".join([chat(("user", "q3"), ("assistant", "a3")), VARIED[-1]]
                                + [chat(("user", f"new {i}"), ("assistant", "x")) for i in range(20)]) + b"\n")
    assert sorted(example_fingerprints(train, portable=True).values()) == \
        sorted(example_fingerprints(train, portable=False).values())
    one = validate_path(held, against=train, workers=0)
    pooled = list(iter_validate(held, against=train, workers=2, chunk_size=256))[-1]
    assert pooled.notes == []  # the workers really ran
    shared = [(p.line, p.code) for p in one.problems if p.code == "shared_with_training"]
    assert shared == [(1, "shared_with_training")]
    assert [(p.line, p.code, p.message) for p in pooled.problems] == \
        [(p.line, p.code, p.message) for p in one.problems]


def test_keys_tell_apart_strings_that_join_alike():
    """Both kinds of keys are keys of the list of strings, not of their text run together."""
    a = chat(("system", "s"), ("user", "q"), ("assistant", "y"))
    b = chat(("system", "s\x1euser\x1eq"), ("assistant", "y"))  # joined with \x1e, the same text as a's prompt
    c = chat(("system", "s"), ("user", "q\x1e"), ("assistant", "y"))
    both_paths(b"\n".join([a, b, c, a]) + b"\n")
    for portable in (True, False):
        res = check_batch(BatchJob(1, b"\n".join([a, b, c, a]) + b"\n", True, "chat", "gpt-4o-mini",
                                   portable_keys=portable))
        assert [(line, code) for line, code, _m in repeats(res, "chat")] == [(4, "duplicate_example")]
