"""The retention purge of a large send ledger runs in committed chunks: a process killed half-way
(a real SIGKILL, mid-chunk) leaves every row either purged whole or untouched, the incident still
due, and the next purge finishes it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import timedelta
from pathlib import Path

from incident_app.domain.clock import parse_time, to_iso
from incident_app.domain.incident import IncidentStatus
from incident_app.services.container import open_services
from incident_app.services.retention import purge_due

ROOT = Path(__file__).resolve().parents[2]
ROWS, CHUNK = 3000, 100
CLOSED_AT = parse_time("2026-11-20T12:00:00+08:00")
LATER = CLOSED_AT + timedelta(days=400)

# The purge as the app runs it, with small chunks and a pause after each chunk's rows are changed
# but before its transaction commits, so the kill lands inside a chunk.
CHILD = """
import sys, time
from pathlib import Path
from incident_app.domain.clock import parse_time
from incident_app.services.container import open_services
from incident_app.services.retention import purge_due
from incident_app.storage import send_ledger

send_ledger.PURGE_CHUNK = int(sys.argv[3])
real = send_ledger.SendLedgerRepository.anonymise_for_incident

def announced(self, *args, **kwargs):
    result = real(self, *args, **kwargs)
    print("chunk", result[0], flush=True)
    time.sleep(float(sys.argv[4]))
    return result

send_ledger.SendLedgerRepository.anonymise_for_incident = announced
services = open_services(Path(sys.argv[1]), clock=lambda: parse_time(sys.argv[2]))
print("done", [r.records_by_target for r in purge_due(services)], flush=True)
"""


def make_database(path: Path, intake: dict[str, object]) -> int:
    services = open_services(path, clock=lambda: CLOSED_AT)
    incident = services.incidents.create(intake)
    with services.ctx.store.transaction():
        services.ctx.store.db.conn.executemany(
            "INSERT INTO send_ledger (incident_id, recipient_key, notice_kind, notice_version, to_address,"
            " message_id, state, attempts, in_doubt, last_reply, reason, queued_at, updated_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [(incident.id, f"p{i}@example.com", "individual_email", "v1", f"p{i}@example.com", f"<{i}@bd>",
              "failed", 1, 0, f"550 5.1.1 <P{i}@EXAMPLE.COM>: unknown", f"call 1380013{i:04d}",
              to_iso(CLOSED_AT), to_iso(CLOSED_AT)) for i in range(ROWS)])
    services.incidents.change_status(incident.id, IncidentStatus.CLOSED, "all notified", force=True)
    services.close()
    return incident.id


def start(path: Path, pause: float) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", CHILD, str(path), to_iso(LATER), str(CHUNK), str(pause)],
                            stdout=subprocess.PIPE, text=True, env=env)


def ledger_rows(path: Path) -> list[tuple[str, str, str, str]]:
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        sql = "SELECT recipient_key, to_address, last_reply, reason FROM send_ledger ORDER BY id"
        return conn.execute(sql).fetchall()


def test_a_purge_killed_mid_chunk_is_finished_by_the_next(tmp_path: Path, intake: dict[str, object]) -> None:
    path = tmp_path / "db.sqlite3"
    incident_id = make_database(path, intake)
    child = start(path, pause=0.2)
    assert child.stdout is not None
    for _ in range(5):
        assert child.stdout.readline().startswith("chunk")
    os.kill(child.pid, signal.SIGKILL)  # during the pause: the fifth chunk's transaction is open
    child.wait(timeout=30)
    child.stdout.close()

    rows = ledger_rows(path)
    purged = [r for r in rows if r[0].startswith("purged:")]
    untouched = [r for r in rows if not r[0].startswith("purged:")]
    assert len(purged) == 4 * CHUNK  # four chunks committed, the killed one rolled back whole
    assert all(r[1] == "" and "@" not in r[2] and "1380013" not in r[3] for r in purged)
    assert all(r[0] == r[1] and "EXAMPLE.COM" in r[2] for r in untouched)
    services = open_services(path, clock=lambda: LATER)
    assert services.ctx.store.retention.purged_at(incident_id, "send_ledger.addresses") is None  # still due
    assert not services.ctx.store.events.of_types(["retention.purged"])
    services.close()

    again = start(path, pause=0)
    out, _ = again.communicate(timeout=120)
    # The record counts every row the purge changed, the killed run's committed chunks included:
    # the one event that says the purge happened must not under-report it.
    assert again.returncode == 0 and out.splitlines()[-1] == (
        f"done [{{'people.contacts': 0, 'send_ledger.addresses': {ROWS}}}]")
    rows = ledger_rows(path)
    assert all(r[0].startswith("purged:") and r[1] == "" and "@" not in r[2] and "1380013" not in r[3] for r in rows)
    services = open_services(path, clock=lambda: LATER)
    assert services.ctx.store.retention.purged_at(incident_id, "send_ledger.addresses") is not None
    assert len(services.ctx.store.events.of_types(["retention.purged"])) == 1
    assert services.audit.verify().ok
    assert purge_due(services) == []  # once only
    services.close()
