"""Pictures of the Data section at 80x24 (local files only, so they are the same on every run)."""

from __future__ import annotations

from tests.tui.data.test_data_support import chat_line, copy_example, data_dir, make_app, settle, write_lines  # noqa: F401


def _settled(*keys: str):
    async def run_before(pilot) -> None:
        await settle(pilot.app, pilot)
        for key in keys:
            await pilot.press(key)
        await settle(pilot.app, pilot)

    return run_before


def test_snapshot_picker(snap_compare, tmp_path, monkeypatch):
    folder = tmp_path / "datasets"
    (folder / "support").mkdir(parents=True)
    write_lines(folder / "marv.jsonl", [chat_line(i) for i in range(12)])
    write_lines(folder / "support" / "tickets.jsonl", [chat_line(i) for i in range(12)])
    monkeypatch.chdir(folder)
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_settled())


def test_snapshot_preview_of_marv(snap_compare, tmp_path):
    path = copy_example("marv.jsonl", tmp_path)
    assert snap_compare(make_app(path), terminal_size=(80, 24), run_before=_settled("j"))


def test_snapshot_broken_file_with_problems(snap_compare, tmp_path):
    path = copy_example("broken.jsonl", tmp_path)
    assert snap_compare(make_app(path), terminal_size=(80, 24), run_before=_settled("n"))


def test_snapshot_append_form(snap_compare, tmp_path):
    path = copy_example("marv.jsonl", tmp_path)

    async def run_before(pilot) -> None:
        await settle(pilot.app, pilot)
        await pilot.press("a")
        await pilot.press(*"How tall is Everest?", "tab")
        await pilot.press(*"8,849 m. Look it up next time.")
        await settle(pilot.app, pilot)

    assert snap_compare(make_app(path), terminal_size=(80, 24), run_before=run_before)


def test_snapshot_raw_json_view(snap_compare, tmp_path):
    path = copy_example("marv.jsonl", tmp_path)
    assert snap_compare(make_app(path), terminal_size=(80, 24), run_before=_settled("r"))


def test_snapshot_broken_file_without_colour(snap_compare, tmp_path, monkeypatch):
    # NO_COLOR: errors in reverse, warnings bold with !, role labels light (widgets/no_color.py)
    monkeypatch.setenv("NO_COLOR", "1")
    path = copy_example("broken.jsonl", tmp_path)
    assert snap_compare(make_app(path), terminal_size=(80, 24), run_before=_settled("n"))
