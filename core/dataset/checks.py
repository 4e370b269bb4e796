"""Checks of one parsed training line, per format, following OpenAI's line schemas.

Each finding is (code, message, severity). The codes OpenAI's data-preparation cookbook uses keep
their names (data_type, missing_messages_list, message_missing_key, message_unrecognized_key,
unrecognized_role, missing_content, example_missing_assistant_message); the others are ours.
Messages say what to change.
"""

from __future__ import annotations

import json
from typing import Any, Literal

Severity = Literal["error", "warning"]
Finding = tuple[str, str, Severity]  # (code, message, severity)

CHAT, PREFERENCE, REINFORCEMENT, UNKNOWN = "chat", "preference", "reinforcement", "unknown"
FORMATS = (CHAT, PREFERENCE, REINFORCEMENT)

ROLES = {
    CHAT: ("system", "user", "assistant", "tool", "function"),
    PREFERENCE: ("system", "user", "assistant", "tool", "function"),
    REINFORCEMENT: ("developer", "user", "assistant", "tool"),
}
MESSAGE_KEYS = {
    "system": frozenset({"role", "content", "name"}),
    "developer": frozenset({"role", "content", "name"}),
    "user": frozenset({"role", "content", "name"}),
    "assistant": frozenset({"role", "content", "name", "function_call", "tool_calls", "weight", "refusal"}),
    "tool": frozenset({"role", "content", "tool_call_id"}),
    "function": frozenset({"role", "content", "name"}),
}
TOP_KEYS = {
    CHAT: frozenset({"messages", "tools", "functions", "parallel_tool_calls"}),
    PREFERENCE: frozenset({"input", "preferred_output", "non_preferred_output"}),
}
SPECIAL_TOKENS = ("<|endoftext|>", "<|endofprompt|>", "<|im_start|>", "<|im_end|>", "<|im_sep|>",
                  "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|startoftext|>")

# Every code the validator can report: severity and a one-line description (for docs, UI help).
CODES: dict[str, tuple[Severity, str]] = {
    "invalid_json": ("error", "the line is not valid JSON"),
    "truncated_line": ("error", "the last line is cut off (no newline at the end and incomplete JSON)"),
    "invalid_utf8": ("error", "the line is not valid UTF-8 text"),
    "nul_byte": ("error", "the line contains NUL bytes"),
    "line_too_long": ("error", "a line too long to load (hundreds of MB)"),
    "bom": ("error", "the file starts with a UTF-8 byte order mark"),
    "blank_line": ("error", "an empty line"),
    "crlf_line_endings": ("warning", "lines end with \\r\\n (Windows line endings)"),
    "data_type": ("error", "the line (or a message) is not a JSON object"),
    "mixed_formats": ("error", "the line has a different format from the rest of the file"),
    "unrecognized_key": ("warning", "a top-level key that this format does not use"),
    "missing_messages_list": ("error", "no \"messages\" list"),
    "empty_messages": ("error", "\"messages\" is an empty list"),
    "message_missing_key": ("error", "a message lacks \"role\" or \"content\" (or \"name\" for function)"),
    "message_unrecognized_key": ("error", "a message has a key its role does not allow"),
    "unrecognized_role": ("error", "a role this format does not accept"),
    "missing_content": ("error", "a message has empty or null content"),
    "invalid_content_type": ("error", "content is neither a string nor a list of content parts"),
    "invalid_content_part": ("error", "a malformed content part"),
    "unsupported_content_part": ("error", "audio/file parts, or images outside user messages"),
    "example_missing_assistant_message": ("error", "no assistant message to learn from"),
    "no_trainable_assistant": ("warning", "every assistant message has weight 0"),
    "invalid_weight": ("error", "weight is not 0 or 1"),
    "invalid_name": ("error", "name is not a string"),
    "invalid_tool_calls": ("error", "malformed tool_calls or function_call"),
    "tool_arguments_not_json": ("warning", "tool call arguments are not a JSON text"),
    "missing_tool_call_id": ("error", "a tool message without tool_call_id"),
    "unknown_tool_call_id": ("error", "a tool message answering a call no assistant message made"),
    "invalid_tools": ("error", "malformed tools / functions definitions"),
    "missing_input": ("error", "a preference line without an \"input\" object"),
    "missing_preferred_output": ("error", "a preference line without preferred_output"),
    "missing_non_preferred_output": ("error", "a preference line without non_preferred_output"),
    "invalid_preference_output": ("error", "an output that is not a list of one assistant message"),
    "identical_outputs": ("warning", "preferred and non-preferred outputs are the same"),
    "input_ends_with_assistant": ("warning", "preference input should end with a user message"),
    "special_token": ("warning", "content contains a special token such as <|endoftext|>"),
    "too_many_tokens": ("warning", "the example is longer than the model's training context"),
    "duplicate_example": ("warning", "the same example appears earlier"),
    "conflicting_answers": ("warning", "the same prompt appears earlier with a different answer"),
    "shared_with_training": ("warning", "the example also appears in the training file"),
    "too_few_examples": ("error", "fewer than 10 examples"),
    "few_examples": ("warning", "fewer than 50 examples"),
    "large_file_upload": ("warning", "over 512 MB: needs the Uploads API"),
    "file_too_large": ("error", "over 8 GB: too large even for the Uploads API"),
    "file_changed": ("error", "the file changed on disk during validation"),
    "more_problems": ("warning", "more lines with the same problem (list cut short)"),
}


