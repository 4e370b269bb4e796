"""The launch form: base model, files, suffix, method and hyperparameters, seed, metadata, W&B.

Checks run before anything is sent (core/launch.py); local files are validated, split and
uploaded on the way; the estimate is shown and confirmed; a refusal is explained in place.
Nothing typed here is lost when a launch fails: the form stays as it was.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static, TextArea

from ftui.core.errors import CoreError
from ftui.core.launch.estimates import Estimate, estimate_from_report, save_estimate, validate_source
from ftui.core.launch.fields import FormValues, build_spec, check_share
from ftui.core.launch.form_fields import load_extra_fields, save_extra_fields
from ftui.core.launch.snippet import python_snippet
from ftui.core.launch.split import split_dataset
from ftui.core.paths import data_dir
from ftui.core.provider import HyperparameterSource, PriceQuoter, capabilities_of
from ftui.core.types import Capabilities, ModelInfo, PriceEstimate, TimeEstimate
from ftui.tui.screens.base import FtuiScreen
from ftui.tui.screens.dialogs.confirm import confirm
from ftui.tui.screens.files.files import progress_callback, validation_summary
from ftui.tui.screens.jobs.launch_text import (
    BUSY,
    MEASURE_STOPPED,
    MEASURING,
    estimate_text,
    key_note,
    local_time_text,
    method_options,
    quote_text,
)
from ftui.tui.screens.jobs.snippet import SnippetScreen
from ftui.tui.shell.messages import OpenJob
from ftui.tui.shell.no_account import no_account
from ftui.widgets.field_form import FieldForm
from ftui.widgets.key_footer import KeyFooter
from ftui.widgets.path_input import PathSuggester
from ftui.widgets.transfer_progress import TransferProgressBar

SHUTDOWN_WARNING_DAYS = 90
DEFAULT_SPLIT_SEED = 42
VALIDATION_MODES = [("none", "none"), ("file id or local path", "file"), ("split off training", "split")]
# widget id -> FormValues field
TEXT_FIELDS = {
    "launch-training": "training_file", "launch-validation": "validation_file",
    "launch-suffix": "suffix", "launch-seed": "seed",
    "launch-metadata": "metadata", "launch-wandb": "wandb_project",
}
FIELD_WIDGET = {v: k for k, v in TEXT_FIELDS.items()} | {"model": "launch-model", "method": "launch-method",
                                                         "extra_fields": "launch-extra"}
# The provider's fields get widget ids launch-hp-<name>; OpenAI's four keep their short ones.
FIELD_IDS = {"n_epochs": "launch-epochs", "batch_size": "launch-batch",
             "learning_rate_multiplier": "launch-lr", "beta": "launch-beta"}


def shutdown_note(model: ModelInfo | None, today: dt.date | None = None) -> str:
    if model is None or not model.shutdown_date:
        return ""
    try:
        when = dt.date.fromisoformat(model.shutdown_date)
    except ValueError:
        return f"Shuts down {model.shutdown_date}."
    days = (when - (today or dt.date.today())).days
    if days <= SHUTDOWN_WARNING_DAYS:
        return (f"[b $warning]⚠ {model.id} shuts down on {model.shutdown_date} ({days} days): the "
                "fine-tuned model stops working then too.[/]")
    return f"Shuts down {model.shutdown_date}."


def is_file_id(text: str) -> bool:
    return text.startswith("file-") and os.sep not in text


@dataclass
class Plan:
    """A checked launch, waiting for the user's yes."""

    values: FormValues
    train: str | Path  # file id, or a local path still to upload
    valid: str | Path | None
    estimate: Estimate | None
    quote: PriceEstimate | None = None  # the provider's own price, when it quotes one
    measured: TimeEstimate | str | None = None  # this machine's measured speed (local engines)
    reused: dict[Path, str] = field(default_factory=dict)  # local files already on the account, by id


