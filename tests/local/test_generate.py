"""LocalChat on the tiny model, without HTTP: greedy and seeded sampling, n, stop strings, token
limits, usage, streaming, cancelling, adapters switched on one base model, and bad requests."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses

import pytest

from ftui.core.local.generate import ChatInputError, ChatParams, LocalChat, Piece, Started
from ftui.core.local.models import discover_models
from ftui.core.local.resolve import AdapterMissing, ModelRef, UnknownModel
from ftui.core.server.store import Store
from tests.local.adapters import make_adapter, register_checkpoint, register_fine_tune

ASK = [{"role": "system", "content": "You answer briefly."},
       {"role": "user", "content": "What is the capital city of france?"}]
SAMPLED = ChatParams(temperature=1.0, seed=11, max_tokens=24)


@pytest.fixture(scope="module")
def tiny(tiny_model_dir):
    return next(m for m in discover_models([tiny_model_dir], hf_cache=False) if m.source == "folder")


@pytest.fixture(scope="module")
def chat(tiny, tmp_path_factory):
    local = LocalChat([tiny], data_dir=tmp_path_factory.mktemp("chat-data"), threads=1)
    yield local
    local.close()


@pytest.fixture(scope="module")
def adapters(tiny_model_dir, tmp_path_factory):
    folder = tmp_path_factory.mktemp("adapters")
    return [make_adapter(tiny_model_dir, folder / f"a{seed}", seed=seed) for seed in (1, 2)]


def base_ref(tiny) -> ModelRef:
    return ModelRef(tiny.id, tiny.id, None)


async def test_greedy_is_deterministic_and_usage_counts_real_tokens(chat, tiny, tiny_model_dir):
    from transformers import AutoTokenizer

    params = ChatParams(temperature=0, max_tokens=12)
    one = await chat.complete(base_ref(tiny), ASK, params)
    two = await chat.complete(base_ref(tiny), ASK, params)
    assert one.texts == two.texts and one.texts[0]
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    prompt = tokenizer.apply_chat_template(ASK, tokenize=False, add_generation_prompt=True)
    assert one.prompt_tokens == len(tokenizer(prompt, add_special_tokens=False)["input_ids"])
    assert one.finish_reasons == ["length"] and one.completion_tokens == 12
    # What was generated really is 12 tokens' worth of text (special tokens aside).
    assert len(tokenizer(one.texts[0], add_special_tokens=False)["input_ids"]) <= 12


async def test_a_seed_reproduces_sampled_answers_and_n_gives_distinct_choices(chat, tiny):
    many = ChatParams(n=3, temperature=1.0, seed=5, max_tokens=10)
    first = await chat.complete(base_ref(tiny), ASK, many)
    again = await chat.complete(base_ref(tiny), ASK, many)
    other = await chat.complete(base_ref(tiny), ASK, ChatParams(n=3, temperature=1.0, seed=6, max_tokens=10))
    assert first.texts == again.texts and len(first.texts) == 3
    assert len(set(first.texts)) > 1 and other.texts != first.texts
    assert first.completion_tokens <= 30 and first.completion_tokens >= len(first.texts)


async def test_top_p_near_zero_is_greedy(chat, tiny):
    greedy = await chat.complete(base_ref(tiny), ASK, ChatParams(temperature=0, max_tokens=8))
    nucleus = await chat.complete(base_ref(tiny), ASK, ChatParams(temperature=1.5, top_p=0.0, seed=3,
                                                                  max_tokens=8))
    assert nucleus.texts == greedy.texts


async def test_a_stop_string_cuts_the_answer_with_finish_reason_stop(chat, tiny):
    full = (await chat.complete(base_ref(tiny), ASK, SAMPLED)).texts[0]
    stop = next(full[i:i + 2] for i in range(3, len(full) - 2) if full.find(full[i:i + 2]) == i
                and "\ufffd" not in full[i:i + 2])
    cut = await chat.complete(base_ref(tiny), ASK, dataclasses.replace(SAMPLED, stops=("zzqq", stop)))
    assert cut.texts[0] == full[:full.index(stop)]
    assert cut.finish_reasons == ["stop"] and cut.completion_tokens < 24


async def test_streamed_pieces_make_the_whole_answer(chat, tiny):
    whole = await chat.complete(base_ref(tiny), ASK, ChatParams(n=2, temperature=1.0, seed=9, max_tokens=16))
    texts, finished = ["", ""], {}
    events = [e async for e in chat.stream(base_ref(tiny), ASK, ChatParams(n=2, temperature=1.0, seed=9,
                                                                           max_tokens=16))]
    assert isinstance(events[0], Started) and events[0].prompt_tokens == whole.prompt_tokens
    for event in events[1:]:
        if isinstance(event, Piece):
            assert event.index not in finished, "text after the choice finished"
            texts[event.index] += event.text
        else:
            finished[event.index] = event.reason
    assert texts == whole.texts and [finished[0], finished[1]] == whole.finish_reasons
    assert sum(isinstance(e, Piece) for e in events) > 4  # pieces as they come, not one lump


async def test_closing_the_stream_stops_generation(chat, tiny):
    stopped = chat.stopped_early
    stream = chat.stream(base_ref(tiny), ASK, ChatParams(temperature=1.0, seed=1, max_tokens=200))
    async with contextlib.aclosing(stream) as events:
        async for event in events:
            if isinstance(event, Piece):
                break
    # The worker stops within a step and gives the base model back, long before 200 tokens.
    quick = await chat.complete(base_ref(tiny), ASK, ChatParams(temperature=0, max_tokens=1))
    assert quick.completion_tokens == 1 and chat.stopped_early == stopped + 1


async def test_adapters_switch_on_one_copy_of_the_base(chat, tiny, adapters):
    greedy = ChatParams(temperature=0, max_tokens=12)
    base = await chat.complete(base_ref(tiny), ASK, greedy)
    first = await chat.complete(ModelRef("ft-1", tiny.id, adapters[0]), ASK, greedy)
    second = await chat.complete(ModelRef("ft-2", tiny.id, adapters[1]), ASK, greedy)
    base_again = await chat.complete(base_ref(tiny), ASK, greedy)
    first_again = await chat.complete(ModelRef("ft-1", tiny.id, adapters[0]), ASK, greedy)
    assert len({base.texts[0], first.texts[0], second.texts[0]}) == 3
    assert base_again.texts == base.texts and first_again.texts == first.texts
    assert chat.base_loads[tiny.id] == 1
    assert chat.adapter_loads[adapters[0]] == 1 and chat.adapter_loads[adapters[1]] == 1


async def test_requests_for_one_base_model_take_turns(chat, tiny, adapters):
    """Two requests at once on the same base (one with an adapter) each get their own answer."""
    greedy = ChatParams(temperature=0, max_tokens=10)
    alone_base = await chat.complete(base_ref(tiny), ASK, greedy)
    alone_tuned = await chat.complete(ModelRef("ft-1", tiny.id, adapters[0]), ASK, greedy)
    both = await asyncio.gather(chat.complete(base_ref(tiny), ASK, greedy),
                                chat.complete(ModelRef("ft-1", tiny.id, adapters[0]), ASK, greedy))
    assert [b.texts for b in both] == [alone_base.texts, alone_tuned.texts]


def test_names_resolve_through_the_store(tiny, tiny_model_dir, tmp_path):
    store = Store(tmp_path)
    chat = LocalChat([tiny], data_dir=tmp_path)
    try:
        name = register_fine_tune(store, base=tiny.id, job_id="ftjob-abcdef123456")
        ckpt = register_checkpoint(store, fine_tune=name, job_id="ftjob-abcdef123456", step=3)
        with pytest.raises(AdapterMissing, match="adapter of .* is missing"):
            chat.resolve(store, name)
        make_adapter(tiny_model_dir, tmp_path / "adapters" / "ftjob-abcdef123456" / "final", seed=1)
        make_adapter(tiny_model_dir, tmp_path / "adapters" / "ftjob-abcdef123456" / "step-3", seed=2)
        assert chat.resolve(store, name).adapter == tmp_path / "adapters" / "ftjob-abcdef123456" / "final"
        assert chat.resolve(store, ckpt).adapter.name == "step-3"
        assert chat.resolve(store, tiny.id).adapter is None
        with pytest.raises(UnknownModel, match="`nope` does not exist"):
            chat.resolve(store, "nope")
    finally:
        chat.close()
        store.close()


async def test_a_prompt_longer_than_the_context_is_refused(chat, tiny):
    long = [{"role": "user", "content": "the cat and the dog " * 200}]
    with pytest.raises(ChatInputError, match="maximum context length is 256 tokens") as caught:
        await chat.complete(base_ref(tiny), long, ChatParams(max_tokens=5))
    assert caught.value.code == "context_length_exceeded"


async def test_a_broken_adapter_says_which_and_where(chat, tiny, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "adapter_config.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(AdapterMissing, match="could not be loaded onto"):
        await chat.complete(ModelRef("ft-broken", tiny.id, broken), ASK, ChatParams(max_tokens=2))
    ok = await chat.complete(base_ref(tiny), ASK, ChatParams(temperature=0, max_tokens=2))
    assert ok.completion_tokens == 2  # the base model still answers
