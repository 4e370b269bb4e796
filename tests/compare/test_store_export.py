"""Sessions in SQLite: saved, listed, reopened; exported to JSONL and CSV that parse back."""

import csv
import io
import json

import pytest

from ftui.core.compare.export import export_rounds, to_csv
from ftui.core.compare.pane import PaneResult
from ftui.core.compare.records import Round
from ftui.core.compare.store import CompareStore, default_db_path
from ftui.core.types import Usage


def a_round(judgement=None, **kw):
    return Round(left_model="base", right_model="ft:x", system="Be terse.", user="Capital of France?",
                 params={"temperature": 0.0, "n": 1}, expected="Paris.",
                 left=PaneResult("base", ["Paris is the capital."], ["stop"], 0.1, 0.5,
                                 Usage(5, 6, 11), None, "done"),
                 right=PaneResult("ft:x", ["Paris, \"obviously\",\nyes"], [None], 0.2, 0.7, None,
                                  "the stream broke off", "error"),
                 judgement=judgement, **kw)


def test_data_dir_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("FTUI_DATA_DIR", str(tmp_path))
    assert default_db_path() == tmp_path / "compare.sqlite3"


async def test_save_list_reopen_and_rejudge(tmp_path, monkeypatch):
    monkeypatch.setenv("FTUI_DATA_DIR", str(tmp_path))
    store = CompareStore()
    sid = await store.new_session("first")
    r1 = a_round()
    await store.save_round(sid, r1)
    await store.save_round(sid, a_round("tie"))
    r1.judgement = "right"
    await store.save_round(sid, r1)  # an update, not a third round
    other = await store.new_session("second", kind="batch")
    sessions = await store.list_sessions()
    assert [s.title for s in sessions] == ["second", "first"]
    first = next(s for s in sessions if s.id == sid)
    assert (first.rounds, first.judged) == (2, 2)
    assert (tmp_path / "compare.sqlite3").exists()

    # reopened from a fresh store object: everything is there
    rounds = await CompareStore().load_session(sid)
    assert [r.judgement for r in rounds] == ["right", "tie"]
    assert rounds[0].left.usage == Usage(5, 6, 11)
    assert rounds[0].right.error == "the stream broke off"
    assert rounds[0].left.ttft == 0.1
    assert await store.load_session(other) == []


async def test_export_jsonl_and_csv_parse_back(tmp_path):
    rounds = [a_round("left"), a_round(None, blind=True, swapped=True)]
    jl = await export_rounds(rounds, tmp_path / "out.jsonl")
    lines = [json.loads(line) for line in jl.read_text().splitlines()]
    assert len(lines) == 2
    assert lines[0]["left"]["choices"] == ["Paris is the capital."]
    assert lines[1]["swapped"] is True

    cs = await export_rounds(rounds, tmp_path / "out.csv")
    rows = list(csv.DictReader(io.StringIO(cs.read_text())))
    assert len(rows) == 2
    assert rows[0]["right_answer"] == "Paris, \"obviously\",\nyes"
    assert rows[0]["judgement"] == "left" and rows[1]["judgement"] == ""
    assert rows[0]["left_tokens"] == "11"
    assert to_csv([]).strip().startswith("round,")


async def test_an_export_never_replaces_a_file_unless_asked(tmp_path):
    from ftui.core.errors import CoreError

    target = tmp_path / "mine.jsonl"
    target.write_text("precious\n")
    with pytest.raises(CoreError) as info:
        await export_rounds([a_round("left")], target)
    assert "already exists" in info.value.summary()
    assert target.read_text() == "precious\n" and not list(tmp_path.glob("*.tmp"))
    await export_rounds([a_round("left")], target, overwrite=True)
    assert json.loads(target.read_text())["judgement"] == "left"
