"""Encryption at rest: what it costs, as ratios measured in the same run.

1. Opening a connection: SQLCipher deriving the key from the passphrase on every open (what a
   naive hook does; each GUI job opens its own connection) vs our connector, which derives once
   and hands SQLCipher the raw key.
2. Bulk insert of 200,000 people-like rows in one transaction: SQLCipher vs plain stdlib sqlite3,
   both through executemany, WAL mode.

Run: .venv/bin/python bench/bench_encryption.py
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from pathlib import Path

import sqlcipher3.dbapi2 as cipher

from incident_app.storage.encryption import EncryptedConnector

PASS = "correct horse battery staple"
ROWS = 200_000


def timed(fn, repeat: int = 1) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def rows() -> list[tuple[int, str, str, str]]:
    return [(i, f"用户{i}", f"user{i}@example.com", f"138{i:08d}") for i in range(ROWS)]


def insert(conn: sqlite3.Connection, data: list[tuple[int, str, str, str]]) -> None:
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, email TEXT, phone TEXT)")
    conn.executemany("INSERT INTO people VALUES (?,?,?,?)", data)
    conn.commit()
    conn.close()


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    path = folder / "open.db"
    connector = EncryptedConnector.for_new_file(PASS)
    conn = connector(path)
    conn.execute("CREATE TABLE t (id INTEGER)")  # an empty file would open without any key work
    conn.commit()
    conn.close()

    def open_with_passphrase() -> None:
        conn = cipher.connect(str(path))
        conn.execute(f"PRAGMA key = '{PASS}'")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.close()

    naive = timed(open_with_passphrase, 5)
    ours = timed(lambda: connector(path).close(), 20)
    print(f"open: passphrase per connection {naive * 1000:.1f} ms, derived key {ours * 1000:.1f} ms "
          f"-> {naive / ours:.0f}x faster")

    data = rows()
    plain = timed(lambda: insert(sqlite3.connect(folder / "plain.db"), data))
    encrypted = timed(lambda: insert(EncryptedConnector.for_new_file(PASS)(folder / "enc.db"), data))  # type: ignore[arg-type]
    print(f"insert {ROWS:,} rows: plain {ROWS / plain:,.0f} rows/s, encrypted {ROWS / encrypted:,.0f} rows/s "
          f"-> encrypted takes {encrypted / plain:.2f}x the plain time")


if __name__ == "__main__":
    main()
