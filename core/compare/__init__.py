"""Comparing two models on the same prompts: streaming pairs, batches, judgements, sessions.

Pure core: no Textual. The Compare screens call these from workers.
"""
