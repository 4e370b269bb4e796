"""Chat request bodies are checked as OpenAI checks them: a malformed message is a 400 whose
`param` names the field, never a 500."""

from __future__ import annotations

import openai
import pytest

from tests.spec_check import check_error

MODEL = "gpt-4o-mini"
USER = {"role": "user", "content": "Hello"}
TEXT = {"type": "text", "text": "Hello"}
CALL = {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}

BAD = [
    # (id, messages, param the answer must name)
    ("text-null", [{"role": "user", "content": [{"type": "text", "text": None}]}],
     "messages[0].content[0].text"),
    ("text-int", [{"role": "user", "content": [{"type": "text", "text": 5}]}],
     "messages[0].content[0].text"),
    ("content-int", [{"role": "user", "content": 5}], "messages[0].content"),
    ("content-object", [{"role": "user", "content": {"text": "hi"}}], "messages[0].content"),
    ("part-null", [{"role": "user", "content": [None]}], "messages[0].content[0]"),
    ("part-string", [{"role": "user", "content": ["hi"]}], "messages[0].content[0]"),
    ("part-unknown-type", [{"role": "user", "content": [{"type": "video", "text": "x"}]}],
     "messages[0].content[0].type"),
    ("part-no-type", [{"role": "user", "content": [{"text": "x"}]}], "messages[0].content[0].type"),
    ("system-image", [{"role": "system", "content": [{"type": "image_url",
                                                        "image_url": {"url": "http://x"}}]}, USER],
     "messages[0].content[0].type"),
    ("image-url-not-string", [{"role": "user", "content": [{"type": "image_url",
                                                             "image_url": {"url": 3}}]}],
     "messages[0].content[0].image_url.url"),
    ("user-content-null", [{"role": "user", "content": None}], "messages[0].content"),
    ("user-content-missing", [{"role": "user"}], "messages[0].content"),
    ("assistant-null-without-tools", [USER, {"role": "assistant", "content": None}, USER],
     "messages[1].content"),
    ("unknown-role", [{"role": "robot", "content": "x"}], "messages[0].role"),
    ("no-role", [{"content": "x"}], "messages[0].role"),
    ("message-not-object", [USER, "hello"], "messages[1]"),
    ("name-not-string", [{"role": "user", "content": "x", "name": 3}], "messages[0].name"),
    ("tool-without-call-id", [{"role": "tool", "content": "42"}], "messages[0].tool_call_id"),
    ("tool-call-bad-arguments", [USER, {"role": "assistant", "content": None, "tool_calls": [
        {"id": "c", "type": "function", "function": {"name": "f", "arguments": {}}}]}],
     "messages[1].tool_calls[0].function.arguments"),
    ("empty", [], "messages"),
    ("not-a-list", {"role": "user", "content": "x"}, "messages"),
]


@pytest.mark.parametrize(("messages", "param"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
async def test_malformed_messages_are_400s_naming_the_field(client, messages, param, stream):
    with pytest.raises(openai.BadRequestError) as caught:
        await client.chat.completions.create(model=MODEL, messages=messages, stream=stream)
    body = caught.value.response.json()
    check_error(body)
    assert body["error"]["type"] == "invalid_request_error"
    assert body["error"]["param"] == param, body
    assert param in body["error"]["message"]


async def test_missing_messages_is_a_400(client):
    with pytest.raises(openai.BadRequestError) as caught:
        await client.chat.completions.create(model=MODEL, messages=None)  # type: ignore[arg-type]
    assert caught.value.response.json()["error"]["param"] == "messages"


GOOD = [
    ("text-parts", [{"role": "user", "content": [TEXT, {"type": "text", "text": "again"}]}]),
    ("developer-text-parts", [{"role": "developer", "content": [TEXT]}, USER]),
    ("image-part", [{"role": "user", "content": [TEXT, {"type": "image_url",
                                                          "image_url": {"url": "data:,x"}}]}]),
    ("assistant-tool-call-null-content",
     [USER, {"role": "assistant", "content": None, "tool_calls": [CALL]},
      {"role": "tool", "tool_call_id": "call_1", "content": "42"}, USER]),
    ("assistant-refusal-part", [USER, {"role": "assistant", "content": [
        {"type": "refusal", "refusal": "no"}]}, USER]),
]


@pytest.mark.parametrize("messages", [g[1] for g in GOOD], ids=[g[0] for g in GOOD])
async def test_well_formed_messages_are_answered(client, messages):
    answer = await client.chat.completions.create(model=MODEL, messages=messages)
    assert answer.choices[0].message.content


@pytest.mark.parametrize("options", [5, "yes", [True]])
async def test_stream_options_that_are_not_an_object_are_400s(client, options):
    with pytest.raises(openai.BadRequestError) as caught:
        await client.chat.completions.create(model=MODEL, messages=[USER], stream=True,
                                             stream_options=options)  # type: ignore[arg-type]
    assert caught.value.response.json()["error"]["param"] == "stream_options"
