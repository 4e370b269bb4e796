"""Safe edits of a training file: replace, delete or append one example, atomically, with undo.

Every write builds the new file as a temp file in the same folder (write, flush, fsync), hard-links
the current file into `.ftui-backups/` (copy if links are not possible), renames the temp file over
the original and fsyncs the folder. A crash at any point leaves the old file or the new one, never
a mix. `undo_last()` puts the newest backup back the same way. Pass `expected` (the FileStamp you
opened, or a sha256 hex string) to refuse writing over a file that changed on disk meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import os
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ftui.core.dataset.errors import FileChangedError, NotAFileError, WriteRefusedError
from ftui.core.dataset.reader import DatasetReader, FileStamp, open_dataset, stamp_path

BACKUP_DIR = ".ftui-backups"
MAX_BACKUPS = 10
COPY_BUFFER = 1 << 20


@dataclass(frozen=True)
class WriteResult:
    path: str
    stamp: FileStamp  # of the new file: pass it as `expected` to the next write
    backup: str | None  # where the previous version is kept
    line: int  # the line written / deleted / restored-to (0 for undo)


# The versions ftui itself wrote, by resolved path: a view of the file (the Data screen, after an
# append from Compare) reopens on them quietly instead of saying the file was replaced.
_own_writes: dict[str, FileStamp] = {}


def _remember_own_write(target: Path, stamp: FileStamp) -> None:
    _own_writes[str(target.resolve())] = stamp


def written_by_ftui(path: Path | str) -> bool:
    """True when the file on disk now is the version ftui's own last write left there."""
    key = str(Path(path).resolve())
    try:
        return key in _own_writes and stamp_path(path) == _own_writes[key]
    except OSError:
        return False


def _test_hook(stage: str) -> None:
    # Lets the crash test kill us at an exact stage; the variable is never set in normal use.
    if os.environ.get("FTUI_TEST_KILL_AT") == stage:
        os.kill(os.getpid(), signal.SIGKILL)


