"""Encryption at rest with SQLCipher 4 (sqlcipher3-binary), plugged in through the
``connect_hook`` of :func:`incident_app.storage.database.connect`.

How a file is opened:
- A plain SQLite file starts with ``SQLite format 3\\0``; an SQLCipher file starts with its
  16-byte random salt, so the first 16 bytes tell the two apart without a key.
- The key is derived here, once per process, exactly as SQLCipher 4 derives it from a passphrase
  (PBKDF2-HMAC-SHA512, 256,000 iterations, 32 bytes, the file's salt), and handed to SQLCipher as a
  raw key. The stock ``sqlcipher`` shell still opens the file with ``PRAGMA key = 'passphrase'``,
  but every further connection (each GUI worker opens its own) costs 2 ms instead of 130 ms.
- A wrong passphrase is detected by reading the schema before anything else runs (no pragma that
  writes, no migration), so the file and its WAL are left byte-for-byte as they were.

sqlite-utils and the rest of the code catch the stdlib ``sqlite3`` exceptions; SQLCipher raises its
own classes with the same names. :class:`CipherConnection` translates them, so ``drop(ignore=True)``,
``OperationalError`` handling in the CLI and the GUI's environment-error check all keep working.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import sqlcipher3.dbapi2 as cipher
import sqlite_utils

from incident_app.domain.passphrase import NotEncrypted, WrongPassphrase
from incident_app.storage.database import finish_private_temp, private_temp_beside, remove_private_temp

PLAIN_HEADER = b"SQLite format 3\x00"
SALT_BYTES = 16
KEY_BYTES = 32
# SQLCipher 4 defaults; keeping them means the file also opens in the stock sqlcipher shell.
KDF_ITERATIONS = 256_000

T = TypeVar("T")


class DatabaseKind(StrEnum):
    NEW = "new"              # missing or empty: the next open creates it (plain or encrypted)
    PLAIN = "plain"
    ENCRYPTED = "encrypted"  # (or a database-sized file of other bytes: only a key attempt can tell)
    NOT_DATABASE = "not a database"  # neither header nor whole pages: a text file, a PDF, a cut copy


# SQLite (and so SQLCipher) writes whole pages of 512 to 65,536 bytes: an encrypted database is a
# non-empty multiple of 512 bytes long. A file that is not (a text file, a document, a copy cut
# short) is told apart without asking for a passphrase it could never accept.
MIN_PAGE_BYTES = 512


def detect_database_kind(path: Path) -> DatabaseKind:
    """Tell a plain SQLite file from an encrypted one by its first 16 bytes (no key needed)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(PLAIN_HEADER))
    except FileNotFoundError:
        return DatabaseKind.NEW
    if not head:
        return DatabaseKind.NEW
    if head == PLAIN_HEADER:
        return DatabaseKind.PLAIN
    try:
        size = path.stat().st_size
    except OSError:
        return DatabaseKind.ENCRYPTED  # a key attempt will say what is wrong
    if size < MIN_PAGE_BYTES or size % MIN_PAGE_BYTES:
        return DatabaseKind.NOT_DATABASE
    return DatabaseKind.ENCRYPTED


def derive_key(passphrase: str, salt: bytes, iterations: int = KDF_ITERATIONS) -> bytes:
    """SQLCipher 4's key derivation, done once here so later connections skip it."""
    return hashlib.pbkdf2_hmac("sha512", passphrase.encode("utf-8"), salt, iterations, KEY_BYTES)


# -- the exception shim ----------------------------------------------------------------------
def _stdlib_error(exc: Exception) -> Exception:
    """The stdlib exception of the same name, keeping SQLite's error code."""
    cls = getattr(sqlite3, type(exc).__name__, sqlite3.DatabaseError)
    translated: Exception = cls(*exc.args)
    for attr in ("sqlite_errorcode", "sqlite_errorname"):
        if hasattr(exc, attr):
            setattr(translated, attr, getattr(exc, attr))
    return translated


def _call(fn: Callable[[], T]) -> T:
    try:
        return fn()
    except cipher.Error as exc:
        raise _stdlib_error(exc) from exc


class CipherCursor(cipher.Cursor):  # type: ignore[misc]
    """A SQLCipher cursor that raises stdlib ``sqlite3`` exceptions."""

    def execute(self, sql: str, parameters: Any = ()) -> Any:
        return _call(lambda: super(CipherCursor, self).execute(sql, parameters))

    def executemany(self, sql: str, seq: Any) -> Any:
        return _call(lambda: super(CipherCursor, self).executemany(sql, seq))

    def executescript(self, script: str) -> Any:
        return _call(lambda: super(CipherCursor, self).executescript(script))

    def fetchone(self) -> Any:
        return _call(lambda: super(CipherCursor, self).fetchone())

    def fetchmany(self, size: int | None = None) -> list[Any]:
        size = self.arraysize if size is None else size
        return _call(lambda: super(CipherCursor, self).fetchmany(size))

    def fetchall(self) -> list[Any]:
        return _call(lambda: super(CipherCursor, self).fetchall())

    def __next__(self) -> Any:
        try:
            return super().__next__()
        except cipher.Error as exc:
            raise _stdlib_error(exc) from exc