def severity(code: str) -> Severity:
    return CODES.get(code, ("error", ""))[0]


def _f(code: str, message: str) -> Finding:
    return code, message, severity(code)


def _type(x: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number",
            float: "a number", type(None): "null"}.get(type(x), type(x).__name__)


def line_format(obj: Any) -> str:
    """Which format one parsed line looks like (used to detect the file's format by vote)."""
    if not isinstance(obj, dict):
        return UNKNOWN
    if "input" in obj or "preferred_output" in obj or "non_preferred_output" in obj:
        return PREFERENCE
    messages = obj.get("messages")
    if not isinstance(messages, list):
        return UNKNOWN
    if any(k not in TOP_KEYS[CHAT] for k in obj):
        return REINFORCEMENT  # reference data for the grader
    roles = [m.get("role") for m in messages if isinstance(m, dict)]
    if "developer" in roles or "assistant" not in roles:
        return REINFORCEMENT
    return CHAT


def decide_format(votes: dict[str, int]) -> str:
    """The file's format from per-line votes: chat unless most lines say otherwise."""
    total = sum(votes.values()) - votes.get(UNKNOWN, 0)
    if total == 0:
        return CHAT
    if votes.get(PREFERENCE, 0) * 2 > total:
        return PREFERENCE
    if votes.get(REINFORCEMENT, 0) > votes.get(CHAT, 0):
        return REINFORCEMENT
    return CHAT


def check_line(obj: Any, fmt: str) -> list[Finding]:
    """All findings for one parsed line of a file of format `fmt`."""
    if not isinstance(obj, dict):
        return [_f("data_type", f"the line is {_type(obj)}; each line must be one JSON object like "
                                "{\"messages\": [...]}")]
    if len(obj) == 1 and fmt != PREFERENCE:  # the common case, checked with the least work
        messages = obj.get("messages")
        if type(messages) is list and messages and _plain_chat_ok(messages, fmt):
            return []
    own = PREFERENCE if ("input" in obj or "preferred_output" in obj or "non_preferred_output" in obj) else CHAT
    if fmt == PREFERENCE and own != PREFERENCE and "messages" in obj:
        return [_f("mixed_formats", "this line is a chat example but the file holds preference (DPO) "
                                    "examples; use input / preferred_output / non_preferred_output")]
    if fmt != PREFERENCE and own == PREFERENCE:
        return [_f("mixed_formats", "this line is a preference (DPO) example but the file holds "
                                    f"{fmt} examples; keep one format per file")]
    if fmt == PREFERENCE:
        return check_preference(obj)
    out: list[Finding] = []
    messages = obj.get("messages")
    if not isinstance(messages, list):
        if messages is None and "prompt" in obj:
            return [_f("missing_messages_list", "this is the legacy prompt/completion format; rewrite it as "
                                                "\"messages\": [{\"role\": \"user\", ...}, {\"role\": "
                                                "\"assistant\", ...}]")]
        what = "no \"messages\" key" if messages is None else f"\"messages\" is {_type(messages)}"
        return [_f("missing_messages_list", f"{what}; add \"messages\": a list of "
                                            "{\"role\": ..., \"content\": ...} objects")]
    if fmt == CHAT:
        extra = [k for k in obj if k not in TOP_KEYS[CHAT]]
        if extra:
            out.append(_f("unrecognized_key", f"key(s) {', '.join(map(repr, extra))} are not part of a chat "
                                              "example and will be ignored; remove them"))
    out.extend(check_tools(obj))
    out.extend(check_messages(messages, fmt, "messages"))
    if fmt == CHAT and messages:
        assistants = [m for m in messages if isinstance(m, dict) and m.get("role") == "assistant"]
        if not assistants:
            out.append(_f("example_missing_assistant_message",
                          "add an assistant message: the model learns from the assistant's replies"))
        elif all(m.get("weight") == 0 for m in assistants):
            out.append(_f("no_trainable_assistant", "every assistant message has weight 0, so nothing is "
                                                    "learned from this example; set weight 1 on one"))
    return out


