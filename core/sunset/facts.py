"""Dated facts about which kind of profile can still create fine-tuning jobs, and until when.

Each entry names where it came from and the day it was taken, like the price table. The user's
`sunset.toml` next to config.toml overrides it:

    taken_on = "2026-12-05"
    [new_jobs_until]          # profile kind or profile name = last day new jobs are accepted
    azure = "2027-04-30"
    [serving_until]           # profile kind or profile name = last day its fine-tunes answer
    azure = "2027-10-31"
    [shutdown]                # model (or model prefix) = last day it answers
    "gpt-4o-mini" = "2027-01-14"
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from ftui.core import catalog
from ftui.core.config_location import default_config_path
from ftui.core.errors import CoreError

FACTS_TAKEN_ON = "2026-12-01"
OPENAI_SOURCE = ("OpenAI's fine-tuning deprecation notice (platform.openai.com/docs/deprecations), "
                 "as kept in core/catalog.py")
AZURE_SOURCE = ("Azure OpenAI model retirements, existing fine-tuning customers "
                "(learn.microsoft.com/azure/ai-services/openai/concepts/model-retirements)")


@dataclass(frozen=True)
class TrainingWindow:
    """How long one kind of profile takes new jobs and serves its fine-tunes. None: no end known."""

    kind: str
    new_jobs_until: str | None
    serving_until: str | None
    source: str
    taken_on: str
    approximate: bool = False  # "about April 2027": the day is a month's end, not announced
    note: str = ""


BUILT_IN: dict[str, TrainingWindow] = {
    "openai": TrainingWindow("openai", catalog.LAST_JOB_CREATION_DATE, catalog.ANNOUNCED_SHUTDOWN_DATE,
                             OPENAI_SOURCE, FACTS_TAKEN_ON,
                             note="gpt-4o, gpt-4o-mini, gpt-4.1, gpt-4.1-mini and their fine-tunes"),
    "azure": TrainingWindow("azure", "2027-04-30", "2027-10-31", AZURE_SOURCE, FACTS_TAKEN_ON,
                            approximate=True, note="existing customers only; dates given as months"),
    "together": TrainingWindow("together", None, None, "no end announced by Together AI", FACTS_TAKEN_ON),
    "local": TrainingWindow("local", None, None, "this machine: no provider can stop it", FACTS_TAKEN_ON),
    "sandbox": TrainingWindow("sandbox", None, None, "ftui's own simulation", FACTS_TAKEN_ON),
    "compatible": TrainingWindow("compatible", None, None,
                                 "unknown for a compatible endpoint (add it to sunset.toml)", FACTS_TAKEN_ON),
}


def parse_date(text: str, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        raise CoreError(f"{where}: {text!r} is not a date (YYYY-MM-DD)", kind="input") from None


@dataclass
class SunsetTable:
    windows: dict[str, TrainingWindow] = field(default_factory=lambda: dict(BUILT_IN))  # by kind
    profile_windows: dict[str, TrainingWindow] = field(default_factory=dict)  # by profile name
    shutdown_overrides: dict[str, str] = field(default_factory=dict)  # model prefix -> date
    source: str = "built-in"  # or the user's file

    def window(self, kind: str, profile: str | None = None) -> TrainingWindow:
        """The profile's own entry (from sunset.toml) wins over its kind's."""
        if profile and profile in self.profile_windows:
            return self.profile_windows[profile]
        return self.windows.get(kind) or TrainingWindow(kind, None, None, "no entry", FACTS_TAKEN_ON)

    def model_shutdown(self, model_id: str, *, kind: str, profile: str | None = None,
                       api_date: str | None = None) -> tuple[str | None, str]:
        """(date the model stops answering, where that date comes from).

        The provider's own date wins; then the user's file; then the profile's serving window
        (Azure serves longer than OpenAI); then OpenAI's catalog for OpenAI-speaking kinds."""
        table_date = catalog.shutdown_date(model_id)
        if api_date and api_date != table_date:
            return api_date, "the provider's shutdown_date"
        key = self._override_key(model_id)
        if key is not None:
            return self.shutdown_overrides[key], f"{self.source} [shutdown] {key!r}"
        window = self.window(kind, profile)
        if table_date and kind in ("azure",) and window.serving_until:
            return window.serving_until, window.source
        if api_date:
            return api_date, "the provider's shutdown_date"
        if table_date and kind in ("openai", "sandbox"):
            return table_date, OPENAI_SOURCE
        return None, "no shutdown announced"

    def _override_key(self, model_id: str) -> str | None:
        base = catalog.base_model(model_id)
        found = [k for k in self.shutdown_overrides if model_id.startswith(k) or base.startswith(k)]
        return max(found, key=len) if found else None  # the most specific prefix


def default_sunset_path() -> Path:
    return default_config_path().parent / "sunset.toml"


def _dates(data: dict, section: str, path: Path) -> dict[str, str]:
    table = data.get(section, {})
    if not isinstance(table, dict):
        raise CoreError(f"{path}: [{section}] must be a table of name = \"YYYY-MM-DD\"", kind="input")
    return {str(k): parse_date(v, f"{path} [{section}] {k}").isoformat() for k, v in table.items()}


def load_sunset(path: Path | str | None = None) -> SunsetTable:
    """Built-in facts overlaid by the user's sunset.toml (explicit `path`, else the default one)."""
    table = SunsetTable()
    explicit = path is not None
    p = Path(path) if path is not None else default_sunset_path()
    if not p.exists():
        if explicit:
            raise CoreError(f"sunset file {p} does not exist", kind="input", hint="check the path")
        return table
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CoreError(f"cannot read sunset file {p}: {exc}", kind="io") from None
    except tomllib.TOMLDecodeError as exc:
        raise CoreError(f"sunset file {p} is not valid TOML: {exc}", kind="input",
                        hint="fix or delete it") from None
    taken_on = str(data.get("taken_on", "user file"))
    source = f"your {p}"
    jobs, serving = _dates(data, "new_jobs_until", p), _dates(data, "serving_until", p)
    for name in jobs.keys() | serving.keys():
        # A name that is a kind sets that kind's window; any other is one profile's.
        old = table.window(name)
        place = table.windows if name in BUILT_IN else table.profile_windows
        place[name] = replace(
            old, kind=name, new_jobs_until=jobs.get(name, old.new_jobs_until),
            serving_until=serving.get(name, old.serving_until), source=source, taken_on=taken_on,
            approximate=False)
    table.shutdown_overrides = _dates(data, "shutdown", p)
    table.source = str(p)
    return table
