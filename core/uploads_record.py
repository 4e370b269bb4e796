"""Every file ftui uploads, remembered: local path, size, sha256, line count, profile, file id, date.

One JSON object per line in the data folder's uploads.jsonl, appended under a lock with a single
write, so a crash leaves at most a torn last line (skipped on reading) and never loses earlier ones.
A migration uses this to find the local copy of a file the provider will not hand back."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from ftui.core.paths import data_dir

CHUNK = 1 << 20


@dataclass(frozen=True)
class UploadRecord:
    profile: str
    file_id: str
    path: str  # absolute local path at upload time
    size: int
    sha256: str
    lines: int
    purpose: str
    date: str  # ISO date and time (UTC)


@dataclass(frozen=True)
class FileFacts:
    size: int
    sha256: str
    lines: int


def uploads_path() -> Path:
    return data_dir() / "uploads.jsonl"


def file_facts(path: Path | str) -> FileFacts:
    """Size, sha256 and line count (a last line without a newline counts) in one pass."""
    h, size, lines, last = hashlib.sha256(), 0, 0, b"\n"
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
            size += len(chunk)
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last != b"\n":
        lines += 1
    return FileFacts(size=size, sha256=h.hexdigest(), lines=lines)


@contextlib.contextmanager
def _locked(fd: int):
    try:
        import fcntl
    except ImportError:  # Windows: O_APPEND alone keeps whole-line writes apart
        yield
        return
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


def append_record(record: UploadRecord) -> None:
    path = uploads_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(asdict(record), ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        with _locked(fd):
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                line = b"\n" + line  # after a torn last line, start a fresh one
            os.write(fd, line)
            os.fsync(fd)
    finally:
        os.close(fd)


def record_upload(profile: str, path: Path | str, file_id: str, *, purpose: str = "fine-tune",
                  when: dt.datetime | None = None) -> UploadRecord:
    facts = file_facts(path)
    stamp = (when or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    record = UploadRecord(profile=profile, file_id=file_id, path=str(Path(path).resolve()),
                          size=facts.size, sha256=facts.sha256, lines=facts.lines, purpose=purpose,
                          date=stamp)
    append_record(record)
    return record


def load_records() -> list[UploadRecord]:
    try:
        raw = uploads_path().read_bytes()
    except OSError:
        return []
    found = []
    for line in raw.splitlines():
        try:
            found.append(UploadRecord(**json.loads(line)))
        except (ValueError, TypeError):
            continue  # a torn or foreign line: the others still count
    return found


def find_upload(profile: str, file_id: str) -> UploadRecord | None:
    """The newest record of `file_id` uploaded through `profile`."""
    matches = [r for r in load_records() if r.profile == profile and r.file_id == file_id]
    return matches[-1] if matches else None


async def note_upload(profile: str, path: Path | str, file_id: str, purpose: str) -> None:
    """The backends' hook after a successful upload: hashing runs in a thread, and a failure to
    record never breaks the upload."""
    try:
        await asyncio.to_thread(record_upload, profile, path, file_id, purpose=purpose)
    except Exception:  # the upload succeeded; only the migration aid is lost
        pass


def find_identical(profile: str, path: Path | str, purpose: str = "fine-tune") -> UploadRecord | None:
    """The newest upload through `profile` of a file with the same size and sha256 as `path`
    (hashed only when some record has its size), so a launch can reuse it instead of uploading again."""
    size = os.stat(path).st_size
    same_size = [r for r in load_records() if r.profile == profile and r.size == size and r.purpose == purpose]
    if not same_size:
        return None
    digest = file_facts(path).sha256
    matches = [r for r in same_size if r.sha256 == digest]
    return matches[-1] if matches else None


async def reusable_upload(provider, path: Path) -> str | None:
    """The id of an identical file already on the account (recorded here and still there), or None."""
    try:
        record = await asyncio.to_thread(find_identical, provider.name, path)
    except OSError:
        return None
    if record is None:
        return None
    try:
        remote = await provider.retrieve_file(record.file_id)
    except Exception:  # deleted since, or the account cannot say: upload it again
        return None
    return None if getattr(remote, "status", "") in ("deleted", "error") else record.file_id