_PLAIN_ROLES = {CHAT: frozenset({"system", "user", "assistant"}), REINFORCEMENT: frozenset({"developer", "user",
                                                                                           "assistant"})}


def _plain_chat_ok(messages: list, fmt: str) -> bool:
    """True when every message is a plain {"role", "content": non-blank str} of an allowed role and (for
    chat) one is from the assistant: then there is nothing to report. Anything else takes the full path."""
    roles = _PLAIN_ROLES[fmt]
    assistant = fmt != CHAT
    for m in messages:
        if type(m) is not dict or len(m) != 2:
            return False
        role, content = m.get("role"), m.get("content")
        if role not in roles or type(content) is not str or not content or content.isspace():
            return False
        assistant = assistant or role == "assistant"
    return assistant


def check_messages(messages: list, fmt: str, where: str) -> list[Finding]:
    out: list[Finding] = []
    if not messages:
        return [_f("empty_messages", f"\"{where}\" is empty; add at least a user and an assistant message")]
    roles = ROLES[fmt]
    call_ids: set[str] = set()
    for i, msg in enumerate(messages, start=1):
        label = f"{where}[{i}]" if where != "messages" else f"message {i}"
        if not isinstance(msg, dict):
            out.append(_f("data_type", f"{label} is {_type(msg)}; make it an object with \"role\" and \"content\""))
            continue
        role = msg.get("role")
        if role is None:
            out.append(_f("message_missing_key", f"{label} has no \"role\"; add one of {', '.join(roles)}"))
            continue
        if role not in roles:
            hint = " (use \"system\")" if role == "developer" else " (use \"developer\")" if role == "system" else ""
            out.append(_f("unrecognized_role", f"{label} has role {role!r}; use one of {', '.join(roles)}{hint}"))
            continue
        allowed = MESSAGE_KEYS[role]
        extra = [k for k in msg if k not in allowed]
        if extra:
            note = " (weight is only allowed on assistant messages)" if "weight" in extra else ""
            out.append(_f("message_unrecognized_key", f"{label} ({role}) has key(s) "
                                                      f"{', '.join(map(repr, extra))} it may not have; remove "
                                                      f"them{note}"))
        out.extend(check_content(msg, role, label))
        if "name" in msg and not isinstance(msg["name"], str):
            out.append(_f("invalid_name", f"{label}: \"name\" must be a string, not {_type(msg['name'])}"))
        if role == "assistant":
            out.extend(check_assistant(msg, label, call_ids))
        elif role == "tool":
            tid = msg.get("tool_call_id")
            if not isinstance(tid, str) or not tid:
                out.append(_f("missing_tool_call_id", f"{label} (tool) needs \"tool_call_id\": the id of the "
                                                      "assistant tool call it answers"))
            elif tid not in call_ids:
                out.append(_f("unknown_tool_call_id", f"{label} answers tool call {tid!r}, but no earlier "
                                                      "assistant message made a call with that id"))
        elif role == "function" and not isinstance(msg.get("name"), str):
            out.append(_f("message_missing_key", f"{label} (function) needs \"name\": the function's name"))
    return out


