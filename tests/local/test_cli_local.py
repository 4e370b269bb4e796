"""`ftui local` and `ftui local export` as a person runs them: messages and exit codes, no tracebacks."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import openai
import pytest

from ftui.core.commands import run_subcommand
from ftui.tui.cli import main as ftui_main
from tests.local.test_remote_auth import _read_until

ROOT = Path(__file__).resolve().parents[2]


def test_ftui_local_prints_its_url_device_and_models_and_serves(tmp_path, tiny_model_dir):
    code = "import sys; from ftui.tui.cli import main; sys.exit(main(sys.argv[1:]))"
    # no config file at its default place (XDG_CONFIG_HOME) is fine; the user's own stays out
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf"),
           "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    env.pop("FTUI_CONFIG", None)
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "local", "--data-dir", str(tmp_path / "data"),
         "--model", str(tiny_model_dir), "--device", "cpu", "--threads", "1"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        text = "".join(_read_until(proc, "Press Ctrl+C"))
        url = re.search(r"listening on (http://127\.0\.0\.1:\d+/v1)", text).group(1)
        assert f'OpenAI(base_url="{url}", api_key="anything")' in text
        assert "Device: cpu, 1 thread\n" in text
        assert re.search(rf"^  {re.escape(tiny_model_dir.name)}  ", text, re.M)
        assert f"Data: {tmp_path / 'data'} (kept across restarts)" in text
        client = openai.OpenAI(base_url=url, api_key="anything", max_retries=0)
        assert tiny_model_dir.name in [m.id for m in client.models.list().data]
        answer = client.chat.completions.create(model=tiny_model_dir.name, max_completion_tokens=2,
                                                messages=[{"role": "user", "content": "hi"}])
        assert answer.choices[0].message.role == "assistant"
        client.close()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        assert "Traceback" not in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert (tmp_path / "data" / "sandbox.sqlite3").exists()


@pytest.mark.parametrize(("argv", "says"), [
    (["--threads", "-1"], "--threads must be 0"),
    (["--model", "/no/such/model"], "--model /no/such/model: no such file or folder"),
    (["--host", "0.0.0.0"], "refusing to listen on 0.0.0.0 without an API key"),
    (["--api-key-env", "FTUI_TEST_NO_SUCH_VAR"], "FTUI_TEST_NO_SUCH_VAR is not set"),
    (["--port", "70000"], "--port must be between 0 and 65535"),
    (["--device", "tpu"], "invalid choice: 'tpu'"),
    (["export"], "the following arguments are required: model, dest"),
    (["export", "ft:x", "out", "--data-dir", "/no/such/dir"], "--data-dir /no/such/dir: no such folder"),
])
def test_bad_arguments_exit_2_with_a_clear_message(argv, says, capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("FTUI_TEST_NO_SUCH_VAR", raising=False)
    monkeypatch.setenv("FTUI_CONFIG", str(_empty_config(tmp_path)))
    assert exit_code(["local", *argv]) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err


def test_export_of_an_unknown_model_says_so(capsys, monkeypatch, tmp_path, tiny_model_dir):
    monkeypatch.setenv("FTUI_CONFIG", str(_empty_config(tmp_path)))
    data = tmp_path / "data"
    data.mkdir()
    code = exit_code(["local", "export", "ft:tiny-llama:local:none:abc", str(tmp_path / "out"),
                           "--data-dir", str(data), "--model", str(tiny_model_dir)])
    err = capsys.readouterr().err
    assert code == 2 and "ft:tiny-llama:local:none:abc" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_broken_local_table_is_reported_with_its_place(capsys, monkeypatch, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[local]\nthreads = -2\ndevice = "tpu"\n', encoding="utf-8")
    monkeypatch.setenv("FTUI_CONFIG", str(config))
    assert exit_code(["local"]) == 2
    err = capsys.readouterr().err
    assert str(config) in err and "local.threads" in err and "local.device" in err


@pytest.mark.parametrize(("argv", "says"), [
    (["--local", "--sandbox"], "does not go with --sandbox"),
    (["--model", "x"], "add --local"),
    (["--local", "--threads", "-3"], "--threads must be 0"),
    (["--local", "--model", "/no/such/model"], "no such file or folder"),
])
def test_the_app_checks_its_local_arguments(argv, says, capsys):
    assert ftui_main(argv) == 2
    assert says in capsys.readouterr().err


def _empty_config(tmp_path: Path) -> Path:
    path = tmp_path / "empty.toml"
    path.write_text("", encoding="utf-8")
    return path


def exit_code(argv: list[str]) -> int:
    """What `ftui ARGV` exits with (argparse's own errors exit through SystemExit)."""
    try:
        return run_subcommand(argv)
    except SystemExit as exc:
        return exc.code
