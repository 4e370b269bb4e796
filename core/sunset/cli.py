"""`ftui sunset [--profile NAME | --sandbox] [--json]`: the radar for scripts.

Without a profile it covers every configured one; a profile that cannot be read (no key, no
connection) is listed as not checked, never an error. Exit 0; bad arguments exit 2."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
from pathlib import Path

from ftui.core.errors import CoreError
from ftui.core.sunset.facts import load_sunset
from ftui.core.sunset.radar import ProfileRadar, nearest_deadline, not_checked, radar


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own exit is 2 too; keep its message short
        self.exit(2, f"ftui sunset: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ftui sunset", description="When fine-tuning and each fine-tuned model end, "
                                                     "for every configured profile.")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--profile", metavar="NAME", help="only this profile")
    which.add_argument("--sandbox", action="store_true",
                       help="an in-process sandbox rehearsing OpenAI's wind-down (no new jobs)")
    parser.add_argument("--data-dir", type=Path, default=None, help="with --sandbox: its data folder")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--today", help=argparse.SUPPRESS)  # YYYY-MM-DD, for tests and scripts
    return parser


async def _profile_radar(name: str, today: dt.date, table) -> ProfileRadar:
    from ftui.core.connect import explain_missing_key, make_provider
    from ftui.core.settings import load_settings

    try:
        settings = load_settings(name)
    except CoreError as exc:
        return not_checked(name, "?", exc.summary(), today=today)
    if settings.kind == "sandbox" and not settings.base_url:
        return not_checked(name, settings.kind, "the sandbox runs only when started: use --sandbox",
                           today=today)
    if settings.in_process:
        return not_checked(name, settings.kind, "the local engine is not started for the radar; "
                           "nothing on this machine has a shutdown date", today=today)
    missing = explain_missing_key(settings)
    if missing:
        return not_checked(name, settings.kind, missing, today=today)
    try:
        provider = make_provider(settings)
    except CoreError as exc:
        return not_checked(name, settings.kind, exc.summary(), today=today)
    try:
        return await radar(provider, name, today=today, kind=settings.kind, table=table)
    except CoreError as exc:
        return not_checked(name, settings.kind, exc.summary(), today=today)
    finally:
        await provider.aclose()


async def _sandbox_radar(today: dt.date, table, data_dir: Path | None) -> ProfileRadar:
    from ftui.core.session import open_sandbox_session

    session = await asyncio.to_thread(open_sandbox_session, data_dir=data_dir, new_jobs_closed=True)
    provider = session.provider
    if provider is None:  # open_sandbox_session always connects; say so rather than crash
        session.close()
        return not_checked("sandbox", "sandbox", session.problem or "the sandbox did not connect",
                           today=today)
    try:
        # The sandbox rehearses OpenAI's wind-down, so OpenAI's dates apply to it.
        return await radar(provider, "sandbox", today=today, kind="openai", table=table)
    finally:
        await provider.aclose()
        session.close()


def _profile_names() -> list[str]:
    from ftui.core.settings import load_settings

    return list(load_settings().profile_names)


def _days(n: int | None) -> str:
    if n is None:
        return ""
    if n < 0:
        return f" ({-n} day{'s' * (n != -1)} ago)"
    return f" ({n} day{'s' * (n != 1)} left)"


def render_text(radars: list[ProfileRadar], today: dt.date) -> str:
    lines = [f"Sunset radar, {today.isoformat()}"]
    for r in radars:
        lines.append("")
        lines.append(f"{r.profile} ({r.kind})")
        if not r.checked:
            lines.append(f"  not checked: {r.problem}")
            continue
        about = "about " if r.approximate else ""
        if r.refusal:
            lines.append(f"  new jobs: refused on {r.refusal.date}: {r.refusal.message}")
        elif not r.can_create_jobs:
            lines.append(f"  new jobs: no longer accepted (last day {r.new_jobs_until})")
        elif r.new_jobs_until:
            lines.append(f"  new jobs: yes, until {about}{r.new_jobs_until}{_days(r.new_jobs_days_left)}")
        else:
            lines.append("  new jobs: yes, no end known")
        lines.append(f"  source: {r.source}")
        if not r.models:
            lines.append("  no fine-tuned models")
        for m in r.models:
            when = f"shuts down {m.shutdown_date}{_days(m.days_left)}" if m.shutdown_date \
                else "no shutdown date"
            lines.append(f"  {m.model}")
            lines.append(f"    base {m.base_model or '?'}; {when}; from {m.source}")
    deadline = nearest_deadline(radars, today)
    if deadline:
        lines += ["", f"Nearest deadline: {deadline.headline()}"]
    return "\n".join(lines)


async def _gather(args, today: dt.date) -> list[ProfileRadar]:
    table = load_sunset()
    if args.sandbox:
        return [await _sandbox_radar(today, table, args.data_dir)]
    names = [args.profile] if args.profile else _profile_names()
    return [await _profile_radar(name, today, table) for name in names]


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    try:
        today = dt.date.fromisoformat(args.today) if args.today else dt.date.today()
    except ValueError:
        print(f"ftui sunset: --today {args.today!r} is not a date (YYYY-MM-DD)", file=sys.stderr)
        return 2
    if args.data_dir is not None and not args.sandbox:
        print("ftui sunset: --data-dir goes with --sandbox", file=sys.stderr)
        return 2
    try:
        if args.profile:
            from ftui.core.settings import load_settings
            load_settings(args.profile)  # an unknown name is a bad argument
        radars = asyncio.run(_gather(args, today))
    except CoreError as exc:
        print(f"ftui sunset: {exc.summary()}", file=sys.stderr)
        return 2
    if args.json:
        deadline = nearest_deadline(radars, today)
        print(json.dumps({"today": today.isoformat(), "profiles": [r.to_dict() for r in radars],
                          "nearest_deadline": deadline.__dict__ if deadline else None}, indent=1))
    else:
        print(render_text(radars, today))
    return 0
