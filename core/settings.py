"""Which account ftui talks to: OpenAI SDK environment variables, a TOML file, named profiles.

Sources, strongest first: the profile's own values in the config file, the environment
variables the OpenAI SDK itself reads, then defaults. ftui only reads the config file, it
never writes it. Keys are held as `SecretStr`, so no repr/str of these objects shows one.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from ftui.core.config_location import (  # noqa: F401 (re-exported: settings is where callers look)
    CONFIG_ENV,
    DEFAULT_PROFILE,
    PROFILE_ENV,
    SANDBOX_PROFILE,
    default_config_path,
)
from ftui.core.errors import CoreError

ProfileKind = Literal["openai", "azure", "compatible", "sandbox", "local", "together"]
LocalDevice = Literal["auto", "cpu", "cuda"]

SANDBOX_KEY = "sk-sandbox"  # the sandbox accepts any key; the SDK insists on having one
LOCAL_KEY = "sk-local"  # a local engine on loopback accepts any key, like the sandbox
LOCAL_PROFILE = "local"  # the name `ftui --local` goes by
# Where each kind's key comes from when the profile names no api_key_env.
DEFAULT_KEY_ENVS = {"azure": "AZURE_OPENAI_API_KEY", "together": "TOGETHER_API_KEY"}
DEFAULT_KEY_ENV = "OPENAI_API_KEY"
# A local engine's first chat loads the model and CPU generation is slow: wait longer by default.
LOCAL_TIMEOUT = 300.0


class LocalConfig(BaseModel):
    """The `[local]` table: how the in-process local engine runs (`ftui --local`, kind = "local")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    models: list[Path] = Field(default_factory=list)  # Hugging Face model folders to offer
    device: LocalDevice = "auto"
    threads: int = Field(default=0, ge=0)  # 0: all cores this process may use (shared by `procs`)
    procs: Annotated[int, Field(ge=1, strict=True)] | Literal["auto"] = 1  # processes per job; auto: 1 per GPU
    strategy: Literal["ddp", "fsdp"] = "ddp"  # how several processes share a job
    nodes: int = Field(default=1, ge=1, strict=True)  # machines per job; this is node 0 (`ftui local join`)
    master_addr: str = "127.0.0.1"  # with nodes > 1: where the other nodes reach this one's rendezvous
    master_port: int = Field(default=29500, ge=1, le=65535, strict=True)
    data_dir: Path | None = None  # default: the user data folder's local/

    def relative_to(self, folder: Path) -> LocalConfig:
        """Paths written relative (or with ~) mean: from the config file's folder."""
        def place(path: Path) -> Path:
            path = path.expanduser()
            return path if path.is_absolute() else folder / path

        return self.model_copy(update={
            "models": [place(p) for p in self.models],
            "data_dir": place(self.data_dir) if self.data_dir is not None else None})


class Profile(BaseModel):
    """One `[profiles.NAME]` table, as the user wrote it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ProfileKind = "openai"
    api_key: SecretStr | None = None
    api_key_env: str | None = None  # name of the env var holding the key
    base_url: str | None = None
    organization: str | None = None
    project: str | None = None
    # Azure OpenAI
    endpoint: str | None = None
    api_version: str | None = None
    deployments: dict[str, str] = Field(default_factory=dict)  # model -> deployment name
    # client behaviour; the SDK does the retrying and backoff
    timeout: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=2, ge=0, le=10)


class DatasetConfig(BaseModel):
    """`[dataset]`: the undo history ftui keeps beside each dataset, in `.ftui-backups/` (each step
    holds only what its write changed; the newest step is always kept)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    undo_steps: int = Field(default=10, ge=1)  # undo records kept per file, at most
    undo_mb: int = Field(default=256, ge=1)  # and at most this many MB of them


class ConfigFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    default_profile: str | None = None
    profiles: dict[str, Profile] = Field(default_factory=dict)
    local: LocalConfig = Field(default_factory=LocalConfig)
    # Remapped keys: binding id -> keys, e.g. "app.goto.compare" = "3,c" (Textual keymap).
    keys: dict[str, str] = Field(default_factory=dict)
    dataset: DatasetConfig = Field(default_factory=DatasetConfig)


