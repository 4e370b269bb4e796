"""Private temporary files ftui makes from the user's data: a copy of one example for an external
editor, and local copies of files fetched from the account. Made, read back and removed here, so
the screens never touch the file system themselves."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
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


OWNER = ".ftui-owner"  # in each copy's folder: the pid of the ftui that made it
STALE_UNMARKED_S = 24 * 3600  # a folder without a marker (older ftui) is stale after a day


def download_path(file_id: str, filename: str) -> Path:
    """Where a local copy of account file `file_id` goes: a fresh private folder of its own,
    marked with our pid so a later ftui can clean it up if we are killed before removing it."""
    try:
        folder = Path(tempfile.mkdtemp(prefix="ftui-remote-"))
        (folder / OWNER).write_text(str(os.getpid()), encoding="ascii")
    except OSError as exc:
        raise _temp_error(exc) from None
    name = Path(filename).name or f"{file_id}.jsonl"
    return folder / f"{file_id}-{name}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    except OSError:
        return False
    return True


def clean_stale_copies() -> int:
    """Remove copies left by an ftui that is gone (the terminal closed instead of quitting);
    returns how many folders went. Copies of a running ftui are left alone."""
    removed = 0
    root = Path(tempfile.gettempdir())
    try:
        folders = [p for p in root.iterdir() if p.name.startswith("ftui-remote-") and p.is_dir()]
    except OSError:
        return 0
    for folder in folders:
        try:
            pid = int((folder / OWNER).read_text(encoding="ascii").strip())
            stale = pid != os.getpid() and not _alive(pid)
        except (OSError, ValueError):
            try:
                stale = time.time() - folder.stat().st_mtime > STALE_UNMARKED_S
            except OSError:
                continue
        if stale:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def remove_copies(folders: Iterable[Path]) -> None:
    """Delete folders made by `download_path` (and nothing else: others are left alone)."""
    temp_root = Path(tempfile.gettempdir()).resolve()
    for folder in folders:
        folder = Path(folder)
        if folder.name.startswith("ftui-remote-") and folder.resolve().parent == temp_root:
            shutil.rmtree(folder, ignore_errors=True)
