"""The API key never leaves the places it must be: not on screen, in output, logs, files or errors.

A recognisable fake key is set the way users set theirs (OPENAI_API_KEY), then the app
(through Pilot), its error paths and the `ftui` command are run against a real sandbox on
loopback, and against a small stand-in for OpenAI that rejects the key with a 401 whose
message echoes the whole key (the real service echoes part of it). Everything that could
hold the key is then searched. The search itself is checked first: a planted key is found.
"""

from __future__ import annotations

import asyncio
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

KEY = "sk-test-FAKESECRET-1234567890abcdef"
# What must never show: the key, or any part of it longer than a mask reveals ("sk-...cdef").
NEEDLES = (KEY, "FAKESECRET", "1234567890abcdef")
ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ("1", "2", "3", "4", "5")


# --------------------------------------------------------------------------- the search
def leaks(text: str | bytes | None) -> list[str]:
    """Which needles `text` contains (also as UTF-16, as some files store text)."""
    if not text:
        return []
    data = text.encode("utf-8", "replace") if isinstance(text, str) else text
    found = []
    for needle in NEEDLES:
        if needle.encode() in data or needle.encode("utf-16-le") in data:
            found.append(needle)
    return found


def files_under(roots: Iterable[Path]) -> Iterator[Path]:
    for root in roots:
        if root.is_file():
            yield root
        elif root.is_dir():
            yield from (p for p in root.rglob("*") if p.is_file())


def leaking_files(roots: Iterable[Path]) -> dict[str, list[str]]:
    found = {}
    for path in files_under(roots):
        hits = leaks(path.read_bytes())
        if hits:
            found[str(path)] = hits
    return found


# --------------------------------------------------------------------------- places
@pytest.fixture
def places(tmp_path, monkeypatch) -> dict[str, Path]:
    """Every folder ftui may write to points into tmp (HOME, XDG, FTUI_DATA_DIR, logs)."""
    dirs = {name: tmp_path / name for name in ("home", "config", "data", "cache", "state",
                                                "ftui-data", "logs", "sandbox", "work")}
    for d in dirs.values():
        d.mkdir()
    env = {"HOME": dirs["home"], "XDG_CONFIG_HOME": dirs["config"], "XDG_DATA_HOME": dirs["data"],
           "XDG_CACHE_HOME": dirs["cache"], "XDG_STATE_HOME": dirs["state"],
           "FTUI_DATA_DIR": dirs["ftui-data"], "TEXTUAL_LOG": dirs["logs"] / "textual.log"}
    for name, value in env.items():
        monkeypatch.setenv(name, str(value))
    for name in ("FTUI_CONFIG", "FTUI_PROFILE", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID",
                 "AZURE_OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.chdir(dirs["work"])
    return dirs


@pytest.fixture
def sandbox_url(places, sandbox_factory) -> str:
    """A sandbox whose stored data lands in places["sandbox"], to be searched too."""
    return sandbox_factory(data_dir=places["sandbox"]).base_url


class RejectingServer:
    """Stands in for OpenAI with a wrong key: every request gets a 401 that echoes the key."""

    def __init__(self) -> None:
        self.keys_seen: list[str] = []
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner = None

    async def _handle(self, request):
        from aiohttp import web

        auth = request.headers.get("Authorization", "")
        key = auth.removeprefix("Bearer ")
        self.keys_seen.append(key)
        body = {"error": {"message": f"Incorrect API key provided: {key}. You can find your API "
                                     "key at https://platform.openai.com/account/api-keys.",
                          "type": "invalid_request_error", "param": None,
                          "code": "invalid_api_key"}}
        return web.json_response(body, status=401)

    async def _start(self) -> str:
        from aiohttp import web

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/v1"

    def __enter__(self) -> RejectingServer:
        self._thread.start()
        self.url = asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def __exit__(self, *exc) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


@pytest.fixture
def rejecting_server() -> Iterator[RejectingServer]:
    with RejectingServer() as server:
        yield server


def run_on_pty(argv: list[str], env: dict[str, str], keys: list[tuple[float, bytes]],
               cwd: Path, ready: bytes, settle: float = 1.0) -> bytes:
    """Run `argv` on an 80x24 pseudo-terminal; once `ready` has been drawn, type each key and
    wait its delay; returns all it wrote. The last key should quit, else it is terminated."""
    import fcntl
    import struct
    import termios

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, cwd=cwd,
                            env={**env, "TERM": "xterm-256color"}, start_new_session=True)
    os.close(slave)
    out = b""

    def read_for(seconds: float) -> None:
        nonlocal out
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            if select.select([master], [], [], left)[0]:
                try:
                    data = os.read(master, 65536)
                except OSError:
                    return
                if not data:
                    return
                out += data

    try:
        end = time.monotonic() + 60
        while ready not in out and time.monotonic() < end and proc.poll() is None:
            read_for(0.2)
        assert ready in out, f"the app never drew {ready!r}: {out[-300:]!r}"
        read_for(settle)
        for delay, key in keys:
            os.write(master, key)
            read_for(delay)
        end = time.monotonic() + 15
        while proc.poll() is None and time.monotonic() < end:
            read_for(0.2)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the group this function started
            proc.wait(10)
        os.close(master)
    return out


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


