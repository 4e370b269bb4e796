"""Comparing two models on the same prompts. Pure core: no Textual; the Compare screens call
these from workers.

- `pane`: `stream_pane` (one side, timed, failures kept in the result) and `run_pair` (both
  sides at once, one task each) -> `PaneResult`.
- `params`: `Params` (temperature, top_p, n, stop, max_completion_tokens, seed), `parse_params`.
- `prompts`: prompts + expected answers from a chat JSONL file; seeded `sample`.
- `batch`: `run_batch` (bounded concurrency, progress, cancellation), `sweep_checkpoints`.
- `stats`: win rate with a Wilson score interval (ties count half by default, or excluded).
- `diff`: word diff and word similarity (difflib over word tokens).
- `blind`: per-prompt shuffle and mapping a mark back to the model it meant.
- `records` / `store` / `export`: rounds and sessions in SQLite; JSONL and CSV export.
- `models`: the newest succeeded job's pair; every pickable model and checkpoint.
- `correction`: a corrected answer as a training example, appended via the dataset writer.
"""
