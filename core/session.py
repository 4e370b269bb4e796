"""What the app runs against: a provider for the chosen profile, or the in-process sandbox or
local engine.

Built before the UI starts (and again when the user asks for the sandbox from the setup
screen), so the screens only ever see a ready `Provider` or a message saying why there is none.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ftui.core.errors import CoreError

if TYPE_CHECKING:  # the records it names take ~7 ms to import, not needed for the first frame
    from ftui.core.provider import Provider
    from ftui.core.server.runner import ServerThread


@dataclass
class Session:
    provider: Provider | None
    profile: str
    simulated: bool = False
    problem: str | None = None  # why there is no provider, in words a person can act on
    keymap: dict[str, str] = field(default_factory=dict)  # binding id -> keys, from config
    connecting: bool = False  # True while the real session is still being opened
    _sandbox: ServerThread | None = None  # SandboxThread or LocalThread

    @property
    def label(self) -> str:
        return self.profile

    @property
    def can_export(self) -> bool:
        """True when a local engine runs in this process, so its models can be written to a folder."""
        return self._sandbox is not None and hasattr(self._sandbox, "device_label")

    def export_model(self, model: str, dest: Path, *, merged: bool) -> Path:
        """Write `model` (fine-tune or checkpoint; with `merged` also a base model) from the
        in-process local engine to the new folder `dest` (blocking: call it in a thread).
        CoreError(kind="input") says what is wrong."""
        sandbox = self._sandbox
        if not self.can_export or sandbox is None:
            raise CoreError("Only a local engine running inside ftui can export models", kind="input",
                            hint="start ftui with --local, or run `ftui local export` where the engine runs")
        from ftui.core.local.export import export_model
        from ftui.core.local.models import LocalModelError

        handle = sandbox.handle
        try:
            return export_model(handle.data_dir, model, dest, merged=merged, models=handle.models)
        except LocalModelError as exc:
            raise CoreError(exc.message, kind="input") from None

    def close(self) -> None:
        """Stop the in-process sandbox or local engine, if any. Provider clients close with the
        event loop."""
        if self._sandbox is not None:
            self._sandbox.stop()
            self._sandbox = None


@dataclass(frozen=True)
class SessionRequest:
    """What the user asked for on the command line; opened off the UI loop once the first
    frame is up, because building a client imports the SDK, which takes most of a second."""

    profile: str | None = None
    sandbox: bool = False
    speed: float = 1.0
    data_dir: Path | None = None
    new_jobs_closed: bool = False  # sandbox only: refuse new jobs as after OpenAI's wind-down
    dialect: str = "openai"  # sandbox only: whose API it speaks (and so which backend ftui uses)
    # the in-process local engine (ftui --local); None: the [local] table's value
    local: bool = False
    model_folders: tuple[Path, ...] = ()  # added to the [local] table's models
    device: str | None = None
    threads: int | None = None
    archive: Path | None = None  # ftui --archive DIR: an archive folder, opened read-only

    @property
    def label(self) -> str:
        if self.archive is not None:
            return archive_label(self.archive)
        if self.local:
            return "local"
        return "sandbox" if self.sandbox else (self.profile or "openai")

    def placeholder(self) -> Session:
        """The session screens see while the real one is being opened, or, when the environment
        alone shows there is no key, the finished answer (so the setup screen comes first)."""
        from ftui.core.config_location import missing_key_without_config

        keyless = self.sandbox or self.local or self.archive is not None
        problem = None if keyless else missing_key_without_config(self.profile)
        if problem:
            return Session(None, self.label, problem=problem)
        return Session(None, self.label, simulated=self.sandbox, connecting=True)

    def open(self) -> Session:
        if self.archive is not None:
            return open_archive_session(self.archive)
        if self.local:
            return open_local_session(data_dir=self.data_dir, model_folders=self.model_folders,
                                      device=self.device, threads=self.threads)
        return open_session(self.profile, sandbox=self.sandbox, speed=self.speed,
                            data_dir=self.data_dir, new_jobs_closed=self.new_jobs_closed,
                            dialect=self.dialect)


def archive_label(folder: Path) -> str:
    return f"ARCHIVE - read-only: {folder}"


def open_archive_session(folder: Path) -> Session:
    """An archive folder as a read-only provider (blocking: it reads the folder). Never raises: a
    folder that is not an archive is the session's problem."""
    from ftui.core.archive.reader import open_archive

    label = archive_label(folder)
    try:
        provider = open_archive(folder)
    except CoreError as exc:
        return Session(None, label, problem=exc.summary())
    return Session(provider, label)


