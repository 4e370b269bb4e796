"""A tiny causal LM the local-engine tests build themselves: a 2-layer Llama with a small byte-level BPE
tokenizer and a ChatML template (<|im_start|>/<|im_end|>), saved as a Hugging Face folder.

Deterministic (fixed seed, fixed corpus) and built in well under a second, so training, masking, checkpoints,
chat and export are tested in seconds without any download.
"""

from __future__ import annotations

from pathlib import Path

IM_START = "<|im_start|>"
IM_END = "<|im_end|>"
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
CONTEXT_LENGTH = 256

_WORDS = (
    "the a an and or but if then else when where what who why how is are was were be been being have has "
    "had do does did will would can could should may might must shall of in on at to for with from by "
    "about into over under after before between through during without within along across behind beyond "
    "near far up down out off again once here there all any both each few more most other some such no "
    "nor not only own same so than too very just now yes hello hi thanks please sorry answer question "
    "model train data file job step loss token chat user assistant system paris france capital city river "
    "ocean mountain sun moon star planet earth water fire air stone tree leaf flower bird fish cat dog "
    "horse cow sheep bread milk tea coffee apple orange banana red green blue yellow black white one two "
    "three four five six seven eight nine ten big small old new good bad happy sad fast slow hot cold "
    "early late day night week month year time people man woman child friend family home school book word "
    "name number world country language music"
).split()


def _corpus() -> list[str]:
    lines = [" ".join(_WORDS[i : i + 12]) for i in range(0, len(_WORDS), 12)]
    lines += [word.capitalize() + "." for word in _WORDS] + ["Arr, matey! Yes, sure. 0 1 2 3 4 5 6 7 8 9 ?!"]
    return lines


def _build_tokenizer():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    backend = Tokenizer(models.BPE())
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=600,
        special_tokens=["<|endoftext|>", IM_START, IM_END],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    backend.train_from_iterator(_corpus(), trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=backend,
        bos_token=None,
        eos_token=IM_END,
        pad_token="<|endoftext|>",
        unk_token=None,
        chat_template=CHATML_TEMPLATE,
        model_max_length=CONTEXT_LENGTH,
    )


def build_tiny_model(folder: Path) -> Path:
    """Write the tiny model (config, safetensors weights, tokenizer, generation config) to `folder`."""
    import torch
    from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = _build_tokenizer()
    im_end = tokenizer.convert_tokens_to_ids(IM_END)
    pad = tokenizer.convert_tokens_to_ids("<|endoftext|>")
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=CONTEXT_LENGTH,
        bos_token_id=None,
        eos_token_id=im_end,
        pad_token_id=pad,
        tie_word_embeddings=True,
    )
    torch.manual_seed(0)
    model = LlamaForCausalLM(config)
    model.generation_config = GenerationConfig(eos_token_id=im_end, pad_token_id=pad)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
