"""The launch form: field checks, refusal keeps the form, validation split, Python snippet."""

from __future__ import annotations

from textual.widgets import Input, Select, TextArea

from ftui.tui.screens.dialogs.confirm import ConfirmScreen
from ftui.tui.screens.jobs.job import JobScreen
from ftui.tui.screens.jobs.launch import LaunchScreen, Plan
from ftui.tui.screens.jobs.snippet import SnippetScreen
from ftui.tui.shell.app import FtuiApp
from tests.tui.waiting import wait_for


async def open_form(pilot, app) -> LaunchScreen:
    app.action_goto("jobs")
    await pilot.pause()
    await pilot.press("n")
    form = app.screen
    assert isinstance(form, LaunchScreen)
    await wait_for(pilot, lambda: form.models)
    return form


async def test_a_refused_launch_keeps_every_field(sandbox_session, marv_path, tmp_path, monkeypatch):
    monkeypatch.setenv("FTUI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(JobScreen, "POLL_SECONDS", 0.3)
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(pilot, app)
        typed = {"#launch-training": str(marv_path), "#launch-suffix": "marv-2",
                 "#launch-metadata": "team=nlp", "#launch-epochs": "2", "#launch-wandb": "proj"}
        for selector, value in typed.items():
            form.query_one(selector, Input).value = value
        # a file the server does not know, so the server refuses the job (400)
        form.launch(Plan(form.read_values(), "file-doesnotexist", None, None))
        await wait_for(pilot, lambda: "not created" in str(form.query_one("#launch-error").render()))
        error = str(form.query_one("#launch-error").render())
        assert "400" in error and "kept" in error
        assert app.screen is form
        for selector, value in typed.items():
            assert form.query_one(selector, Input).value == value


async def test_form_checks_fields_before_sending(sandbox_session, marv_path):
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(pilot, app)
        form.query_one("#launch-training", Input).value = str(marv_path)
        form.query_one("#launch-suffix", Input).value = "has space"
        form.query_one("#launch-epochs", Input).value = "99"
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: "Not launched" in str(form.query_one("#launch-error").render()))
        error = str(form.query_one("#launch-error").render())
        assert "suffix" in error and "n_epochs" in error
        assert form.query_one("#launch-suffix").has_class("-invalid-field")
        assert not isinstance(app.screen, ConfirmScreen)
        jobs = await sandbox_session.provider.list_jobs()
        assert jobs.items == []


async def test_split_validation_launch(sandbox_session, marv_path, tmp_path, monkeypatch):
    monkeypatch.setenv("FTUI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(JobScreen, "POLL_SECONDS", 0.3)
    original = marv_path.read_bytes()
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(pilot, app)
        form.query_one("#launch-training", Input).value = str(marv_path)
        form.query_one("#launch-valid-mode", Select).value = "split"
        form.query_one("#launch-validation", Input).value = "20%"
        form.query_one("#launch-seed", Input).value = "5"
        await pilot.press("ctrl+l")
        # 20% of 40 is 8 validation examples: too few, said before anything is sent
        await wait_for(pilot, lambda: "validation data" in str(form.query_one("#launch-error").render()))
        assert "at least 10" in str(form.query_one("#launch-error").render())
        assert (await sandbox_session.provider.list_files()).items == []
        form.query_one("#launch-validation", Input).value = "30%"
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "will be uploaded first" in str(app.screen.query_one("#confirm-message").render())
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen))
        view = app.screen
        await wait_for(pilot, lambda: view.job is not None and view.job.finished)
    splits = sorted((tmp_path / "data" / "splits").glob("*30pct*"))
    assert [p.name for p in splits] == [f"{marv_path.stem}.train-30pct-seed5.jsonl",
                                        f"{marv_path.stem}.valid-30pct-seed5.jsonl"]
    assert len(splits[1].read_text().splitlines()) == round(len(original.splitlines()) * 0.3)
    assert marv_path.read_bytes() == original
    job = view.job
    assert job.status == "succeeded", job.error
    assert job.validation_file and job.seed == 5
    valid = await sandbox_session.provider.file_content(job.validation_file)
    assert valid == splits[1].read_bytes()
    assert any(p.valid_loss is not None for p in view.follower.metrics())


async def test_python_snippet_modal_compiles(sandbox_session, marv_path, shoot):
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(pilot, app)
        form.query_one("#launch-training", Input).value = str(marv_path)
        form.query_one("#launch-method", Select).value = "dpo"
        await pilot.pause()
        assert not form.query_one("#launch-beta", Input).disabled
        form.query_one("#launch-beta", Input).value = "0.3"
        form.query_one("#launch-metadata", Input).value = "team=nlp"
        form.query_one("#launch-wandb", Input).value = "ftui-runs"
        await pilot.press("f2")
        snippet = app.screen
        assert isinstance(snippet, SnippetScreen)
        code = snippet.query_one(TextArea).text
        assert snippet.query_one(TextArea).read_only
        compile(code, "snippet.py", "exec")
        for text in ("'dpo'", "'beta': 0.3", "'team': 'nlp'", "'project': 'ftui-runs'",
                     f"file-ID-OF-{marv_path.name}"):
            assert text in code
        shoot(app, "jobs-launch-python-dpo")
        await pilot.press("escape")
        assert app.screen is form


