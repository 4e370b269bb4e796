"""Where ftui's settings come from (variable names, the config file's place), and whether a key is
missing when that can be told from the environment alone.

Kept apart from `core.settings` because that module loads pydantic (about 70 ms): with no config
file and no key, start-up can show the setup screen as its first frame without it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from platformdirs import user_config_dir

CONFIG_ENV = "FTUI_CONFIG"  # overrides where the config file is
PROFILE_ENV = "FTUI_PROFILE"  # picks a profile when none is given on the command line
DEFAULT_PROFILE = "openai"
SANDBOX_PROFILE = "sandbox"
BUILTIN_PROFILES = (DEFAULT_PROFILE, SANDBOX_PROFILE)
DEFAULT_KEY_ENV = "OPENAI_API_KEY"


def default_config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    override = env.get(CONFIG_ENV)
    if override:
        return Path(override).expanduser()
    return Path(user_config_dir("ftui")) / "config.toml"


def missing_key_message(name: str, kind: str, var: str | None, profile_names: tuple[str, ...],
                        config_path: Path | None) -> str:
    """What to tell a user whose profile has no key (never the key itself)."""
    if var not in (None, DEFAULT_KEY_ENV, "AZURE_OPENAI_API_KEY"):
        where = f"Profile {name!r} reads its key from {var}, which is not set. Set {var}"
    elif kind == "compatible":
        # Most OpenAI-compatible servers still want some key in the Authorization header.
        where = (f"Profile {name!r} (an OpenAI-compatible endpoint) has no key. Add "
                 f"api_key_env = \"VAR\" to [profiles.{name}] and set VAR (any value, if the server "
                 f"takes none), or set {DEFAULT_KEY_ENV}")
    elif kind == "azure":
        where = (f"No key for Azure profile {name!r}. Set AZURE_OPENAI_API_KEY, "
                 f"or api_key_env in [profiles.{name}]")
    else:
        where = (f"No OpenAI API key. Set {DEFAULT_KEY_ENV}, or pick a profile with a key "
                 f"(ftui --profile NAME; profiles: {', '.join(profile_names)})")
    config = f" (config: {config_path})" if config_path else ""
    return f"{where}{config}. Or try the sandbox: a local simulated server, no key needed."


def missing_key_without_config(profile: str | None = None,
                               env: Mapping[str, str] | None = None) -> str | None:
    """The missing-key message when the environment alone settles it, else None.

    Settled only in the plain case: no config file (so only the built-in profiles exist), the
    default profile, and no OPENAI_API_KEY. Anything else goes through `core.settings`.
    """
    env = os.environ if env is None else env
    name = profile or env.get(PROFILE_ENV) or DEFAULT_PROFILE
    if name != DEFAULT_PROFILE or env.get(CONFIG_ENV) or env.get(DEFAULT_KEY_ENV):
        return None
    if default_config_path(env).exists():
        return None
    return missing_key_message(name, "openai", DEFAULT_KEY_ENV, tuple(sorted(BUILTIN_PROFILES)), None)
