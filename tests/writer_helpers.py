"""Other writers in real processes, for tests of concurrent writing: one that holds the write lock
for a while, one that keeps committing short writes."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Holds the write lock of the database in argv[1] for argv[2] seconds, as another writer would: a
# line on stdout says when it holds it.
HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE settings SET key = key WHERE 0")
print("held", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""

# Keeps writing to the database in argv[1] for argv[2] seconds, as a send run or an import in
# another process does: short write transactions (0.2 s each, holding the lock) that commit real
# changes back to back, so any read a command made before its first write is soon out of date.
BUSY_WRITER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
conn.execute("CREATE TABLE IF NOT EXISTS test_other_writer (n INTEGER)")
print("writing", flush=True)
end, n = time.monotonic() + float(sys.argv[2]), 0
while time.monotonic() < end:
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO test_other_writer VALUES (?)", [n])
    time.sleep(0.2)
    conn.execute("COMMIT")
    n += 1
    time.sleep(0.01)
"""


@contextmanager
def write_lock_held(db: Path, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """Another process holds the write lock for ``seconds`` (from when this block starts)."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db), str(seconds)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        holder.kill()
        holder.communicate()


@contextmanager
def other_writer(db: Path, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """Another process keeps committing writes for ``seconds`` (see BUSY_WRITER)."""
    writer = subprocess.Popen([sys.executable, "-c", BUSY_WRITER, str(db), str(seconds)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
        yield writer
        assert writer.wait(timeout=60) == 0  # it was never refused either
    finally:
        writer.kill()
        writer.communicate()
