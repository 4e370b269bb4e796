"""The `ftui` subcommands that need no terminal UI: `validate`, `sandbox`, `local`, `sunset`, `archive`."""

from __future__ import annotations


def run_subcommand(argv: list[str]) -> int | None:
    """Run `ftui validate ...`, `ftui sandbox ...` or `ftui local ...`; None when argv names none."""
    if argv and argv[0] == "validate":
        from ftui.core.cli_validate import main as validate_main
        return validate_main(argv[1:])
    if argv and argv[0] == "sandbox":
        from ftui.core.server.cli import main as sandbox_main
        return sandbox_main(argv[1:])
    if argv and argv[0] == "local":
        from ftui.core.local.cli import main as local_main
        return local_main(argv[1:])
    if argv and argv[0] == "sunset":
        from ftui.core.sunset.cli import main as sunset_main
        return sunset_main(argv[1:])
    if argv and argv[0] == "archive":
        from ftui.core.archive.cli import main as archive_main
        return archive_main(argv[1:])
    return None
