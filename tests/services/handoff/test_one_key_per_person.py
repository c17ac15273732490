"""The same person has the same send-ledger key in every channel: the e-mail sender, the SMS
hand-off and the mass-messaging platform export all key a person without user id, e-mail or phone
by their row on the list (``person-<id>``), so two such children's guardians are two recipients,
not one, and the obligation check finds each person's rows whichever channel told them. An older
database's e-mail rows keyed ``#guardian`` are re-keyed by migration 35."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from proof_helpers import HEADER, import_people, prepared_incident, send_all
from smtp_sink import Sink

from incident_app.domain.notices.recipient import person_key
from incident_app.services.container import Services, open_services
from incident_app.storage import database

ADULT = ("u1", "用户1号", "user1@example.test", "", "", "1990-01-01", "", "", "", "zh-CN")
CHILDREN = [("", "张小明", "", "", "", "2016-05-01", "张大伟", "parent1@example.test", "", "zh-CN"),
            ("", "李小红", "", "", "", "2016-06-01", "李大伟", "parent2@example.test", "", "zh-CN")]


def ledger_keys(services: Services, incident: int, channel: str) -> set[str]:
    return {str(k) for (k,) in services.ctx.store.db.execute(
        "SELECT recipient_key FROM send_ledger WHERE incident_id = ? AND channel = ?", [incident, channel])}


def test_children_without_own_contacts_have_one_key_in_email_and_platform(
        services: Services, intake: dict[str, object], tmp_path: Path, sink: Sink) -> None:
    assert HEADER[0] == "user_id"
    incident = prepared_incident(services, intake, tmp_path, [ADULT, *CHILDREN])
    children = [p for p in services.people.iter_people(incident) if not p.user_id]
    expected = {f"person-{p.id}#guardian" for p in children}
    assert {person_key(p) + "#guardian" for p in children} == expected
    send_all(services, incident, sink.port)
    assert ledger_keys(services, incident, "email") == {"u1", *expected}
    assert sorted(r.address for r in sink.received) == ["parent1@example.test", "parent2@example.test",
                                                         "user1@example.test"]
    services.platform.export_recipients(incident, tmp_path / "r.jsonl")
    assert ledger_keys(services, incident, "platform") == ledger_keys(services, incident, "email")
    assert services.assessment.assess(incident).obligation("minors-guardians").status.value == "met"


def old_database(db_path: Path, monkeypatch: pytest.MonkeyPatch, intake: dict[str, object],
                 folder: Path) -> tuple[int, list[int]]:
    """A database at migration 34 with two key-less children (and a third sharing the second's
    guardian address) and e-mail rows keyed as the old sender keyed them."""
    real = database.discover_migrations()
    monkeypatch.setattr(database, "discover_migrations", lambda: [m for m in real if m.number < 35])
    services = open_services(db_path)
    try:
        incident = services.incidents.create(intake).id
        twin = ("", "李小刚", "", "", "", "2016-06-01", "李大伟", "parent2@example.test", "", "zh-CN")
        import_people(services, incident, folder, [ADULT, *CHILDREN, twin])
        # Read from the table: the app's people reader expects the columns of the newest schema.
        ids = [int(i) for (i,) in services.ctx.store.db.execute(
            "SELECT id FROM people WHERE incident_id = ? AND coalesce(user_id, '') = '' ORDER BY id", [incident])]
        stamp = "2026-11-20T09:00:00+08:00"
        with services.ctx.store.transaction():
            services.ctx.store.db.conn.executemany(
                "INSERT INTO send_ledger (incident_id, recipient_key, notice_kind, notice_version, to_address,"
                " message_id, state, attempts, in_doubt, queued_at, updated_at, sent_at, channel)"
                " VALUES (?,?,'guardian',?,?,?,'sent',1,0,?,?,?,'email')",
                [(incident, "#guardian", "v1", "PARENT1@example.test", "<a@x>", stamp, stamp, stamp),
                 (incident, "#guardian", "v2", "parent2@example.test", "<b@x>", stamp, stamp, stamp)])
        return incident, ids
    finally:
        services.close()
        monkeypatch.setattr(database, "discover_migrations", lambda: real)


def test_migration_35_rekeys_old_guardian_rows_of_the_one_child_they_fit(
        db_path: Path, monkeypatch: pytest.MonkeyPatch, intake: dict[str, object], tmp_path: Path) -> None:
    incident, (first, _second, _twin) = old_database(db_path, monkeypatch, intake, tmp_path)
    services = open_services(db_path)
    services.close()
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        rows: list[Any] = conn.execute("SELECT notice_version, recipient_key, message_id FROM send_ledger"
                                       " WHERE incident_id = ? ORDER BY id", [incident]).fetchall()
    # The first child's guardian (address in another letter case) gets the child's key; the second
    # address fits two children: that row keeps its old key rather than count for the wrong one.
    assert rows == [("v1", f"person-{first}#guardian", "<a@x>"), ("v2", "#guardian", "<b@x>")]
    assert db_path.with_name(db_path.name + ".before-m0035.bak").exists()


def test_an_old_guardian_row_migration_35_could_not_match_counts_for_no_child(
        db_path: Path, monkeypatch: pytest.MonkeyPatch, intake: dict[str, object], tmp_path: Path) -> None:
    """A row left keyed ``#guardian`` (it fits no child now on the list, or several) is no
    delivered notice for any child: it neither makes the rows add up nor goes unmentioned."""
    real = database.discover_migrations()
    monkeypatch.setattr(database, "discover_migrations", lambda: [m for m in real if m.number < 35])
    services = open_services(db_path)
    try:
        incident = services.incidents.create(intake | {"affected_people": 3, "affected_minors": 2}).id
        keyed = ("k2", "王小华", "", "", "", "2016-07-01", "王大华", "parent3@example.test", "", "zh-CN")
        import_people(services, incident, tmp_path, [ADULT, CHILDREN[0], keyed])
        stamp = "2026-11-20T09:00:00+08:00"
        with services.ctx.store.transaction():
            services.ctx.store.db.conn.executemany(
                "INSERT INTO send_ledger (incident_id, recipient_key, notice_kind, notice_version, to_address,"
                " message_id, state, attempts, in_doubt, queued_at, updated_at, sent_at, channel)"
                " VALUES (?,?,?,'v1',?,?,'sent',1,0,?,?,?,'email')",
                [(incident, "u1", "individual", "user1@example.test", "<a@x>", stamp, stamp, stamp),
                 (incident, "k2#guardian", "guardian", "parent3@example.test", "<b@x>", stamp, stamp, stamp),
                 # To a guardian no longer on the list: the sender's old key fits no child.
                 (incident, "#guardian", "guardian", "gone@example.test", "<c@x>", stamp, stamp, stamp)])
    finally:
        services.close()
        monkeypatch.setattr(database, "discover_migrations", lambda: real)
    services = open_services(db_path)
    try:
        assert ledger_keys(services, incident, "email") == {"u1", "k2#guardian", "#guardian"}
        for rule in ("pipl57-individuals", "minors-guardians"):
            obligation = services.assessment.assess(incident).obligation(rule)
            assert obligation.status.value != "met", obligation.why.en
            assert "1 guardian notice row of an older version" in obligation.why.en, obligation.why.en
            assert "1 条旧版本的监护人告知记录" in obligation.why.zh, obligation.why.zh
    finally:
        services.close()
