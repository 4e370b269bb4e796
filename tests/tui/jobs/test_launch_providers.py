"""The launch form follows the provider: Together's fields, bounds, price and SDK call; the local
engine's LoRA fields, $0 estimate and local URL; extra request fields for compatible services."""

from __future__ import annotations

import ast

from textual.widgets import Input, Select, TextArea

from ftui.tui.screens.dialogs.confirm import ConfirmScreen
from ftui.tui.screens.jobs.job import JobScreen
from ftui.tui.screens.jobs.launch import LaunchScreen
from ftui.tui.screens.jobs.snippet import SnippetScreen
from ftui.tui.shell.app import FtuiApp
from tests.tui.jobs.provider_sessions import tiny_model_id
from tests.tui.waiting import wait_for


async def open_form(pilot, app, model: str | None = None) -> LaunchScreen:
    app.action_goto("jobs")
    await pilot.pause()
    await pilot.press("n")
    form = app.screen
    assert isinstance(form, LaunchScreen)
    await wait_for(pilot, lambda: form.models)
    if model is not None:
        form.query_one("#launch-model", Select).value = model
    return form


def shown(form, name: str) -> bool:
    return form.query_one(f"#launch-hp-{name}-row").display


def text_of(form, selector: str) -> str:
    return str(form.query_one(selector).render())


async def upload(provider, marv_path) -> str:
    return (await provider.upload_file(marv_path)).id


async def test_together_form_has_its_fields_bounds_and_price(together_session, marv_path):
    provider = together_session.provider
    file_id = await upload(provider, marv_path)
    app = FtuiApp(together_session)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(pilot, app)
        model = form.query_one("#launch-model", Select).value
        await wait_for(pilot, lambda: getattr(form, "loaded_fields_for", None) == model)
        # the model's own limits: LoRA rank default and maximum from /fine-tunes/models/limits
        limits = {f.name: f for f in await provider.hyperparameter_fields(model)}
        assert form.query_one("#launch-hp-lora_r", Input).value == str(limits["lora_r"].default)
        assert f"–{limits['lora_r'].maximum:g}" in text_of(form, "#launch-hp-lora_r-row .field-help")
        for name in ("n_checkpoints", "n_evals", "learning_rate", "warmup_ratio", "max_grad_norm",
                     "weight_decay", "lora_alpha", "lora_dropout", "train_on_inputs"):
            assert shown(form, name), name
        assert not shown(form, "dpo_beta")
        assert not form.query("#launch-extra")  # Together takes no extra request fields
        # Full training hides the LoRA rows; DPO shows its beta and hides train_on_inputs
        form.query_one("#launch-hp-training_type", Select).value = "Full"
        await pilot.pause()
        assert not shown(form, "lora_r") and not shown(form, "lora_alpha")
        form.query_one("#launch-hp-training_type", Select).value = "Lora"
        form.query_one("#launch-method", Select).value = "dpo"
        await pilot.pause()
        assert shown(form, "dpo_beta") and not shown(form, "train_on_inputs")
        form.query_one("#launch-method", Select).value = "supervised"
        # a value out of the model's bounds is said before anything is sent
        form.query_one("#launch-training", Input).value = file_id
        form.query_one("#launch-hp-lora_r", Input).value = "999"
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: "Not launched" in text_of(form, "#launch-error"))
        assert "lora_r" in text_of(form, "#launch-error")
        assert form.query_one("#launch-hp-lora_r").has_class("-invalid-field")
        # the Python view is Together's SDK call, against the sandbox's URL
        form.query_one("#launch-hp-lora_r", Input).value = "8"
        await pilot.press("f2")
        snippet = app.screen
        assert isinstance(snippet, SnippetScreen)
        code = snippet.query_one(TextArea).text
        ast.parse(code)
        assert "from together import Together" in code and "client.fine_tuning.create(" in code
        tooltip = next(b.tooltip for b in LaunchScreen.BINDINGS if b.action == "python")
        assert "openai" not in tooltip.lower()  # F2's own description names no other SDK
        assert provider.base_url.rstrip("/") in code and "lora_r=8" in code and "lora=True" in code
        await pilot.press("escape")
        # the estimate is Together's own quote
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "quoted $" in text_of(form, "#launch-estimate")
        assert "quoted $" in text_of(app.screen, "#confirm-message")
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen))
    job = form.launched_job
    assert job is not None
    made = await provider.retrieve_job(job.id)
    assert made.hyperparameters.get("lora_r") == 8, made.hyperparameters
    assert made.hyperparameters.get("training_type") == "Lora"


