"""The LoRA training loop (supervised fine-tuning) for one job, run inside the worker process.

Hyperparameters keep OpenAI's meaning: `batch_size` examples per optimizer step, `n_epochs` passes, and
`learning_rate_multiplier` scales BASE_LEARNING_RATE. Each step's examples are packed padding-free into rows
of at most TOKEN_BUDGET tokens (gradients accumulate across rows), and logits are computed only where a
label is, which is most of what makes this faster and leaner than a generic trainer.

The example order of every epoch is a function of (seed, epoch), so a run resumed from its saved state
(adapter, optimizer, RNG, step, metrics) continues exactly where it stopped.

With several processes (ftui.core.local.distributed) every rank knows the whole step and trains its share
of it; gradients and loss sums are summed over ranks and normalised by the step's global labelled-token
count, and LoRA dropout masks follow the example (ftui.core.local.dropout), so the loss curve does not
depend on the number of processes. Only rank 0 emits events and writes checkpoints, resume state and the
adapter. With strategy "fsdp" the frozen base model is sharded across the ranks (ftui.core.local.sharding)
and every rank runs the same number of forwards per step; the adapter and its training stay as above.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ftui.core.local.collate import (
    IGNORE,
    Encoded,
    micro_batches,
    pack,
    prepare_examples,
    read_jsonl,
)
from ftui.core.local.distributed import (
    Ranks,
    broadcast_flag,
    broadcast_parameters,
    sum_gradients,
    sum_values,
)
from ftui.core.local.dropout import PackLayout, example_key, install_example_dropout
from ftui.core.local.models import (
    LocalModel,
    LocalModelError,
    adapter_dir,
    context_length,
    converted_copy,
    load_model,
)
from ftui.core.server.engine import (
    CHECKPOINT_EPOCHS,  # OpenAI keeps checkpoints of the last three epochs
)

if TYPE_CHECKING:  # type hints only: transformers loads lazily
    from transformers import PreTrainedModel

# The learning rate that learning_rate_multiplier=1 means locally. The default multiplier for small batches
# is 2 (core.server.engine), which gives AdamW 4e-4: enough to teach SmolLM2-135M a fixed answer style
# from 20 examples in about 100 steps with LoRA r=8 on all linear layers.
BASE_LEARNING_RATE = 2e-4
TOKEN_BUDGET = 8192  # tokens per packed row; bounds activation memory whatever the batch size
MAX_GRAD_NORM = 1.0
RESUME_EVERY_STEPS = 10
RESUME_EVERY_SECONDS = 30.0
RESUME_DIR = "resume"


@dataclass
class TrainJob:
    """Everything the worker needs, written by the engine as job.json."""

    job_id: str
    model: dict[str, Any]  # LocalModel fields
    training_file: str
    output_dir: str  # <data_dir>/adapters/<job_id>
    n_epochs: int
    batch_size: int
    learning_rate_multiplier: float
    seed: int
    validation_file: str | None = None
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.05
    lora_target_modules: list[str] | str = "all-linear"
    device: str = "cpu"
    threads: int = 0
    cache_dir: str | None = None  # where a GGUF base model's converted copy is kept
    resume_every_steps: int = RESUME_EVERY_STEPS
    resume_every_seconds: float = RESUME_EVERY_SECONDS
    strategy: str = "ddp"  # with several processes: "ddp" (replicas) or "fsdp" (sharded parameters)
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> TrainJob:
        return cls(**json.loads(Path(path).read_text(encoding="utf-8")))

    def save(self, path: Path) -> None:
        Path(path).write_text(json.dumps(asdict(self)), encoding="utf-8")

    def local_model(self) -> LocalModel:
        fields = dict(self.model)
        fields["path"] = Path(fields["path"])
        return LocalModel(**fields)


Emit = Callable[[dict[str, Any]], None]
BetweenSteps = Callable[[int], None]  # called after each step; may block (pause) or save


def epoch_order(seed: int, epoch: int, count: int) -> list[int]:
    order = list(range(count))
    random.Random(seed * 1_000_003 + epoch).shuffle(order)
    return order


def step_examples(examples: list[Encoded], seed: int, step: int, batch_size: int) -> list[Encoded]:
    """The examples of 1-based optimizer step `step` (the last batch of an epoch may be smaller)."""
    per_epoch = math.ceil(len(examples) / batch_size)
    epoch, index = divmod(step - 1, per_epoch)
    order = epoch_order(seed, epoch, len(examples))
    return [examples[i] for i in order[index * batch_size:(index + 1) * batch_size]]


class Trainer:
    def __init__(self, job: TrainJob, emit: Emit, between_steps: BetweenSteps | None = None,
                 ranks: Ranks | None = None) -> None:
        self.job = job
        self.ranks = ranks or Ranks()
        self.emit = emit if self.ranks.is_main else (lambda event: None)
        self.between_steps = between_steps or (lambda step: None)
        self.output = Path(job.output_dir)
        self.rows: list[dict[str, Any]] = []
        self.trained_tokens = 0
        self.step = 0
        self._last_resume_save = time.monotonic()

    # set-up ---------------------------------------------------------------------------------------------
    def _setup(self) -> None:
        import torch
        from peft import LoraConfig, get_peft_model

        job = self.job
        if job.threads > 0:
            torch.set_num_threads(job.threads)
        torch.manual_seed(job.seed)
        model = job.local_model()
        if job.cache_dir:
            model = converted_copy(model, Path(job.cache_dir))
        base, self.tokenizer = load_model(model, device=job.device)
        self.device = job.device
        limit = context_length(base)
        train = prepare_examples(self.tokenizer, read_jsonl(Path(job.training_file)), max_tokens=limit)
        self._report_prepared(train, "training")
        self.examples = train.examples
        self.valid: list[Encoded] = []
        if job.validation_file:
            valid = prepare_examples(self.tokenizer, read_jsonl(Path(job.validation_file)), max_tokens=limit,
                                     what="validation file")
            self._report_prepared(valid, "validation")
            self.valid = valid.examples
        config = LoraConfig(r=job.lora_r, lora_alpha=job.lora_alpha, lora_dropout=job.lora_dropout,
                            target_modules=job.lora_target_modules, task_type="CAUSAL_LM", bias="none")
        try:
            self.model = get_peft_model(base, config)
        except ValueError as exc:  # e.g. target modules the model does not have
            raise LocalModelError(f"Invalid LoRA settings (lora_target_modules?): {exc}") from None
        self.layout = PackLayout()
        install_example_dropout(self.model, self.layout)
        self.model.train()
        # peft types the base as a plain nn.Module; it is the causal LM we loaded
        causal = cast("PreTrainedModel", self.model.get_base_model())
        self.decoder = causal.get_decoder()
        self.head = causal.get_output_embeddings()
        self.sharded = self.ranks.distributed and job.strategy == "fsdp"
        if self.sharded:
            from ftui.core.local.sharding import shard_base_model

            shard_base_model(self.model, self.decoder, self.head)
        trainable = [p for p in self.model.parameters() if p.requires_grad]
        self.trainable = trainable
        self.optimizer = torch.optim.AdamW(trainable, lr=self.learning_rate, weight_decay=0.0)
        self.steps_per_epoch = math.ceil(len(self.examples) / job.batch_size)
        self.total_steps = self.steps_per_epoch * job.n_epochs
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, lambda done: max(0.0, 1.0 - done / self.total_steps))  # linear decay to 0

    @property
    def learning_rate(self) -> float:
        return BASE_LEARNING_RATE * self.job.learning_rate_multiplier

    def _report_prepared(self, prepared, what: str) -> None:
        if prepared.truncated:
            self.emit({"type": "warning", "message": f"{prepared.truncated} {what} example(s) were longer than "
                       "the model's context and were truncated."})
        if prepared.dropped:
            self.emit({"type": "warning", "message": f"{prepared.dropped} {what} example(s) have no assistant "
                       "token to learn (weight 0, or cut by truncation) and were skipped."})

    # one step ------------------------------------------------------------------------------------------
    def _loss_sums(self, examples: list[Encoded], keys: list[int] | None = None):
        """(sum of token losses, correct predictions, labelled tokens) over `examples`, as tensors;
        `keys` name the examples for dropout (training only)."""
        import torch
        import torch.nn.functional as F

        self.layout.spans = list(zip((len(e.input_ids) for e in examples), keys)) if keys else []
        batch = pack(examples, self.device)
        hidden = self.decoder(input_ids=batch.input_ids, position_ids=batch.position_ids,
                              use_cache=False).last_hidden_state
        targets = batch.labels[0, 1:]
        keep = targets != IGNORE
        logits = self.head(hidden[0, :-1][keep]).float()
        wanted = targets[keep]
        loss = F.cross_entropy(logits, wanted, reduction="sum")
        correct = (logits.argmax(-1) == wanted).sum()
        return loss, correct, torch.tensor(int(keep.sum()))

    def _train_step(self, examples: list[Encoded], step: int) -> tuple[float, float]:
        import torch

        # The step's labelled tokens over all ranks: every rank's share is divided by the same count.
        total = sum(e.target_tokens - (e.labels[0] != IGNORE) for e in examples)
        keyed = self.ranks.share([(example_key(self.job.seed, step, i), e) for i, e in enumerate(examples)])
        keys = {id(e): key for key, e in keyed}
        loss_sum = correct = 0.0
        groups = micro_batches([e for _, e in keyed], TOKEN_BUDGET)
        for group in groups:
            loss, right, _ = self._loss_sums(group, [keys[id(e)] for e in group])
            (loss / total).backward()
            loss_sum += loss.item()
            correct += right.item()
        self._idle_passes(examples, len(groups), backward=True)
        sum_gradients(self.trainable, self.ranks)
        loss_sum, correct = sum_values([loss_sum, correct], self.ranks, self.device)
        torch.nn.utils.clip_grad_norm_(self.trainable, MAX_GRAD_NORM)
        self.optimizer.step()
        self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.trained_tokens += sum(len(e.input_ids) for e in examples)
        return loss_sum / total, correct / total

    def _evaluate(self, examples: list[Encoded]) -> tuple[float, float]:
        import torch

        loss_sum = correct = count = 0.0
        self.model.eval()
        with torch.no_grad():
            groups = micro_batches(self.ranks.share(examples), TOKEN_BUDGET)
            for group in groups:
                loss, right, n = self._loss_sums(group)
                loss_sum += loss.item()
                correct += right.item()
                count += n.item()
            self._idle_passes(examples, len(groups), backward=False)
        self.model.train()
        loss_sum, correct, count = sum_values([loss_sum, correct, count], self.ranks, self.device)
        return loss_sum / count, correct / count

    def _idle_passes(self, examples: list[Encoded], done: int, *, backward: bool) -> None:
        """Sharded: as many zero-loss passes as this rank ran fewer forwards than the busiest rank."""
        if not self.sharded:
            return
        from ftui.core.local.sharding import idle_pass, rounds_per_rank

        shares = [examples[rank::self.ranks.world] for rank in range(self.ranks.world)]
        self.layout.spans = []  # no dropout masks for an idle pass
        for _ in range(rounds_per_rank(shares, lambda share: micro_batches(share, TOKEN_BUDGET)) - done):
            idle_pass(self.decoder, self.head, examples[0].input_ids, self.device, backward=backward)

    def _valid_batch(self, step: int) -> list[Encoded]:
        size = min(self.job.batch_size, len(self.valid))
        start = ((step - 1) * size) % len(self.valid)
        return [self.valid[(start + i) % len(self.valid)] for i in range(size)]

    # saving ----------------------------------------------------------------------------------------------
    def _save_adapter(self, folder: Path, *, with_optimizer: bool) -> None:
        if not self.ranks.is_main:
            return
        import torch

        temp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(temp, ignore_errors=True)
        # Sharded: name the adapter's (whole) tensors, so saving never touches the sharded base weights,
        # whose state-dict hooks would start collectives that only this rank runs.
        adapter = {name: p.detach() for name, p in self.model.named_parameters() if p.requires_grad} \
            if self.sharded else None
        self.model.save_pretrained(str(temp), state_dict=adapter)
        if with_optimizer:
            torch.save({"optimizer": self.optimizer.state_dict(), "scheduler": self.scheduler.state_dict()},
                       temp / "optimizer.pt")
        shutil.rmtree(folder, ignore_errors=True)
        temp.rename(folder)  # a half-written folder never carries the final name

    def save_resume_state(self) -> None:
        if not self.ranks.is_main:
            return
        import torch

        folder = self.output / RESUME_DIR
        temp = self.output / (RESUME_DIR + ".tmp")
        self._save_adapter(temp, with_optimizer=True)
        torch.save({"torch_rng": torch.get_rng_state()}, temp / "rng.pt")
        (temp / "state.json").write_text(json.dumps(
            {"step": self.step, "rows": self.rows, "trained_tokens": self.trained_tokens}), encoding="utf-8")
        old = self.output / (RESUME_DIR + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            folder.rename(old)
        temp.rename(folder)
        shutil.rmtree(old, ignore_errors=True)
        self._last_resume_save = time.monotonic()

    def _load_resume_state(self) -> None:
        import torch
        from peft import set_peft_model_state_dict
        from safetensors.torch import load_file

        folder = self.output / RESUME_DIR
        if not (folder / "state.json").exists():
            old = self.output / (RESUME_DIR + ".old")  # killed between the two renames
            if not (old / "state.json").exists():
                return
            folder = old
        state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
        set_peft_model_state_dict(self.model, load_file(folder / "adapter_model.safetensors"))
        saved = torch.load(folder / "optimizer.pt", weights_only=False)
        self.optimizer.load_state_dict(saved["optimizer"])
        self.scheduler.load_state_dict(saved["scheduler"])
        torch.set_rng_state(torch.load(folder / "rng.pt", weights_only=False)["torch_rng"])
        self.step, self.rows, self.trained_tokens = state["step"], state["rows"], state["trained_tokens"]
        self.emit({"type": "message", "message": f"Resuming from step {self.step} of {self.total_steps}"})

    def hold_if_paused(self, step: int, paused: Callable[[], bool], wait: Callable[[], None]) -> None:
        """At a step boundary: rank 0's pause flag reaches every rank; all hold until it clears (rank 0
        re-sends it every `wait`, so no rank sits in one collective long enough to time out)."""
        held = False
        while broadcast_flag(self.ranks.is_main and paused(), self.ranks, self.device):
            if not held:
                held = True
                self.save_resume_state()
                self.emit({"type": "paused", "step": step})
            if self.ranks.is_main:
                wait()
        if held:
            self.emit({"type": "resumed", "step": step})

    def _maybe_save_resume(self, step: int) -> None:
        due = step % max(1, self.job.resume_every_steps) == 0 or \
            time.monotonic() - self._last_resume_save >= self.job.resume_every_seconds
        if due or step % self.steps_per_epoch == 0:
            self.save_resume_state()

    # the loop ----------------------------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        self._setup()
        self._load_resume_state()
        broadcast_parameters(self.trainable, self.ranks)  # every replica starts from rank 0's adapter
        job = self.job
        first_checkpoint_epoch = max(1, job.n_epochs - CHECKPOINT_EPOCHS + 1)
        self.emit({"type": "started", "total_steps": self.total_steps, "start_step": self.step,
                   "examples": len(self.examples), "learning_rate": self.learning_rate,
                   "processes": self.ranks.world, "backend": self.ranks.backend})
        while self.step < self.total_steps:
            step = self.step + 1
            started = time.monotonic()
            examples = step_examples(self.examples, job.seed, step, job.batch_size)
            loss, accuracy = self._train_step(examples, step)
            row: dict[str, Any] = {"step": step, "total_steps": self.total_steps,
                                   "train_loss": round(loss, 5), "train_mean_token_accuracy": round(accuracy, 5)}
            epoch_end = step % self.steps_per_epoch == 0
            if self.valid:
                valid_loss, valid_accuracy = self._evaluate(self._valid_batch(step))
                row.update(valid_loss=round(valid_loss, 5), valid_mean_token_accuracy=round(valid_accuracy, 5))
                if epoch_end:
                    full_loss, full_accuracy = self._evaluate(self.valid)
                    row.update(full_valid_loss=round(full_loss, 5),
                               full_valid_mean_token_accuracy=round(full_accuracy, 5))
            self.step = step
            self.rows.append(row)
            self.emit({"type": "metrics", "row": row, "seconds": time.monotonic() - started,
                       "tokens": sum(len(e.input_ids) for e in examples)})
            if epoch_end and step // self.steps_per_epoch >= first_checkpoint_epoch:
                folder = adapter_dir(self.output.parent.parent, job.job_id, step)
                self._save_adapter(folder, with_optimizer=True)
                self.emit({"type": "checkpoint", "step": step, "path": str(folder),
                           "metrics": {k: v for k, v in row.items() if k != "total_steps"}})
            if step < self.total_steps:
                self._maybe_save_resume(step)
                self.between_steps(step)
        final = self.output / "final"
        self._save_adapter(final, with_optimizer=False)
        self.save_resume_state()  # a restart after this point only re-reports the finished run
        result = {"type": "done", "rows": self.rows, "trained_tokens": self.trained_tokens,
                  "adapter": str(final)}
        self.emit(result)
        return result
