"""Key-value settings (organisation profile, actor name, SMTP host…) stored as JSON values.

Secrets (the SMTP password) are never stored here."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

FORBIDDEN_KEYS = frozenset({"smtp_password", "password", "passphrase"})


class SettingsRepository:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def get(self, key: str, default: Any = None) -> Any:
        row = self._db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return default if row is None else json.loads(row[0])

    def lock_for_write(self) -> None:
        """Take the database's write lock now, inside the caller's transaction (a no-op UPDATE):
        what is read after it cannot be changed by another connection before the commit."""
        self._db.execute("UPDATE settings SET key = key WHERE 0")

    def set(self, key: str, value: Any) -> None:
        if key in FORBIDDEN_KEYS:
            raise ValueError(f"'{key}' is a secret and is never written to the database")
        self._db.table("settings").upsert(
            {"key": key, "value": json.dumps(value, ensure_ascii=False)}, pk="key"
        )