def check_content(msg: dict, role: str, label: str) -> list[Finding]:
    has_call = "tool_calls" in msg or "function_call" in msg  # a malformed call is reported on its own
    if "content" not in msg:
        if role == "assistant" and has_call:
            return []
        return [_f("message_missing_key", f"{label} ({role}) has no \"content\"; add the message text")]
    content = msg["content"]
    if content is None or (isinstance(content, str) and not content.strip()):
        if role == "assistant" and has_call:
            return []
        return [_f("missing_content", f"{label} ({role}) has empty content; write the message text "
                                      "or remove the message")]
    if isinstance(content, str):
        return []
    if not isinstance(content, list):
        return [_f("invalid_content_type", f"{label} content is {_type(content)}; use a string or a list "
                                           "of content parts")]
    if not content:
        return [_f("missing_content", f"{label} ({role}) content is an empty list; add a text part")]
    out: list[Finding] = []
    for j, part in enumerate(content, start=1):
        where = f"{label} content part {j}"
        if not isinstance(part, dict):
            out.append(_f("invalid_content_part", f"{where} is {_type(part)}; use {{\"type\": \"text\", "
                                                  "\"text\": ...}"))
            continue
        kind = part.get("type")
        if kind == "text":
            if not isinstance(part.get("text"), str):
                out.append(_f("invalid_content_part", f"{where} (text) needs a string \"text\""))
        elif kind == "image_url":
            if role != "user":
                out.append(_f("unsupported_content_part", f"{where}: images are only allowed in user "
                                                          "messages; move it to a user message"))
                continue
            img = part.get("image_url")
            if not isinstance(img, dict):
                img = {}
            url = img.get("url")
            if not isinstance(url, str) or not url.startswith(("http://", "https://", "data:image/")):
                out.append(_f("invalid_content_part", f"{where} (image_url) needs \"image_url\": {{\"url\": "
                                                      "\"https://...\" or \"data:image/...;base64,...\"}"))
            elif img.get("detail", "auto") not in ("auto", "low", "high"):
                out.append(_f("invalid_content_part", f"{where}: image detail must be auto, low or high"))
        elif kind == "refusal" and role == "assistant":
            if not isinstance(part.get("refusal"), str):
                out.append(_f("invalid_content_part", f"{where} (refusal) needs a string \"refusal\""))
        elif kind in ("input_audio", "file"):
            out.append(_f("unsupported_content_part", f"{where}: {kind} parts are not supported for "
                                                      "fine-tuning; use text or images"))
        else:
            out.append(_f("invalid_content_part", f"{where} has type {kind!r}; use \"text\""
                                                  + (" or \"image_url\"" if role == "user" else "")))
    return out


def check_assistant(msg: dict, label: str, call_ids: set[str]) -> list[Finding]:
    out: list[Finding] = []
    if "weight" in msg:
        w = msg["weight"]
        if isinstance(w, bool) or w not in (0, 1) or not isinstance(w, int):
            out.append(_f("invalid_weight", f"{label} has weight {json.dumps(w)}; use 0 (do not learn from "
                                            "this message) or 1 (learn from it)"))
    calls = msg.get("tool_calls")
    if calls is not None:
        if not isinstance(calls, list) or not calls:
            out.append(_f("invalid_tool_calls", f"{label}: \"tool_calls\" must be a non-empty list of "
                                                "{\"id\", \"type\": \"function\", \"function\": {\"name\", "
                                                "\"arguments\"}}"))
        else:
            for k, call in enumerate(calls, start=1):
                out.extend(check_call(call, f"{label} tool call {k}", call_ids, needs_id=True))
    fc = msg.get("function_call")
    if fc is not None:
        out.extend(check_call({"function": fc}, f"{label} function_call", call_ids, needs_id=False))
    return out


def check_call(call: Any, where: str, call_ids: set[str], *, needs_id: bool) -> list[Finding]:
    if not isinstance(call, dict):
        return [_f("invalid_tool_calls", f"{where} is {_type(call)}; it must be an object")]
    out: list[Finding] = []
    if needs_id:
        cid = call.get("id")
        if not isinstance(cid, str) or not cid:
            out.append(_f("invalid_tool_calls", f"{where} needs a string \"id\" (tool messages refer to it)"))
        else:
            call_ids.add(cid)
        if call.get("type") != "function":
            out.append(_f("invalid_tool_calls", f"{where} needs \"type\": \"function\""))
    fn = call.get("function")
    if not isinstance(fn, dict) or not isinstance(fn.get("name"), str) or not fn.get("name"):
        out.append(_f("invalid_tool_calls", f"{where} needs \"function\": {{\"name\": \"...\", "
                                            "\"arguments\": \"{...}\"}"))
        return out
    args = fn.get("arguments")
    if not isinstance(args, str):
        out.append(_f("invalid_tool_calls", f"{where}: \"arguments\" must be a string holding JSON "
                                            f"(e.g. \"{{\\\"city\\\": \\\"Paris\\\"}}\"), not {_type(args)}"))
    else:
        try:
            json.loads(args)
        except ValueError:
            out.append(_f("tool_arguments_not_json", f"{where}: \"arguments\" is not valid JSON text; the "
                                                     "model will learn to emit broken arguments"))
    return out


