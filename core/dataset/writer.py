"""Safe edits of a training file: replace, delete or append one example, atomically, with undo.

An edit or delete builds the new file as a temp file in the same folder (write, flush, fsync) and
renames it over the original, then fsyncs the folder: a crash leaves the old file or the new one,
never a mix. An append adds its line in place (checked to start on a fresh line, then fsynced): no
rewrite. Before either is committed, an undo record goes to `.ftui-backups/` holding only what
changed (the replaced line, or the length to cut an append back to), so undo costs what the write
changed, not a copy of the file. Records are bounded by count and bytes (`max_backups`,
`max_backup_bytes`: the `[dataset]` keys of config.toml, see `core/settings.py`). `undo_last()`
applies the newest record once it has checked the file still holds what ftui wrote. Pass `expected`
(the FileStamp you opened, or a sha256 hex string) to refuse writing over a file that changed on
disk meanwhile.
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
UNDO = ".undo"  # an undo record: a JSON header line, then the old bytes, then the new bytes


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


def _ready_backup_dir(path: Path | str) -> Path:
    """The backup folder, made if missing, holding a `.gitignore` of `*` so a dataset kept in git never
    commits its undo records (as virtualenvs and tool caches do; the user's own .gitignore is not touched)."""
    d = backup_dir(path)
    d.mkdir(exist_ok=True)
    ignore = d / ".gitignore"
    if not ignore.exists():
        try:
            ignore.write_text("# ftui's undo records for the datasets beside this folder\n*\n", encoding="utf-8")
        except OSError:
            pass  # a folder ftui can make but not write in: the write itself will say so
    return d


def list_backups(path: Path | str) -> list[Path]:
    """Backups of `path`, oldest first."""
    d = backup_dir(path)
    name = Path(path).name
    if not d.is_dir():
        return []
    return sorted((p for p in d.iterdir() if p.name.startswith(name + ".")
                   and (p.name.endswith(".bak") or p.name.endswith(UNDO))
                   and p.name[len(name) + 1:].split(".")[0].isdigit()),
                  key=lambda p: p.name[len(name) + 1:].split(".")[0])


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
    d = _ready_backup_dir(target)
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


def _replace_atomically(target: Path, write_body, *, expected, backup: bool, max_backups: int,
                        before_commit=None) -> tuple[FileStamp, Path | None]:
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
        if before_commit is not None:
            before_commit()  # e.g. the undo record, on disk before the change it undoes
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
        d = _ready_backup_dir(path)
        fd = os.open(d / f"{Path(path).name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield  # e.g. a read-only folder: the write itself will say what is wrong
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _exclusive(fn=None, *, recover: bool = True):
    """Run a write under the file's lock, after clearing what a killed write left (its temp file and,
    unless `recover` is off, the half line of an append: all or nothing)."""
    if fn is None:
        return functools.partial(_exclusive, recover=recover)

    @functools.wraps(fn)
    def locked(path, *args, **kwargs):
        with file_lock(path):
            cleanup_temp(path)  # left by a write that was killed; no other writer holds the lock now
            if recover and Path(path).is_file():
                _cut_back(Path(path))
            return fn(path, *args, **kwargs)
    return locked


def _target(path: Path | str) -> Path:
    target = Path(path)
    if target.is_dir():
        raise NotAFileError(f"{target} is a folder, not a file", path=str(target))
    return target


# -- undo records: what one write changed, enough to put it back ------------------------------
@dataclass(frozen=True)
class UndoRecord:
    path: Path
    offset: int  # where the change starts in the file
    old: bytes  # what was there before (empty for an append)
    new: bytes  # what the write put there (empty for a delete)
    after_size: int  # the file's size once written

    @property
    def before_size(self) -> int:
        return self.after_size - len(self.new) + len(self.old)


def _write_record(target: Path, offset: int, old: bytes, new: bytes, after_size: int) -> Path:
    d = _ready_backup_dir(target)
    dest = d / f"{target.name}.{time.time_ns():020d}{UNDO}"
    tmp = d / f".{dest.name}.tmp"
    header = json.dumps({"offset": offset, "old": len(old), "new": len(new), "after_size": after_size})
    with open(tmp, "wb") as fh:
        fh.write(header.encode() + b"\n" + old + new)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, dest)
    _fsync_dir(d)
    return dest


def read_record(path: Path) -> UndoRecord:
    with open(path, "rb") as fh:
        head = json.loads(fh.readline())
        old = fh.read(head["old"])
        new = fh.read(head["new"])
    return UndoRecord(path, head["offset"], old, new, head["after_size"])


def undo_bounds() -> tuple[int, int]:
    """(steps, bytes) of undo kept per file: config.toml's `[dataset]` undo_steps and undo_mb."""
    from ftui.core.errors import CoreError
    from ftui.core.settings import DatasetConfig, load_dataset_config

    try:
        config = load_dataset_config()
    except CoreError:  # a broken config file is reported where it is loaded; keep the defaults here
        config = DatasetConfig()
    return config.undo_steps, config.undo_mb << 20


def _prune(target: Path, max_backups: int | None, max_bytes: int | None) -> None:
    """Drop the oldest records beyond the count or the byte bound (never the newest one)."""
    steps, size = undo_bounds() if max_backups is None or max_bytes is None else (0, 0)
    max_backups = steps if max_backups is None else max_backups
    max_bytes = size if max_bytes is None else max_bytes
    kept = list_backups(target)
    total = 0
    for i, p in enumerate(reversed(kept)):
        try:
            total += p.stat().st_size
        except OSError:
            continue
        if i and (i >= max_backups or total > max_bytes):
            try:
                p.unlink()
            except OSError:
                pass


def backup_usage(path: Path | str) -> tuple[int, int]:
    """(undo steps kept, bytes they take) for `path`: what the Data screen shows."""
    total = 0
    kept = list_backups(path)
    for p in kept:
        with contextlib.suppress(OSError):
            total += p.stat().st_size if p.name.endswith(UNDO) else 0 if os.stat(p).st_nlink > 1 else p.stat().st_size
    return len(kept), total


def _region(target: Path, offset: int, n: int) -> bytes:
    with open(target, "rb") as fh:
        fh.seek(offset)
        return fh.read(n)


def _splice(target: Path, rec: UndoRecord, *, expected, max_backups: int | None, max_bytes: int | None,
            record: bool) -> tuple[FileStamp, Path | None]:
    """Rewrite `target` atomically with rec.new in place of rec.old at rec.offset (an edit or a
    delete), an undo record first when `record`."""
    size = os.stat(target).st_size
    made: list[Path] = []

    def body(fh) -> None:
        with open(target, "rb") as src:
            _copy_range(src, fh, 0, rec.offset)
            fh.write(rec.new)
            _copy_range(src, fh, rec.offset + len(rec.old), size)

    def before_commit() -> None:
        if record:
            made.append(_write_record(target, rec.offset, rec.old, rec.new, rec.after_size))

    stamp, _ = _replace_atomically(target, body, expected=expected, backup=False, max_backups=MAX_BACKUPS,
                                   before_commit=before_commit)
    if record:
        _prune(target, max_backups, max_bytes)
    return stamp, made[0] if made else None


@_exclusive
def edit_line(path: Path | str, line: int, example: Any, *, expected: FileStamp | str | None = None,
              format: str | None = None, validate: bool = True, max_backups: int | None = None,
              max_backup_bytes: int | None = None) -> WriteResult:
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
        old = reader._pread(end - start, start)
        ending = b"\r\n" if old.endswith(b"\r\n") else b"\n" if old.endswith(b"\n") else b""
        rec = UndoRecord(target, start, old, new + ending, reader.size - len(old) + len(new + ending))
        stamp, backup = _splice(target, rec, expected=expected or reader.stamp, max_backups=max_backups,
                                max_bytes=max_backup_bytes, record=True)
    return WriteResult(str(target), stamp, str(backup) if backup else None, line)


@_exclusive
def delete_line(path: Path | str, line: int, *, expected: FileStamp | str | None = None,
                max_backups: int | None = None, max_backup_bytes: int | None = None) -> WriteResult:
    """Remove line `line` (1-based)."""
    target = _target(path)
    check_expected(str(target), expected)
    with DatasetReader(target) as reader:
        try:
            start, end = reader.line_span(line)
        except IndexError as exc:
            raise WriteRefusedError(str(exc), path=str(target)) from exc
        rec = UndoRecord(target, start, reader._pread(end - start, start), b"", reader.size - (end - start))
        stamp, backup = _splice(target, rec, expected=expected or reader.stamp, max_backups=max_backups,
                                max_bytes=max_backup_bytes, record=True)
    return WriteResult(str(target), stamp, str(backup) if backup else None, line)


def _append_in_place(target: Path, data: bytes, expected) -> FileStamp:
    fd = os.open(target, os.O_WRONLY | os.O_APPEND)
    try:
        check_expected(str(target), expected)  # last look before we commit to it
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
            _test_hook("appending")
        os.fsync(fd)
    finally:
        os.close(fd)
    _test_hook("appended")
    stamp = stamp_path(target)
    _remember_own_write(target, stamp)
    return stamp


def _append_cut_short(target: Path) -> Path | None:
    """The record of an append a crash cut short (the file ends part-way into its line), or None."""
    backups = list_backups(target)
    if not backups or not backups[-1].name.endswith(UNDO):
        return None
    rec = read_record(backups[-1])
    size = os.stat(target).st_size
    if rec.old or not rec.offset < size < rec.after_size:
        return None
    return backups[-1] if _region(target, rec.offset, size - rec.offset) == rec.new[: size - rec.offset] else None


def _cut_back(target: Path) -> bool:
    record = _append_cut_short(target)
    if record is None:
        return False
    with open(target, "rb+") as fh:
        fh.truncate(read_record(record).offset)
        os.fsync(fh.fileno())
    record.unlink()
    _fsync_dir(record.parent)
    _remember_own_write(target, stamp_path(target))
    return True


def recover_cut_append(path: Path | str) -> bool:
    """Cut off the half-written line an append left when it was killed, so every append is all or
    nothing; True if there was one. Every write does it first; the Data screen does it on open."""
    target = Path(path)
    try:
        if not target.is_file() or _append_cut_short(target) is None:  # the common case takes no lock
            return False
        with file_lock(target):
            return _cut_back(target)
    except (OSError, ValueError):  # unreadable file or record: opening it says what is wrong
        return False


@_exclusive
def append_example(path: Path | str, example: Any, *, expected: FileStamp | str | None = None,
                   format: str | None = None, validate: bool = True, create: bool = True,
                   max_backups: int | None = None, max_backup_bytes: int | None = None) -> WriteResult:
    """Add `example` as the last line (validated first: an invalid one raises WriteRefusedError),
    in place: the file is not rewritten, its undo record is the length to cut it back to."""
    target = _target(path)
    if not target.exists():
        if not create:
            raise NotAFileError(f"{target} does not exist", path=str(target))
        if validate:
            _check_example(example, format, 1)
        new = _line_bytes(example)
        stamp, _ = _replace_atomically(target, lambda fh: fh.write(new + b"\n"), expected=None, backup=False,
                                       max_backups=MAX_BACKUPS)
        return WriteResult(str(target), stamp, None, 1)
    check_expected(str(target), expected)
    with DatasetReader(target) as reader:
        count = reader.line_count
        if validate:
            _check_example(example, format, count + 1, target)
        size, seen = reader.size, reader.stamp
        last = reader._pread(1, size - 1) if size else b"\n"
    # a last line without its newline gets one first, so the new example starts on a line of its own
    data = (b"" if last == b"\n" else b"\n") + _line_bytes(example) + b"\n"
    record = _write_record(target, size, b"", data, size + len(data))
    try:
        stamp = _append_in_place(target, data, expected or seen)
    except FileChangedError:
        record.unlink()
        raise
    _prune(target, max_backups, max_backup_bytes)
    return WriteResult(str(target), stamp, str(record), count + 1)


def _undo_record(target: Path, rec: UndoRecord, expected) -> FileStamp | None:
    """Apply one record; None if its write never landed (the file is as before it: nothing to undo)."""
    size = os.stat(target).st_size
    if size == rec.after_size and _region(target, rec.offset, len(rec.new)) == rec.new:
        if not rec.old and rec.offset + len(rec.new) == size:  # an append: cut it off, no rewrite
            check_expected(str(target), expected)
            with open(target, "rb+") as fh:
                fh.truncate(rec.offset)
                os.fsync(fh.fileno())
            stamp = stamp_path(target)
            _remember_own_write(target, stamp)
            return stamp
        back = UndoRecord(target, rec.offset, rec.new, rec.old, rec.before_size)
        stamp, _ = _splice(target, back, expected=expected, max_backups=None, max_bytes=None, record=False)
        return stamp
    if not rec.old and rec.offset <= size < rec.after_size and \
            _region(target, rec.offset, size - rec.offset) == rec.new[: size - rec.offset]:
        return _undo_record(target, UndoRecord(target, rec.offset, b"", rec.new[: size - rec.offset], size),
                            expected)  # an append cut short by a crash
    if size == rec.before_size and _region(target, rec.offset, len(rec.old)) == rec.old:
        return None
    raise FileChangedError(f"{target} changed since ftui's last write to it; undoing that write would lose "
                           "the change", hint="edit the file by hand, or restore it from version control",
                           path=str(target))


@_exclusive(recover=False)  # undo handles a cut append itself: it is what undo gives back
def undo_last(path: Path | str, *, expected: FileStamp | str | None = None) -> WriteResult:
    """Undo the newest write (atomically) and drop its record; raises if there is none."""
    target = _target(path)
    while True:
        backups = list_backups(target)
        if not backups:
            raise WriteRefusedError(f"no earlier version of {target.name} to restore",
                                    hint="undo only works after an edit made by ftui", path=str(target))
        newest = backups[-1]
        if newest.name.endswith(UNDO):
            stamp = _undo_record(target, read_record(newest), expected)
            newest.unlink()
            _fsync_dir(newest.parent)
            if stamp is None:  # a record of a write killed before it landed: look at the one before
                continue
            return WriteResult(str(target), stamp, None, 0)
        fh, _ = open_dataset(newest)  # a whole earlier version (written by older ftui versions)
        with fh:
            def body(out, src=fh) -> None:
                while chunk := src.read(COPY_BUFFER):
                    out.write(chunk)

            stamp, _ = _replace_atomically(target, body, expected=expected, backup=False, max_backups=MAX_BACKUPS)
        newest.unlink()
        _fsync_dir(newest.parent)
        return WriteResult(str(target), stamp, None, 0)


def previous_version(path: Path | str) -> bytes:
    """The whole file as it was before ftui's newest write (from its undo record); for checks."""
    target = Path(path)
    newest = list_backups(target)[-1]
    if not newest.name.endswith(UNDO):
        return newest.read_bytes()
    rec = read_record(newest)
    now = target.read_bytes()
    return now[: rec.offset] + rec.old + now[rec.offset + len(rec.new):]


# -- async wrappers for UI workers --------------------------------------------------------------
async def aedit_line(path: Path | str, line: int, example: Any, **kw: Any) -> WriteResult:
    return await asyncio.to_thread(edit_line, path, line, example, **kw)


async def adelete_line(path: Path | str, line: int, **kw: Any) -> WriteResult:
    return await asyncio.to_thread(delete_line, path, line, **kw)


async def aappend_example(path: Path | str, example: Any, **kw: Any) -> WriteResult:
    return await asyncio.to_thread(append_example, path, example, **kw)


async def aundo_last(path: Path | str, **kw: Any) -> WriteResult:
    return await asyncio.to_thread(undo_last, path, **kw)