# --------------------------------------------------------------------------- the search works
def test_scanner_finds_a_planted_key(tmp_path):
    assert leaks(f"error: {KEY}") == list(NEEDLES)
    assert leaks("key sk-...cdef masked") == []
    assert leaks(("x" + KEY).encode("utf-16-le"))
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "deep" / "er" / "config.json").write_text(f'{{"k": "{KEY}"}}')
    (tmp_path / "clean.txt").write_text("nothing here")
    assert list(leaking_files([tmp_path])) == [str(tmp_path / "deep" / "er" / "config.json")]


async def test_scanner_finds_a_key_drawn_on_screen():
    from textual.app import App
    from textual.widgets import Static

    class Shows(App):
        def compose(self):
            yield Static(f"key = {KEY}")

    app = Shows()
    async with app.run_test(size=(80, 24)):
        assert KEY in leaks(app.export_screenshot())


# --------------------------------------------------------------------------- the app
async def settle(app, pilot, seconds: float = 3.0) -> None:
    """Let the section's workers finish (live views keep polling, so only up to `seconds`)."""
    end = time.monotonic() + seconds
    await pilot.pause()
    while time.monotonic() < end and any(not w.is_finished for w in app.workers):
        await pilot.pause(0.1)
    await pilot.pause(0.2)


async def visit_every_section(app, pilot) -> dict[str, str]:
    """Press alt+1..alt+5 (they work from a text box too, e.g. the picker's path) and help; returns a
    screenshot (SVG text) of each place visited, and the notifications shown there (as "notes <key>")."""
    shots = {"start": app.export_screenshot()}
    for key in (*(f"alt+{n}" for n in SECTIONS), "question_mark"):
        await pilot.press(key)
        await settle(app, pilot)
        shots[key] = app.export_screenshot()
        shots[f"notes {key}"] = "\n".join(notification_texts(app))
        if key == "question_mark":
            await pilot.press("escape")
    return shots


def notification_texts(app) -> list[str]:
    return [f"{n.title} {n.message}" for n in getattr(app, "_notifications", [])]


async def test_app_with_key_shows_and_writes_no_key(places, sandbox_url, monkeypatch, caplog, capfd):
    from ftui.core.session import open_session
    from ftui.core.settings import load_settings
    from ftui.tui.shell.app import FtuiApp

    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("OPENAI_BASE_URL", sandbox_url)
    settings = load_settings()
    assert settings.key == KEY, "the key must come from OPENAI_API_KEY for this test to mean anything"
    assert not leaks(repr(settings)) and not leaks(str(settings)) and not leaks(settings.masked_key)

    session = open_session()
    assert session.provider is not None and not session.simulated, session.problem
    assert not leaks(repr(session)) and not leaks(repr(session.provider))
    assert len(await session.provider.list_models()) > 0  # the key really reaches the sandbox

    app = FtuiApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        shots = await visit_every_section(app, pilot)
    for where, svg in shots.items():
        assert not leaks(svg), f"key drawn on screen / notified after pressing {where}"
    assert not leaks(caplog.text), "key in a log record"
    out, err = capfd.readouterr()
    assert not leaks(out) and not leaks(err)
    assert leaking_files(places.values()) == {}


async def test_failing_calls_never_show_the_key(places, rejecting_server, monkeypatch, caplog):
    """OpenAI's own 401 text echoes the key; CoreError must not pass it on."""
    from ftui.core.errors import CoreError
    from ftui.core.session import open_session
    from ftui.core.types import ChatRequest

    caplog.set_level(logging.DEBUG)
    server = rejecting_server
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    session = open_session()
    provider = session.provider
    assert provider is not None, session.problem
    errors: list[CoreError] = []
    calls = [provider.list_files(), provider.retrieve_job("ftjob-x"), provider.list_models(),
             provider.chat(ChatRequest(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]))]
    for call in calls:
        with pytest.raises(CoreError) as info:
            await call
        errors.append(info.value)
    with pytest.raises(CoreError) as info:
        async for _ in provider.stream_chat(ChatRequest(model="gpt-4o-mini",
                                                        messages=[{"role": "user", "content": "hi"}])):
            pass
    errors.append(info.value)
    upload = places["work"] / "train.jsonl"
    upload.write_text('{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}\n')
    with pytest.raises(CoreError) as info:
        await provider.upload_file(upload)
    errors.append(info.value)
    await provider.aclose()

    assert KEY in server.keys_seen, "the stand-in server must have been sent the key"
    for err in errors:
        assert err.status == 401, err.details()
        for text in (err.summary(), err.details(), str(err), repr(err), err.message, err.hint):
            assert not leaks(text), f"key in error text: {text!r}"
        # What a log or crash report would print of it (a suppressed context is not shown).
        assert not leaks("".join(traceback.format_exception(err)))
    assert not leaks(caplog.text)
    assert leaking_files(places.values()) == {}