def check_tools(obj: dict) -> list[Finding]:
    out: list[Finding] = []
    tools = obj.get("tools")
    if tools is not None:
        if not isinstance(tools, list):
            out.append(_f("invalid_tools", f"\"tools\" is {_type(tools)}; make it a list of "
                                           "{\"type\": \"function\", \"function\": {...}}"))
        else:
            for i, tool in enumerate(tools, start=1):
                fn = tool.get("function") if isinstance(tool, dict) else None
                if not isinstance(tool, dict) or tool.get("type") != "function" or not isinstance(fn, dict):
                    out.append(_f("invalid_tools", f"tools[{i}] must be {{\"type\": \"function\", "
                                                   "\"function\": {\"name\": ..., \"parameters\": {...}}}"))
                else:
                    out.extend(_check_function_def(fn, f"tools[{i}].function"))
    functions = obj.get("functions")
    if functions is not None:
        if not isinstance(functions, list) or not functions or len(functions) > 128:
            out.append(_f("invalid_tools", "\"functions\" must be a list of 1 to 128 function definitions"))
        else:
            for i, fn in enumerate(functions, start=1):
                out.extend(_check_function_def(fn, f"functions[{i}]"))
    ptc = obj.get("parallel_tool_calls")
    if ptc is not None and not isinstance(ptc, bool):
        out.append(_f("invalid_tools", f"\"parallel_tool_calls\" must be true or false, not {_type(ptc)}"))
    return out


def _check_function_def(fn: Any, where: str) -> list[Finding]:
    if not isinstance(fn, dict) or not isinstance(fn.get("name"), str) or not fn.get("name"):
        return [_f("invalid_tools", f"{where} needs a \"name\"")]
    params = fn.get("parameters")
    if params is not None and not isinstance(params, dict):
        return [_f("invalid_tools", f"{where}: \"parameters\" must be a JSON Schema object")]
    return []


def check_preference(obj: dict) -> list[Finding]:
    out: list[Finding] = []
    extra = [k for k in obj if k not in TOP_KEYS[PREFERENCE]]
    if extra:
        out.append(_f("unrecognized_key", f"key(s) {', '.join(map(repr, extra))} are not part of a preference "
                                          "example and will be ignored; remove them"))
    inp = obj.get("input")
    if not isinstance(inp, dict):
        out.append(_f("missing_input", "add \"input\": {\"messages\": [...]} holding the prompt"
                                       if inp is None else f"\"input\" is {_type(inp)}; make it an object "
                                                           "{\"messages\": [...]}"))
    elif not isinstance(inp.get("messages"), list):
        out.append(_f("missing_messages_list", "\"input\" needs \"messages\": a list of role/content objects"))
    else:
        out.extend(check_tools(inp))
        out.extend(check_messages(inp["messages"], PREFERENCE, "input.messages"))
        msgs = inp["messages"]
        if msgs and isinstance(msgs[-1], dict) and msgs[-1].get("role") == "assistant":
            out.append(_f("input_ends_with_assistant", "input.messages ends with an assistant message; end it "
                                                       "with the user turn the outputs answer"))
    outputs = []
    for key, missing in (("preferred_output", "missing_preferred_output"),
                         ("non_preferred_output", "missing_non_preferred_output")):
        val = obj.get(key)
        if val is None:
            out.append(_f(missing, f"add \"{key}\": [{{\"role\": \"assistant\", \"content\": \"...\"}}]"))
            continue
        if (not isinstance(val, list) or len(val) != 1 or not isinstance(val[0], dict)
                or val[0].get("role") != "assistant"):
            out.append(_f("invalid_preference_output", f"\"{key}\" must be a list of exactly one assistant "
                                                       "message: [{\"role\": \"assistant\", \"content\": \"...\"}]"))
            continue
        found = check_messages(val, PREFERENCE, key)
        out.extend(found)
        outputs.append(val[0])
    if len(outputs) == 2 and outputs[0] == outputs[1]:
        out.append(_f("identical_outputs", "preferred_output and non_preferred_output are the same; the "
                                           "model learns nothing from this pair"))
    return out


def special_tokens_in(text: str) -> list[str]:
    """Special tokens written literally in `text` (cheap when there are none)."""
    if "<|" not in text:
        return []
    return [t for t in SPECIAL_TOKENS if t in text]
