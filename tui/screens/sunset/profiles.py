"""The app's pool of profiles: its own account plus any other named profile, opened once each
(the radar, a migration and a comparison across accounts share it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ftui.core.across_profiles import ProfilePool

if TYPE_CHECKING:
    from ftui.tui.shell.app import FtuiApp

ATTRIBUTE = "_ftui_profile_pool"


def pool_of(app: FtuiApp) -> ProfilePool:
    """The app's pool, made again when the app's own session changed (e.g. the sandbox started)."""
    pool = getattr(app, ATTRIBUTE, None)
    provider = app.provider
    label = app.profile_label or "openai"
    if pool is None or pool.current_provider is not provider or pool.current_name != label:
        pool = ProfilePool(label, provider)
        setattr(app, ATTRIBUTE, pool)
    return pool
