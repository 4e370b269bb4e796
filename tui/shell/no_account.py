"""The one sentence every section says when there is no account: what this session lacks (its
profile's own missing key, from the session), or the plain case's."""

from __future__ import annotations

from typing import Any

NO_ACCOUNT = ("No account connected: set OPENAI_API_KEY and restart, or restart with "
              "`ftui --sandbox` to try the simulated server.")


def no_account(app: Any) -> str:
    """Why there is no account and what to do, for `app`'s session (a Together profile lacks
    TOGETHER_API_KEY, a compatible one its api_key_env: the session's problem names it)."""
    problem = getattr(getattr(app, "session", None), "problem", None)
    return f"No account connected. {problem}" if problem else NO_ACCOUNT
