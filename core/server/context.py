"""Shared state of one sandbox server: store, speed, engine, job runner, faults."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ftui.core.server.engine import SimulatedEngine, TrainingEngine
from ftui.core.server.faults import FaultDice, Faults
from ftui.core.server.ids import new_id, now
from ftui.core.server.store import Store

if TYPE_CHECKING:
    from ftui.core.local.generate import LocalChat
    from ftui.core.server.jobs import JobRunner

ORGANIZATION = "org-sandbox"
PRIVATE = "_sandbox"  # key of sandbox-only fields inside stored objects; never sent


def public(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k != PRIVATE}


@dataclass
class SandboxContext:
    store: Store
    speed: float = 1.0
    engine: TrainingEngine = field(default_factory=SimulatedEngine)
    dice: FaultDice = field(default_factory=lambda: FaultDice(Faults()))
    runner: JobRunner | None = None
    responders: dict[str, Any] = field(default_factory=dict)  # job id -> TrainedResponder
    # Answer job creation as OpenAI will after its wind-down (no new jobs after 2027-01-06):
    # 403, while everything else (models, files, chat, existing jobs) keeps working.
    new_jobs_closed: bool = False
    # Together dialect: finished jobs answer without model_output_name, as Together's may for a
    # while after they complete (the SDK's x_model_output_name is then None).
    unnamed_outputs: bool = False
    # Real generation (the local engine); None means the simulated responders answer chat.
    chat: LocalChat | None = None

    def set_faults(self, faults: Faults) -> None:
        self.dice = FaultDice(faults)

    # files are created by uploads, multipart posts and finished jobs alike
    def add_file(self, *, filename: str, purpose: str, blob: Path, size: int) -> dict[str, Any]:
        file_id = new_id("file-", 22)
        final = self.store.blob_path("files", file_id)
        blob.replace(final)
        obj = {"id": file_id, "object": "file", "bytes": size, "created_at": now(),
               "filename": filename, "purpose": purpose, "status": "processed"}
        self.store.put("files", obj, purpose=purpose)
        return obj

    def file_blob(self, file_id: str) -> Path:
        return self.store.blob_path("files", file_id)

    def temp_blob(self, prefix: str) -> Path:
        return self.store.blob_path("tmp", new_id(prefix, 16))

    def write_json_blob(self, kind: str, name: str, value: Any) -> Path:
        path = self.store.blob_path(kind, name)
        path.write_text(json.dumps(value), encoding="utf-8")
        return path
