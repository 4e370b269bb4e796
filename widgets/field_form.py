"""A form built from a provider's launch fields (core.types.HyperparameterField): one row per
field with its label, an input (a choice list for choices), and its bounds and help; rows whose
`shown_when` does not hold are hidden. It only holds text: core turns it into values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select, Static

from ftui.core.launch.form_fields import initial_text, visible
from ftui.core.types import HyperparameterField


def bounds_text(field: HyperparameterField) -> str:
    """"1-50", "≥ 0", "cosine/linear" and the help, in few characters."""
    if field.type == "choice":
        rule = ""
    elif field.minimum is not None and field.maximum is not None:
        rule = f"{field.minimum:g}–{field.maximum:g}"
    elif field.minimum is not None:
        rule = f"≥ {field.minimum:g}"
    elif field.maximum is not None:
        rule = f"≤ {field.maximum:g}"
    elif field.type == "bool":
        rule = "true/false"
    else:
        rule = ""
    return " · ".join(part for part in (rule, field.help) if part)


class FieldForm(Vertical):
    """The rows for `fields`; `texts()` reads them, `method` (set by the owner) and the choice
    fields decide which rows show."""

    DEFAULT_CSS = """
    FieldForm { height: auto; }
    FieldForm .field-row { height: 1; }
    FieldForm .field-label { width: 15; color: $text-muted; }
    FieldForm .field-row Input, FieldForm .field-row Select { width: 16; }
    FieldForm .field-help { width: 1fr; color: $text-muted; padding-left: 1; }
    FieldForm .-invalid-field { background: $error 30%; }
    """

    def __init__(self, fields: Sequence[HyperparameterField] = (), *,
                 texts: Mapping[str, str] | None = None, ids: Mapping[str, str] | None = None,
                 prefix: str = "field-", method: str = "supervised", **kwargs) -> None:
        super().__init__(**kwargs)
        self.fields: list[HyperparameterField] = list(fields)
        self._ids = dict(ids or {})
        self._prefix = prefix
        self._given = dict(texts or {})
        self.method = method

    def widget_id(self, name: str) -> str:
        return self._ids.get(name, f"{self._prefix}{name}")

    def compose(self) -> ComposeResult:
        for field in self.fields:
            yield self._row(field, self._given.get(field.name, initial_text(field)))

    def _row(self, field: HyperparameterField, text: str) -> Horizontal:
        wid = self.widget_id(field.name)
        if field.type == "choice":
            options = [(c, c) for c in field.choices]
            value = text if text in field.choices else (field.choices[0] if field.choices else Select.BLANK)
            editor = Select(options, value=value, allow_blank=not field.choices, id=wid, compact=True)
        else:
            editor = Input(text, id=wid, compact=True, placeholder="auto" if field.default is None else "")
        editor.tooltip = f"{field.name}: {bounds_text(field) or field.label}"
        return Horizontal(Label(field.label, classes="field-label"), editor,
                          Static(bounds_text(field), classes="field-help"),
                          id=f"{wid}-row", classes="field-row")

    def on_mount(self) -> None:
        self.refresh_visibility()

    def texts(self) -> dict[str, str]:
        """Every field's text as typed (choices as chosen)."""
        out: dict[str, str] = {}
        for field in self.fields:
            widget = self.query_one(f"#{self.widget_id(field.name)}")
            value = widget.value
            out[field.name] = value if isinstance(value, str) else ""
        return out

    async def set_fields(self, fields: Sequence[HyperparameterField]) -> None:
        """Rebuild for new fields (another base model's bounds); what was typed in a field of the
        same name and type is kept."""
        typed = self.texts() if self.is_mounted else {}
        old = {f.name: f for f in self.fields}
        keep = {n: t for n, t in typed.items()
                if n in old and any(f.name == n and f.type == old[n].type for f in fields)
                and t != initial_text(old[n])}
        self.fields = list(fields)
        await self.remove_children()
        await self.mount_all([self._row(f, keep.get(f.name, initial_text(f))) for f in self.fields])
        self.refresh_visibility()

    def set_method(self, method: str) -> None:
        self.method = method
        self.refresh_visibility()

    def refresh_visibility(self) -> None:
        if not self.is_mounted:
            return
        texts = self.texts()
        for field in self.fields:
            row = self.query_one(f"#{self.widget_id(field.name)}-row")
            row.display = visible(field, texts, self.method)

    def on_select_changed(self, event: Select.Changed) -> None:
        self.refresh_visibility()  # e.g. training_type Lora shows the LoRA rows

    def mark(self, errors: Mapping[str, str]) -> None:
        for field in self.fields:
            self.query_one(f"#{self.widget_id(field.name)}").set_class(field.name in errors,
                                                                       "-invalid-field")
