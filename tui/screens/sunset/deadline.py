"""The nearest sunset deadline in every screen's header: checked once the account is connected
(quietly, in the background) and again whenever the radar is read."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ftui.core.across_profiles import radar_all, sunset_today
from ftui.core.sunset.radar import Deadline, ProfileRadar, nearest_deadline
from ftui.tui.screens.sunset.profiles import pool_of
from ftui.widgets.status_header import DEADLINE_ATTRIBUTE, StatusHeader

if TYPE_CHECKING:
    from ftui.tui.shell.app import FtuiApp


def header_text(deadline: Deadline | None) -> str:
    """Days first: at 80 columns the header cuts the end of a long model id."""
    if deadline is None:
        return ""
    days = "ends today" if deadline.days_left == 0 else \
        f"{deadline.days_left} day{'s' * (deadline.days_left != 1)} left"
    return f"{days}: {deadline.profile} {deadline.what} ({deadline.date})"


def show_deadline(app, radars: list[ProfileRadar], today: dt.date) -> Deadline | None:
    """Keep the nearest deadline on the app and put it in every header on screen."""
    deadline = nearest_deadline(radars, today)
    text = header_text(deadline)
    setattr(app, DEADLINE_ATTRIBUTE, text)
    for screen in app.screen_stack:
        for header in screen.query(StatusHeader):
            header.deadline = text
    return deadline


def watch_deadlines(app: FtuiApp) -> None:
    """Called by the app once it has an account. A simulated account is left to the radar screen,
    so the sandbox's rehearsal dates do not follow the user into every screen."""
    if app.provider is None or app.simulated:
        return

    async def check() -> None:
        today = sunset_today()
        show_deadline(app, await radar_all(pool_of(app), today), today)

    app.run_worker(check(), group="sunset-deadline", exclusive=True, exit_on_error=False,
                   description="checking the sunset deadlines")
