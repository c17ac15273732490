"""Entry points: ``incident-app`` / ``python main.py`` opens the GUI with no command and runs the
command line with one; ``breach-desk`` (a GUI script: no console window on Windows) always opens
the GUI. A frozen build also enters here for its helper processes."""

from __future__ import annotations

import sys
from collections.abc import Sequence

# Global options that take a value (shared by the CLI and the GUI start).
OPTIONS_WITH_VALUE = ("--db", "--passphrase-env", "--lang")
# The shell's code for a process ended by Ctrl-C (SIGINT).
EXIT_CANCELLED = 130
# Options that only the GUI start understands.
GUI_ONLY = ("--lang",)


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch to the CLI when a command (or help/version) is given, else start the GUI."""
    args = list(sys.argv[1:] if argv is None else argv)
    helper = _helper_process(args)
    if helper is not None:
        return helper
    from incident_app.diagnostics import setup_logging

    setup_logging()
    if _wants_cli(args):
        from incident_app.cli.main import run

        return run(args)
    return gui_main(args)


def gui_main(argv: Sequence[str] | None = None) -> int:
    """Open the GUI (the ``breach-desk`` GUI script)."""
    args = list(sys.argv[1:] if argv is None else argv)
    from incident_app.app import run_gui
    from incident_app.diagnostics import setup_logging

    setup_logging()
    return run_gui(args)


def _wants_cli(args: list[str]) -> bool:
    """Any positional word means the command line (so a mistyped command gets the CLI's own
    'invalid choice' error); only options the GUI understands mean the GUI."""
    rest = iter(args)
    for token in rest:
        if token in OPTIONS_WITH_VALUE:
            next(rest, None)  # skip the value, which may itself look like a command
        elif token.startswith(tuple(f"{o}=" for o in OPTIONS_WITH_VALUE)):
            continue
        else:
            return True
    return False


def _helper_process(args: list[str]) -> int | None:
    """Run a helper process's work when this process was started as one. A frozen build has no
    ``python -m``: the import helper is started as ``<app> --people-batches-helper``, the register
    helper as ``<app> --register-helper``."""
    from incident_app.services.people.helper_entry import HELPER_FLAG

    if args[:1] == ["--register-helper"]:  # services/register/helper.py: HELPER_FLAG
        from incident_app.services.register.helper import serve as serve_register

        serve_register()
        return 0
    if args[:1] != [HELPER_FLAG]:
        return None
    from incident_app.services.people.batches import serve

    serve()
    return 0


def run_main() -> int:
    """``main`` for the console script: Ctrl-C before a command has started (while the app loads)
    ends calmly too, like Ctrl-C during one (the CLI handles that itself)."""
    try:
        code = main()
    except KeyboardInterrupt:
        sys.stderr.write("incident-app: cancelled; nothing was left half-written\n")
        code = EXIT_CANCELLED
    if code == EXIT_CANCELLED:
        _leave_now(code)
    return code


def _leave_now(code: int) -> None:
    """End a cancelled run without the interpreter's teardown: an interrupted Qt PDF writer can
    crash while Qt is torn down (seen: SIGSEGV after the message). By now the database is closed
    and the temporary files are removed; only the log and the console need flushing."""
    import logging
    import os

    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(run_main())
