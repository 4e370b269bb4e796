"""Private temporary files ftui makes from the user's data: a copy of one example for an external
editor, and local copies of files fetched from the account. Made, read back and removed here, so
the screens never touch the file system themselves."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ftui.core.errors import CoreError


class EditorCopy:
    """`text` in a temporary file only this user can read, for an editor to change; `read()`
    returns what was saved; the file goes when the `with` block ends."""

    def __init__(self, text: str, *, suffix: str = ".json") -> None:
        try:
            fd, name = tempfile.mkstemp(prefix="ftui-example-", suffix=suffix)
        except OSError as exc:
            raise _temp_error(exc) from None
        self.path = Path(name)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            self.remove()
            raise _temp_error(exc) from None

    def read(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise CoreError(f"the editor saved text that is not UTF-8 (byte {exc.start})",
                            kind="input", hint="save the file as UTF-8") from None
        except OSError as exc:
            raise CoreError(f"cannot read back {self.path}: {exc.strerror or exc}", kind="io") from None

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> EditorCopy:
        return self

    def __exit__(self, *_exc) -> None:
        self.remove()


def _temp_error(exc: OSError) -> CoreError:
    return CoreError(f"cannot make a temporary file in {tempfile.gettempdir()}: "
                     f"{exc.strerror or exc}", kind="io", hint="free some space there, or set TMPDIR")


def download_path(file_id: str, filename: str) -> Path:
    """Where a local copy of account file `file_id` goes: a fresh private folder of its own."""
    try:
        folder = Path(tempfile.mkdtemp(prefix="ftui-remote-"))
    except OSError as exc:
        raise _temp_error(exc) from None
    name = Path(filename).name or f"{file_id}.jsonl"
    return folder / f"{file_id}-{name}"


def remove_copies(folders: Iterable[Path]) -> None:
    """Delete folders made by `download_path` (and nothing else: others are left alone)."""
    temp_root = Path(tempfile.gettempdir()).resolve()
    for folder in folders:
        folder = Path(folder)
        if folder.name.startswith("ftui-remote-") and folder.resolve().parent == temp_root:
            shutil.rmtree(folder, ignore_errors=True)
