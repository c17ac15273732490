"""Two writers at once, in real processes: a command that writes while another process (a GUI
window's save, a command in another terminal) holds the write lock waits for it instead of failing
with "database is locked"; one that waits past the busy timeout gets a plain message (exit 1,
nothing saved, no traceback); reading commands keep working while a write runs; and the event
log's hash chain stays whole when two processes append at the same time."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from writer_helpers import other_writer, write_lock_held

from incident_app.cli.main import BUSY_MESSAGE, run

# Appends argv[2] events through the store, each outside any transaction of the caller, as fast
# as it can (the chain's last hash read and the next event written by two processes at once).
APPENDER = """
import sys
from datetime import datetime, timezone
from pathlib import Path
from incident_app.domain.proof import EventDraft
from incident_app.storage.store import Store
store = Store.open(Path(sys.argv[1]))
print("open", flush=True)
sys.stdin.readline()  # both start appending together
for n in range(int(sys.argv[2])):
    store.record(EventDraft("test.appended", "test", sys.argv[3], {"n": n}), actor=sys.argv[3],
                 at=datetime.now(timezone.utc))
store.close()
"""


def cli(db: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """A command-line run in its own process (started, not waited for)."""
    return subprocess.Popen([sys.executable, "-m", "incident_app", *args, "--db", str(db)],
                            env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def finish(process: subprocess.Popen[str], timeout: float = 60) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def email_of(db: Path, person_id: int) -> str:
    with closing(sqlite3.connect(db)) as conn:
        return str(conn.execute("SELECT email FROM people WHERE id = ?", [person_id]).fetchone()[0])


def event_count(db: Path) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    assert run(["demo", "--db", str(path)]) == 0
    return path


@pytest.fixture
def db(demo: Path, tmp_path: Path) -> Path:
    """A fresh copy of the demo database for each test (consistent: the backup API)."""
    path = tmp_path / "db.sqlite3"
    with closing(sqlite3.connect(demo)) as source, closing(sqlite3.connect(path)) as target:
        source.backup(target)
    return path


def edit(db: Path, person_id: int, email: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return cli(db, "people", "1", "--edit", str(person_id), "--set", f"email={email}", "--reason", "the person wrote",
               env=env)


def test_a_write_waits_for_another_processes_writes_instead_of_failing(db: Path) -> None:
    with write_lock_held(db, 1.5) as holder:
        started = time.monotonic()
        code, out, err = finish(edit(db, 1, "waited@example.com"))
        waited = time.monotonic() - started
        assert holder.wait(timeout=10) == 0  # the other writer committed too
    assert code == 0, err
    assert waited >= 1.0  # it really waited for the lock
    assert json.loads(out)["changed"] == ["email"] and email_of(db, 1) == "waited@example.com"
    # A writer that keeps committing: the edit's read inside its transaction used to be outdated
    # by the time it wrote, and SQLite refused the upgrade at once ("database is locked").
    with other_writer(db, 3):
        code, out, err = finish(edit(db, 2, "between@example.com"))
    assert code == 0, err
    assert email_of(db, 2) == "between@example.com"


def test_a_write_that_waits_past_the_busy_timeout_says_so_plainly_and_saves_nothing(db: Path) -> None:
    before = event_count(db), email_of(db, 1)
    with write_lock_held(db, 30):
        started = time.monotonic()
        code, out, err = finish(edit(db, 1, "never@example.com", env={"INCIDENT_APP_BUSY_TIMEOUT": "0.5"}))
        waited = time.monotonic() - started
    assert code == 1 and out == ""
    assert err == f"incident-app: error: {BUSY_MESSAGE}\n"
    assert "try again" in err and "Traceback" not in err
    assert 0.5 <= waited < 20  # it gave up after its own short timeout, not the holder's 30 s
    assert (event_count(db), email_of(db, 1)) == before


@pytest.mark.parametrize("value", ["soon", "0", "-1", "nan", "99999"])
def test_a_bad_busy_timeout_is_refused_naming_the_variable(db: Path, value: str) -> None:
    code, out, err = finish(cli(db, "people", "1", env={"INCIDENT_APP_BUSY_TIMEOUT": value}))
    assert code == 2 and out == ""
    assert "$INCIDENT_APP_BUSY_TIMEOUT" in err and repr(value) in err and "Traceback" not in err


def test_reading_commands_keep_working_while_a_write_runs(db: Path) -> None:
    # (``people ID`` is not among them: a listing of people is logged as an export, an event.)
    with write_lock_held(db, 60) as holder:
        readers = [cli(db, "audit", "verify"), cli(db, "assess", "1"), cli(db, "show", "1")]
        (verified, report, verify_err), (assessed, assessment, assess_err), (shown, incident, show_err) = (
            finish(r) for r in readers)
        assert holder.poll() is None  # the writer still holds its lock: no reader waited for it
    assert verified == 0, verify_err
    assert json.loads(report)["ok"] is True
    assert assessed == 0, assess_err
    assert json.loads(assessment)["obligations"]
    assert shown == 0, show_err
    assert json.loads(incident)["id"] == 1


def now_in_beijing(earlier_s: float = 0) -> str:
    return (datetime.now().astimezone() - timedelta(seconds=earlier_s)).replace(microsecond=0).isoformat()


def two_at_once(db: Path, first: list[str], second: list[str]) -> list[tuple[int, str, str]]:
    """Start both commands while a third process keeps writing, so all three contend for the lock."""
    with other_writer(db, 3):
        processes = [cli(db, *first), cli(db, *second)]
        return [finish(p) for p in processes]


def test_two_people_edits_at_once_both_succeed(db: Path) -> None:
    results = two_at_once(db, ["people", "1", "--edit", "1", "--set", "email=a@example.com", "--reason", "r"],
                          ["people", "1", "--edit", "2", "--set", "email=b@example.com", "--reason", "r"])
    assert [code for code, _, _ in results] == [0, 0], [err for _, _, err in results]
    assert (email_of(db, 1), email_of(db, 2)) == ("a@example.com", "b@example.com")
    assert_chain_verifies(db)


def test_a_decision_and_a_fulfilment_at_once_both_succeed(db: Path, tmp_path: Path) -> None:
    decision = tmp_path / "decision.json"
    decision.write_text(json.dumps({"kind": "cac_grade_judgement", "rationale": "影响有限", "decided_by": "王安全",
                                    "details": {"level": "一般"}}, ensure_ascii=False), encoding="utf-8")
    results = two_at_once(db, ["decide", "1", "--json", str(decision)],
                          ["fulfil", "1", "pipl57-regulator", "--at", now_in_beijing(5), "--channel", "website_12387",
                           "--by", "王伟"])
    assert [code for code, _, _ in results] == [0, 0], [err for _, _, err in results]
    assert json.loads(results[0][1])["kind"] == "cac_grade_judgement"
    assert json.loads(results[1][1])["status"] == "met"
    assert_chain_verifies(db)


def test_two_delivery_reports_imported_at_once_both_apply(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "recipients.jsonl"
    assert run(["approve", "1", "--by", "王安全", "--db", str(db)]) == 0
    assert run(["export-recipients", "1", "--out", str(out), "--db", str(db)]) == 0
    references = [json.loads(line)["reference"] for line in out.read_text(encoding="utf-8").splitlines()]
    time.sleep(1)  # the platform's time of delivery comes after the hand-off (whole seconds)
    when = now_in_beijing()
    halves = [references[::2], references[1::2]]
    reports = []
    for n, half in enumerate(halves):
        report = tmp_path / f"report{n}.csv"
        report.write_text("reference,status,time,reason\n" + "".join(f"{r},delivered,{when},\n" for r in half),
                          encoding="utf-8")
        reports.append(report)
    results = two_at_once(db, ["import-delivery", "1", str(reports[0])], ["import-delivery", "1", str(reports[1])])
    assert [code for code, _, _ in results] == [0, 0], [err for _, _, err in results]
    assert [json.loads(o)["changed"] for _, o, _ in results] == [len(h) for h in halves]
    assert_chain_verifies(db)


def test_two_processes_appending_events_at_once_keep_the_chain_whole(db: Path, tmp_path: Path) -> None:
    count, before = 150, event_count(db)
    appenders = [subprocess.Popen([sys.executable, "-c", APPENDER, str(db), str(count), who], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for who in ("p1", "p2")]
    for appender in appenders:
        assert appender.stdout is not None and appender.stdout.readline().strip() == "open"
    for appender in appenders:
        assert appender.stdin is not None
        appender.stdin.write("go\n")
        appender.stdin.flush()
    for appender in appenders:
        _, err = appender.communicate(timeout=120)
        assert appender.returncode == 0, err
    with closing(sqlite3.connect(db)) as conn:
        seqs = [row[0] for row in conn.execute("SELECT seq FROM events ORDER BY seq")]
        actors = dict(conn.execute("SELECT actor, count(*) FROM events WHERE type = 'test.appended' GROUP BY actor"))
    assert seqs == list(range(1, before + 2 * count + 1))  # no gap, no event chained twice
    assert actors == {"p1": count, "p2": count}
    assert_chain_verifies(db)
    pack = tmp_path / "pack.zip"
    code, _, err = finish(cli(db, "evidence", "1", "--out", str(pack)))
    assert code == 0, err
    code, out, err = finish(cli(db, "evidence", "verify", str(pack)))
    assert code == 0, out + err


def assert_chain_verifies(db: Path) -> None:
    """``audit verify`` recomputes the keyed chain from the first event to the last."""
    code, out, err = finish(cli(db, "audit", "verify"))
    assert code == 0, out + err
    assert json.loads(out)["ok"] is True