class Settings(BaseModel):
    """The resolved profile: everything needed to build a client, key included (masked)."""

    model_config = ConfigDict(frozen=True)

    profile_name: str
    kind: ProfileKind
    api_key: SecretStr | None = None
    key_source: str  # where the key comes (or would come) from, e.g. "env OPENAI_API_KEY"
    key_env: str | None = None  # the environment variable the key is read from, if any
    base_url: str | None = None
    organization: str | None = None
    project: str | None = None
    endpoint: str | None = None
    api_version: str | None = None
    deployments: dict[str, str] = Field(default_factory=dict)
    timeout: float = 60.0
    max_retries: int = 2
    config_path: Path | None = None  # the file read, when one existed
    profile_names: tuple[str, ...] = ()  # every profile that can be chosen
    keys: dict[str, str] = Field(default_factory=dict)  # the [keys] table: binding id -> keys
    local: LocalConfig = Field(default_factory=LocalConfig)  # the [local] table

    @property
    def in_process(self) -> bool:
        """A local profile without base_url: ftui starts the engine itself."""
        return self.kind == "local" and not self.base_url

    @property
    def has_key(self) -> bool:
        return bool(self.api_key and self.api_key.get_secret_value())

    @property
    def key(self) -> str | None:
        """The plain key, for handing to the SDK only."""
        return self.api_key.get_secret_value() if self.api_key else None

    @property
    def masked_key(self) -> str:
        return mask_key(self.api_key)


def mask_key(key: str | SecretStr | None) -> str:
    """Show which key is in use without showing it: "sk-...abcd"."""
    if key is None:
        return "(none)"
    text = key.get_secret_value() if isinstance(key, SecretStr) else key
    if not text:
        return "(none)"
    if len(text) < 12:  # too short to reveal any of it safely
        return "***"
    return f"{text[:3]}...{text[-4:]}"


