"""One training example drawn as a conversation: who says what, and what the model is trained on.

It gets the parsed line handed in (it never reads files). Long texts are cut for drawing, so a
50 MB line still draws instantly; the raw view shows the line as pretty JSON (also cut).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

MAX_TEXT = 4_000  # characters drawn per text; the rest is summarised
MAX_RAW = 20_000  # characters of raw JSON drawn

ROLE_STYLES = {
    "system": "bold magenta",
    "developer": "bold magenta",
    "user": "bold cyan",
    "assistant": "bold green",
    "tool": "bold yellow",
    "function": "bold yellow",
}


def cut(text: str, limit: int = MAX_TEXT) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"… ({len(text) - limit:,} more characters)"


def _content_text(content: Any) -> str:
    """Message content as text: strings as they are, parts by their text, images as a marker."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        out = []
        for part in content:
            if isinstance(part, dict):
                kind = part.get("type")
                if isinstance(part.get("text"), str):
                    out.append(part["text"])
                elif kind == "image_url":
                    url = part.get("image_url", {})
                    url = url.get("url", "") if isinstance(url, dict) else str(url)
                    out.append(f"[image {cut(url, 60)}]")
                elif isinstance(part.get("refusal"), str):
                    out.append(f"[refusal] {part['refusal']}")
                else:
                    out.append(json.dumps(part, ensure_ascii=False))
            else:
                out.append(str(part))
        return "\n".join(out)
    return json.dumps(content, ensure_ascii=False)


def message_renderable(msg: Any, *, trained_default: bool = True) -> RenderableType:
    """A role label line plus the indented content, tool calls and the weight marker."""
    if not isinstance(msg, dict):
        return Text(f"✗ not a message object: {cut(json.dumps(msg, ensure_ascii=False), 200)}", style="bold red")
    role = msg.get("role")
    role_text = str(role) if role is not None else "(no role)"
    style = ROLE_STYLES.get(role_text, "bold red")
    weight = msg.get("weight")
    untrained = weight == 0
    head = Text("▌ ", style=style)
    head.append(role_text.upper(), style=style)
    if msg.get("name"):
        head.append(f" ({msg['name']})", style="italic")
    if role_text == "tool" and msg.get("tool_call_id"):
        head.append(f"  ↩ {msg['tool_call_id']}", style="dim")
    if role_text == "assistant":
        if untrained:
            head.append("  ○ not trained (weight 0)", style="bold dim")
        elif trained_default:
            head.append("  ● trained", style="green")
    body_style = "dim" if untrained else ""
    parts: list[RenderableType] = [head]
    text = _content_text(msg.get("content"))
    if text:
        parts.append(Text("  " + cut(text).replace("\n", "\n  "), style=body_style))
    calls = msg.get("tool_calls")
    if isinstance(calls, list):
        for call in calls:
            fn = call.get("function", {}) if isinstance(call, dict) else {}
            fn = fn if isinstance(fn, dict) else {}
            line = Text("  ⚙ call ", style="yellow" + (" dim" if untrained else ""))
            line.append(str(fn.get("name", "?")), style="bold")
            line.append("(" + cut(str(fn.get("arguments", "")), 400) + ")", style=body_style)
            if isinstance(call, dict) and call.get("id"):
                line.append(f"  id {call['id']}", style="dim")
            parts.append(line)
    legacy = msg.get("function_call")
    if isinstance(legacy, dict):
        parts.append(Text(f"  ⚙ call {legacy.get('name', '?')}({cut(str(legacy.get('arguments', '')), 400)})",
                          style="yellow"))
    if not text and not calls and not legacy:
        parts.append(Text("  (empty)", style="dim italic"))
    return Group(*parts)


def _section(title: str, style: str) -> Text:
    return Text(f"── {title} ", style=style)


