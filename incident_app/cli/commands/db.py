"""``db init [--encrypt]``, ``db status``, ``db rekey``, ``db encrypt --out FILE``, ``db backup --out
FILE``: the database file itself — encryption at rest with a passphrase (SQLCipher) and backups."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from incident_app.cli.output import CliError, print_json, say
from incident_app.cli.passphrase import ask_new_passphrase, interactive, passphrase_from_env
from incident_app.cli.progress_bar import ProgressBar
from incident_app.services.backup import backup_database
from incident_app.services.container import Services
from incident_app.services.encryption import encrypt_copy, is_encrypted, is_free_name, rekey_database
from incident_app.services.private_files import OutputRefusedError
from incident_app.services.progress import Cancelled, Progress


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("db", parents=[common], help="create, inspect, encrypt or rekey the database file")
    actions = parser.add_subparsers(dest="db_action", metavar="ACTION", required=True)
    init = actions.add_parser("init", parents=[common], help="create the database (optionally encrypted)")
    init.add_argument("--encrypt", action="store_true",
                      help="encrypt the new database with a passphrase (asked for, or from --passphrase-env)")
    init.set_defaults(handler=handle_status)
    status = actions.add_parser("status", parents=[common], help="where the database is and whether it is encrypted")
    status.set_defaults(handler=handle_status)
    rekey = actions.add_parser("rekey", parents=[common], help="change the passphrase of an encrypted database")
    rekey.add_argument("--new-passphrase-env", metavar="VAR", help="environment variable holding the new passphrase")
    rekey.set_defaults(handler=handle_rekey)
    encrypt = actions.add_parser("encrypt", parents=[common], help="write an encrypted copy of a plain database")
    encrypt.add_argument("--out", type=Path, required=True, metavar="NEW_FILE",
                         help="the encrypted copy (must not exist)")
    encrypt.add_argument("--new-passphrase-env", metavar="VAR", help="environment variable holding its passphrase")
    encrypt.set_defaults(handler=handle_encrypt)
    backup = actions.add_parser("backup", parents=[common],
                                help="write a consistent copy of the database (an encrypted one stays encrypted)")
    backup.add_argument("--out", type=Path, required=True, metavar="FILE", help="the backup file (mode 0600)")
    backup.set_defaults(handler=handle_backup)


def handle_status(args: argparse.Namespace, services: Services) -> int:
    store = services.ctx.store
    print_json({
        "path": str(services.db_path), "encrypted": is_encrypted(services),
        "incidents": store.incidents.count(), "events": store.events.count(),
    })
    return 0


def handle_rekey(args: argparse.Namespace, services: Services) -> int:
    if not is_encrypted(services):
        raise CliError(f"{services.db_path} is not encrypted; 'db encrypt --out NEW_FILE' writes an encrypted copy", 2)
    rekey_database(services, _new_passphrase(args, str(services.db_path)))
    say(f"{services.db_path}: passphrase changed. Backups written before now keep the old passphrase.")
    print_json({"path": str(services.db_path), "rekeyed": True})
    return 0


def handle_encrypt(args: argparse.Namespace, services: Services) -> int:
    if is_encrypted(services):
        raise CliError(f"{services.db_path} is already encrypted; use 'db rekey' to change its passphrase", 2)
    target = args.out.expanduser()
    if not is_free_name(target):  # a link (even a dangling one), a device or a non-empty file
        raise CliError(f"{target} already exists; choose a new file name", 2)
    encrypt_copy(services, target, _new_passphrase(args, str(target)))
    say(f"encrypted copy written to {target}. Open it with --db {target}; once you have checked it, delete "
        f"{services.db_path} and its *.bak backups (they are not encrypted).")
    print_json({"source": str(services.db_path), "encrypted_copy": str(target)})
    return 0


def handle_backup(args: argparse.Namespace, services: Services) -> int:
    bar = ProgressBar("backup")
    try:
        with bar:
            result = backup_database(services, args.out, Progress(on_change=bar.update if bar.drawing else None))
    except OutputRefusedError as exc:
        raise CliError(str(exc), 2) from None
    except (Cancelled, KeyboardInterrupt):
        raise CliError("backup cancelled; no backup file was written", 1) from None
    say(f"backup written to {result.path}" + (" (encrypted: it opens with the same passphrase)"
                                              if result.encrypted else ""))
    print_json(result.to_dict())
    return 0


def _new_passphrase(args: argparse.Namespace, what: str) -> str:
    given = passphrase_from_env(args.new_passphrase_env, "--new-passphrase-env")
    if given is not None:
        return given
    if not interactive():
        raise CliError("give the new passphrase with --new-passphrase-env VAR (no terminal to ask in)", 2)
    return ask_new_passphrase(what)
