"""`ftui validate` run as a real subprocess: exit codes 0/1/2, human output and the JSON shape."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
ENTRY = "import sys; from ftui.core.cli_validate import main; sys.exit(main(sys.argv[1:]))"


def ftui_validate(*args: str, tmp_path: Path | None = None) -> subprocess.CompletedProcess:
    env = None
    if tmp_path is not None:  # keep the user's real prices.toml out of it
        import os
        env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    return subprocess.run([sys.executable, "-c", ENTRY, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=env)


def test_valid_file_exits_0_with_stats_and_cost(tmp_path):
    proc = ftui_validate(str(EXAMPLES / "marv.jsonl"), tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "38 example(s)" in proc.stdout and "would be accepted" in proc.stdout
    assert "Tokens (gpt-4o-mini)" in proc.stdout and "estimated cost" in proc.stdout and "USD" in proc.stdout


def test_json_shape(tmp_path):
    proc = ftui_validate(str(EXAMPLES / "marv.jsonl"), "--json", "--model", "gpt-4.1", tmp_path=tmp_path)
    assert proc.returncode == 0
    d = json.loads(proc.stdout)
    assert {"path", "format", "examples", "valid", "errors", "warnings", "tokens", "epochs", "billable_tokens",
            "estimated_cost"} <= d.keys()
    assert d["format"] == "chat" and d["examples"] == 38 and d["valid"] is True and d["errors"] == []
    assert d["warnings"] == [{"line": 0, "code": "few_examples", "message": d["warnings"][0]["message"],
                              "severity": "warning"}]
    t = d["tokens"]
    assert {"total", "min", "max", "mean", "p50", "p95", "histogram"} <= t.keys()
    assert t["min"] <= t["p50"] <= t["p95"] <= t["max"] and sum(t["histogram"]["counts"]) == 38
    assert d["epochs"] == 3 and d["billable_tokens"] == t["total"] * 3
    c = d["estimated_cost"]
    assert c["currency"] == "USD" and c["price_per_1m"] == 25.0 and c["price_date"]
    assert abs(c["amount"] - d["billable_tokens"] / 1e6 * 25.0) < 1e-3


def test_errors_exit_1_with_line_numbers(tmp_path):
    proc = ftui_validate(str(EXAMPLES / "broken.jsonl"), tmp_path=tmp_path)
    assert proc.returncode == 1
    assert "line 2  invalid_json" in proc.stdout and "would be rejected" in proc.stdout
    proc = ftui_validate(str(EXAMPLES / "broken.jsonl"), "--json", tmp_path=tmp_path)
    d = json.loads(proc.stdout)
    assert proc.returncode == 1 and d["valid"] is False
    assert {"line": 7, "code": "unrecognized_role"} in [{"line": e["line"], "code": e["code"]} for e in d["errors"]]


def test_unreadable_or_bad_arguments_exit_2(tmp_path):
    assert ftui_validate(str(tmp_path)).returncode == 2  # a folder
    proc = ftui_validate(str(tmp_path / "missing.jsonl"))
    assert proc.returncode == 2 and "does not exist" in proc.stderr and "Traceback" not in proc.stderr
    (tmp_path / "x.bin").write_bytes(b"\0\1\2")
    assert ftui_validate(str(tmp_path / "x.bin")).returncode == 2
    assert ftui_validate().returncode == 2
    assert ftui_validate(str(EXAMPLES / "marv.jsonl"), "--bogus").returncode == 2
    assert ftui_validate(str(EXAMPLES / "marv.jsonl"), "--epochs", "0").returncode == 2
    proc = ftui_validate(str(tmp_path / "missing.jsonl"), "--json")
    assert proc.returncode == 2 and "does not exist" in json.loads(proc.stdout)["error"]


def test_against_training_file_and_prices_file(tmp_path):
    prices = tmp_path / "p.toml"
    prices.write_text('taken_on = "2026-11-20"\n[training_per_1m]\n"gpt-4o-mini" = 1.0\n')
    proc = ftui_validate(str(EXAMPLES / "marv_holdout.jsonl"), "--against", str(EXAMPLES / "marv.jsonl"),
                         "--prices", str(prices), "--json", tmp_path=tmp_path)
    d = json.loads(proc.stdout)
    assert proc.returncode == 0 and d["estimated_cost"]["price_date"] == "2026-11-20"
    assert d["estimated_cost"]["price_per_1m"] == 1.0
    shared = tmp_path / "shared.jsonl"
    shared.write_bytes((EXAMPLES / "marv_holdout.jsonl").read_bytes() + (EXAMPLES / "marv.jsonl").read_bytes()[:2000])
    d = json.loads(ftui_validate(str(shared), "--against", str(EXAMPLES / "marv.jsonl"), "--json").stdout)
    assert any(w["code"] == "shared_with_training" and w["line"] == 11 for w in d["warnings"])


def test_help_exits_0():
    proc = ftui_validate("--help")
    assert proc.returncode == 0 and "--json" in proc.stdout


def test_long_problem_lists_are_cut_unless_all(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text("{\n" * 150)
    short = ftui_validate(str(path), tmp_path=tmp_path)
    assert short.returncode == 1 and "51 more not shown" in short.stdout
    full = ftui_validate(str(path), "--all", tmp_path=tmp_path)
    assert "line 150  invalid_json" in full.stdout and "not shown" not in full.stdout


def test_a_closed_pipe_is_not_an_error(tmp_path):
    proc = subprocess.run(f"{sys.executable} -c '{ENTRY}' {EXAMPLES / 'broken.jsonl'} | head -1", shell=True,
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in proc.stderr and proc.stdout.startswith(str(EXAMPLES / "broken.jsonl"))
