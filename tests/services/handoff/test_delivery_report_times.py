"""The platform's delivery report is checked and applied by *time*, not by the text of the time:
a report written in Beijing time (+08:00) against an export recorded in UTC, or in UTC against an
export recorded in Beijing time, is neither refused as "before the export" nor silently left
unapplied; a row really before the export is refused whatever its offset; the 5-minute "future"
limit is the same instant in every offset; an older report never overwrites a newer one, however
the two times are written; and the ledger stores its times in UTC, so the SQL that orders them
(the last acceptance of a batch, the first notice of the register) orders instants."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from datetime import UTC, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from proof_helpers import ALL_BY_EMAIL, prepared_incident

from incident_app.domain.clock import parse_time, to_iso
from incident_app.domain.errors import ValidationError
from incident_app.services.container import Services, open_services
from incident_app.storage import database

BEIJING = timezone(timedelta(hours=8))


def export(services: Services, incident: int, folder: Path) -> list[dict[str, Any]]:
    out = folder / "r.jsonl"
    services.platform.export_recipients(incident, out)
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def report(folder: Path, rows: list[tuple[str, str, str]], name: str = "delivery.csv") -> Path:
    path = folder / name
    path.write_text("reference,status,time\n" + "".join(f"{r},{s},{t}\n" for r, s, t in rows), encoding="utf-8")
    return path


def states(services: Services, incident: int) -> list[str]:
    return [str(s) for (s,) in services.ctx.store.db.execute(
        "SELECT state FROM send_ledger WHERE incident_id = ? AND channel = 'platform' ORDER BY id", [incident])]


@pytest.mark.parametrize(("clock_zone", "report_zone"), [(BEIJING, UTC), (UTC, BEIJING), (BEIJING, BEIJING)])
def test_a_report_a_minute_after_the_export_is_applied_whatever_the_offsets(
        services: Services, intake: dict[str, object], tmp_path: Path, clock: Any,
        clock_zone: timezone, report_zone: timezone) -> None:
    clock.now = clock.now.astimezone(clock_zone)
    incident = prepared_incident(services, intake, tmp_path, ALL_BY_EMAIL)
    lines = export(services, incident, tmp_path)
    at = to_iso((clock.now + timedelta(minutes=1)).astimezone(report_zone))
    result = services.platform.import_delivery(incident, report(tmp_path, [(x["reference"], "delivered", at)
                                                                           for x in lines]))
    assert result["changed"] == len(lines)
    assert set(states(services, incident)) == {"sent"}
    assert services.assessment.assess(incident).obligation("pipl57-individuals").status.value == "met"


@pytest.mark.parametrize("report_zone", [UTC, BEIJING])
def test_a_row_really_before_the_export_is_refused_whatever_its_offset(
        services: Services, intake: dict[str, object], tmp_path: Path, clock: Any, report_zone: timezone) -> None:
    incident = prepared_incident(services, intake, tmp_path, ALL_BY_EMAIL)
    lines = export(services, incident, tmp_path)
    early = to_iso((clock.now - timedelta(minutes=1)).astimezone(report_zone))
    late = to_iso((clock.now + timedelta(minutes=1)).astimezone(report_zone))
    rows = [(x["reference"], "delivered", late) for x in lines]
    rows[2] = (rows[2][0], "delivered", early)
    with pytest.raises(ValidationError) as caught:
        services.platform.import_delivery(incident, report(tmp_path, rows))
    assert [p.field for p in caught.value.problems] == ["row 4, time"], caught.value.problems
    assert "before the export" in caught.value.problems[0].message
    assert set(states(services, incident)) == {"queued"}


@pytest.mark.parametrize("report_zone", [UTC, BEIJING])
def test_the_future_limit_is_five_minutes_in_any_offset(
        services: Services, intake: dict[str, object], tmp_path: Path, clock: Any, report_zone: timezone) -> None:
    incident = prepared_incident(services, intake, tmp_path, ALL_BY_EMAIL)
    lines = export(services, incident, tmp_path)
    soon = to_iso((clock.now + timedelta(minutes=4)).astimezone(report_zone))
    services.platform.import_delivery(incident, report(tmp_path, [(x["reference"], "delivered", soon)
                                                                  for x in lines]))
    too_late = to_iso((clock.now + timedelta(minutes=6)).astimezone(report_zone))
    with pytest.raises(ValidationError) as caught:
        services.platform.import_delivery(incident, report(tmp_path, [(lines[0]["reference"], "failed", too_late)],
                                                           "later.csv"))
    assert "in the future" in caught.value.problems[0].message


def test_an_older_report_in_another_offset_never_overwrites_a_newer_one(
        services: Services, intake: dict[str, object], tmp_path: Path, clock: Any) -> None:
    incident = prepared_incident(services, intake, tmp_path, ALL_BY_EMAIL)
    lines = export(services, incident, tmp_path)
    newer = clock.now + timedelta(minutes=3)
    services.platform.import_delivery(incident, report(tmp_path, [(x["reference"], "delivered", to_iso(newer))
                                                                  for x in lines]))
    # An older report (a minute earlier), written in UTC: its text sorts before the newer one's in
    # Beijing time, its instant too; and written in +14:00 its text sorts after, its instant not.
    for zone, name in ((UTC, "old-utc.csv"), (timezone(timedelta(hours=14)), "old-plus14.csv")):
        older = to_iso((newer - timedelta(minutes=1)).astimezone(zone))
        result = services.platform.import_delivery(
            incident, report(tmp_path, [(x["reference"], "failed", older) for x in lines], name))
        assert result["changed"] == 0, (zone, result)
        assert set(states(services, incident)) == {"sent"}
    # A later report in another offset still updates in order.
    later = to_iso((newer + timedelta(seconds=30)).astimezone(UTC))
    result = services.platform.import_delivery(incident, report(tmp_path, [(lines[0]["reference"], "failed", later)],
                                                                "later.csv"))
    assert result["changed"] == 1
    assert states(services, incident).count("failed") == 1


def test_the_ledger_stores_utc_so_the_last_acceptance_is_the_latest_instant(
        services: Services, intake: dict[str, object], tmp_path: Path, clock: Any) -> None:
    incident = prepared_incident(services, intake, tmp_path, ALL_BY_EMAIL)
    lines = export(services, incident, tmp_path)
    # Two rows delivered at instants whose Beijing-time text orders them the other way round
    # from their UTC text: 2026-11-20T23:30+08:00 (15:30Z) then 2026-11-21T01:00+08:00 (17:00Z).
    clock.now = parse_time("2026-11-21T02:00:00+08:00")
    first, last = parse_time("2026-11-20T23:30:00+08:00"), parse_time("2026-11-21T01:00:00+08:00")
    rows = [(x["reference"], "delivered", to_iso(first.astimezone(UTC))) for x in lines]
    rows[-1] = (rows[-1][0], "delivered", to_iso(last))
    services.platform.import_delivery(incident, report(tmp_path, rows))
    stored = [str(t) for (t,) in services.ctx.store.db.execute(
        "SELECT queued_at FROM send_ledger UNION ALL SELECT sent_at FROM send_ledger"
        " UNION ALL SELECT updated_at FROM send_ledger")]
    assert stored and all(t.endswith("+00:00") for t in stored), stored
    obligation = services.assessment.assess(incident).obligation("pipl57-individuals")
    assert obligation.status.value == "met" and obligation.met_at == last


def test_migration_36_rewrites_ledger_times_in_utc(
        db_path: Path, monkeypatch: pytest.MonkeyPatch, intake: dict[str, object]) -> None:
    real = database.discover_migrations()
    monkeypatch.setattr(database, "discover_migrations", lambda: [m for m in real if m.number < 36])
    services = open_services(db_path)
    try:
        incident = services.incidents.create(intake).id
        with services.ctx.store.transaction():
            services.ctx.store.db.conn.executemany(
                "INSERT INTO send_ledger (incident_id, recipient_key, notice_kind, notice_version, to_address,"
                " message_id, state, attempts, in_doubt, queued_at, updated_at, sent_at, next_attempt_at, channel)"
                " VALUES (?,?,'individual','v1','a@example.test',?,'sent',1,0,?,?,?,?,'email')",
                [(incident, "k1", "<1@x>", "2026-11-20T23:30:00+08:00", "2026-11-20T23:31:00+08:00",
                  "2026-11-20T23:31:00+08:00", None),
                 (incident, "k2", "<2@x>", "2026-11-20T16:00:00+00:00", "2026-11-20T16:00:00+00:00",
                  "2026-11-20T16:00:00+00:00", "2026-11-21T01:00:00+08:00")])
    finally:
        services.close()
        monkeypatch.setattr(database, "discover_migrations", lambda: real)
    open_services(db_path).close()
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        rows = conn.execute("SELECT queued_at, updated_at, sent_at, next_attempt_at FROM send_ledger ORDER BY id")
        assert rows.fetchall() == [
            ("2026-11-20T15:30:00+00:00", "2026-11-20T15:31:00+00:00", "2026-11-20T15:31:00+00:00", None),
            ("2026-11-20T16:00:00+00:00", "2026-11-20T16:00:00+00:00", "2026-11-20T16:00:00+00:00",
             "2026-11-20T17:00:00+00:00")]
