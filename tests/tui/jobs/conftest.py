from tests.tui.jobs.provider_sessions import local_engine, local_session, together_session  # noqa: F401
