"""Every section's no-account sentence comes from one place: the session's own problem when it has one
(a Together profile names TOGETHER_API_KEY), else the plain case's OPENAI_API_KEY."""

from __future__ import annotations

from types import SimpleNamespace

from ftui.core.config_location import missing_key_message
from ftui.core.session import Session
from ftui.tui.shell.no_account import NO_ACCOUNT, no_account


def test_the_sessions_own_problem_is_said():
    problem = missing_key_message("team", "together", "TOGETHER_API_KEY", ("openai", "team"), None)
    text = no_account(SimpleNamespace(session=Session(None, "team", problem=problem)))
    assert "TOGETHER_API_KEY" in text and "OPENAI_API_KEY" not in text
    assert no_account(SimpleNamespace(session=Session(None, "openai"))) == NO_ACCOUNT