async def test_extra_fields_go_as_extra_body_and_are_remembered(sandbox_session, marv_path):
    provider = sandbox_session.provider
    file_id = await upload(provider, marv_path)
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(pilot, app)
        form.query_one("#launch-training", Input).value = file_id
        area = form.query_one("#launch-extra", TextArea)
        area.text = 'lora = true\nlora_r = 16\npacking = "yes"\nnote = free text\nlimits = {"a": [1, 2]}'
        await pilot.press("f2")
        code = app.screen.query_one(TextArea).text
        tree = ast.parse(code)
        call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call) and
                    getattr(n.func, "attr", "") == "create")
        extra = next(k for k in call.keywords if k.arg == "extra_body")
        assert ast.literal_eval(extra.value) == {"lora": True, "lora_r": 16, "packing": "yes",
                                                 "note": "free text", "limits": {"a": [1, 2]}}
        assert f"OpenAI(base_url={provider.base_url.rstrip('/')!r})" in code  # not real OpenAI
        await pilot.press("escape")
        area.text = "broken line"
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: "line 1" in text_of(form, "#launch-error"))
        assert "key = value" in text_of(form, "#launch-error")
        area.text = "lora_r = 16"
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen))
        # the next launch on this profile starts with the same extra fields
        await pilot.press("escape")
        await pilot.pause()
        again = await open_form(pilot, app)
        assert again.query_one("#launch-extra", TextArea).text == "lora_r = 16"


async def test_local_form_lora_fields_zero_cost_and_local_url(local_session, local_engine, marv_path):
    provider = local_session.provider
    model = tiny_model_id(local_engine)
    app = FtuiApp(local_session)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(pilot, app, model)
        assert "LOCAL - real training on this machine (cpu, 1 thread)" in text_of(form, "StatusHeader")
        methods = [value for _, value in form.query_one("#launch-method", Select)._options]
        assert "dpo" not in methods  # the engine runs supervised training only
        assert form.query_one("#launch-hp-lora_r", Input).value == "8"
        assert form.query_one("#launch-hp-lora_target_modules", Input).value == "all-linear"
        assert not form.query("#launch-extra")
        form.query_one("#launch-training", Input).value = str(marv_path)
        form.query_one("#launch-epochs", Input).value = "1"
        form.query_one("#launch-hp-lora_r", Input).value = "4"
        form.query_one("#launch-hp-lora_target_modules", Input).value = "q_proj, v_proj"
        await pilot.press("f2")
        code = app.screen.query_one(TextArea).text
        assert f"OpenAI(base_url={provider.base_url.rstrip('/')!r})" in code
        assert "'lora_r': 4" in code and "'lora_target_modules': ['q_proj', 'v_proj']" in code
        await pilot.press("escape")
        await pilot.press("f5")
        await wait_for(pilot, lambda: "min on this machine" in text_of(form, "#launch-estimate"), timeout=120)
        estimate = text_of(form, "#launch-estimate")
        assert "$0" in estimate and "measured:" in estimate
        assert "billable" not in estimate
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen))
        job = form.launched_job
        await provider.cancel_job(job.id)
    hp = job.hyperparameters
    assert hp.get("lora_r") == 4 and hp.get("lora_target_modules") == ["q_proj", "v_proj"], hp
