"""Real chat generation for the local engine: base models, fine-tunes and checkpoints.

One copy of each base model is kept in memory, loaded on first use; a fine-tune's PEFT adapter is
loaded onto it once and switched on per request (the base answers with adapters disabled).
Generation runs in worker threads, one request at a time per base model, and hands its pieces to
the caller's event loop through a queue, so the server's loop never waits on the model.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import Counter
from collections.abc import AsyncGenerator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ftui.core.local.decode import ChatParams, Event, Finished, Piece, Started, run_decode
from ftui.core.local.resolve import AdapterMissing, ModelRef, resolve_model
from ftui.core.server.simulated_chat import content_text

if TYPE_CHECKING:
    from ftui.core.local.models import LocalModel
    from ftui.core.server.store import Store

__all__ = ["AdapterMissing", "ChatAnswer", "ChatInputError", "ChatParams", "Finished", "LocalChat",
           "ModelRef", "Piece", "Started"]

# With no token limit asked for, an answer stops here (or at the context's end) so a base model
# that never ends its turn cannot keep a CPU busy for minutes.
DEFAULT_MAX_TOKENS = 1024


class ChatInputError(ValueError):
    """The request cannot be answered by this model as asked (too long, template refused it)."""

    def __init__(self, message: str, param: str = "messages",
                 code: str = "invalid_value") -> None:
        super().__init__(message)
        self.message, self.param, self.code = message, param, code


@dataclass
class ChatAnswer:
    texts: list[str]
    finish_reasons: list[str]
    prompt_tokens: int
    completion_tokens: int


@dataclass
class _Loaded:
    """A base model in memory, with the adapters already loaded onto it."""
    model: Any
    tokenizer: Any
    end_ids: frozenset[int]
    context: int
    adapters: dict[Path, str] = field(default_factory=dict)  # folder -> PEFT adapter name
    wrapped: bool = False  # model is a PeftModel around the base


class _End:
    """Marks the end of a worker's events."""


@dataclass(frozen=True)
class _Failed:
    error: BaseException


def _end_ids(model: Any, tokenizer: Any) -> frozenset[int]:
    """The tokens that end a turn; load_model has made sure the end-of-turn token is among them."""
    ids: set[int] = set()
    for value in (tokenizer.eos_token_id, getattr(model.generation_config, "eos_token_id", None)):
        if isinstance(value, int):
            ids.add(value)
        elif isinstance(value, (list, tuple)):
            ids.update(v for v in value if isinstance(v, int))
    return frozenset(ids)


