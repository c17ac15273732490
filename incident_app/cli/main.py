"""The command line: ``python main.py <command> …`` / ``incident-app <command> …``.

Commands live one per module in cli/commands; each module has ``register(subparsers, common)``
that adds its parser and sets ``handler(args, services) -> int``."""

from __future__ import annotations

import argparse
import errno
import importlib
import logging
import os
import pkgutil
import sqlite3
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from incident_app import __version__
from incident_app.cli import commands as commands_package
from incident_app.cli.output import CliError
from incident_app.cli.passphrase import resolve_connect_hook
from incident_app.domain.errors import NotFoundError, ValidationError
from incident_app.domain.proof import ChainKeyMissingError
from incident_app.platform_support import ensure_utf8_output
from incident_app.services.container import Services, open_services
from incident_app.services.private_files import InputFileError, OutputRefusedError, UnsafeOutputError
from incident_app.storage.database import (
    BusyTimeoutSettingError,
    Migration,
    default_db_path,
    is_busy,
    migration_backup_path,
)
from incident_app.storage.store import ConnectHook

log = logging.getLogger(__name__)

# Ctrl+C: every output is written under a temporary name that the unwinding removes.
CANCELLED = "cancelled; nothing was left half-written"
EXIT_CANCELLED = 130  # the shell's code for a process ended by SIGINT
# A write that waited the whole busy timeout for another writer (rolled back: nothing saved).
BUSY_MESSAGE = ("the database is busy: another Breach Desk window or command is writing; try again "
                "(nothing was saved)")

# Commands that may create the database file (of `db`, only `db init`); every other command needs
# an existing one.
CREATING_COMMANDS = frozenset({"new", "demo", "db", "catalog"})


