"""The retention purge of a closed incident's real people list and send ledger: identifying data
goes (also from the database file's free pages), counts, the register and the assessment stay,
and the purge is one logged event."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from proof_helpers import EMAIL_ADULTS, EVERYONE, prepared_incident, send_all
from smtp_sink import Sink

from incident_app.domain.errors import ValidationError
from incident_app.domain.incident import IncidentStatus
from incident_app.services.container import Services, open_services
from incident_app.services.register.export import build_register
from incident_app.services.retention import purge_due

OTHERS = [(f"o{n}", f"别人{n}", f"other{n}@example.test", *row[3:]) for n, row in enumerate(EMAIL_ADULTS)]
IDENTIFYING = ("user_id", "name", "email", "phone", "address", "birth_date", "guardian_name", "guardian_email",
               "guardian_phone")


@pytest.fixture
def closed_and_sent(services: Services, intake: dict[str, object], tmp_path: Path, sink: Sink,
                    clock: Any) -> tuple[int, int]:
    closed = prepared_incident(services, intake, tmp_path)
    still_open = prepared_incident(services, intake | {"title": "still open"}, tmp_path, OTHERS)
    for incident_id in (closed, still_open):
        send_all(services, incident_id, sink.port)
    services.incidents.change_status(closed, IncidentStatus.CLOSED, "all told; summary report filed", force=True)
    clock.now += timedelta(days=90)
    return closed, still_open


def identifying_values(raw: sqlite3.Connection, incident_id: int) -> list[str]:
    rows = raw.execute(f"SELECT {', '.join(IDENTIFYING)} FROM people WHERE incident_id = ?", [incident_id])
    ledger = raw.execute("SELECT to_address, recipient_key, last_reply, reason FROM send_ledger WHERE incident_id = ?",
                         [incident_id])
    values = [v for row in [*rows, *ledger] for v in row if v and not str(v).startswith("purged:")]
    return [v for v in values if not str(v).startswith("250 ")]  # the relay's "queued" reply names nobody


def test_purge_blanks_people_and_ledger_addresses_and_keeps_counts_and_register(
    services: Services, closed_and_sent: tuple[int, int], raw_connect: Any, db_path: Path
) -> None:
    closed, still_open = closed_and_sent
    report = Path(str(services.people.last_import(closed)["report_path"]))
    summary, assessment = services.people.summary(closed), services.assessment.assess(closed)
    register = build_register(services).records
    with raw_connect() as raw:
        assert identifying_values(raw, closed)

    results = purge_due(services)

    assert [(r.incident_id, r.records_by_target) for r in results] == [
        (closed, {"people.contacts": len(EVERYONE), "send_ledger.addresses": 5})]
    with raw_connect() as raw:
        left = identifying_values(raw, closed)
        kept = identifying_values(raw, still_open)
    assert left == [] and kept  # the open incident is untouched
    assert not report.exists() and services.people.last_import(closed)["report_path"] is None
    assert services.people.summary(closed) == summary
    assert services.assessment.assess(closed).people == assessment.people
    assert build_register(services).records == register
    assert services.people.purged_at(closed) == services.ctx.now()
    assert all(p.name is None and p.email is None for p in services.people.page(closed, 0, 50))
    event = services.audit.timeline(closed)[0]
    assert event.type == "retention.purged" and "example.test" not in str(event.payload)
    assert services.audit.verify().ok and purge_due(services) == []
    # Nothing is left in free pages or the write-ahead log either (an encrypted file shows no text anyway).
    wal = db_path.with_name(db_path.name + "-wal")
    on_disk = db_path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert b"user1@example.test" not in on_disk and "用户1号".encode() not in on_disk
    assert b"parent1@example.test" not in on_disk and b"13900139000" not in on_disk


def test_a_purged_incident_takes_no_new_people_list(
    services: Services, closed_and_sent: tuple[int, int], tmp_path: Path
) -> None:
    closed, _ = closed_and_sent
    purge_due(services)
    path = tmp_path / "more.csv"
    path.write_text("user_id,name,email\nu7,新人,new@example.test\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="purged"):
        services.people.import_file(closed, path)


def test_a_purge_in_a_copy_of_the_database_leaves_the_original_s_import_reports(
    services: Services, closed_and_sent: tuple[int, int], db_path: Path, tmp_path: Path, clock: Any,
    db_hook: Any,
) -> None:
    """A copy (a restored backup, a trial run elsewhere) keeps the original's report paths: its
    purge removes only reports written beside itself, never the original's."""
    closed, _ = closed_and_sent
    report = Path(str(services.people.last_import(closed)["report_path"]))
    assert report.exists() and report.parent == db_path.parent
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for part in db_path.parent.glob(db_path.name + "*"):  # the file, its write-ahead log, its key
        if part.is_file() and "people-import" not in part.name:
            shutil.copy2(part, elsewhere / part.name)
    copy = open_services(elsewhere / db_path.name, clock=clock, connect_hook=db_hook)
    try:
        assert [r.incident_id for r in purge_due(copy)] == [closed]
        assert copy.people.last_import(closed)["report_path"] is None
    finally:
        copy.close()
    assert report.exists(), "the original's report is the original's to purge"
    purge_due(services)
    assert not report.exists()
