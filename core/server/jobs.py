"""Runs fine-tuning jobs: validating_files -> queued -> running -> succeeded.

Statuses, events, checkpoints, result files and models are recorded here; the steps
themselves come from a TrainingEngine. A job interrupted by a shutdown keeps its status
and step in the store and continues when a sandbox on the same data dir starts again.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import logging
from dataclasses import asdict
from typing import Any

from ftui.core.dataset.validate import validate_path
from ftui.core.errors import CoreError
from ftui.core.server.catalog import shutdown_date_for
from ftui.core.server.context import ORGANIZATION, PRIVATE, SandboxContext
from ftui.core.server.engine import (
    EngineError,
    JobCancelled,
    TrainingPlan,
    default_batch_size,
    default_epochs,
    default_learning_rate_multiplier,
)
from ftui.core.server.ids import new_id, now
from ftui.core.server.simulated_chat import pairs_from_jsonl

log = logging.getLogger(__name__)

PHASE_SECONDS = 2.0  # simulated time spent validating, then queued
ACTIVE = ("validating_files", "queued", "running", "paused")
RESULT_COLUMNS = ("step", "train_loss", "train_accuracy", "valid_loss", "valid_mean_token_accuracy")


class _Failed(Exception):
    def __init__(self, code: str, message: str, param: str | None) -> None:
        super().__init__(message)
        self.error = {"code": code, "message": message, "param": param}


def model_name(job: dict[str, Any], tag: str = "sandbox") -> str:
    """ft:<base>:<engine tag>:<suffix>:<job id tail>; the tag is "sandbox" or "local"."""
    suffix = job.get("user_provided_suffix") or ""
    return f"ft:{job['model']}:{tag}:{suffix}:{job['id'][-8:]}"


class _Control:
    """The RunControl the engine sees for one job."""

    def __init__(self, runner: JobRunner, job_id: str, start_step: int, paused: bool) -> None:
        self.runner = runner
        self.job_id = job_id
        self.start_step = start_step
        self.resumed = asyncio.Event()
        if not paused:
            self.resumed.set()
        self.cancel_requested = False
        self.task: asyncio.Task | None = None

    @property
    def paused(self) -> bool:
        return not self.resumed.is_set()

    @property
    def cancelled(self) -> bool:
        return self.cancel_requested

    async def wait(self, seconds: float) -> None:
        await asyncio.sleep(seconds / self.runner.ctx.speed)
        await self.resumed.wait()
        if self.cancel_requested:
            raise JobCancelled

    def metrics(self, step: int, data: dict[str, Any], message: str) -> None:
        self.runner.event(self.job_id, message, type="metrics", data=data)

    def message(self, text: str, level: str = "info") -> None:
        self.runner.event(self.job_id, text, level=level)

    def checkpoint(self, step: int, metrics: dict[str, float], adapter: str | None = None) -> None:
        self.runner.add_checkpoint(self.job_id, step, metrics, adapter)

    def record(self, **fields: Any) -> None:
        job = self.runner.job(self.job_id)
        job[PRIVATE].setdefault("results", {}).update(fields)
        self.runner.save(job)

    def progress(self, step: int, seconds_left: float) -> None:
        job = self.runner.job(self.job_id)
        job[PRIVATE]["step"] = step
        if job["status"] == "running":
            job["estimated_finish"] = now() + round(seconds_left / self.runner.ctx.speed)
        self.runner.save(job)


class JobRunner:
    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx
        self.controls: dict[str, _Control] = {}

    # store helpers -----------------------------------------------------------
    def job(self, job_id: str) -> dict[str, Any]:
        job = self.ctx.store.get("jobs", job_id)
        assert job is not None
        return job

    def save(self, job: dict[str, Any]) -> None:
        self.ctx.store.update("jobs", job)

    def event(self, job_id: str, message: str, *, level: str = "info", type: str = "message",
              data: dict[str, Any] | None = None) -> None:
        obj = {"object": "fine_tuning.job.event", "id": new_id("ftevent-"), "created_at": now(),
               "level": level, "message": message, "type": type, "data": data or {}}
        self.ctx.store.put("events", obj, job_id=job_id)

    @property
    def name_tag(self) -> str:
        return getattr(self.ctx.engine, "name_tag", "sandbox")

    def add_checkpoint(self, job_id: str, step: int, metrics: dict[str, float],
                       adapter: str | None = None) -> None:
        job = self.job(job_id)
        name = f"{model_name(job, self.name_tag)}:ckpt-step-{step}"
        if self.ctx.store.find("checkpoints", "model = ?", (name,), limit=1):
            return  # a run resumed after a restart reaches an epoch end it already saved
        obj = {"object": "fine_tuning.job.checkpoint", "id": new_id("ftckpt_"), "created_at": now(),
               "fine_tuned_model_checkpoint": name, "fine_tuning_job_id": job_id,
               "metrics": {k: float(v) for k, v in metrics.items()}, "step_number": step}
        if adapter is not None:
            obj[PRIVATE] = {"adapter": adapter}
        self.ctx.store.put("checkpoints", obj, job_id=job_id, model=name)
        self.event(job_id, f"Checkpoint created at step {step}")

    # lifecycle -----------------------------------------------------------------
    def launch(self, job_id: str) -> None:
        job = self.job(job_id)
        control = _Control(self, job_id, job[PRIVATE].get("step", 0), job["status"] == "paused")
        self.controls[job_id] = control
        control.task = asyncio.get_running_loop().create_task(self._run(control))

    def resume_all(self) -> None:
        """After a restart, continue every job the previous run left unfinished."""
        for job in self.ctx.store.find("jobs", newest_first=False):
            if job["status"] in ACTIVE:
                self.launch(job["id"])

    async def shutdown(self) -> None:
        tasks = [c.task for c in self.controls.values() if c.task and not c.task.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def pause(self, job_id: str) -> None:
        job = self.job(job_id)
        job["status"] = "paused"
        job["estimated_finish"] = None
        self.save(job)
        self.event(job_id, "Fine-tuning job paused")
        if control := self.controls.get(job_id):
            control.resumed.clear()

    def resume(self, job_id: str) -> None:
        job = self.job(job_id)
        job["status"] = "running"
        job["estimated_finish"] = self._estimate(job)
        self.save(job)
        self.event(job_id, "Fine-tuning job resumed")
        if control := self.controls.get(job_id):
            control.resumed.set()

    def cancel(self, job_id: str) -> None:
        job = self.job(job_id)
        job.update(status="cancelled", finished_at=now(), estimated_finish=None)
        self.save(job)
        self.event(job_id, "Fine-tuning job cancelled")
        if control := self.controls.get(job_id):
            control.cancel_requested = True
            control.resumed.set()
            if control.task and not control.task.done():
                control.task.cancel()

    def _estimate(self, job: dict[str, Any]) -> int | None:
        plan = job[PRIVATE].get("plan")
        if plan is None or getattr(self.ctx.engine, "measures_time", False):
            return None  # a real engine sets the estimate from its measured throughput
        plan = TrainingPlan(**plan)
        left = plan.run_seconds * (plan.total_steps - job[PRIVATE].get("step", 0)) / plan.total_steps
        return now() + round(left / self.ctx.speed)

    async def _run(self, control: _Control) -> None:
        job_id = control.job_id
        try:
            await self._phases(control)
        except asyncio.CancelledError:
            if not control.cancel_requested:
                raise  # the server is stopping; the job stays as it is in the store
        except JobCancelled:
            pass
        except _Failed as failure:
            self._fail(job_id, failure.error)
        except EngineError as failure:
            if self.job(job_id)["status"] != "cancelled":
                self._fail(job_id, {"code": failure.code, "message": failure.message, "param": None})
        except Exception as exc:  # a bug must fail the job visibly, never hang it
            log.exception("sandbox job %s crashed", job_id)
            self._fail(job_id, {"code": "server_error", "message": f"Internal error: {exc}",
                                "param": None})
        finally:
            self.controls.pop(job_id, None)

    def _fail(self, job_id: str, error: dict[str, Any]) -> None:
        job = self.job(job_id)
        job.update(status="failed", error=error, finished_at=now(), estimated_finish=None)
        self.save(job)
        self.event(job_id, error["message"], level="error")

    async def _phases(self, control: _Control) -> None:
        job_id = control.job_id
        job = self.job(job_id)
        phase_seconds = getattr(self.ctx.engine, "phase_seconds", PHASE_SECONDS)
        if job["status"] == "validating_files":
            await control.wait(phase_seconds)
            plan = await self._validate(job)
            job = self.job(job_id)
            job[PRIVATE]["plan"] = asdict(plan)
            self._set_hyperparameters(job, plan)
            job["status"] = "queued"
            self.save(job)
            self.event(job_id, "Files validated, moving job to queued state")
        slot = getattr(self.ctx.engine, "slot", None)
        async with (slot() if slot is not None else contextlib.nullcontext()):  # queued jobs wait here, in order
            if job["status"] == "queued":
                await control.wait(phase_seconds)
                job = self.job(job_id)
                job["status"] = "running"
                job["estimated_finish"] = self._estimate(job)
                self.save(job)
                self.event(job_id, "Fine-tuning job started")
            job = self.job(job_id)
            plan = TrainingPlan(**job[PRIVATE]["plan"])
            rows = await self.ctx.engine.train(plan, control)
        self._succeed(job_id, plan, rows)

    async def _validate(self, job: dict[str, Any]) -> TrainingPlan:
        self.event(job["id"], f"Validating training file: {job['training_file']}")
        training = await self._check_file(job, "training_file")
        if job.get("validation_file"):
            self.event(job["id"], f"Validating validation file: {job['validation_file']}")
            await self._check_file(job, "validation_file")
        pairs = await asyncio.to_thread(pairs_from_jsonl, self.ctx.file_blob(job["training_file"]))
        self.ctx.write_json_blob("models", f"{job['id']}.json",
                                 [{"prompt": p.prompt, "reply": p.reply} for p in pairs])
        hp = job[PRIVATE]["requested"]
        examples = training.examples
        batch = hp.get("batch_size", "auto")
        batch = default_batch_size(examples) if batch == "auto" else int(batch)
        epochs = hp.get("n_epochs", "auto")
        lrm = hp.get("learning_rate_multiplier", "auto")
        beta = hp.get("beta", "auto")
        extra = {name: value for name, value in hp.items() if name in self._extra_names()}
        validation = job.get("validation_file")
        return TrainingPlan(
            job_id=job["id"], base_model=job["model"], method=job["method"]["type"],
            seed=job["seed"], examples=examples, tokens_per_epoch=training.total_tokens,
            n_epochs=default_epochs(examples) if epochs == "auto" else int(epochs),
            batch_size=batch,
            learning_rate_multiplier=default_learning_rate_multiplier(batch) if lrm == "auto" else float(lrm),
            has_validation=bool(job.get("validation_file")),
            beta=(0.1 if beta == "auto" else float(beta)) if job["method"]["type"] == "dpo" else None,
            training_path=str(self.ctx.file_blob(job["training_file"])),
            validation_path=str(self.ctx.file_blob(validation)) if validation else None,
            extra=extra or None)

    def _extra_names(self) -> tuple[str, ...]:
        return tuple(getattr(self.ctx.engine, "extra_hyperparameters", {}))

    async def _check_file(self, job: dict[str, Any], param: str):
        file_id = job[param]
        path = self.ctx.file_blob(file_id)
        if not path.exists():
            raise _Failed("invalid_file", f"File {file_id} no longer exists.", param)
        expected = "preference" if job["method"]["type"] == "dpo" else "chat"
        try:
            report = await asyncio.to_thread(validate_path, path, model=job["model"], format=expected)
        except CoreError as exc:
            raise _Failed(f"invalid_{param}", f"The {param.replace('_', ' ')} could not be read: "
                                              f"{exc.message}", param) from None
        if report.errors:
            problem = report.errors[0]
            where = f"line {problem.line}: " if problem.line else ""
            more = f" ({len(report.errors) - 1} more problems)" if len(report.errors) > 1 else ""
            code = "invalid_training_file" if param == "training_file" else "invalid_validation_file"
            raise _Failed(code, f"The job failed due to an invalid {param.replace('_', ' ')}. "
                                f"{where}{problem.message}{more}", param)
        return report

    def _set_hyperparameters(self, job: dict[str, Any], plan: TrainingPlan) -> None:
        resolved: dict[str, Any] = {"batch_size": plan.batch_size,
                                    "learning_rate_multiplier": plan.learning_rate_multiplier,
                                    "n_epochs": plan.n_epochs}
        job["hyperparameters"] = dict(resolved)
        if plan.beta is not None:
            resolved["beta"] = plan.beta
        resolved.update(plan.extra or {})
        job["method"][job["method"]["type"]] = {"hyperparameters": resolved}

    def _succeed(self, job_id: str, plan: TrainingPlan, rows: list[dict[str, Any]]) -> None:
        job = self.job(job_id)
        if job["status"] == "cancelled":
            return
        result = self._result_file(rows)
        name = model_name(job, self.name_tag)
        results = job[PRIVATE].get("results", {})
        model: dict[str, Any] = {"id": name, "object": "model", "created": now(), "owned_by": ORGANIZATION}
        if shutdown := shutdown_date_for(job["model"]):
            model["shutdown_date"] = shutdown
        model[PRIVATE] = {"job_id": job_id, "base": job["model"]}
        if results.get("adapter"):
            model[PRIVATE]["adapter"] = results["adapter"]
        if self.ctx.store.get("models", name) is None:
            self.ctx.store.put("models", model, job_id=job_id)
        job.update(status="succeeded", fine_tuned_model=name, finished_at=now(),
                   estimated_finish=None, result_files=[result["id"]],
                   trained_tokens=results.get("trained_tokens", plan.tokens_per_epoch * plan.n_epochs))
        self.save(job)
        self.event(job_id, f"New fine-tuned model created: {name}")
        self.event(job_id, "The job has successfully completed")

    def _result_file(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(RESULT_COLUMNS)
        for row in rows:
            writer.writerow([row["step"], row["train_loss"], row["train_mean_token_accuracy"],
                             row.get("valid_loss", ""), row.get("valid_mean_token_accuracy", "")])
        blob = self.ctx.temp_blob("result-")
        data = text.getvalue().encode()
        blob.write_bytes(data)
        return self.ctx.add_file(filename="step_metrics.csv", purpose="fine-tune-results",
                                 blob=blob, size=len(data))