def template_messages(messages: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """Messages as chat templates take them: a role and plain text."""
    return [{"role": "system" if m.get("role") == "developer" else str(m.get("role")),
             "content": content_text(m.get("content"))} for m in messages]


class LocalChat:
    def __init__(self, models: Sequence[LocalModel], *, data_dir: Path, device: str = "cpu",
                 threads: int = 0) -> None:
        self._models = {m.id: m for m in models}
        self.data_dir = Path(data_dir)
        self.device = device
        self.threads = threads
        self._loaded: dict[str, _Loaded] = {}
        self._locks = {model_id: threading.Lock() for model_id in self._models}
        # Threads mostly wait on a base model's lock; enough of them that one busy base model
        # does not keep requests for another waiting.
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="ftui-chat")
        self.base_loads: Counter[str] = Counter()      # loads per base model id (tests, bench)
        self.adapter_loads: Counter[Path] = Counter()  # loads per adapter folder
        self.stopped_early = 0  # generations cut short because their caller went away
        self._closed = threading.Event()

    def base_models(self) -> list[LocalModel]:
        return list(self._models.values())

    def resolve(self, store: Store, model_id: str) -> ModelRef:
        """UnknownModel or AdapterMissing (ftui.core.local.resolve) when it cannot be served."""
        return resolve_model(store, model_id, self._models)

    def close(self) -> None:
        """Stop running generations within a step and free the models."""
        self._closed.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._loaded.clear()

    # the caller's side: events through a queue -------------------------------------------
    async def stream(self, ref: ModelRef, messages: Sequence[dict[str, Any]],
                     params: ChatParams) -> AsyncGenerator[Event, None]:
        """Started (once the prompt is ready; errors come before it), then Pieces and one
        Finished per choice. Closing the iterator early stops the generation."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        stop = threading.Event()

        def emit(item: Any) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # the loop is closed: nobody is listening
                stop.set()

        def work() -> None:
            try:
                self._generate(ref, messages, params, emit,
                               lambda: stop.is_set() or self._closed.is_set())
            except BaseException as exc:  # handed to the caller, raised there
                emit(_Failed(exc))
            finally:
                emit(_End)

        def never_ran(future: asyncio.Future) -> None:
            if future.cancelled():  # close() dropped it from the pool's queue
                queue.put_nowait(_Failed(RuntimeError("the local chat engine is shutting down")))

        loop.run_in_executor(self._pool, work).add_done_callback(never_ran)
        try:
            while (item := await queue.get()) is not _End:
                if isinstance(item, _Failed):
                    raise item.error
                yield item
        finally:
            stop.set()

    async def complete(self, ref: ModelRef, messages: Sequence[dict[str, Any]],
                       params: ChatParams) -> ChatAnswer:
        texts = [""] * params.n
        reasons = ["stop"] * params.n
        prompt = completion = 0
        async with contextlib.aclosing(self.stream(ref, messages, params)) as events:
            async for event in events:
                if isinstance(event, Started):
                    prompt = event.prompt_tokens
                elif isinstance(event, Piece):
                    texts[event.index] += event.text
                else:
                    reasons[event.index] = event.reason
                    completion += event.completion_tokens
        return ChatAnswer(texts, reasons, prompt, completion)

    # the worker's side ---------------------------------------------------------------------
    def _generate(self, ref: ModelRef, messages: Sequence[dict[str, Any]], params: ChatParams,
                  emit: Callable[[Any], None], cancelled: Callable[[], bool]) -> None:
        with self._locks[ref.base]:
            if cancelled():
                self.stopped_early += 1
                return
            loaded = self._load(ref.base)
            with self._adapter(loaded, ref):
                prompt_ids = self._prompt_ids(loaded, messages)
                room = loaded.context - len(prompt_ids)
                if room < 1:
                    raise ChatInputError(
                        f"This model's maximum context length is {loaded.context} tokens, but your "
                        f"messages came to {len(prompt_ids)} tokens. Shorten the messages.",
                        code="context_length_exceeded")
                emit(Started(len(prompt_ids)))
                done = run_decode(loaded.model, loaded.tokenizer, prompt_ids, params,
                                  max_new=min(params.max_tokens or DEFAULT_MAX_TOKENS, room),
                                  end_ids=loaded.end_ids, emit=emit, cancelled=cancelled)
                if not done:
                    self.stopped_early += 1

    def _load(self, base: str) -> _Loaded:
        if base in self._loaded:
            return self._loaded[base]
        import torch

        from ftui.core.local.models import context_length, conversion_cache, converted_copy, load_model

        if self.threads:
            torch.set_num_threads(self.threads)
        # a GGUF model loads from the copy training converted once (seconds), not from the GGUF again
        source = converted_copy(self._models[base], conversion_cache(self.data_dir))
        model, tokenizer = load_model(source, device=self.device)
        self.base_loads[base] += 1
        self._loaded[base] = _Loaded(model, tokenizer, _end_ids(model, tokenizer), context_length(model))
        return self._loaded[base]

    def _adapter(self, loaded: _Loaded, ref: ModelRef) -> contextlib.AbstractContextManager:
        """Make the model answer as `ref`: its adapter on, or, for the base, all adapters off."""
        if ref.adapter is None:
            return loaded.model.disable_adapter() if loaded.wrapped else contextlib.nullcontext()
        name = loaded.adapters.get(ref.adapter)
        if name is None:
            name = f"adapter_{len(loaded.adapters)}"  # PEFT names must be plain identifiers
            try:
                if loaded.wrapped:
                    loaded.model.load_adapter(str(ref.adapter), adapter_name=name, is_trainable=False)
                else:
                    from peft import PeftModel

                    loaded.model = PeftModel.from_pretrained(loaded.model, str(ref.adapter),
                                                             adapter_name=name, is_trainable=False)
                    loaded.wrapped = True
            except Exception as exc:  # a damaged folder or one trained on another base model
                raise AdapterMissing(f"The adapter of `{ref.model_id}` at {ref.adapter} could not be "
                                     f"loaded onto {ref.base}: {exc}") from None
            loaded.adapters[ref.adapter] = name
            self.adapter_loads[ref.adapter] += 1
        loaded.model.set_adapter(name)
        return contextlib.nullcontext()

    def _prompt_ids(self, loaded: _Loaded, messages: Sequence[dict[str, Any]]) -> list[int]:
        tokenizer = loaded.tokenizer
        try:
            text = tokenizer.apply_chat_template(template_messages(messages), tokenize=False,
                                                 add_generation_prompt=True)
        except Exception as exc:  # the template's own check (e.g. roles must alternate)
            raise ChatInputError(f"The model's chat template does not accept these messages: {exc}"
                                 ) from None
        # verbose=False: a prompt over the context is refused by the caller, with a clearer message
        return list(tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])
