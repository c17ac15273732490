"""Entry point: ``python main.py`` opens the GUI; ``python main.py <command> …`` runs headless."""

from __future__ import annotations

import sys
from collections.abc import Sequence

# Global options that take a value (shared by the CLI and the GUI start).
OPTIONS_WITH_VALUE = ("--db", "--passphrase-env")


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch to the CLI when a command (or help) is given, else start the GUI."""
    args = list(sys.argv[1:] if argv is None else argv)
    if _wants_cli(args):
        from incident_app.cli.main import run

        return run(args)
    from incident_app.app import run_gui

    return run_gui(args)


def _wants_cli(args: list[str]) -> bool:
    from incident_app.cli.main import command_names

    names = command_names() | {"-h", "--help"}
    rest = iter(args)
    for token in rest:
        if token in OPTIONS_WITH_VALUE:
            next(rest, None)  # skip the value, which may itself look like a command
        elif not token.startswith(tuple(f"{o}=" for o in OPTIONS_WITH_VALUE)):
            return token in names
    return False


if __name__ == "__main__":
    sys.exit(main())
