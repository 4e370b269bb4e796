"""Where the sandbox keeps its state: sqlite3 for records, a directory for blobs.

Records are JSON objects in the shape the API returns, plus a few indexed columns for
lookups and ordering. `seq` (insertion order) gives stable cursor pagination even when
many objects share a `created_at` second.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

_TABLES = {
    "files": "purpose TEXT",
    "uploads": "",
    "parts": "upload_id TEXT",
    "jobs": "",
    "events": "job_id TEXT",
    "checkpoints": "job_id TEXT, model TEXT",
    "models": "job_id TEXT",
    "endpoints": "",  # the Together dialect's dedicated endpoints
    "deployments": "endpoint_id TEXT",
}


class Store:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.blobs = self.root / "blobs"
        self.blobs.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.root / "sandbox.sqlite3", check_same_thread=False,
                                  isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        for table, extra in _TABLES.items():
            cols = f", {extra}" if extra else ""
            self.db.execute(
                f"CREATE TABLE IF NOT EXISTS {table} (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                f" id TEXT UNIQUE NOT NULL, obj TEXT NOT NULL{cols})")
        self.db.execute("CREATE INDEX IF NOT EXISTS events_job ON events(job_id, seq)")
        self.db.execute("CREATE INDEX IF NOT EXISTS ckpt_job ON checkpoints(job_id, seq)")
        self.db.execute("CREATE INDEX IF NOT EXISTS ckpt_model ON checkpoints(model)")

    def close(self) -> None:
        self.db.close()

    def blob_path(self, kind: str, name: str) -> Path:
        folder = self.blobs / kind
        folder.mkdir(parents=True, exist_ok=True)
        return folder / name

    # generic record access -------------------------------------------------
    def put(self, table: str, obj: dict[str, Any], **cols: Any) -> None:
        names = ["id", "obj", *cols]
        values = [obj["id"], json.dumps(obj), *cols.values()]
        marks = ", ".join("?" for _ in names)
        self.db.execute(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", values)

    def update(self, table: str, obj: dict[str, Any]) -> None:
        self.db.execute(f"UPDATE {table} SET obj = ? WHERE id = ?", (json.dumps(obj), obj["id"]))

    def get(self, table: str, id: str) -> dict[str, Any] | None:
        row = self.db.execute(f"SELECT obj FROM {table} WHERE id = ?", (id,)).fetchone()
        return json.loads(row[0]) if row else None

    def existing(self, table: str, id: str) -> dict[str, Any]:
        """`get` of an object the caller has just seen: one gone missing is a bug, said plainly."""
        obj = self.get(table, id)
        if obj is None:
            raise LookupError(f"the sandbox store has no {table} object {id!r}")
        return obj

    def delete(self, table: str, id: str) -> bool:
        return self.db.execute(f"DELETE FROM {table} WHERE id = ?", (id,)).rowcount > 0

    def find(self, table: str, where: str = "", params: tuple = (), *, newest_first: bool = True,
             limit: int | None = None) -> list[dict[str, Any]]:
        order = "DESC" if newest_first else "ASC"
        sql = f"SELECT obj FROM {table}" + (f" WHERE {where}" if where else "") + f" ORDER BY seq {order}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [json.loads(r[0]) for r in self.db.execute(sql, params)]

    def page(self, table: str, *, where: str = "", params: tuple = (), after: str | None = None,
             limit: int, newest_first: bool = True) -> tuple[list[dict[str, Any]], bool] | None:
        """One cursor page: objects after the one with id `after`; None if `after` is unknown."""
        clauses = [where] if where else []
        args = list(params)
        if after:
            row = self.db.execute(f"SELECT seq FROM {table} WHERE id = ?", (after,)).fetchone()
            if row is None:
                return None
            clauses.append("seq < ?" if newest_first else "seq > ?")
            args.append(row[0])
        found = self.find(table, " AND ".join(clauses), tuple(args), newest_first=newest_first,
                          limit=limit + 1)
        return found[:limit], len(found) > limit

    def scalar(self, sql: str, params: tuple = ()) -> Any:
        row = self.db.execute(sql, params).fetchone()
        return row[0] if row else None

    def column(self, table: str, column: str, id: str) -> Any:
        return self.scalar(f"SELECT {column} FROM {table} WHERE id = ?", (id,))
