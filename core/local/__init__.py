"""The local engine: real LoRA fine-tuning and generation on this machine (torch, transformers, peft).

Heavy libraries are imported lazily inside the modules that use them, never at package import.
"""