def file_sha256(path: Path | str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(COPY_BUFFER):
            h.update(chunk)
    return h.hexdigest()


def check_expected(path: str, expected: FileStamp | str | None) -> None:
    """Raise FileChangedError if the file is not the version the caller last saw."""
    if expected is None:
        return
    try:
        now = stamp_path(path)
    except FileNotFoundError as exc:
        raise FileChangedError(f"{path} was deleted or renamed since it was opened; nothing was written",
                               path=path) from exc
    if isinstance(expected, FileStamp):
        if now != expected:
            raise FileChangedError(f"{path} changed on disk since it was opened ({expected.describe_change(now)}); "
                                   "nothing was written", hint="reopen it and redo the change", path=path)
    elif file_sha256(path) != expected.lower():
        raise FileChangedError(f"{path} changed on disk since it was opened (its content differs); nothing "
                               "was written", hint="reopen it and redo the change", path=path)


def backup_dir(path: Path | str) -> Path:
    return Path(path).resolve().parent / BACKUP_DIR


def list_backups(path: Path | str) -> list[Path]:
    """Backups of `path`, oldest first."""
    d = backup_dir(path)
    name = Path(path).name
    if not d.is_dir():
        return []
    return sorted(p for p in d.iterdir() if p.name.startswith(name + ".") and p.name.endswith(".bak")
                  and p.name[len(name) + 1:-4].isdigit())


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # Windows cannot open folders; its rename is durable enough
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _temp_path(target: Path) -> Path:
    return target.parent / f".{target.name}.ftui-tmp-{os.getpid()}-{time.time_ns()}"


def cleanup_temp(path: Path | str) -> int:
    """Delete temp files a killed write left next to `path`; returns how many."""
    target = Path(path)
    n = 0
    for p in target.parent.glob(f".{target.name}.ftui-tmp-*"):
        try:
            p.unlink()
            n += 1
        except OSError:
            pass
    return n


def _make_backup(target: Path, max_backups: int) -> Path:
    d = backup_dir(target)
    d.mkdir(exist_ok=True)
    dest = d / f"{target.name}.{time.time_ns():020d}.bak"
    try:
        os.link(target, dest)  # the old version's inode lives on as the backup: no copy needed
    except OSError:
        tmp = d / f".{dest.name}.tmp"
        shutil.copyfile(target, tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    _fsync_dir(d)
    for old in list_backups(target)[:-max_backups]:
        try:
            old.unlink()
        except OSError:
            pass
    return dest


def _replace_atomically(target: Path, write_body, *, expected, backup: bool,
                        max_backups: int) -> tuple[FileStamp, Path | None]:
    """Write a temp file with write_body(fh), back the target up, rename the temp over it."""
    tmp = _temp_path(target)
    try:
        mode = os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o644
    try:
        with open(tmp, "xb") as fh:
            write_body(fh)
            _test_hook("written")
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        _test_hook("synced")
        check_expected(str(target), expected)  # last look before we commit to it
        made = _make_backup(target, max_backups) if backup and target.exists() else None
        _test_hook("backed-up")
        os.replace(tmp, target)
        _test_hook("renamed")
        _fsync_dir(target.parent)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
    stamp = stamp_path(target)
    _remember_own_write(target, stamp)
    return stamp, made


def write_new_file(path: Path | str, lines: list[bytes], *, backup: bool = True) -> Path:
    """Write `lines` as the whole of `path` atomically (a file ftui makes, e.g. a split or its own
    state); a version already there is backed up first, so nothing is lost."""
    target = Path(path)

    def body(fh) -> None:
        for line in lines:
            fh.write(line if line.endswith(b"\n") else line + b"\n")

    _replace_atomically(target, body, expected=None, backup=backup, max_backups=MAX_BACKUPS)
    return target


def _copy_range(src, dst, start: int, end: int) -> None:
    src.seek(start)
    left = end - start
    while left > 0:
        chunk = src.read(min(COPY_BUFFER, left))
        if not chunk:
            break
        dst.write(chunk)
        left -= len(chunk)


def _line_bytes(example: Any) -> bytes:
    """One JSONL line (no newline) from a parsed example or a JSON string."""
    if isinstance(example, (bytes, bytearray)):
        example = bytes(example).decode("utf-8")
    if isinstance(example, str):
        text = example.strip()
        if "\n" in text or "\r" in text:  # pretty-printed JSON: re-serialize it onto one line
            text = json.dumps(json.loads(text), ensure_ascii=False)
        return text.encode("utf-8")
    return json.dumps(example, ensure_ascii=False).encode("utf-8")


def _check_example(example: Any, fmt: str | None, line: int, path: Path | None = None) -> None:
    from ftui.core.dataset.checks import CHAT, line_format
    from ftui.core.dataset.validate import detect_format, validate_text

    text = _line_bytes(example).decode("utf-8") if not isinstance(example, str) else example
    if fmt is None and path is not None and path.exists() and path.stat().st_size:
        fmt = detect_format(path)  # the example must fit the file it goes into
    if fmt is None:
        try:
            own = line_format(json.loads(text))
            fmt = own if own in ("chat", "preference", "reinforcement") else CHAT
        except ValueError:
            fmt = CHAT
    errors = [p for p in validate_text(text, format=fmt, line=line) if p.severity == "error"]
    if errors:
        raise WriteRefusedError(f"the example has {len(errors)} problem(s): {errors[0].message}",
                                hint="fix the example; the file was not changed", problems=errors)


@contextlib.contextmanager
def file_lock(path: Path | str):
    """Hold an exclusive lock for writing `path` (other ftui threads and processes wait), so two
    read-modify-write cycles cannot interleave and lose one change. No-op where flock is missing."""
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    try:
        d = backup_dir(path)
        d.mkdir(exist_ok=True)
        fd = os.open(d / f"{Path(path).name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield  # e.g. a read-only folder: the write itself will say what is wrong
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _exclusive(fn):
    @functools.wraps(fn)
    def locked(path, *args, **kwargs):
        with file_lock(path):
            cleanup_temp(path)  # left by a write that was killed; no other writer holds the lock now
            return fn(path, *args, **kwargs)
    return locked


def _target(path: Path | str) -> Path:
    target = Path(path)
    if target.is_dir():
        raise NotAFileError(f"{target} is a folder, not a file", path=str(target))
    return target


@_exclusive
def edit_line(path: Path | str, line: int, example: Any, *, expected: FileStamp | str | None = None,
              format: str | None = None, validate: bool = True, max_backups: int = MAX_BACKUPS) -> WriteResult:
    """Replace line `line` (1-based) with `example` (a dict or one line of JSON), keeping its line ending."""
    target = _target(path)
    if validate:
        _check_example(example, format, line, target)
    new = _line_bytes(example)
    check_expected(str(target), expected)
    with DatasetReader(target) as reader:
        try:
            start, end = reader.line_span(line)
        except IndexError as exc:
            raise WriteRefusedError(str(exc), path=str(target)) from exc
        tail = reader._pread(min(2, end - start), end - min(2, end - start))
        ending = b"\r\n" if tail.endswith(b"\r\n") else b"\n" if tail.endswith(b"\n") else b""
        size = reader.size

        def body(fh) -> None:
            with open(target, "rb") as src:
                _copy_range(src, fh, 0, start)
                fh.write(new + ending)
                _copy_range(src, fh, end, size)

        stamp, backup = _replace_atomically(target, body, expected=expected or reader.stamp, backup=True,
                                            max_backups=max_backups)
    return WriteResult(str(target), stamp, str(backup) if backup else None, line)


@_exclusive
def delete_line(path: Path | str, line: int, *, expected: FileStamp | str | None = None,
                max_backups: int = MAX_BACKUPS) -> WriteResult:
    """Remove line `line` (1-based)."""
    target = _target(path)
    check_expected(str(target), expected)
    with DatasetReader(target) as reader:
        try:
            start, end = reader.line_span(line)
        except IndexError as exc:
            raise WriteRefusedError(str(exc), path=str(target)) from exc
        size = reader.size

        def body(fh) -> None:
            with open(target, "rb") as src:
                _copy_range(src, fh, 0, start)
                _copy_range(src, fh, end, size)

        stamp, backup = _replace_atomically(target, body, expected=expected or reader.stamp, backup=True,
                                            max_backups=max_backups)
    return WriteResult(str(target), stamp, str(backup) if backup else None, line)


@_exclusive
def append_example(path: Path | str, example: Any, *, expected: FileStamp | str | None = None,
                   format: str | None = None, validate: bool = True, create: bool = True,
                   max_backups: int = MAX_BACKUPS) -> WriteResult:
    """Add `example` as the last line (validated first: an invalid one raises WriteRefusedError)."""
    target = _target(path)
    if not target.exists():
        if not create:
            raise NotAFileError(f"{target} does not exist", path=str(target))
        if validate:
            _check_example(example, format, 1)
        new = _line_bytes(example)
        stamp, _ = _replace_atomically(target, lambda fh: fh.write(new + b"\n"), expected=None, backup=False,
                                       max_backups=max_backups)
        return WriteResult(str(target), stamp, None, 1)
    check_expected(str(target), expected)
    with DatasetReader(target) as reader:
        count = reader.line_count
        if validate:
            _check_example(example, format, count + 1, target)
        new = _line_bytes(example)
        size = reader.size
        last = reader._pread(1, size - 1) if size else b"\n"

        def body(fh) -> None:
            with open(target, "rb") as src:
                _copy_range(src, fh, 0, size)
            fh.write((b"" if last == b"\n" else b"\n") + new + b"\n")

        stamp, backup = _replace_atomically(target, body, expected=expected or reader.stamp, backup=True,
                                            max_backups=max_backups)
    return WriteResult(str(target), stamp, str(backup) if backup else None, count + 1)


@_exclusive
def undo_last(path: Path | str, *, expected: FileStamp | str | None = None) -> WriteResult:
    """Put the newest backup back in place (atomically) and drop it; raises if there is none."""
    target = _target(path)
    backups = list_backups(target)
    if not backups:
        raise WriteRefusedError(f"no earlier version of {target.name} to restore",
                                hint="undo only works after an edit made by ftui", path=str(target))
    newest = backups[-1]
    fh, _ = open_dataset(newest)
    with fh:
        def body(out) -> None:
            while chunk := fh.read(COPY_BUFFER):
                out.write(chunk)

        stamp, _ = _replace_atomically(target, body, expected=expected, backup=False, max_backups=MAX_BACKUPS)
    newest.unlink()
    _fsync_dir(newest.parent)
    return WriteResult(str(target), stamp, None, 0)


# -- async wrappers for UI workers --------------------------------------------------------------
async def aedit_line(path: Path | str, line: int, example: Any, **kw: Any) -> WriteResult:
    return await asyncio.to_thread(edit_line, path, line, example, **kw)


async def adelete_line(path: Path | str, line: int, **kw: Any) -> WriteResult:
    return await asyncio.to_thread(delete_line, path, line, **kw)


async def aappend_example(path: Path | str, example: Any, **kw: Any) -> WriteResult:
    return await asyncio.to_thread(append_example, path, example, **kw)


async def aundo_last(path: Path | str, **kw: Any) -> WriteResult:
    return await asyncio.to_thread(undo_last, path, **kw)