def example_renderable(example: Any) -> RenderableType:
    """The whole line: chat messages, or preference input with preferred vs non-preferred output."""
    if not isinstance(example, dict):
        return Text(f"✗ this line is not a JSON object: {cut(json.dumps(example, ensure_ascii=False), 300)}",
                    style="bold red")
    parts: list[RenderableType] = []
    if isinstance(example.get("input"), dict) and ("preferred_output" in example
                                                   or "non_preferred_output" in example):
        parts.append(_section("preference example: input", "bold"))
        parts.extend(_messages(example["input"].get("messages"), trained=False))
        _tools(example["input"], parts)
        parts.append(_section("✔ preferred output", "bold green"))
        parts.extend(_messages(example.get("preferred_output"), trained=False))
        parts.append(_section("✘ non-preferred output", "bold red"))
        parts.extend(_messages(example.get("non_preferred_output"), trained=False))
        return Group(*parts)
    if "messages" not in example:
        parts.append(Text("✗ no \"messages\" in this line; keys: " + ", ".join(map(str, example)),
                          style="bold red"))
        return Group(*parts)
    parts.extend(_messages(example.get("messages")))
    _tools(example, parts)
    extra = [k for k in example if k not in ("messages", "tools", "functions", "parallel_tool_calls")]
    if extra:  # reinforcement lines carry grader fields next to the messages
        parts.append(_section("other fields", "dim"))
        for key in extra:
            parts.append(Text(f"  {key}: {cut(json.dumps(example[key], ensure_ascii=False), 400)}", style="dim"))
    return Group(*parts)


def _messages(messages: Any, *, trained: bool = True) -> list[RenderableType]:
    if not isinstance(messages, list):
        return [Text("✗ \"messages\" is not a list", style="bold red")]
    if not messages:
        return [Text("✗ no messages", style="bold red")]
    return [message_renderable(m, trained_default=trained) for m in messages]


def _tools(src: dict, parts: list[RenderableType]) -> None:
    for key in ("tools", "functions"):
        defs = src.get(key)
        if isinstance(defs, list) and defs:
            names = []
            for d in defs:
                fn = d.get("function", d) if isinstance(d, dict) else {}
                names.append(str(fn.get("name", "?")) if isinstance(fn, dict) else "?")
            parts.append(Text(f"⚙ {key}: " + ", ".join(names), style="yellow"))


def raw_renderable(text: str, example: Any = None) -> RenderableType:
    """Pretty JSON of the line when it parses, else the line as it is (cut)."""
    if example is not None:
        pretty = json.dumps(example, indent=2, ensure_ascii=False)
        from rich.syntax import Syntax

        return Syntax(cut(pretty, MAX_RAW), "json", word_wrap=True, background_color="default")
    return Text(cut(text, MAX_RAW))


def problem_line(severity: str, text: str) -> Text:
    """One problem as a line: ✗ for an error, ! for a warning (the mark, not only the colour)."""
    if severity == "error":
        return Text("✗ " + text, style="bold red")
    return Text("! " + text, style="yellow")


class ConversationView(VerticalScroll, inherit_bindings=False):
    """Scrollable drawing of one example; `show()` replaces what is drawn.

    It leaves arrows, Home/End and PageUp/PageDown to the screen (moving between examples) and
    scrolls a long example with shift+arrows or J/K.
    """
    AREA = "the example"  # how `?` names it

    BINDINGS = [
        Binding("shift+down,J", "scroll_down", "Scroll down", id="conversation.scroll_down", show=False,
                tooltip="Scroll a long example down"),
        Binding("shift+up,K", "scroll_up", "Scroll up", id="conversation.scroll_up", show=False,
                tooltip="Scroll a long example up"),
    ]

    DEFAULT_CSS = """
    ConversationView { height: 1fr; padding: 0 1; }
    ConversationView > #conversation-body { width: 1fr; }
    """

    drawn: RenderableType = ""

    def compose(self):
        yield Static("", id="conversation-body")

    def show(self, example: Any = None, *, raw_text: str = "", raw: bool = False,
             problem: str | None = None, problems: Iterable[tuple[str, str]] = (),
             note: str | None = None) -> None:
        """Draw `example` (parsed JSON) or, in raw mode or when it did not parse, its text.

        `problem` is an error drawn on top (e.g. "line is not valid JSON"); `problems` are
        (severity, text) pairs, one line each, marked ✗ (error) or ! (warning) so they read the
        same without colour; `note` replaces everything (e.g. "empty file").
        """
        parts: list[RenderableType] = []
        if note is not None:
            parts.append(Text(note, style="italic"))
        else:
            marked = ([("error", problem)] if problem else []) + list(problems)
            for severity, text in marked:
                parts.append(problem_line(severity, text))
            if raw or example is None:
                parts.append(raw_renderable(raw_text, example if raw else None))
            else:
                parts.append(example_renderable(example))
        self.drawn = Group(*parts)
        self.query_one("#conversation-body", Static).update(self.drawn)
        self.scroll_home(animate=False)

    def plain_text(self, width: int = 78) -> str:
        """What is drawn, as plain text (for tests and copying)."""
        from rich.console import Console

        console = Console(width=width, record=True, color_system=None, file=io.StringIO())
        console.print(self.drawn)
        return console.export_text()
