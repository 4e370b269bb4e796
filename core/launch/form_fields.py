"""The launch form's provider-given fields (core.types.HyperparameterField): text as typed ->
the values the provider takes; and the extra request fields (key = value) that OpenAI-compatible
services take as the SDK's extra_body, remembered per profile."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ftui.core.dataset.writer import write_new_file
from ftui.core.errors import CoreError
from ftui.core.paths import data_dir
from ftui.core.types import HyperparameterField

AUTO = "auto"
_BOOLS = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}


def initial_text(field: HyperparameterField) -> str:
    """What the form shows before anything is typed: the provider's default, or auto."""
    if field.default is None:
        return AUTO
    if isinstance(field.default, bool):
        return "true" if field.default else "false"
    if isinstance(field.default, list):
        return ", ".join(field.default)
    if isinstance(field.default, float):
        return f"{field.default:g}"
    return str(field.default)


def parse_field(field: HyperparameterField, text: str) -> Any:
    """The typed value of `text` for `field` (None for auto/empty); CoreError(kind="input")
    names the field and says what is wrong."""
    text = text.strip()
    if not text or text.lower() == AUTO:
        return None
    where = f"{field.label} ({field.name})"
    value: Any = text
    if field.type in ("int", "float"):
        try:
            value = float(text)
        except ValueError:
            raise CoreError(f"{where}: {text!r} is not a number", kind="input",
                            hint="type auto or a number") from None
        if value != value:  # NaN
            raise CoreError(f"{where}: not a number", kind="input")
        if field.type == "int" and value.is_integer():
            value = int(value)
    elif field.type == "bool":
        if text.lower() not in _BOOLS:
            raise CoreError(f"{where}: expected true or false, got {text!r}", kind="input")
        value = _BOOLS[text.lower()]
    elif field.type == "names":
        names = [n.strip() for n in text.split(",") if n.strip()]
        value = names[0] if len(names) == 1 and "," not in text else names
    problem = field.check(value)
    if problem:
        raise CoreError(f"{problem} ({field.name})", kind="input")
    return value


def visible(field: HyperparameterField, texts: Mapping[str, str], method: str) -> bool:
    """Whether the field applies while the form holds `texts` and `method` (its shown_when)."""
    for name, wanted in field.shown_when.items():
        current = method if name == "method" else texts.get(name, "")
        if str(current) != wanted:
            return False
    return True


def hyperparameters_from(fields: Iterable[HyperparameterField], texts: Mapping[str, str],
                         method: str) -> tuple[dict[str, Any], dict[str, str]]:
    """(hyperparameters to send, {field name: message}) for the fields that apply."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in fields:
        if not visible(field, texts, method):
            continue
        try:
            value = parse_field(field, texts.get(field.name, ""))
        except CoreError as exc:
            errors[field.name] = exc.summary()
            continue
        if value is not None:
            values[field.name] = value
    return values, errors


# --- extra request fields ------------------------------------------------------------------------

def parse_extra_value(text: str) -> Any:
    """A value typed after `=`: JSON when it reads as JSON (numbers, true/false, null, "text",
    objects, lists), else the text itself as a string."""
    text = text.strip()
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse_extra_fields(text: str) -> tuple[dict[str, Any], str | None]:
    """The `key = value` lines as a dict, or ({}, what is wrong on which line)."""
    out: dict[str, Any] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not key:
            return {}, f"extra fields, line {number}: {line!r} is not key = value"
        if key in out:
            return {}, f"extra fields, line {number}: {key!r} is given twice"
        if not value.strip():
            return {}, f"extra fields, line {number}: {key!r} has no value"
        out[key] = parse_extra_value(value)
    return out, None


def _extra_path() -> Path:
    return data_dir() / "extra_fields.json"


def _read_all() -> dict[str, str]:
    try:
        data = json.loads(_extra_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}


def load_extra_fields(profile: str) -> str:
    """The extra fields last launched with on this profile, as typed."""
    return _read_all().get(profile, "")


def save_extra_fields(profile: str, text: str) -> None:
    data = _read_all()
    if text.strip():
        data[profile] = text
    else:
        data.pop(profile, None)
    path = _extra_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_new_file(path, [json.dumps(data, indent=1, sort_keys=True).encode()], backup=False)
    except OSError as exc:
        raise CoreError(f"cannot save the extra fields to {path}: {exc.strerror or exc}",
                        kind="io") from exc
