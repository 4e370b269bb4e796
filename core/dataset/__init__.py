"""Training files: reading, validating, counting tokens and cost, and safe writes.

The pieces, each in its own module (import them directly; this package imports nothing heavy):
- reader.DatasetReader(path): random access to line N of a huge file (lazy line index, previews,
  change detection); aopen_reader / abuild_index / aline / aexample for async callers.
- validate.iter_validate(path, model=, format=, against=): events as found (Problem,
  ValidationProgress, ValidationNote when it had to fall back to one process, finally Report, whose
  .notes keep those); validate_path / avalidate_path / aiter_validate; validate_example /
  validate_text for one example; detect_format. batch.check_batch is the unit of work, run in
  worker processes started by pool.start_pool (safe inside a Textual app) for big files.
- checks.CODES: every problem code with its severity and a one-line description.
- tokens.TokenCounter / get_encoding / count_text: offline tiktoken counts (cookbook rules).
- stats.token_stats / default_epochs / estimate_cost; prices.load_prices (dated, user TOML);
  models.token_limit (training context per model).
- writer.edit_line / delete_line / append_example / undo_last (+ async a* wrappers): atomic writes
  with backups in .ftui-backups/, refusing invalid examples and files changed on disk.
- session.DatasetSession(path, model=): all of the above for one open file, as a screen uses it
  (line/example, validate() events, edit/delete/append/undo with the shown version's stamp).
- errors.DatasetError (a CoreError) and its subclasses.
"""
