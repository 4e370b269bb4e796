"""A session's rounds as JSONL (everything) or CSV (one row per round, first choices)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path

from ftui.core.compare.records import Round
from ftui.core.compare.store import round_to_dict
from ftui.core.errors import CoreError

CSV_COLUMNS = [
    "round", "source", "system", "user", "expected", "left_model", "right_model",
    "left_answer", "right_answer", "left_ttft", "left_total", "right_ttft", "right_total",
    "left_tokens", "right_tokens", "left_error", "right_error", "judgement", "blind", "params",
]


def to_jsonl(rounds: Sequence[Round]) -> str:
    return "".join(json.dumps(round_to_dict(r), ensure_ascii=False) + "\n" for r in rounds)


def to_csv(rounds: Sequence[Round]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for number, r in enumerate(rounds, start=1):
        row = {"round": number, "source": r.source or "", "system": r.system, "user": r.user,
               "expected": r.expected or "", "left_model": r.left_model,
               "right_model": r.right_model, "judgement": r.judgement or "",
               "blind": int(r.blind), "params": json.dumps(r.params)}
        for side in ("left", "right"):
            pane = getattr(r, side)
            row[f"{side}_answer"] = pane.text if pane else ""
            row[f"{side}_ttft"] = "" if not pane or pane.ttft is None else f"{pane.ttft:.3f}"
            row[f"{side}_total"] = "" if not pane or pane.total is None else f"{pane.total:.3f}"
            row[f"{side}_tokens"] = pane.usage.total_tokens if pane and pane.usage else ""
            row[f"{side}_error"] = (pane.error or "") if pane else ""
        writer.writerow(row)
    return out.getvalue()


async def export_rounds(rounds: Sequence[Round], dest: Path, *, overwrite: bool = False) -> Path:
    """Write JSONL or CSV by the file's suffix (.csv means CSV, anything else JSONL). An existing
    file is left alone unless `overwrite`: an export never destroys something by accident."""
    dest = Path(dest).expanduser()
    text = to_csv(rounds) if dest.suffix.lower() == ".csv" else to_jsonl(rounds)

    def write() -> None:
        if not overwrite and dest.exists():
            raise CoreError(f"{dest} already exists", kind="input",
                            hint="export under another name, or move that file away first")
        tmp = dest.with_name(dest.name + ".tmp")
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(text, encoding="utf-8", newline="")
            tmp.replace(dest)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise CoreError(f"cannot write {dest}: {exc.strerror or exc}", kind="io") from None

    await asyncio.to_thread(write)
    return dest