class LaunchScreen(FtuiScreen):
    CSS_PATH = "launch.tcss"
    TODAY: dt.date | None = None  # None: the real date (tests pin it)

    BINDINGS = [
        Binding("ctrl+l", "launch", "Launch", id="launch.launch",
                tooltip="Check, estimate, confirm and launch the job"),
        Binding("f5", "estimate", "Estimate", id="launch.estimate",
                tooltip="Validate the training data and show the token and cost estimate"),
        Binding("f2", "python", "Python", id="launch.python",
                tooltip="Show this request as Python code with the provider's official SDK"),
        Binding("escape", "back", "Back", id="launch.back",
                tooltip="Back to Jobs (the form is kept); while a file uploads, cancel the upload"),
    ]

    def __init__(self, values: FormValues | None = None) -> None:
        super().__init__()
        self.initial = values or FormValues()
        self.models: dict[str, ModelInfo] = {}
        self._uploaded: dict[tuple, str] = {}  # (path, size, mtime) -> file id, so a retry reuses it
        self.last_plan: Plan | None = None
        self.launched_job = None
        self._cancel_upload: asyncio.Event | None = None  # set while a file uploads on the way
        self._stop_check: threading.Event | None = None  # set to stop the check of the data
        self._launch_unchecked = False  # ctrl+l during the check: launch without its estimate
        self._measuring: asyncio.Future | None = None  # the local engine's warm-up, while it runs
        self.fields = list(self.capabilities.hyperparameters)  # the model's own once known

    @property
    def capabilities(self) -> Capabilities:
        return capabilities_of(self.provider)

    BREADCRUMB = ("Jobs", "new job")

    def compose(self) -> ComposeResult:
        caps = self.capabilities
        yield self.status_header()
        v = self.initial
        with VerticalScroll(id="launch-form"):
            yield self._row("Base model", Select([], prompt="loading models…", id="launch-model", compact=True))
            yield Static("", id="launch-model-note", classes="note")
            yield self._row("Training file", Input(v.training_file, placeholder="file-… or a local .jsonl path",
                                                  id="launch-training", compact=True,
                                                  suggester=PathSuggester()))
            yield self._row("  or uploaded", Select([], prompt="pick an uploaded file", id="launch-uploaded",
                                                    compact=True))
            yield self._row("Validation", Select(VALIDATION_MODES, value="none", allow_blank=False,
                                                 id="launch-valid-mode", compact=True))
            yield self._row("  file / share", Input(v.validation_file, id="launch-validation", compact=True,
                                                    placeholder="file-…, a path, or a share like 10%",
                                                    suggester=PathSuggester()))
            yield self._row("  or uploaded", Select([], prompt="pick an uploaded validation file",
                                                    id="launch-valid-uploaded", compact=True))
            yield self._row("Suffix", Input(v.suffix, placeholder="up to 64: letters, digits, - _",
                                            id="launch-suffix", compact=True))
            methods = method_options(caps.methods)
            method = v.method if v.method in caps.methods else methods[0][1]
            yield self._row("Method", Select(methods, value=method, allow_blank=False, id="launch-method",
                                             compact=True))
            yield FieldForm(self.fields, texts=self._initial_texts(), ids=FIELD_IDS, prefix="launch-hp-", method=method,
                            id="launch-fields")
            yield self._row("Seed", Input(v.seed, placeholder="empty: random", id="launch-seed", compact=True))
            yield self._row("Metadata", Input(v.metadata, placeholder="key=value, key=value (up to 16)",
                                              id="launch-metadata", compact=True))
            yield self._row("W&B project", Input(v.wandb_project, placeholder="empty: no Weights & Biases",
                                                 id="launch-wandb", compact=True))
            if caps.extra_body:
                yield Label("Extra request fields, one key = value a line (number, true/false, "
                            "\"text\" or JSON), sent as extra_body:", classes="note-left")
                yield TextArea(v.extra_fields or self._remembered_extra(), id="launch-extra",
                               show_line_numbers=False, soft_wrap=False)
            yield Static("F5 estimates cost · ctrl+l launches · F2 shows Python", id="launch-estimate")
            yield Static("", id="launch-error")
            yield TransferProgressBar(id="launch-transfer")
        yield KeyFooter()

    def _initial_texts(self) -> dict[str, str]:
        v = self.initial
        legacy = {name: getattr(v, name) for name in FIELD_IDS if getattr(v, name) != "auto"}
        return {**legacy, **v.hyperparameters}

    @property
    def profile(self) -> str:
        provider = self.provider
        return getattr(provider, "name", "") or getattr(self.app, "profile_label", "")

    def _remembered_extra(self) -> str:
        return load_extra_fields(self.profile)

    @staticmethod
    def _row(label: str, widget: Widget) -> Horizontal:
        return Horizontal(Label(label, classes="label"), widget, classes="row")

    def on_mount(self) -> None:
        self.query_one("#launch-transfer").display = False
        current = self.current_dataset
        training = self.query_one("#launch-training", Input)
        if not training.value and current:
            training.value = str(current)
        self._method_changed()
        self.load_choices()

    # choices from the account -----------------------------------------------------------------
    @work(exclusive=True, group="launch-choices", exit_on_error=False,
          description="loading the models and files to choose from")
    async def load_choices(self) -> None:
        provider = self.provider
        select = self.query_one("#launch-model", Select)
        if provider is None:
            self.say_error(no_account(self.app))
            return
        try:
            models = [m for m in await provider.list_models() if m.fine_tunable]
        except CoreError as exc:
            self.say_error(f"Could not list models: {exc.summary()}")
            select.set_options([])
            return
        models.sort(key=lambda m: (m.id.startswith("ft:"), m.id))
        self.models = {m.id: m for m in models}
        select.set_options([(self._model_label(m), m.id) for m in models])
        wanted = (self.initial.model or next((m.id for m in models if m.id.startswith("gpt-4o-mini")), None)
                  or (models[0].id if models else None))
        if wanted in self.models:
            select.value = wanted
        try:
            files = (await provider.list_files(purpose="fine-tune", limit=100)).items
        except CoreError as exc:
            self.query_one("#launch-uploaded", Select).set_options([])
            self.query_one("#launch-valid-uploaded", Select).set_options([])
            self.say_error(f"Could not list uploaded files: {exc.summary()}")
            return
        choices = [(f"{f.filename} · {f.id}", f.id) for f in files]
        self.query_one("#launch-uploaded", Select).set_options(choices)
        self.query_one("#launch-valid-uploaded", Select).set_options(choices)

    @staticmethod
    def _model_label(m: ModelInfo) -> str:
        return f"{m.id} · until {m.shutdown_date}" if m.shutdown_date else m.id

    @on(Select.Changed, "#launch-model")
    def _model_changed(self, event: Select.Changed) -> None:
        model = self.models.get(event.value) if isinstance(event.value, str) else None
        self.query_one("#launch-model-note", Static).update(shutdown_note(model, self.TODAY))
        provider = self.provider
        if model is not None and self.capabilities.per_model_limits and isinstance(provider, HyperparameterSource):
            self.load_fields(model.id)

    @work(exclusive=True, group="launch-fields", exit_on_error=False,
          description="loading the model's hyperparameter limits")
    async def load_fields(self, model: str) -> None:
        try:
            fields = await self.app.provider.hyperparameter_fields(model)
        except CoreError as exc:
            self.say_error(f"Could not read {model}'s limits, so the general ones apply: {exc.summary()}")
            return
        self.fields = list(fields)
        await self.query_one(FieldForm).set_fields(self.fields)
        self.loaded_fields_for = model

    @on(Select.Changed, "#launch-uploaded")
    def _uploaded_picked(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.query_one("#launch-training", Input).value = event.value

    @on(Select.Changed, "#launch-valid-uploaded")
    def _valid_uploaded_picked(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.query_one("#launch-validation", Input).value = event.value
            self.query_one("#launch-valid-mode", Select).value = "file"

    @on(Select.Changed, "#launch-method")
    def _method_changed(self, event: Select.Changed | None = None) -> None:
        method = self.query_one("#launch-method", Select).value
        self.query_one(FieldForm).set_method(method if isinstance(method, str) else "supervised")

    # reading and marking the form -------------------------------------------------------------
    def read_values(self) -> FormValues:
        values = FormValues()
        model = self.query_one("#launch-model", Select).value
        values.model = model if isinstance(model, str) else ""
        method = self.query_one("#launch-method", Select).value
        values.method = method if isinstance(method, str) else "supervised"
        for widget_id, name in TEXT_FIELDS.items():
            setattr(values, name, self.query_one(f"#{widget_id}", Input).value)
        values.hyperparameters = self.query_one(FieldForm).texts()
        for name in FIELD_IDS:  # OpenAI's fields also as FormValues knows them
            if name in values.hyperparameters:
                setattr(values, name, values.hyperparameters[name])
        extra = self.query("#launch-extra")
        values.extra_fields = extra.first(TextArea).text if extra else ""
        return values

    def spec_for(self, values: FormValues):
        """build_spec with this provider's fields."""
        return build_spec(values, self.fields)

    @property
    def validation_mode(self) -> str:
        value = self.query_one("#launch-valid-mode", Select).value
        return value if isinstance(value, str) else "none"

    def mark(self, errors: dict[str, str]) -> None:
        for name, widget_id in FIELD_WIDGET.items():
            for widget in self.query(f"#{widget_id}"):
                widget.set_class(name in errors, "-invalid-field")
        self.query_one(FieldForm).mark(errors)

    def say_error(self, text: str) -> None:
        self.query_one("#launch-error", Static).update(f"[red]{text}[/]" if text else "")

    def say_estimate(self, text: str) -> None:
        self.query_one("#launch-estimate", Static).update(text)

    # actions ----------------------------------------------------------------------------------
    def action_back(self) -> None:
        if self._measuring is not None:
            self._measuring.cancel()  # the first escape stops the warm-up, the next one leaves
            return
        if self._stop_check is not None:
            self._stop_check.set()  # the first escape stops the check, the next one leaves
            return
        if self._cancel_upload is not None:
            self._cancel_upload.set()  # the first escape stops the upload, the next one leaves
            self.say_estimate("Cancelling the upload…")
            return
        self.app.pop_screen()

    def action_python(self) -> None:
        values = self.read_values()
        train, valid = values.training_file.strip(), values.validation_file.strip()
        note = []
        if train and not is_file_id(train):
            note.append(f"{Path(train).name} is local: upload it first and put its file id here.")
            train = f"file-ID-OF-{Path(train).name}"
        if self.validation_mode == "split":
            valid = "file-ID-OF-THE-VALIDATION-SPLIT"
            note.append("The validation split is made and uploaded by ftui at launch.")
        elif self.validation_mode == "none":
            valid = ""
        elif valid and not is_file_id(valid):
            note.append(f"{Path(valid).name} is local: upload it first.")
            valid = f"file-ID-OF-{Path(valid).name}"
        spec, errors = self.spec_for(replace(values, training_file=train or "file-ID", validation_file=valid))
        self.mark(errors)
        if spec is None:
            self.say_error("Fix these first: " + "; ".join(errors.values()))
            return
        provider = self.provider
        code = python_snippet(spec, sdk=self.capabilities.sdk, base_url=getattr(provider, "base_url", None),
                              key_note=key_note(self.app, self.capabilities))
        self.app.push_screen(SnippetScreen(code, " ".join(note)))

    def action_estimate(self) -> None:
        self.prepare(confirm=False)

    def action_launch(self) -> None:
        if self._stop_check is not None:  # a big file's check under way: launch without waiting
            self._launch_unchecked = True
            self._stop_check.set()
            return
        self.prepare(confirm=True)

    # checking, estimating ---------------------------------------------------------------------
    @work(exclusive=True, group="launch-prepare", exit_on_error=False,
          description="checking the dataset and estimating the cost")
    async def prepare(self, confirm: bool) -> None:
        values = self.read_values()
        self.say_error("")
        # 1. the fields, before any file is touched
        _, errors = self.spec_for(replace(values, training_file=values.training_file or "x"))
        train_text = values.training_file.strip()
        if not train_text:
            errors["training_file"] = "choose a training file (a file id or a local path)"
        valid_text = values.validation_file.strip()
        mode = self.validation_mode
        share = None
        if mode == "split":
            if is_file_id(train_text):
                errors["validation_file"] = "a split needs a local training file"
            else:
                try:
                    share = check_share(valid_text or "10%")
                except CoreError as exc:
                    errors["validation_file"] = exc.summary()
        elif mode == "file" and not valid_text:
            errors["validation_file"] = "type a validation file id or path, or choose none"
        for text, name in ((train_text, "training_file"), (valid_text if mode == "file" else "", "validation_file")):
            if text and not is_file_id(text) and not Path(os.path.expanduser(text)).is_file():
                errors[name] = f"{text} is neither a file id (file-…) nor an existing local file"
        self.mark(errors)
        if errors:
            self.say_error("Not launched — " + "; ".join(errors.values()))
            return
        model = values.model
        n_epochs = self.spec_for(replace(values, training_file="x"))[0].hyperparameters.get("n_epochs", "auto")
        # 2. the data: validate (and split) locally, or fetch an uploaded file to estimate it
        train: str | Path = train_text if is_file_id(train_text) else Path(os.path.expanduser(train_text))
        valid: str | Path | None = None
        if mode == "file":
            valid = valid_text if is_file_id(valid_text) else Path(os.path.expanduser(valid_text))
        self.say_estimate("Checking the training data… esc stops, ctrl+l launches without waiting")
        self._stop_check = stop = threading.Event()
        self._launch_unchecked = False
        try:
            if isinstance(train, Path) and share is not None:
                seed = int(values.seed) if values.seed.strip().isdigit() else DEFAULT_SPLIT_SEED
                train, valid = await asyncio.to_thread(split_dataset, train, share, seed,
                                                       data_dir() / "splits")
            report = await self._check(train, model, stop)
            valid_report = await self._check(valid, model, stop) if isinstance(valid, Path) else None
        except CoreError as exc:
            if stop.is_set():
                self._check_stopped(Plan(values, train, valid, None))
                return
            self.say_estimate("")
            self.say_error(f"Could not check the training data: {exc.summary()}")
            return
        except OSError as exc:  # e.g. no space left for the split files
            self.say_estimate("")
            self.say_error(f"Could not prepare the training data: {exc.strerror or exc}")
            return
        finally:
            self._stop_check = None
        if not report.valid:
            self.mark({"training_file": "invalid"})
            self.say_estimate("")
            self.say_error(f"The training data has {validation_summary(report)}. Fix it on Data (1) first.")
            return
        if valid_report is not None and not valid_report.valid:
            self.mark({"validation_file": "invalid"})
            self.say_estimate("")
            hint = " Choose a larger share." if share is not None else ""
            self.say_error(f"The validation data has {validation_summary(valid_report)}.{hint}")
            return
        estimate = estimate_from_report(report, model, n_epochs)
        if self.capabilities.training_cost.unit == "local_time":
            estimate = replace(estimate, cost=0.0)  # nothing is billed: it trains on this machine
        quote = await self._quote(values, train, valid)
        measured = await self._measure(values, estimate, train, valid)
        reused = {path: found for path in (train, valid) if isinstance(path, Path)
                  and (found := await self._known_upload(path)) is not None}
        self.say_estimate(self._estimate_text(estimate, train, valid, quote, measured))
        plan = Plan(values, train, valid, estimate, quote, measured, reused)
        self.last_plan = plan
        if confirm:
            self._confirm(plan)

    async def _check(self, source: str | Path, model: str, stop: threading.Event):
        """The validator's report on `source`; a local file's check shows its progress."""
        from ftui.core.dataset.validate import validate_path

        if not isinstance(source, Path):
            return await validate_source(self.app.provider, source, model)
        bar = self.query_one(TransferProgressBar)
        bar.display = True
        bar.start(f"Checking {source.name}", max(1, source.stat().st_size))

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(bar.update_progress, done, total)

        try:
            return await asyncio.to_thread(validate_path, source, model=model, progress=progress, cancel=stop)
        finally:
            bar.display = False

    def _check_stopped(self, plan: Plan) -> None:
        if not self._launch_unchecked:
            self.say_estimate("Check stopped. F5 checks again; ctrl+l checks and launches.")
            return
        label = getattr(self.provider, "label", "") or "the provider"
        self.say_estimate(f"Not checked, so no estimate: {label} checks the file when the job starts.")
        self.last_plan = plan
        self._confirm(plan)

    def _estimate_text(self, e: Estimate, train, valid, quote: PriceEstimate | None = None,
                       measured: TimeEstimate | str | None = None) -> str:
        return estimate_text(e, self.capabilities, train, valid, quote,
                             simulated=getattr(self.app, "simulated", False), measured=measured)

    async def _measure(self, values: FormValues, e: Estimate, train, valid) -> TimeEstimate | str | None:
        """The local engine's measured time for the trained tokens (dataset tokens x epochs), or a note
        saying why there is none; None when the provider's cost is not time on this machine."""
        provider = self.provider
        estimate_time = getattr(provider, "estimate_time", None)
        if self.capabilities.training_cost.unit != "local_time" or estimate_time is None:
            return None
        spec, _ = self.spec_for(replace(values, training_file="x"))
        if spec is None:
            return None
        # an uploaded file is sampled by the engine; a local one is not there yet, so it uses its own sample
        spec = replace(spec, training_file=train if isinstance(train, str) else "")
        self.say_estimate(self._estimate_text(e, train, valid, measured=MEASURING))
        task = asyncio.ensure_future(estimate_time(spec, e.billable_tokens))
        self._measuring = task
        try:
            await asyncio.wait({task})
        finally:
            self._measuring = None
            task.cancel()  # when this worker itself was cancelled; a finished task ignores it
        if task.cancelled():
            return MEASURE_STOPPED
        try:
            return task.result()
        except CoreError as exc:
            return BUSY if exc.code == "engine_busy" else f"speed not measured: {exc.summary()}"

    async def _quote(self, values: FormValues, train, valid) -> PriceEstimate | None:
        """The provider's own price for this job, when it quotes one and the files are uploaded."""
        provider = self.provider
        if not self.capabilities.training_cost.quoted or not isinstance(provider, PriceQuoter):
            return None
        if isinstance(train, Path) or isinstance(valid, Path):
            return None  # asked after the upload, before the job is sent
        spec, _ = self.spec_for(replace(values, training_file=train, validation_file=valid or ""))
        if spec is None:
            return None
        try:
            return await provider.estimate_price(spec)
        except CoreError as exc:
            return PriceEstimate(available=False, reason=exc.summary())

    def _confirm(self, plan: Plan) -> None:
        e = plan.estimate
        cost = "" if e is None or e.cost is None else f", about ${e.cost:,.2f}"
        if self.capabilities.training_cost.unit == "local_time":
            cost = f", {local_time_text(plan.measured)}"
        if plan.quote is not None and plan.quote.available and plan.quote.total is not None:
            cost = f", {quote_text(plan.quote)}"
        tokens = (f" ({e.examples} examples × {e.epochs} epochs = {e.billable_tokens:,} tokens{cost})"
                  if e else "")
        files = "".join(
            f" {p.name} is already on the account as {plan.reused[p]} (same size and sha256): it is used, "
            "not uploaded again." if p in plan.reused else f" {p.name} will be uploaded first."
            for p in (plan.train, plan.valid) if isinstance(p, Path))
        self._ask_launch(plan, f"Fine-tune {plan.values.model}{tokens}?{files}")

    @work(exclusive=True, group="launch-ask", exit_on_error=False, description="asking before the launch")
    async def _ask_launch(self, plan: Plan, question: str) -> None:
        if await confirm(self, "Launch this job?", question, yes="Launch"):
            self.launch(plan)

    # launching --------------------------------------------------------------------------------
    @staticmethod
    def _upload_key(source: Path) -> tuple[str, int, int]:
        stat = source.stat()
        return str(source.resolve()), stat.st_size, stat.st_mtime_ns

    async def _known_upload(self, source: Path) -> str | None:
        """The id of `source` on the account if this form uploaded it, or the identical file (same size and
        sha256) is there already; None when it must be uploaded."""
        key = self._upload_key(source)
        if key in self._uploaded:
            return self._uploaded[key]
        from ftui.core.uploads_record import reusable_upload

        self.say_estimate(f"Looking for {source.name} on the account (same size and sha256)…")
        reused = await reusable_upload(self.app.provider, source)
        if reused is not None:  # the identical file is already uploaded: launch with it
            self._uploaded[key] = reused
        return reused

    async def _upload(self, source: str | Path) -> str:
        if not isinstance(source, Path):
            return source
        reused = await self._known_upload(source)
        if reused is not None:
            self.say_estimate(f"{source.name} is already on the account as {reused} (same size and sha256): "
                              "reusing it, not uploading again.")
            return reused
        stat = source.stat()
        key = self._upload_key(source)
        bar = self.query_one(TransferProgressBar)
        bar.display = True
        bar.start(f"Uploading {source.name} (esc cancels)", stat.st_size)
        self._cancel_upload = asyncio.Event()
        try:
            made = await self.app.provider.upload_file(source, purpose="fine-tune",
                                                       progress=progress_callback(self.app, bar),
                                                       cancel=self._cancel_upload)
        except CoreError:
            bar.finish("stopped")
            raise
        finally:
            self._cancel_upload = None
        bar.finish(f"done · {made.id}")
        bar.display = False  # said on the estimate line instead; a bar left at 100% would read as busy
        self.say_estimate(f"Uploaded {source.name} as {made.id}.")
        self._uploaded[key] = made.id
        return made.id

    @work(exclusive=True, group="launch-send", exit_on_error=False, description="launching the job")
    async def launch(self, plan: Plan) -> None:
        provider = self.app.provider
        try:
            train_id = await self._upload(plan.train)
            valid_id = await self._upload(plan.valid) if plan.valid is not None else ""
        except (CoreError, OSError) as exc:
            if isinstance(exc, CoreError) and exc.kind == "cancelled":
                self.say_estimate("")
                self.say_error("Upload cancelled; nothing was launched. The form is unchanged.")
                return
            text = exc.summary() if isinstance(exc, CoreError) else str(exc)
            self.say_error(f"Not launched — upload failed: {text}. The form is unchanged; try again.")
            return
        spec, errors = self.spec_for(replace(plan.values, training_file=train_id, validation_file=valid_id))
        if spec is None:
            self.mark(errors)
            self.say_error("Not launched — " + "; ".join(errors.values()))
            return
        quote = plan.quote
        if quote is None and self.capabilities.training_cost.quoted:
            # The files were local, so the provider could not price the job before: ask now.
            quote = await self._quote(plan.values, train_id, valid_id or None)
            if quote is not None:
                self.say_estimate(self._estimate_text(plan.estimate, train_id, valid_id, quote)
                                  if plan.estimate else quote_text(quote))
                if not await confirm(self, "Launch at this price?",
                                     f"Fine-tune {spec.model}: {quote_text(quote)}. The files are uploaded.",
                                     yes="Launch"):
                    self.say_estimate("Not launched. The files are uploaded; ctrl+l launches.")
                    return
        self.say_error("")
        self.say_estimate("Sending the job…")
        try:
            job = await provider.create_job(spec)
        except CoreError as exc:
            self.say_estimate("")
            self.say_error(self.refusal_text(exc, self.capabilities.refused_launch_note))
            return
        self.launched_job = job
        if self.capabilities.extra_body:
            try:  # remembered for the next launch on this profile
                await asyncio.to_thread(save_extra_fields, self.profile, plan.values.extra_fields)
            except CoreError as exc:
                self.notify(f"The extra fields were not remembered: {exc.summary()}", severity="warning")
        if plan.estimate is not None:
            estimate = plan.estimate
            if quote is not None and quote.available and quote.total is not None:
                estimate = replace(estimate, cost=quote.total)  # the provider's own price, not a table's
            try:
                await asyncio.to_thread(save_estimate, job.id, estimate)
            except CoreError as exc:
                self.notify(f"The estimate was not saved: {exc.summary()}", severity="warning")
        self.notify(f"Launched {job.id} ({job.status}).", title="Job launched", timeout=6)
        self.app.pop_screen()
        self.post_message(OpenJob(job.id))

    @staticmethod
    def refusal_text(exc: CoreError, note: str = "") -> str:
        """What went wrong, what the user can still do (the provider's `note` on refusals), and that the
        form is intact."""
        head = f"The job was not created: {exc.summary()}"
        kept = "Everything you typed is kept."
        if exc.status == 403:
            extra = "" if not note or "fine-tuning" in exc.hint else f"\n{note}"
            return f"{head}{extra}\n{kept}"
        if exc.status in (400, 404, 422):
            code = f" (code: {exc.code})" if exc.code else ""
            return f"{head}{code}\nFix the value and press ctrl+l again. {kept}"
        return f"{head}\nNothing was created. {kept} Try again with ctrl+l."
