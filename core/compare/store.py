"""Compare sessions in a local SQLite file: prompts, params, answers, timings, judgements.

Lives at `user_data_dir("ftui")/compare.sqlite3`; `FTUI_DATA_DIR` overrides the folder
(tests point it at a tmp dir). Every call opens its own connection in a thread, so the
event loop never waits on the disk.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from ftui.core.compare.pane import PaneResult
from ftui.core.compare.records import Round, SessionInfo
from ftui.core.errors import CoreError
from ftui.core.paths import data_dir
from ftui.core.types import Usage

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'interactive',
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS rounds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    created REAL NOT NULL,
    body TEXT NOT NULL,
    judgement TEXT
);
CREATE INDEX IF NOT EXISTS rounds_by_session ON rounds(session_id, id);
"""




def default_db_path() -> Path:
    return data_dir() / "compare.sqlite3"


def pane_to_dict(pane: PaneResult | None) -> dict[str, Any] | None:
    if pane is None:
        return None
    usage = pane.usage
    return {
        "model": pane.model, "choices": pane.choices, "finish_reasons": pane.finish_reasons,
        "ttft": pane.ttft, "total": pane.total, "error": pane.error, "status": pane.status,
        "usage": None if usage is None else {
            "prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens,
            "total_tokens": usage.total_tokens},
    }


def pane_from_dict(data: dict[str, Any] | None) -> PaneResult | None:
    if not data:
        return None
    usage = data.get("usage")
    return PaneResult(
        model=data.get("model", ""), choices=list(data.get("choices") or [""]),
        finish_reasons=list(data.get("finish_reasons") or [None]), ttft=data.get("ttft"),
        total=data.get("total"), usage=Usage(**usage) if usage else None,
        error=data.get("error"), status=data.get("status", "done"))


def round_to_dict(r: Round) -> dict[str, Any]:
    return {
        "left_model": r.left_model, "right_model": r.right_model, "system": r.system,
        "user": r.user, "params": r.params, "expected": r.expected, "source": r.source,
        "left_messages": r.left_messages, "right_messages": r.right_messages,
        "left": pane_to_dict(r.left), "right": pane_to_dict(r.right),
        "judgement": r.judgement, "blind": r.blind, "swapped": r.swapped, "created": r.created,
    }


def round_from_dict(data: dict[str, Any], *, id: int | None = None) -> Round:
    return Round(
        left_model=data["left_model"], right_model=data["right_model"],
        system=data.get("system", ""), user=data.get("user", ""), params=data.get("params") or {},
        left=pane_from_dict(data.get("left")), right=pane_from_dict(data.get("right")),
        expected=data.get("expected"), source=data.get("source"),
        left_messages=data.get("left_messages") or [], right_messages=data.get("right_messages") or [],
        judgement=data.get("judgement"), blind=bool(data.get("blind")),
        swapped=bool(data.get("swapped")), created=data.get("created") or time.time(), id=id)


class CompareStore:
    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path else default_db_path()

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=5)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.executescript(_SCHEMA)
            return conn
        except (OSError, sqlite3.Error) as exc:
            raise CoreError(f"cannot open the compare history {self.path}: {exc}", kind="io",
                            hint="check the folder is writable, or set FTUI_DATA_DIR") from None

    def _run(self, fn, *args):
        def job():
            conn = self._connect()
            try:
                with conn:
                    return fn(conn, *args)
            except sqlite3.Error as exc:
                raise CoreError(f"compare history {self.path}: {exc}", kind="io") from None
            finally:
                conn.close()

        return asyncio.to_thread(job)

    async def new_session(self, title: str, kind: str = "interactive") -> int:
        def do(conn):
            cur = conn.execute("INSERT INTO sessions(title, kind, created) VALUES (?, ?, ?)",
                               (title, kind, time.time()))
            return cur.lastrowid

        return await self._run(do)

    async def save_round(self, session_id: int, r: Round) -> int:
        """Insert the round, or update it when it was saved before (it has an id)."""
        body = json.dumps(round_to_dict(r), ensure_ascii=False)

        def do(conn):
            if r.id is not None:
                conn.execute("UPDATE rounds SET body = ?, judgement = ? WHERE id = ?",
                             (body, r.judgement, r.id))
                return r.id
            cur = conn.execute(
                "INSERT INTO rounds(session_id, created, body, judgement) VALUES (?, ?, ?, ?)",
                (session_id, r.created, body, r.judgement))
            return cur.lastrowid

        r.id = await self._run(do)
        return r.id

    async def list_sessions(self) -> list[SessionInfo]:
        def do(conn):
            rows = conn.execute(
                "SELECT s.id, s.title, s.kind, s.created, COUNT(r.id), COUNT(r.judgement) "
                "FROM sessions s LEFT JOIN rounds r ON r.session_id = s.id "
                "GROUP BY s.id ORDER BY s.created DESC, s.id DESC").fetchall()
            return [SessionInfo(*row) for row in rows]

        return await self._run(do)

    async def load_session(self, session_id: int) -> list[Round]:
        def do(conn):
            rows = conn.execute("SELECT id, body FROM rounds WHERE session_id = ? ORDER BY id",
                                (session_id,)).fetchall()
            return [round_from_dict(json.loads(body), id=rid) for rid, body in rows]

        return await self._run(do)

    async def delete_session(self, session_id: int) -> None:
        def do(conn):
            conn.execute("DELETE FROM rounds WHERE session_id = ?", (session_id,))
            conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

        await self._run(do)
