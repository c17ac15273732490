"""Where the event log's key lives: outside the database, one key per database id.

The OS keyring when one works (Windows Credential Manager, macOS Keychain, Secret Service), else a
0600 file ``<database id>.key`` in the user's config folder (``event-log-keys/``). A headless Linux
box has no keyring (``NoKeyringError``), so the file is what it uses. ``$INCIDENT_APP_KEY_DIR``
points at another folder and then only files are used (tests; a key kept on removable media).

Beside the key sit checkpoints ``<database id>-<digest of the file's path>.head.json``: the last
chain head this computer saw in the file at that path at a successful verification or export. They
let ``audit verify`` notice that the end of the log was cut off (or an older copy put back), which
the key alone cannot show. Per path, because copies of a database (backups, the encrypted copy)
share its id and key but legitimately end earlier. Everything platform-specific about keeping these
private is in this module and :mod:`incident_app.platform_support` (on Windows the key normally
goes to the Credential Manager through the keyring; the file fallback relies on the profile
folder's ACL)."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import threading
from pathlib import Path
from typing import Any

from incident_app.domain.proof import ChainHead
from incident_app.platform_support import make_private

ENV_KEY_DIR = "INCIDENT_APP_KEY_DIR"
KEYRING_SERVICE = "breach-desk-event-log"
KEY_BYTES = 32
_APP_NAME = "breach-desk"


def key_dir() -> Path:
    """The folder of key files and checkpoints: $INCIDENT_APP_KEY_DIR, else the user config dir."""
    override = os.environ.get(ENV_KEY_DIR)
    if override:
        return Path(override).expanduser()
    import platformdirs  # deferred: only needed without an override

    return Path(platformdirs.user_config_dir(_APP_NAME, appauthor=False)) / "event-log-keys"


def key_file(database_id: str) -> Path:
    return key_dir() / f"{_safe(database_id)}.key"


def describe_location(database_id: str) -> str:
    """Where this database's key is looked for, in words for a message."""
    try:
        where = str(key_file(database_id))
    except ValueError:
        where = str(key_dir())
    return f"the system keyring and {where}" if _keyring() is not None else where


def load_key(database_id: str) -> bytes | None:
    """The key of ``database_id`` from the keyring or its file; None when neither has it."""
    backend = _keyring()
    if backend is not None:
        try:
            stored = backend.get_password(KEYRING_SERVICE, database_id)
        except Exception:  # noqa: BLE001 - a locked or broken keyring is the same as none
            stored = None
        if stored:
            return _decode(str(stored))
    try:
        return _decode(key_file(database_id).read_text(encoding="ascii"))
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, ValueError, UnicodeDecodeError):
        return None  # unreadable or damaged: verification says "key missing", never passes


def create_key(database_id: str) -> bytes:
    """Make and keep a new random key for ``database_id`` (keyring, else a 0600 file)."""
    key = secrets.token_bytes(KEY_BYTES)
    store_key(database_id, key)
    return key


def store_key(database_id: str, key: bytes) -> str:
    """Keep ``key`` for ``database_id``: the keyring when one works, else a new 0600 file (never
    overwritten). Returns where it went, in words."""
    backend = _keyring()
    if backend is not None:
        try:
            backend.set_password(KEYRING_SERVICE, database_id, key.hex())
        except Exception:  # noqa: BLE001 - a keyring that refuses: fall back to the file
            backend = None
        if backend is not None:
            return "the system keyring"
    path = key_file(database_id)
    try:
        _write_private(path, key.hex() + "\n", exclusive=True)
    except OSError as exc:  # read-only home, full disk: say where, not a traceback
        raise OSError(exc.errno, f"cannot keep the event log key in {path.parent} ({exc.strerror}); "
                                 f"set ${ENV_KEY_DIR} to a writable private folder") from exc
    return str(path)


def read_checkpoint(database_id: str, db_path: Path) -> ChainHead | None:
    """The last head this computer recorded for ``database_id`` in the file at ``db_path``."""
    try:
        data: Any = json.loads(_checkpoint_file(database_id, db_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return ChainHead.from_dict(data)


def write_checkpoint(database_id: str, db_path: Path, head: ChainHead) -> None:
    """Remember ``head`` unless a later one is already recorded (never moves backwards)."""
    current = read_checkpoint(database_id, db_path)
    if current is not None and current.seq >= head.seq:
        return
    path = _checkpoint_file(database_id, db_path)
    # One temporary name per writer: GUI worker threads and other processes may record at once.
    temporary = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    _write_private(temporary, json.dumps(head.to_dict()) + "\n", exclusive=False)
    temporary.replace(path)


def _checkpoint_file(database_id: str, db_path: Path) -> Path:
    where = hashlib.sha256(str(db_path.resolve()).encode("utf-8")).hexdigest()[:16]
    return key_dir() / f"{_safe(database_id)}-{where}.head.json"


def _write_private(path: Path, text: str, *, exclusive: bool) -> None:
    """Write ``text`` to a file only the user can read, in a folder only the user can enter."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text)
    make_private(path)  # 0600 on POSIX; on Windows the profile folder's ACL (platform_support)


def _decode(text: str) -> bytes | None:
    key = bytes.fromhex(text.strip())
    return key if len(key) == KEY_BYTES else None


def _safe(database_id: str) -> str:
    """Database ids are hex; anything else (a tampered id) must not steer the file path."""
    if not database_id or not all(c in "0123456789abcdef" for c in database_id):
        raise ValueError("the database id is not a hex string (the database was altered)")
    return database_id


def _keyring() -> Any | None:
    """The configured keyring backend, or None (override set, no backend, broken install)."""
    if os.environ.get(ENV_KEY_DIR):
        return None
    try:
        import keyring

        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001 - a broken keyring installation is the same as none
        return None
    # keyring's "fail" backend (priority 0) is what a headless box gets: NoKeyringError on use.
    return backend if float(getattr(backend, "priority", 0)) > 0 else None
