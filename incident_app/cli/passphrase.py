"""Getting the database passphrase on the command line: from the environment variable named by
``--passphrase-env VAR`` (so it never appears in the process list or shell history), else by a
hidden prompt when stdin is a terminal. It is never printed, stored or logged."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path

from incident_app.cli.output import CliError, say
from incident_app.domain.errors import ValidationError
from incident_app.domain.passphrase import PassphraseRequired, WrongPassphrase
from incident_app.services.encryption import DatabaseKind, connect_hook_for, database_kind
from incident_app.storage.store import ConnectHook

PROMPT_ATTEMPTS = 3


def passphrase_from_env(name: str | None, option: str = "--passphrase-env") -> str | None:
    """The value of the environment variable ``name`` (``None`` when no name was given)."""
    if not name:
        return None
    value = os.environ.get(name)
    if not value:
        raise CliError(f"{option} {name}: the environment variable {name} is not set or empty", 2)
    return value


def interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def ask(prompt: str) -> str:
    """A hidden prompt on the terminal."""
    return getpass.getpass(prompt)


def ask_new_passphrase(what: str) -> str:
    """Ask twice for a new passphrase; the caller validates it (length, match)."""
    first = ask(f"New passphrase for {what}: ")
    second = ask("Type it again: ")
    if first != second:
        raise CliError("the two passphrases differ; nothing was changed", 2)
    return first


def resolve_connect_hook(args: argparse.Namespace, db_path: Path) -> ConnectHook | None:
    """How to open ``db_path`` for this command, asking for the passphrase when needed."""
    kind = database_kind(db_path)
    given = passphrase_from_env(getattr(args, "passphrase_env", None))
    encrypt = bool(getattr(args, "encrypt", False))
    if kind is DatabaseKind.ENCRYPTED:
        return _unlock(db_path, given)
    if kind is DatabaseKind.NOT_DATABASE:
        raise CliError(f"{db_path} is not a Breach Desk database (neither a plain nor an encrypted SQLite file); "
                       "check the --db path (or $INCIDENT_APP_DB)", 2)
    if kind is DatabaseKind.PLAIN:
        if encrypt:
            raise CliError(f"{db_path} already exists and is not encrypted; "
                           "'db encrypt --out NEW_FILE' writes an encrypted copy of it", 2)
        if given is not None:
            say(f"note: {db_path} is not encrypted; the passphrase was not used")
        return None
    if not (encrypt or given is not None):
        return None
    passphrase = given if given is not None else _new_passphrase_or_fail(db_path)
    return _checked(lambda: connect_hook_for(db_path, passphrase, encrypt_new=True))


def _unlock(db_path: Path, given: str | None) -> ConnectHook | None:
    if given is not None:
        return _checked(lambda: connect_hook_for(db_path, given))
    if not interactive():
        raise CliError(str(PassphraseRequired(db_path)), 2)
    for attempt in range(1, PROMPT_ATTEMPTS + 1):
        try:
            return connect_hook_for(db_path, ask(f"Passphrase for {db_path}: "))
        except WrongPassphrase as exc:
            if attempt == PROMPT_ATTEMPTS:
                raise CliError(str(exc), 2) from None
            say("wrong passphrase; try again")
    return None  # unreachable: the loop returns or raises


def _new_passphrase_or_fail(db_path: Path) -> str:
    if not interactive():
        raise CliError(f"encrypting the new database {db_path} needs a passphrase: set an environment "
                       "variable and pass its name with --passphrase-env VAR", 2)
    return ask_new_passphrase(str(db_path))


def _checked(open_hook: Callable[[], ConnectHook | None]) -> ConnectHook | None:
    try:
        return open_hook()
    except WrongPassphrase as exc:
        raise CliError(str(exc), 2) from None
    except ValidationError as exc:
        raise CliError("; ".join(str(p) for p in exc.problems), 2) from None