def _common_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", type=Path, default=argparse.SUPPRESS,
        help="database file (default: $INCIDENT_APP_DB or the user data directory)",
    )
    common.add_argument(
        "--passphrase-env", metavar="VAR", default=argparse.SUPPRESS,
        help="name of the environment variable holding the passphrase of an encrypted database "
             "(without it, an encrypted database asks for it when run in a terminal)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    """The full parser with every discovered command."""
    common = _common_parser()
    parser = argparse.ArgumentParser(
        prog="incident-app", parents=[common],
        description="Breach Desk 数据泄露应急助手 — personal-data breach response (PIPL/CAC).",
    )
    parser.add_argument("--version", action="version", version=f"incident-app {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands_package.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{commands_package.__name__}.{info.name}")
        module.register(sub, common)
    return parser


def command_names() -> set[str]:
    """Names of all commands (used to tell CLI use from a GUI start)."""
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


def run(argv: Sequence[str]) -> int:
    """Parse ``argv`` and run the command; returns the process exit code."""
    ensure_utf8_output()
    parser = build_parser()
    args = parser.parse_args(list(argv))
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return 2
    db_path = getattr(args, "db", None) or default_db_path()
    creating = args.command in CREATING_COMMANDS and getattr(args, "db_action", "init") == "init"
    if not db_path.exists() and not creating:
        # A mistyped --db must not silently start an empty database the officer then works in.
        return _fail(f"no database at {db_path}; check --db / $INCIDENT_APP_DB, or create one with "
                     "'new', 'demo' or 'db init'", 2)
    try:
        services = _open(db_path, resolve_connect_hook(args, db_path))
    except CliError as exc:
        return _fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        return _fail(CANCELLED, EXIT_CANCELLED)
    started = time.monotonic()
    code = 1
    try:
        code = _handle(args, services)
        return code
    except KeyboardInterrupt:
        code = EXIT_CANCELLED
        return _fail(CANCELLED, code)
    finally:
        services.close()
        log.info("command %s exit %d in %.2f s", args.command, code, time.monotonic() - started)


def _handle(args: argparse.Namespace, services: Services) -> int:
    """Run the command's handler; every failure becomes a message and an exit code, never a
    traceback (an unexpected one is written to the diagnostic log, whose path is printed)."""
    try:
        return int(args.handler(args, services))
    except ValidationError as exc:
        lines = "\n".join(f"  - {p}" for p in exc.problems)
        return _fail(f"input rejected, nothing was saved:\n{lines}", 2)
    except NotFoundError as exc:
        return _fail(str(exc), 2)
    except CliError as exc:
        return _fail(str(exc), exc.exit_code)
    except InputFileError as exc:  # a pipe, a device or a folder given as an input file
        return _fail(str(exc), 2)
    except ChainKeyMissingError as exc:
        return _fail(f"nothing was saved: {exc}", 1)
    except sqlite3.OperationalError as exc:
        if is_disk_full(exc):
            return _fail(_disk_full_message(), 1)
        if is_busy(exc):
            return _fail(BUSY_MESSAGE, 1)
        return _fail(f"database error ({exc}); if another program holds the file, close it and retry", 1)
    except OutputRefusedError as exc:  # the officer's choice of name: bad input
        return _fail(str(exc), 2)
    except UnsafeOutputError as exc:
        return _fail(str(exc), 1)
    except OSError as exc:
        return _fail(_os_error_message(exc), 1)
    except Exception:  # a bug: keep the details for the maintainers, tell the officer calmly
        log.exception("command %s failed", args.command)
        from incident_app.diagnostics import log_path

        return _fail(f"unexpected error; the details are in {log_path()} (saved data is not lost)", 1)


def _open(db_path: Path, connect_hook: ConnectHook | None = None) -> Services:
    try:
        return open_services(db_path, connect_hook=connect_hook,
                             before_upgrade=lambda pending: _say_upgrading(db_path, pending))
    except BusyTimeoutSettingError as exc:
        raise CliError(str(exc), 2) from None
    except sqlite3.DatabaseError as exc:
        if is_disk_full(exc) or _io_error_on_full_disk(exc, db_path):  # e.g. the backup before a migration
            raise CliError(_disk_full_message(), 1) from None
        if is_busy(exc):  # another process is migrating or writing the file
            raise CliError(BUSY_MESSAGE, 1) from None
        if _on_read_only_disk(db_path):  # SQLite's write-ahead log needs a writable folder
            raise CliError(f"cannot open database {db_path}: it is on a read-only disk; copy it to a "
                           "folder you can write to and open the copy with --db", 1) from None
        raise CliError(f"cannot open database {db_path}: {exc}", 1) from None
    except PermissionError as exc:
        raise CliError(f"cannot open database {db_path}: {exc.strerror}", 1) from None
    except OSError as exc:  # e.g. the event log key cannot be written (storage/chain_key.py)
        raise CliError(f"cannot open database {db_path}: {_os_error_message(exc)}", 1) from None


def _say_upgrading(db_path: Path, pending: list[Migration]) -> None:
    """One line on stderr before an existing database is upgraded (it may take minutes on a big
    one): in the language of $INCIDENT_APP_LANG when it names one, else zh-CN then English."""
    from incident_app.domain.i18n import Translator
    from incident_app.services.resources import load_messages

    messages = load_messages()
    wanted = os.environ.get("INCIDENT_APP_LANG")
    langs = [wanted] if wanted in messages else ["zh-CN", "en"]
    backup = migration_backup_path(db_path, pending[0].number)
    text = " / ".join(Translator(messages, lang).t("db.upgrade.cli", backup=str(backup)) for lang in langs)
    sys.stderr.write(f"incident-app: {text}\n")
    sys.stderr.flush()


def _on_read_only_disk(path: Path) -> bool:
    statvfs = getattr(os, "statvfs", None)  # not on Windows
    try:
        return statvfs is not None and bool(statvfs(path.parent).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _io_error_on_full_disk(exc: sqlite3.Error, path: Path) -> bool:
    """An I/O error where the database's disk has no free block left: opening a WAL database
    creates its log and shared-memory files, and SQLite reports a full disk there as a plain
    'disk I/O error' (SQLITE_IOERR_*), not as SQLITE_FULL."""
    statvfs = getattr(os, "statvfs", None)  # not on Windows
    if statvfs is None or not getattr(exc, "sqlite_errorname", "").startswith("SQLITE_IOERR"):
        return False
    try:
        return bool(statvfs(path.parent).f_bavail == 0)
    except OSError:
        return False


def is_disk_full(exc: sqlite3.Error) -> bool:
    """SQLite's SQLITE_FULL ("database or disk is full"), also when SQLCipher raised it."""
    return getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL" or "database or disk is full" in str(exc)


def _disk_full_message(where: str = "") -> str:
    return (f"the disk is full{where}; free some space and run the command again. "
            "Nothing was left half-written under a final file name.")


def _os_error_message(exc: OSError) -> str:
    """A file-system failure in plain words (never a traceback)."""
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return _disk_full_message(where)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"not allowed to write{where}; choose a folder you can write to"
    return f"could not read or write a file{where}: {exc.strerror or exc}"


def _fail(message: str, code: int) -> int:
    sys.stderr.write(f"incident-app: error: {message}\n")
    return code
