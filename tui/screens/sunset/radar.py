"""The sunset radar: for every configured profile, whether it can still create fine-tuning jobs
and until when, each fine-tuned model with its base, shutdown date and days left, what stops
working, and a remembered refusal. `m` on a model starts its migration; `a` archives the
highlighted profile to a folder."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.widgets import DataTable, Static

from ftui.core.across_profiles import radar_all, sunset_today
from ftui.core.errors import CoreError
from ftui.core.sunset.radar import ModelSunset, ProfileRadar
from ftui.tui.screens.base import SectionScreen
from ftui.tui.screens.sunset.deadline import header_text, show_deadline
from ftui.tui.screens.sunset.profiles import pool_of

URGENT_DAYS = 30  # rows under this many days are shown in red


def days_text(days: int | None) -> Text:
    if days is None:
        return Text("—", style="dim")
    if days < 0:
        return Text(f"{-days}d ago", style="dim red")
    return Text(f"{days}d", style="bold red" if days < URGENT_DAYS else "")


def jobs_text(r: ProfileRadar) -> str:
    """Whether the profile can still create jobs, in a few words."""
    if not r.checked:
        return f"not checked: {r.problem}"
    if r.refusal:
        return f"new jobs refused ({r.refusal.date})"
    if not r.can_create_jobs:
        return "new jobs: no longer accepted"
    if r.new_jobs_until:
        return f"new jobs until {'about ' if r.approximate else ''}{r.new_jobs_until}"
    return "new jobs: yes, no end known"


def fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


class RadarScreen(SectionScreen):
    SECTION = "Sunset"
    CSS_PATH = "sunset.tcss"
    BINDINGS = [
        Binding("m", "migrate", "Migrate", id="sunset.migrate",
                tooltip="Re-run the highlighted fine-tune's job on another profile"),
        Binding("a", "archive", "Archive", id="sunset.archive",
                tooltip="Write the highlighted profile's jobs, events, models and files to a folder"),
        Binding("r", "refresh", "Refresh", id="sunset.refresh", tooltip="Read every profile again"),
        Binding("j", "cursor(1)", "Down", id="sunset.down", show=False, tooltip="Next row"),
        Binding("k", "cursor(-1)", "Up", id="sunset.up", show=False, tooltip="Previous row"),
    ]

    def __init__(self, radars: list[ProfileRadar] | None = None, *, today: dt.date | None = None) -> None:
        super().__init__()
        self.radars = list(radars or [])
        self.today = today
        self.rows: dict[str, tuple[ProfileRadar, ModelSunset | None]] = {}
        self._given = radars is not None  # shown as given (snapshots), not read
        self.archive_progress = ""  # the archive worker's last step, in words
        self.archived = None  # the last ArchiveSummary written from here

    def compose_body(self):
        yield Static("reading every profile…", id="sunset-summary")
        yield DataTable(id="sunset-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="sunset-detail")

    def on_mount(self) -> None:
        table = self.query_one("#sunset-table", DataTable)
        for key, label in (("profile", "profile"), ("what", "what ends"), ("date", "on"),
                           ("left", "left")):
            table.add_column(label, key=key)
        table.focus()
        if self._given:
            self._show()
        else:
            self.action_refresh()

    # Reading -----------------------------------------------------------------------
    def action_refresh(self) -> None:
        self.query_one("#sunset-summary", Static).update("reading every profile…")
        self._read()

    @work(exclusive=True, group="sunset-read", exit_on_error=False, description="reading the sunset radar")
    async def _read(self) -> None:
        self.today = sunset_today()
        self.radars = await radar_all(pool_of(self.app), self.today)
        self._show()

    # Showing -----------------------------------------------------------------------
    def _show(self) -> None:
        today = self.today or dt.date.today()
        deadline = show_deadline(self.app, self.radars, today)
        checked = sum(1 for r in self.radars if r.checked)
        summary = f"{today.isoformat()} · {checked}/{len(self.radars)} profiles read"
        if deadline:
            summary += f" · nearest: {header_text(deadline)}"
        self.query_one("#sunset-summary", Static).update(summary)
        table = self.query_one("#sunset-table", DataTable)
        keep = table.cursor_row
        table.clear()
        self.rows.clear()
        wide = max(30, self.app.size.width - 36)  # the "what ends" column's room
        for i, r in enumerate(self.radars):
            key = f"p{i}"
            self.rows[key] = (r, None)
            date = r.new_jobs_until or ""
            left = days_text(r.new_jobs_days_left if r.checked and r.can_create_jobs else None)
            style = "dim" if not r.checked else ("red" if r.refusal or r.can_create_jobs is False else "")
            table.add_row(Text(fit(r.profile, 12), style="bold"), Text(fit(jobs_text(r), wide), style=style),
                          date, left, key=key)
            for j, m in enumerate(r.models):
                key = f"p{i}m{j}"
                self.rows[key] = (r, m)
                table.add_row("", fit("└ " + m.model, wide), m.shutdown_date or "none known",
                              days_text(m.days_left), key=key)
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
        self._detail()

    def highlighted(self) -> tuple[ProfileRadar, ModelSunset | None] | None:
        table = self.query_one("#sunset-table", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(key)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail()

    def _detail(self) -> None:
        found = self.highlighted()
        detail = self.query_one("#sunset-detail", Static)
        if found is None:
            detail.update("no profiles configured" if not self.radars else "")
            return
        r, m = found
        if m is not None:
            lines = [f"{m.model}",
                     f"base {m.base_model or '?'} · job {m.job_id or 'not listed'} · date from {m.source}",
                     "stops: " + "; ".join(m.stops),
                     "m: re-run its job on another profile"]
        elif not r.checked:
            lines = [f"{r.profile} ({r.kind}) was not checked: {r.problem}"]
        else:
            lines = [f"{r.profile} ({r.kind}) · {jobs_text(r)} · source: {r.source}"]
            if r.refusal:
                lines.append(f"refused on {r.refusal.date} ({r.refusal.status}): {r.refusal.message}")
            if r.stops:
                lines.append("stops: " + "; ".join(r.stops))
            lines.append(f"{len(r.models)} fine-tuned model{'s' * (len(r.models) != 1)}")
        detail.update(Text("\n".join(lines)))

    # Actions -----------------------------------------------------------------------
    def action_cursor(self, step: int) -> None:
        table = self.query_one("#sunset-table", DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def action_migrate(self) -> None:
        found = self.highlighted()
        if found is None or found[1] is None:
            self.notify("Highlight a fine-tuned model (a └ row) to migrate it.", severity="warning")
            return
        r, m = found
        from ftui.tui.screens.migrate.form import open_migration

        open_migration(self.app, r.profile, m.job_id or m.model)

    def action_archive(self) -> None:
        found = self.highlighted()
        if found is None:
            self.notify("No profile to archive.", severity="warning")
            return
        self._ask_archive(found[0].profile)

    @work(exclusive=True, group="sunset-archive-ask", exit_on_error=False, description="asking where to archive")
    async def _ask_archive(self, profile: str) -> None:
        from ftui.core.paths import data_dir
        from ftui.tui.screens.sunset.archive_folder import ArchiveFolderScreen

        today = (self.today or dt.date.today()).isoformat()
        default = data_dir() / "archives" / f"{profile}-{today}"
        dest = await self.app.push_screen_wait(ArchiveFolderScreen(profile, default))
        if dest is not None:
            self.archive(profile, dest)

    @work(exclusive=True, group="sunset-archive", exit_on_error=False, description="archiving the profile")
    async def archive(self, profile: str, dest) -> None:
        from ftui.core.archive.write import archive_account
        from ftui.core.compare.store import CompareStore

        summary_line = self.query_one("#sunset-summary", Static)

        def progress(text: str) -> None:
            self.archive_progress = text
            summary_line.update(f"archiving {profile}: {text}")

        try:
            provider = await pool_of(self.app).provider(profile)
            summary = await archive_account(provider, dest, profile=profile, progress=progress,
                                            compare_store=CompareStore())
        except CoreError as exc:
            summary_line.update(f"the archive of {profile} did not finish: {exc.summary()}")
            raise  # and the app's error handler says it in a notice too
        self.archived = summary
        counts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in summary.counts.items() if v)
        missing = f"; not archived: {len(summary.missing)}" if summary.missing else ""
        summary_line.update(f"archived {profile} to {summary.path}")
        self.notify(f"Archived {profile} to {summary.path}: {counts or 'nothing'}{missing}. "
                    f"Reopen it with: ftui --archive {summary.path}", timeout=10)
