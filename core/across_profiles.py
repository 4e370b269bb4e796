"""Several profiles at once: a provider for each named profile, opened once and kept (the radar
covers every profile; a migration reads one account and launches on another; a comparison can
ask a model on each).

Also the day the radar counts from: FTUI_TODAY (YYYY-MM-DD) rehearses a later day."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from typing import Any

from ftui.core.errors import CoreError
from ftui.core.sunset.facts import SunsetTable, load_sunset
from ftui.core.sunset.radar import ProfileRadar, not_checked, radar

TODAY_ENV = "FTUI_TODAY"


def sunset_today() -> dt.date:
    """Today, or the day FTUI_TODAY names (to rehearse a deadline, and for tests)."""
    raw = os.environ.get(TODAY_ENV, "").strip()
    if not raw:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise CoreError(f"{TODAY_ENV}={raw!r} is not a date (YYYY-MM-DD)", kind="input",
                        hint=f"unset {TODAY_ENV} or give a date like 2027-01-05") from None


class ProfilePool:
    """The app's own provider under its profile name, plus any other profile opened on demand."""

    def __init__(self, current_name: str, current_provider: Any = None) -> None:
        self.current_name = current_name
        self.current_provider = current_provider
        self._opened: dict[str, Any] = {}
        self._sessions: list[Any] = []  # to stop an in-process engine opened for a profile
        self._lock = asyncio.Lock()

    def names(self) -> list[str]:
        """Every configured profile, the current one first (also when it is not in the file)."""
        from ftui.core.settings import load_settings

        try:
            configured = list(load_settings().profile_names)
        except CoreError:
            configured = []
        return [self.current_name] + [n for n in configured if n != self.current_name]

    def is_current(self, name: str | None) -> bool:
        return name is None or name == self.current_name

    async def provider(self, name: str | None) -> Any:
        """The provider for `name` (None: the current one). CoreError saying why there is none."""
        if name is None or self.is_current(name):  # spelled out so the type checker sees name: str below
            if self.current_provider is None:
                raise CoreError(f"No account for {self.current_name}", kind="input",
                                hint="set up a key, or start the sandbox")
            return self.current_provider
        async with self._lock:  # two panes asking at once open it once
            if name not in self._opened:
                from ftui.core.session import open_session

                session = await asyncio.to_thread(open_session, name)
                if session.provider is None:
                    raise CoreError(f"Profile {name} cannot be used: {session.problem}", kind="input")
                self._sessions.append(session)
                self._opened[name] = session.provider
            return self._opened[name]

    async def aclose(self) -> None:
        for provider in self._opened.values():
            try:
                await provider.aclose()
            except Exception:  # closing is best effort: the loop may be ending
                pass
        for session in self._sessions:
            session.close()
        self._opened.clear()
        self._sessions.clear()


async def profile_radar(pool: ProfilePool, name: str, today: dt.date,
                        table: SunsetTable | None = None) -> ProfileRadar:
    """One profile's radar; a profile that cannot be read is listed as not checked, never raised."""
    from ftui.core.connect import explain_missing_key
    from ftui.core.settings import load_settings

    table = table or load_sunset()
    kind = None
    if not pool.is_current(name):
        try:
            settings = load_settings(name)
        except CoreError as exc:
            return not_checked(name, "?", exc.summary(), today=today)
        kind = settings.kind
        if settings.kind == "sandbox" and not settings.base_url:
            return not_checked(name, kind, "the sandbox runs only when started (ftui --sandbox)",
                               today=today)
        if settings.in_process:
            return not_checked(name, kind, "the local engine on this machine: no provider can end it",
                               today=today)
        missing = explain_missing_key(settings)
        if missing:
            return not_checked(name, kind, missing, today=today)
    try:
        provider = await pool.provider(name)
        return await radar(provider, name, today=today, kind=kind, table=table)
    except CoreError as exc:
        return not_checked(name, kind or "?", exc.summary(), today=today)


async def radar_all(pool: ProfilePool, today: dt.date) -> list[ProfileRadar]:
    """Every profile's radar, read at once, in the pool's order."""
    table = load_sunset()
    return list(await asyncio.gather(*(profile_radar(pool, n, today, table) for n in pool.names())))
