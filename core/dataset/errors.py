"""Errors of dataset reading and writing: each says what is wrong with which file and what to do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ftui.core.errors import CoreError

if TYPE_CHECKING:  # validate imports this module
    from ftui.core.dataset.validate import Problem


@dataclass
class DatasetError(CoreError):
    """Something about a training file (or our token data) that stops us from using it."""

    kind: str = "input"
    path: str = ""


@dataclass
class NotAFileError(DatasetError):
    """The path is a folder, a device or does not exist."""


@dataclass
class UnreadableFileError(DatasetError):
    """No permission, or the OS refused to read it."""

    kind: str = "io"


@dataclass
class BinaryFileError(DatasetError):
    """NUL bytes: this is not a text (JSONL) file."""


@dataclass
class FileChangedError(DatasetError):
    """The file on disk is not the one we opened (size, mtime or inode differ)."""

    kind: str = "io"


@dataclass
class WriteRefusedError(DatasetError):
    """A write that would lose data or write an invalid example; nothing was written."""

    problems: list[Problem] | None = None  # set when the example itself was invalid


@dataclass
class TokenDataError(DatasetError):
    """The offline BPE files are missing or do not match their expected hash."""
