"""Finding the data a source job was trained on, and proving it is the same file.

In order: the local copy the upload record names (checked by size and sha256), else the provider's
content (OpenAI does not hand back files uploaded for fine-tuning), else a path from the user,
checked against everything known (size, line count, sha256) before it is used."""

from __future__ import annotations

import asyncio
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ftui.core.errors import CoreError
from ftui.core.uploads_record import FileFacts, UploadRecord, file_facts, find_upload

Role = Literal["training", "validation"]


@dataclass(frozen=True)
class Expected:
    """What is known of the file the job used; None where not known."""

    size: int | None = None
    lines: int | None = None
    sha256: str | None = None
    filename: str | None = None

    def differences(self, facts: FileFacts) -> list[str]:
        found = []
        if self.size is not None and facts.size != self.size:
            found.append(f"size {facts.size:,} bytes, not {self.size:,}")
        if self.lines is not None and facts.lines != self.lines:
            found.append(f"{facts.lines:,} lines, not {self.lines:,}")
        if self.sha256 is not None and facts.sha256 != self.sha256:
            found.append("its sha256 differs (same size and lines, other content)" if not found
                         else "its sha256 differs")
        return found

    def checks(self) -> str:
        known = [name for name, v in (("size", self.size), ("line count", self.lines),
                                      ("sha256", self.sha256)) if v is not None]
        return ", ".join(known) or "nothing (no record of this file)"


@dataclass(frozen=True)
class ResolvedFile:
    role: Role
    file_id: str
    expected: Expected
    path: str | None = None  # the local file to upload to the target; None: the user must name one
    how: str = ""  # "the upload record's local copy", "the provider's content", "your file"
    needs_user: str | None = None  # why ftui asks for a path, in words

    @property
    def ready(self) -> bool:
        return self.path is not None

    def local_path(self) -> Path:
        """The local file to upload; CoreError while the user has still to name one."""
        if self.path is None:
            raise CoreError(f"No local copy of the {self.role} file {self.file_id} yet", kind="input",
                            hint=self.needs_user or "name the file to upload")
        return Path(self.path)


def _expected(record: UploadRecord | None, remote: Any) -> Expected:
    return Expected(size=record.size if record else getattr(remote, "bytes", None),
                    lines=record.lines if record else None,
                    sha256=record.sha256 if record else None,
                    filename=getattr(remote, "filename", None) or (Path(record.path).name if record else None))


def verify_user_file(path: Path | str, expected: Expected, role: Role) -> FileFacts:
    """The user's file's facts; CoreError saying what differs when it is not the job's file."""
    p = Path(path).expanduser()
    if not p.is_file():
        raise CoreError(f"{p} is not a file", kind="input", hint=f"point at the {role} file the job used")
    facts = file_facts(p)
    different = expected.differences(facts)
    if different:
        raise CoreError(f"{p} is not the {role} file the job used: " + "; ".join(different), kind="input",
                        hint="point at the exact file that was uploaded (nothing was launched)")
    return facts


def _write_atomic(target: Path, content: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.part")
    with open(tmp, "wb") as fh:
        fh.write(content)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)


async def resolve_file(provider: Any, profile: str, file_id: str, role: Role, *, work_dir: Path,
                       user_path: Path | str | None = None) -> ResolvedFile:
    """Where the data of `file_id` (uploaded through `profile`) can be read from now."""
    record = find_upload(profile, file_id)
    try:
        remote = await provider.retrieve_file(file_id)
    except CoreError:
        remote = None  # deleted, or an archive without it: the record may still know it
    expected = _expected(record, remote)
    if user_path is not None:
        facts = await asyncio.to_thread(verify_user_file, user_path, expected, role)
        del facts
        return ResolvedFile(role, file_id, expected, str(Path(user_path).expanduser().resolve()),
                            f"your file, checked by {expected.checks()}")
    reasons = []
    if record is None:
        reasons.append(f"ftui has no record of uploading {file_id} from this machine")
    elif not Path(record.path).is_file():
        reasons.append(f"the uploaded copy {record.path} is gone")
    else:
        facts = await asyncio.to_thread(file_facts, record.path)
        different = expected.differences(facts)
        if not different:
            return ResolvedFile(role, file_id, expected, record.path,
                                "the upload record's local copy (size and sha256 match)")
        reasons.append(f"{record.path} changed since it was uploaded ({'; '.join(different)})")
    try:
        content = await provider.file_content(file_id)
    except CoreError as exc:
        reasons.append(f"the provider does not hand it back ({exc.message})")
    else:
        facts = FileFacts(size=len(content), sha256=hashlib.sha256(content).hexdigest(),
                          lines=content.count(b"\n") + (1 if content and not content.endswith(b"\n") else 0))
        different = expected.differences(facts)
        if not different:
            target = work_dir / f"{file_id}.jsonl"
            await asyncio.to_thread(_write_atomic, target, content)
            return ResolvedFile(role, file_id, expected, str(target), "the provider's content")
        reasons.append(f"the provider's content differs from the record ({'; '.join(different)})")
    return ResolvedFile(role, file_id, expected, None, "",
                        needs_user="; ".join(reasons) + f": point at the {role} file; ftui checks "
                                   f"{expected.checks()}")
