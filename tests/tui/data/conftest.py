"""Fixtures the Data screen's tests share with other sections' tests."""

from tests.tui.jobs.provider_sessions import local_engine  # noqa: F401  (a module-scoped local engine)