async def test_app_with_a_rejected_key_explains_without_the_key(places, rejecting_server, monkeypatch, caplog):
    from ftui.core.session import open_session
    from ftui.tui.shell.app import FtuiApp

    caplog.set_level(logging.DEBUG)
    server = rejecting_server
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    app = FtuiApp(open_session())
    async with app.run_test(size=(80, 24)) as pilot:
        shots = await visit_every_section(app, pilot)
    assert KEY in server.keys_seen, "some section must have called the API"
    told = [where for where, text in shots.items() if "401" in text or "API key" in text]
    assert told, "the user must be told the key was rejected (notification or in place)"
    for where, svg in shots.items():
        assert not leaks(svg), f"key drawn on screen / notified after pressing {where}"
    assert not leaks(caplog.text)
    assert leaking_files(places.values()) == {}


# --------------------------------------------------------------------------- the command
def ftui(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ftui.tui", *args], capture_output=True, timeout=120,
                          env=child_env(), **kwargs)


def test_cli_help_and_validate_print_no_key(places):
    good = places["work"] / "good.jsonl"
    good.write_text('{"messages": [{"role": "user", "content": "hi"}, '
                    '{"role": "assistant", "content": "hello"}]}\n' * 12)
    bad = places["work"] / "bad.jsonl"
    bad.write_text('{"messages": [{"role": "user"}]}\nnot json\n')
    runs = [ftui("--help"), ftui("validate", str(good)), ftui("validate", str(bad)),
            ftui("validate", str(places["work"] / "missing.jsonl")), ftui("validate", "--help")]
    assert runs[0].returncode == 0 and b"usage" in runs[0].stdout.lower()
    assert runs[2].returncode != 0  # the bad file really was checked
    for done in runs:
        assert not leaks(done.stdout) and not leaks(done.stderr), done.args
    assert leaking_files(places.values()) == {}


def test_cli_sandbox_server_prints_and_keeps_no_key(places):
    """`ftui sandbox` is sent requests carrying the key; neither its output nor its data keeps it."""
    import re

    import openai

    proc = subprocess.Popen([sys.executable, "-m", "ftui.tui", "sandbox", "--port", "0",
                             "--data-dir", str(places["sandbox"])],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=places["work"],
                            env={**child_env(), "PYTHONUNBUFFERED": "1"})
    out = b""
    try:
        end = time.monotonic() + 30
        while b"Press Ctrl+C" not in out and time.monotonic() < end and proc.poll() is None:
            if select.select([proc.stdout], [], [], 0.5)[0]:
                out += os.read(proc.stdout.fileno(), 65536)
        found = re.search(rb"http://[\w.\[\]:]+/v1", out)
        assert found, out[-500:]  # it did start and say where
        with openai.OpenAI(api_key=KEY, base_url=found.group().decode(), max_retries=0) as api:
            assert api.models.list().data
            upload = places["work"] / "train.jsonl"
            upload.write_text('{"messages": [{"role": "user", "content": "a"}, '
                              '{"role": "assistant", "content": "b"}]}\n')
            api.files.create(file=upload.open("rb"), purpose="fine-tune")
            with pytest.raises(openai.NotFoundError):
                api.files.retrieve("file-missing")
    finally:
        proc.send_signal(signal.SIGINT)  # how a user stops it: ctrl+c
        rest, _ = proc.communicate(timeout=20)
        out += rest
    assert not leaks(out)
    assert leaking_files(places.values()) == {}
    assert list(files_under([places["sandbox"]])), "the sandbox should have stored the upload"


def test_cli_app_with_rejected_key_prints_no_key(places, rejecting_server):
    server = rejecting_server
    env = {**child_env(), "OPENAI_BASE_URL": server.url}
    keys = [(3.0, b"4"), (3.0, b"5"), (3.0, b"2"), (3.0, b"\x11")]
    out = run_on_pty([sys.executable, "-m", "ftui.tui"], env, keys, cwd=places["work"], ready=b"profile")
    assert KEY in server.keys_seen, out[-500:]  # the app did call with the key and got a 401
    assert not leaks(out)
    assert leaking_files(places.values()) == {}