class CipherConnection(cipher.Connection):  # type: ignore[misc]
    """A SQLCipher connection that behaves like a stdlib one towards sqlite-utils.

    ``cipher_salt`` and ``kdf_iterations`` (not secret) let :func:`rekey` derive the new key.
    """

    cipher_salt: bytes = b""
    kdf_iterations: int = KDF_ITERATIONS

    def cursor(self, factory: Any = CipherCursor) -> Any:
        return super().cursor(factory)

    def execute(self, sql: str, parameters: Any = ()) -> Any:
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, seq: Any) -> Any:
        return self.cursor().executemany(sql, seq)

    def executescript(self, script: str) -> Any:
        return self.cursor().executescript(script)

    def commit(self) -> None:
        _call(super().commit)

    def rollback(self) -> None:
        _call(super().rollback)

    def backup_to(self, target: Path) -> None:
        """Write an encrypted copy (same key) to ``target``; the stdlib backup API cannot."""
        self.execute("ATTACH DATABASE ? AS backup_copy", [str(target)])
        try:
            self.execute("SELECT sqlcipher_export('backup_copy')").fetchall()
        finally:
            self.execute("DETACH DATABASE backup_copy")


def _key_pragma(pragma: str, key: bytes, salt: bytes = b"") -> str:
    # Hex digits only: nothing from the user reaches this SQL text.
    return f"PRAGMA {pragma} = \"x'{key.hex()}{salt.hex()}'\""


def _open_raw(path: Path, key: bytes, salt: bytes) -> CipherConnection:
    conn: CipherConnection = cipher.connect(str(path), factory=CipherConnection, timeout=10,
                                            check_same_thread=True)
    # Without this, SQLCipher prints "hmac check failed" lines to stderr on a wrong key.
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(_key_pragma("key", key, salt))
    return conn


class EncryptedConnector:
    """The connect hook for one encrypted file. Keeps the derived key, never the passphrase;
    its repr hides the key so a traceback or log line cannot show it."""

    __slots__ = ("_iterations", "_key", "_salt")

    def __init__(self, key: bytes, salt: bytes, iterations: int = KDF_ITERATIONS) -> None:
        self._key, self._salt, self._iterations = key, salt, iterations

    def __repr__(self) -> str:
        return "EncryptedConnector(<key hidden>)"

    @classmethod
    def for_new_file(cls, passphrase: str, iterations: int = KDF_ITERATIONS) -> EncryptedConnector:
        """A connector that creates a new encrypted file (fresh random salt) on first open."""
        salt = os.urandom(SALT_BYTES)
        return cls(derive_key(passphrase, salt, iterations), salt, iterations)

    @classmethod
    def unlock(cls, path: Path, passphrase: str, iterations: int = KDF_ITERATIONS) -> EncryptedConnector:
        """Check ``passphrase`` against the existing encrypted file at ``path``.

        Raises :class:`WrongPassphrase` (file untouched) or :class:`NotEncrypted`.
        """
        if detect_database_kind(path) is not DatabaseKind.ENCRYPTED:
            raise NotEncrypted(path)
        with path.open("rb") as handle:
            salt = handle.read(SALT_BYTES)
        connector = cls(derive_key(passphrase, salt, iterations), salt, iterations)
        connector(path).close()
        return connector

    def __call__(self, path: Path) -> sqlite3.Connection:
        conn = _open_raw(path, self._key, self._salt)
        try:
            # The first read decrypts page 1; a wrong key fails here, before anything writes.
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError:
            conn.close()
            raise WrongPassphrase(path) from None
        conn.cipher_salt, conn.kdf_iterations = self._salt, self._iterations
        return conn  # duck-types sqlite3.Connection for sqlite-utils (a subclass of an untyped class)


def is_encrypted_connection(db: sqlite_utils.Database) -> bool:
    return isinstance(db.conn, CipherConnection)


def rekey(db: sqlite_utils.Database, new_passphrase: str) -> None:
    """Re-encrypt the open database under a new passphrase (SQLCipher ``PRAGMA rekey``).

    The salt stays, so the key is derived like SQLCipher would. Run it with no other connection
    open on the file. Backups written earlier stay under the old passphrase.
    """
    conn = db.conn
    if not isinstance(conn, CipherConnection):
        raise NotEncrypted(Path(db.execute("PRAGMA database_list").fetchone()[2]))
    new_key = derive_key(new_passphrase, conn.cipher_salt, conn.kdf_iterations)
    conn.execute(_key_pragma("rekey", new_key))


def write_encrypted_copy(source: Path, target: Path, passphrase: str,
                         iterations: int = KDF_ITERATIONS) -> None:
    """Copy a plain database into a new encrypted file (``db encrypt``); ``source`` is unchanged.

    The copy is written under a temporary name beside ``target`` and renamed when complete, so a
    full disk leaves nothing under ``target`` (a retry is not blocked) and a link planted there
    is never written through. Raises FileExistsError when anything but an empty regular file
    (a link too, even a dangling one) is at ``target``."""
    if detect_database_kind(source) is not DatabaseKind.PLAIN:
        raise ValueError(f"{source} is not a plain SQLite database")
    if not is_free_name(target):
        raise FileExistsError(f"{target} already exists; choose a new file name")
    salt = os.urandom(SALT_BYTES)
    key = derive_key(passphrase, salt, iterations)
    temp = private_temp_beside(target)
    try:
        _export_encrypted(source, temp, key, salt)
        finish_private_temp(temp, target)
    except BaseException:
        remove_private_temp(temp)
        raise


def is_free_name(target: Path) -> bool:
    """Nothing at ``target`` (checked without following a link), or an empty regular file."""
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return True
    return stat.S_ISREG(info.st_mode) and info.st_size == 0


def _export_encrypted(source: Path, temp: Path, key: bytes, salt: bytes) -> None:
    conn = cipher.connect(str(source), factory=CipherConnection)
    try:
        conn.execute(f"ATTACH DATABASE ? AS encrypted KEY \"x'{key.hex()}{salt.hex()}'\"", [str(temp)])
        conn.execute("SELECT sqlcipher_export('encrypted')").fetchall()
        conn.execute("DETACH DATABASE encrypted")
    finally:
        conn.close()