async def test_an_uploaded_file_can_be_picked(sandbox_session, marv_path):
    provider = sandbox_session.provider
    uploaded = await provider.upload_file(marv_path)
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(pilot, app)
        picker = form.query_one("#launch-uploaded", Select)
        await wait_for(pilot, lambda: len(picker._options) > 1)
        picker.value = uploaded.id
        await pilot.pause()
        assert form.query_one("#launch-training", Input).value == uploaded.id
        form.query_one("#launch-valid-uploaded", Select).value = uploaded.id
        await pilot.pause()
        assert form.query_one("#launch-validation", Input).value == uploaded.id
        assert form.validation_mode == "file"
        await pilot.press("f5")  # the estimate of an uploaded file: fetched and validated
        await wait_for(pilot, lambda: "billable tokens" in str(form.query_one("#launch-estimate").render()))
        assert (await provider.list_jobs()).items == []  # an estimate launches nothing


def test_a_403_on_launch_says_what_is_still_possible():
    from ftui.core.backends.openai_capabilities import LOCAL_CAPABILITIES, OPENAI_CAPABILITIES
    from ftui.core.backends.together_capabilities import TOGETHER_CAPABILITIES
    from ftui.core.errors import CoreError

    openai_note = OPENAI_CAPABILITIES.refused_launch_note
    bare = CoreError("Fine-tuning is not available for this organization", status=403)
    text = LaunchScreen.refusal_text(bare, openai_note)
    assert "2027-01-06" in text and "fine-tuned models" in text and "kept" in text
    # the backend's own hint already explains it: not said twice
    hinted = CoreError("Forbidden", status=403, hint="no new fine-tuning jobs after 2027-01-06 ...")
    assert LaunchScreen.refusal_text(hinted, openai_note).count("2027-01-06") == 1
    # OpenAI's wind-down is OpenAI's: a 403 elsewhere does not blame it
    for caps in (TOGETHER_CAPABILITIES, LOCAL_CAPABILITIES):
        other = LaunchScreen.refusal_text(bare, caps.refused_launch_note)
        assert "OpenAI" not in other and "kept" in other


async def test_escape_cancels_an_upload_on_the_way_and_keeps_the_form(sandbox, sandbox_session, marv_path,
                                                                      tmp_path, monkeypatch):
    from ftui.core.server.faults import Faults

    monkeypatch.setenv("FTUI_DATA_DIR", str(tmp_path / "data"))
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(pilot, app)
        form.query_one("#launch-suffix", Input).value = "kept"
        sandbox.set_faults(Faults(latency=3000))  # every answer now takes 3 s: time to give up
        form.launch(Plan(form.read_values(), marv_path, None, None))
        await wait_for(pilot, lambda: form._cancel_upload is not None)
        await pilot.press("escape")
        await wait_for(pilot, lambda: "cancelled" in str(form.query_one("#launch-error").render()))
        assert app.screen is form  # the first escape stopped the upload; it did not leave the form
        assert form.query_one("#launch-suffix", Input).value == "kept"
        sandbox.set_faults(None)
        assert (await sandbox_session.provider.list_jobs()).items == []
        await pilot.press("escape")
        assert app.screen is not form


async def test_a_launch_refused_by_the_wind_down_says_so_end_to_end(sandbox_factory, marv_path, tmp_path,
                                                                    monkeypatch):
    """The sandbox refusing new jobs (403) as OpenAI will after 2027-01-06: the form says what
    is still possible, keeps every field, and nothing is created."""
    from ftui.core.connect import make_provider
    from ftui.core.session import Session
    from ftui.core.settings import load_settings

    monkeypatch.setenv("FTUI_DATA_DIR", str(tmp_path / "data"))
    closed = sandbox_factory(new_jobs_closed=True)
    provider = make_provider(load_settings("sandbox", env={}), sandbox_base_url=closed.base_url)
    app = FtuiApp(Session(provider, "sandbox", simulated=True))
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            form = await open_form(pilot, app)
            form.query_one("#launch-training", Input).value = str(marv_path)
            form.query_one("#launch-suffix", Input).value = "marv-late"
            await pilot.press("ctrl+l")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")  # uploads the file, then asks for the job
            await wait_for(pilot, lambda: "not created" in str(form.query_one("#launch-error").render()))
            error = str(form.query_one("#launch-error").render())
            assert "403" in error and "2027-01-06" in error and "kept" in error
            assert app.screen is form
            assert form.query_one("#launch-suffix", Input).value == "marv-late"
            assert (await provider.list_jobs()).items == []
    finally:
        await provider.aclose()
