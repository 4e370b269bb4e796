"""Hand-offs between sections: a screen posts one of these, it bubbles to the app, and the app
switches section and passes it on (tui/shell/app.py). Screens never reach into another section."""

from __future__ import annotations

from pathlib import Path

from textual.message import Message


class OpenJob(Message):
    """Show this job's live view on Jobs."""

    def __init__(self, job_id: str) -> None:
        super().__init__()
        self.job_id = job_id


class CompareModels(Message):
    """Open Compare with these two models side by side (e.g. a job's base model and its fine-tune).
    `profiles` (left, right) and `migration_id` make it a comparison across accounts;
    `batch_path` is the held-out file its batch run offers."""

    def __init__(self, left: str, right: str, *, profiles: tuple[str | None, str | None] | None = None,
                 migration_id: str | None = None, batch_path: Path | None = None) -> None:
        super().__init__()
        self.left, self.right = left, right
        self.profiles, self.migration_id, self.batch_path = profiles, migration_id, batch_path

    @property
    def across(self) -> dict:
        """The keywords given, for CompareScreen.set_models."""
        given = {"profiles": self.profiles, "migration_id": self.migration_id, "batch_path": self.batch_path}
        return {name: value for name, value in given.items() if value is not None}


class DatasetOpened(Message):
    """Data opened this dataset: Files, Launch and Compare offer it from now on."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
