"""Alt keys as xterm-style terminals send them (tmux, GNOME Terminal, iTerm's "Esc+"): ESC, then the key.

Two readings of Textual's get in ftui's way there:
- ESC + digit is read as the character macOS types for Option+digit (¡ ™ £ ¢ ∞ ...), for WezTerm on
  macOS. ftui's section keys are alt+1..alt+5, so they never reached a binding and typed a stray
  character into a text box. Here ESC + digit is alt+digit, in every terminal.
- alt+letter keeps its letter as the event's character, so a focused text box types the letter instead
  of running the binding (alt+x typed "x" instead of clearing the box). An alt key is a command: it
  reaches the bindings without a character.
Pilot's `press("alt+x")` builds keys without characters, so only a real terminal showed either.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events


@dataclass(frozen=True)
class _NamedKey:
    value: str  # what Textual's parser reads from a Keys member


def read_alt_digits_as_keys() -> int:
    """Make Textual's parser read ESC + digit as alt+digit; returns how many sequences changed."""
    from textual import _ansi_sequences

    table = _ansi_sequences.ANSI_SEQUENCES_KEYS
    changed = 0
    for digit in "1234567890":
        sequence = "\x1b" + digit
        if isinstance(table.get(sequence), str):  # a character: the macOS Option reading
            table[sequence] = (_NamedKey(f"alt+{digit}"),)  # type: ignore[assignment]
            changed += 1
    return changed


def as_command(event: events.Key) -> events.Key | None:
    """The same alt key without its character (so no text box types it), or None when it is not one."""
    if event.key.startswith("alt+") and event.character is not None and event.character.isprintable():
        return events.Key(event.key, None)
    return None
