"""Checking the `messages` of a chat completion request the way OpenAI does, so a malformed
message is a 400 naming the field (`messages[0].content[1].text`), never a crash later on."""

from __future__ import annotations

from typing import Any

from ftui.core.server.api_errors import ApiError, bad_request

ROLES = ("system", "developer", "user", "assistant", "tool", "function")
# Content part types each role may send in a list; roles absent here take a string only.
PART_TYPES = {
    "system": ("text",),
    "developer": ("text",),
    "user": ("text", "image_url", "input_audio", "file"),
    "assistant": ("text", "refusal"),
    "tool": ("text",),
}
# The field of a part that holds its payload, and whether that field is a string or an object.
PART_FIELDS = {"text": ("text", str), "refusal": ("refusal", str), "image_url": ("image_url", dict),
               "input_audio": ("input_audio", dict), "file": ("file", dict)}


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def invalid_type(param: str, expected: str, value: Any) -> ApiError:
    return bad_request(f"Invalid type for '{param}': expected {expected}, but got {_kind(value)} "
                       "instead.", param=param, code="invalid_type")


def missing(param: str) -> ApiError:
    return bad_request(f"Missing required parameter: '{param}'.", param=param,
                       code="missing_required_parameter")


def invalid_value(param: str, value: Any, allowed: tuple[str, ...]) -> ApiError:
    return bad_request(f"Invalid value for '{param}': {value!r}. Supported values are: "
                       + ", ".join(repr(a) for a in allowed) + ".", param=param,
                       code="invalid_value")


def check_messages(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The request's messages, or an ApiError(400) for the first thing wrong with them."""
    if "messages" not in body or body["messages"] is None:
        raise missing("messages")
    messages = body["messages"]
    if not isinstance(messages, list):
        raise invalid_type("messages", "an array of message objects", messages)
    if not messages:
        raise bad_request("Invalid 'messages': empty array. Expected an array with minimum "
                          "length 1, but got an empty array instead.", param="messages",
                          code="empty_array")
    for index, message in enumerate(messages):
        _check_message(message, f"messages[{index}]")
    return messages


def _check_message(message: Any, where: str) -> None:
    if not isinstance(message, dict):
        raise invalid_type(where, "an object", message)
    role = message.get("role")
    if role is None:
        raise missing(f"{where}.role")
    if role not in ROLES:
        raise invalid_value(f"{where}.role", role, ROLES)
    name = message.get("name")
    if name is not None and not isinstance(name, str):
        raise invalid_type(f"{where}.name", "a string", name)
    if role == "assistant":
        _check_tool_calls(message.get("tool_calls"), f"{where}.tool_calls")
    if role == "tool" and not isinstance(message.get("tool_call_id"), str):
        raise (missing(f"{where}.tool_call_id") if message.get("tool_call_id") is None
               else invalid_type(f"{where}.tool_call_id", "a string", message["tool_call_id"]))
    content = message.get("content")
    if content is None:
        # Only an assistant message that calls tools (or a function, or refers to earlier
        # audio) may come without content.
        if role == "function" or (role == "assistant" and any(
                message.get(k) for k in ("tool_calls", "function_call", "audio"))):
            return
        raise missing(f"{where}.content")
    if isinstance(content, str):
        return
    if role == "function" or not isinstance(content, list):
        expected = "a string" if role == "function" else "one of a string or array of objects"
        raise invalid_type(f"{where}.content", expected, content)
    for index, part in enumerate(content):
        _check_part(part, f"{where}.content[{index}]", PART_TYPES[role])


def _check_part(part: Any, where: str, allowed: tuple[str, ...]) -> None:
    if not isinstance(part, dict):
        raise invalid_type(where, "an object", part)
    kind = part.get("type")
    if kind is None:
        raise missing(f"{where}.type")
    if kind not in allowed:
        raise invalid_value(f"{where}.type", kind, allowed)
    field, expected = PART_FIELDS[kind]
    value = part.get(field)
    if value is None:
        raise missing(f"{where}.{field}")
    if not isinstance(value, expected):
        raise invalid_type(f"{where}.{field}", "a string" if expected is str else "an object", value)
    if kind == "image_url" and not isinstance(value.get("url"), str):
        raise invalid_type(f"{where}.image_url.url", "a string", value.get("url"))


def _check_tool_calls(calls: Any, where: str) -> None:
    if calls is None:
        return
    if not isinstance(calls, list):
        raise invalid_type(where, "an array of tool calls", calls)
    for index, call in enumerate(calls):
        at = f"{where}[{index}]"
        if not isinstance(call, dict):
            raise invalid_type(at, "an object", call)
        if not isinstance(call.get("id"), str):
            raise invalid_type(f"{at}.id", "a string", call.get("id"))
        function = call.get("function")
        if call.get("type", "function") == "function":
            if not isinstance(function, dict):
                raise invalid_type(f"{at}.function", "an object", function)
            for key in ("name", "arguments"):
                if not isinstance(function.get(key), str):
                    raise invalid_type(f"{at}.function.{key}", "a string", function.get(key))
