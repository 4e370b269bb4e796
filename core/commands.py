"""The `ftui` subcommands that need no terminal UI: `validate` and `sandbox`."""

from __future__ import annotations


def run_subcommand(argv: list[str]) -> int | None:
    """Run `ftui validate ...` or `ftui sandbox ...`; None when argv names no subcommand."""
    if argv and argv[0] == "validate":
        from ftui.core.cli_validate import main as validate_main
        return validate_main(argv[1:])
    if argv and argv[0] == "sandbox":
        from ftui.core.sandbox.cli import main as sandbox_main
        return sandbox_main(argv[1:])
    return None
