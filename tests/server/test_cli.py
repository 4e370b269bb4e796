"""`ftui sandbox` (core.server.cli.main) as a real process: prints the URL, serves, stops."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from ftui.core.server.cli import main
from tests.server.helpers import raw_request

ROOT = Path(__file__).resolve().parents[2]


def test_cli_prints_url_and_serves_until_interrupted(tmp_path):
    code = "import sys; from ftui.core.server.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "--port", "0", "--speed", "50", "--data-dir", str(tmp_path),
         "--no-new-jobs"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        lines = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("Press Ctrl+C"):
                break
        text = "".join(lines)
        url = re.search(r"listening on (http://127\.0\.0\.1:\d+/v1)", text).group(1)
        assert f'OpenAI(base_url="{url}", api_key="anything")' in text
        status, _, body = raw_request("GET", f"{url}/models", headers={"Authorization": "Bearer x"})
        assert status == 200 and body["object"] == "list"
        assert "New fine-tuning jobs are refused (403)" in text
        status, _, body = raw_request("POST", f"{url}/fine_tuning/jobs",
                                      headers={"Authorization": "Bearer x",
                                               "Content-Type": "application/json"},
                                      body=b'{"model": "gpt-4o-mini-2024-07-18", "training_file": "f"}')
        assert status == 403 and body["error"]["code"] == "fine_tuning_unavailable"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert (tmp_path / "sandbox.sqlite3").exists()


def test_cli_rejects_bad_faults(capsys):
    assert main(["--faults", "rate429=7"]) == 2
    assert "between 0 and 1" in capsys.readouterr().err
    assert main(["--speed", "0"]) == 2


def test_no_new_jobs_is_a_sandbox_setting(capsys):
    from ftui.tui.cli import main as ftui_main

    assert ftui_main(["--no-new-jobs"]) == 2
    assert "add --sandbox" in capsys.readouterr().err


async def test_unnamed_outputs_reaches_the_sandbox():
    """`ftui sandbox --dialect together --unnamed-outputs`: finished jobs answer without their model's name."""
    from ftui.core.server.cli import _parser
    from ftui.core.server.runner import start_sandbox

    args = _parser().parse_args(["--dialect", "together", "--unnamed-outputs"])
    handle = await start_sandbox(dialect=args.dialect, unnamed_outputs=args.unnamed_outputs)
    try:
        assert handle.ctx.unnamed_outputs
    finally:
        await handle.stop()


def test_ctrl_c_stops_a_sandbox_started_with_sigint_ignored(tmp_path):
    """A server started in a script's background inherits SIGINT ignored (bash does that for `cmd &`):
    it still stops on SIGINT, cleanly, as it says it will (CI run that way left it running)."""
    code = "import sys; from ftui.core.server.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "--port", "0", "--data-dir", str(tmp_path)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not proc.stdout.readline().startswith("Press Ctrl+C"):
            pass
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        assert "sandbox stopped" in proc.stdout.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