def open_sandbox_session(*, speed: float = 1.0, data_dir: Path | None = None,
                         new_jobs_closed: bool = False, dialect: str = "openai") -> Session:
    """Start the sandbox in a background thread and connect to it (blocking; call off the UI loop)."""
    from ftui.core.connect import make_provider
    from ftui.core.server.runner import SandboxThread
    from ftui.core.settings import load_settings

    sandbox = SandboxThread(speed=speed, data_dir=data_dir, new_jobs_closed=new_jobs_closed, dialect=dialect)
    base_url = sandbox.start()
    settings = load_settings("sandbox")
    provider: Provider
    if dialect == "together":
        from ftui.core.backends.together_backend import make_sandbox_provider

        provider = make_sandbox_provider(base_url)
    else:
        provider = make_provider(settings, sandbox_base_url=base_url)
    return Session(provider, "sandbox", simulated=True, keymap=_keymap(settings), _sandbox=sandbox)


def open_local_session(settings=None, *, data_dir: Path | None = None,
                       model_folders: tuple[Path, ...] = (), device: str | None = None,
                       threads: int | None = None) -> Session:
    """Start the local engine in a background thread and connect to it (blocking; call off the UI
    loop). `settings`: a kind = "local" profile without base_url; default: the [local] table.
    Arguments given here win over the table. Never raises: a failure is the session's problem."""
    from ftui.core.connect import make_provider
    from ftui.core.local.server import LocalThread
    from ftui.core.settings import load_local_settings

    name = getattr(settings, "profile_name", "local")
    try:
        settings = settings or load_local_settings()
    except CoreError as exc:
        return Session(None, name, problem=exc.summary())
    config = settings.local
    # A key only this session knows: other users of a shared machine can reach loopback too.
    session_key = secrets.token_urlsafe(24)
    engine = LocalThread(data_dir=data_dir or config.data_dir,
                         model_folders=(*config.models, *model_folders),
                         device=device or config.device,
                         threads=config.threads if threads is None else threads,
                         procs=config.procs, strategy=config.strategy, nodes=config.nodes,
                         master_addr=config.master_addr, master_port=config.master_port,
                         api_key=session_key)
    try:
        base_url = engine.start()
    except Exception as exc:  # the extra missing, a bad model folder, no GPU: said, not raised
        engine.stop()
        return Session(None, name, problem=f"The local engine did not start: {exc}",
                       keymap=_keymap(settings))
    from pydantic import SecretStr

    keyed = settings.model_copy(update={"api_key": SecretStr(session_key),
                                        "key_source": "this session's in-process engine"})
    provider = make_provider(keyed, sandbox_base_url=base_url, local_device=engine.device_label)
    return Session(provider, name, simulated=False, keymap=_keymap(settings), _sandbox=engine)


def open_session(profile: str | None = None, *, sandbox: bool = False, speed: float = 1.0,
                 data_dir: Path | None = None, new_jobs_closed: bool = False,
                 dialect: str = "openai") -> Session:
    """The session for `profile` (or the configured default); never raises for a missing key."""
    if sandbox:
        return open_sandbox_session(speed=speed, data_dir=data_dir, new_jobs_closed=new_jobs_closed,
                                    dialect=dialect)
    from ftui.core.connect import explain_missing_key, make_provider
    from ftui.core.settings import load_settings

    try:
        settings = load_settings(profile)
    except CoreError as exc:
        return Session(None, profile or "?", problem=exc.summary())
    if settings.in_process:
        return open_local_session(settings)
    missing = explain_missing_key(settings)
    if missing:
        return Session(None, getattr(settings, "profile_name", profile or "openai"), problem=missing,
                       keymap=_keymap(settings))
    provider = make_provider(settings)
    return Session(provider, provider.name, simulated=provider.simulated, keymap=_keymap(settings))


def _keymap(settings) -> dict[str, str]:
    return dict(getattr(settings, "keys", None) or {})