def read_config(path: Path, *, required: bool = False) -> ConfigFile:
    """Parse the config file; a missing file is an empty config unless `required`."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if required:
            raise CoreError(f"Config file {path} does not exist", kind="input",
                            hint=f"create it, or unset {CONFIG_ENV}") from None
        return ConfigFile()
    except OSError as exc:
        raise CoreError(f"Cannot read config file {path}: {exc.strerror}", kind="input") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise CoreError(f"{path}: not UTF-8 text (byte {exc.start})", kind="input") from None
    except tomllib.TOMLDecodeError as exc:
        # the message already carries "(at line L, column C)"
        raise CoreError(f"{path}: TOML syntax error: {exc}", kind="input",
                        hint="fix the line shown; ftui never edits this file") from None
    try:
        return ConfigFile.model_validate(data)
    except ValidationError as exc:
        raise CoreError(f"{path}: {_describe_validation(exc)}", kind="input",
                        hint="see the example config in the README") from None


def _describe_validation(exc: ValidationError) -> str:
    problems = []
    for err in exc.errors(include_input=False, include_url=False):
        where = ".".join(str(p) for p in err["loc"])
        problems.append(f"{where}: {err['msg']}")
    return "; ".join(problems)


def _builtin_profiles() -> dict[str, Profile]:
    return {DEFAULT_PROFILE: Profile(kind="openai"), SANDBOX_PROFILE: Profile(kind="sandbox")}


def _read_config_for(env: Mapping[str, str], config_path: Path | str | None) -> tuple[Path, ConfigFile]:
    explicit = config_path is not None or bool(env.get(CONFIG_ENV))
    path = Path(config_path).expanduser() if config_path is not None else default_config_path(env)
    config = read_config(path, required=explicit)
    return path, config.model_copy(update={"local": config.local.relative_to(path.parent)})


def load_local_config(*, env: Mapping[str, str] | None = None,
                      config_path: Path | str | None = None) -> LocalConfig:
    """The `[local]` table of the config file (defaults when there is no file)."""
    return _read_config_for(os.environ if env is None else env, config_path)[1].local


def load_dataset_config(*, env: Mapping[str, str] | None = None,
                        config_path: Path | str | None = None) -> DatasetConfig:
    """The `[dataset]` table of the config file (defaults when there is no file)."""
    return _read_config_for(os.environ if env is None else env, config_path)[1].dataset


def load_local_settings(*, env: Mapping[str, str] | None = None,
                        config_path: Path | str | None = None) -> Settings:
    """The settings of `ftui --local`: the in-process engine, whatever profiles the file has."""
    env = os.environ if env is None else env
    path, config = _read_config_for(env, config_path)
    names = tuple(sorted({**_builtin_profiles(), **config.profiles}))
    settings = _resolve(LOCAL_PROFILE, Profile(kind="local"), env,
                        config_path=path if path.exists() else None, names=names)
    return settings.model_copy(update={"keys": dict(config.keys), "local": config.local})


def load_settings(profile: str | None = None, *, env: Mapping[str, str] | None = None,
                  config_path: Path | str | None = None) -> Settings:
    """Resolve `profile` (or FTUI_PROFILE, or the file's default_profile, or "openai")."""
    env = os.environ if env is None else env
    path, config = _read_config_for(env, config_path)
    profiles = {**_builtin_profiles(), **config.profiles}
    name = profile or env.get(PROFILE_ENV) or config.default_profile or DEFAULT_PROFILE
    if name not in profiles:
        where = f"in {path}" if path.exists() else "(no config file)"
        raise CoreError(f"Unknown profile {name!r}; profiles {where}: {', '.join(sorted(profiles))}",
                        kind="input", hint=f"add [profiles.{name}] to {path} or pick one of those")
    chosen = profiles[name]
    settings = _resolve(name, chosen, env, config_path=path if path.exists() else None,
                        names=tuple(sorted(profiles)))
    return settings.model_copy(update={"keys": dict(config.keys), "local": config.local})


def _resolve(name: str, p: Profile, env: Mapping[str, str], *, config_path: Path | None,
             names: tuple[str, ...]) -> Settings:
    def from_env(var: str) -> str | None:
        return env.get(var) or None

    timeout = p.timeout
    if p.kind == "local" and "timeout" not in p.model_fields_set:
        timeout = LOCAL_TIMEOUT
    fields: dict[str, Any] = dict(profile_name=name, kind=p.kind, timeout=timeout,
                                  max_retries=p.max_retries, config_path=config_path,
                                  profile_names=names, deployments=dict(p.deployments))
    default_key_env = DEFAULT_KEY_ENVS.get(p.kind, DEFAULT_KEY_ENV)
    key_env: str | None = None
    key: str | None
    if p.api_key is not None:
        key, source = p.api_key.get_secret_value(), f"api_key of profile {name!r}"
    elif p.api_key_env:
        key_env = p.api_key_env
        key, source = from_env(key_env), f"env {key_env} (profile {name!r})"
    elif p.kind == "sandbox":
        key, source = SANDBOX_KEY, "sandbox"
    elif p.kind == "local":
        key, source = LOCAL_KEY, "local engine (no key set)"
    else:
        key_env = default_key_env
        key, source = from_env(key_env), f"env {key_env}"
    fields.update(api_key=SecretStr(key) if key else None, key_source=source, key_env=key_env)

    if p.kind == "azure":
        endpoint = p.endpoint or from_env("AZURE_OPENAI_ENDPOINT")
        version = p.api_version or from_env("OPENAI_API_VERSION")
        if not endpoint or not version:
            missing = " and ".join(x for x, v in (("endpoint", endpoint), ("api_version", version)) if not v)
            raise CoreError(f"Azure profile {name!r} needs {missing}", kind="input",
                            hint=f"set {missing} in [profiles.{name}]")
        fields.update(endpoint=endpoint, api_version=version)
    elif p.kind == "compatible":
        base_url = p.base_url or from_env("OPENAI_BASE_URL")
        if not base_url:
            raise CoreError(f"Profile {name!r} (kind compatible) needs base_url", kind="input",
                            hint=f"set base_url in [profiles.{name}]")
        fields.update(base_url=base_url)
    elif p.kind == "openai":
        fields.update(base_url=p.base_url or from_env("OPENAI_BASE_URL"))
    else:  # sandbox, local, together: none by default (sandbox and local start in process)
        fields.update(base_url=p.base_url)
    if p.kind in ("openai", "azure", "compatible"):
        fields.update(organization=p.organization or from_env("OPENAI_ORG_ID"),
                      project=p.project or from_env("OPENAI_PROJECT_ID"))
    return Settings(**fields)
