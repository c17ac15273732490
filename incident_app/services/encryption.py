"""Choosing how to open the database (plain, encrypted, or new and encrypted) and the use cases
on an encrypted file: rekey and writing an encrypted copy of a plain one.

The composition roots (cli/main.py, app.py) ask the person for the passphrase and then call
:func:`connect_hook_for`; the passphrase stays in their hands and is never stored or logged."""

from __future__ import annotations

from pathlib import Path

from incident_app.domain.passphrase import PassphraseRequired, check_new_passphrase
from incident_app.services.audit import record_export
from incident_app.services.container import Services
from incident_app.storage.encryption import (
    KDF_ITERATIONS,
    DatabaseKind,
    EncryptedConnector,
    detect_database_kind,
    is_encrypted_connection,
    is_free_name,
    rekey,
    write_encrypted_copy,
)
from incident_app.storage.store import ConnectHook

__all__ = ["DatabaseKind", "connect_hook_for", "database_kind", "encrypt_copy", "is_encrypted", "is_free_name",
           "rekey_database"]


def database_kind(path: Path) -> DatabaseKind:
    """new, plain or encrypted — from the file's first bytes, without a key."""
    return detect_database_kind(path)


def connect_hook_for(
    path: Path, passphrase: str | None, *, encrypt_new: bool = False,
    iterations: int = KDF_ITERATIONS,
) -> ConnectHook | None:
    """The connect hook for ``path``: ``None`` for a plain file; an unlocked connector for an
    encrypted one (raises :class:`WrongPassphrase` / :class:`PassphraseRequired`); a creating
    connector for a new file when ``encrypt_new`` or a passphrase is given.

    A passphrase given for an existing plain file is not used (the caller may warn).
    """
    kind = detect_database_kind(path)
    if kind is DatabaseKind.ENCRYPTED:
        if passphrase is None:
            raise PassphraseRequired(path)
        return EncryptedConnector.unlock(path, passphrase, iterations)
    if kind is DatabaseKind.NEW and (encrypt_new or passphrase is not None):
        if passphrase is None:
            raise PassphraseRequired(path)
        check_new_passphrase(passphrase)
        return EncryptedConnector.for_new_file(passphrase, iterations)
    return None


def is_encrypted(services: Services) -> bool:
    return is_encrypted_connection(services.ctx.store.db)


def rekey_database(services: Services, new_passphrase: str) -> None:
    """Re-encrypt the open database under ``new_passphrase`` and log that it happened (never the
    passphrase). Close every other program using the file first."""
    check_new_passphrase(new_passphrase)
    store = services.ctx.store
    rekey(store.db, new_passphrase)
    with store.transaction():
        services.ctx.record("database.rekeyed", "database", "main", {"cipher": "SQLCipher 4"})


def encrypt_copy(services: Services, target: Path, passphrase: str,
                 iterations: int = KDF_ITERATIONS) -> None:
    """Write an encrypted copy of the open plain database to ``target`` (a new file). The copy
    holds everything, personal data included, so it is logged as an export."""
    check_new_passphrase(passphrase)
    source = services.db_path
    if source is None:
        raise ValueError("the database has no file to copy")
    write_encrypted_copy(source, target, passphrase, iterations)
    record_export(services.ctx, what="database.encrypted_copy", where=str(target), count=1, unmasked=False)
