"""A notice handed off again after the officer corrected a person's address or number is a NEW
send-ledger row: the row of the first hand-off keeps the contact it went to, its reference and
its report (the history of what was sent where, in the ledger and the evidence pack), but it no
longer tells the person now on the list; the row of the corrected contact does, once reported."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest.mock import ANY

from proof_helpers import ALL_BY_EMAIL, prepared_incident, send_all
from smtp_sink import Sink
from test_attack_delivery_record import LETTER_A, deliver_all
from test_delivery_current_people import approved_sms_incident, person_by_user, sms_report, status

from incident_app.domain.clock import to_iso
from incident_app.services.container import Services
from incident_app.services.evidence.pack import build_evidence_pack


def rows_of(services: Services, incident: int, key: str, channel: str = "platform") -> list[tuple[Any, ...]]:
    return services.ctx.store.db.execute(
        "SELECT contact_seq, to_address, state, message_id, sent_at FROM send_ledger WHERE incident_id = ?"
        " AND recipient_key = ? AND channel = ? ORDER BY id", [incident, key, channel]).fetchall()


def export(services: Services, incident: int, folder: Path, name: str) -> list[dict[str, Any]]:
    out = folder / f"{name}.jsonl"
    services.platform.export_recipients(incident, out)
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def report(services: Services, incident: int, folder: Path, name: str, lines: list[dict[str, Any]]) -> None:
    at = to_iso(services.ctx.now() + timedelta(minutes=1))
    path = folder / f"{name}-delivery.csv"
    path.write_text("reference,status,time\n" + "".join(f"{line['reference']},delivered,{at}\n" for line in lines),
                    encoding="utf-8")
    services.platform.import_delivery(incident, path)


def test_the_old_delivery_stays_in_the_ledger_and_the_evidence_pack(
        services: Services, intake: dict[str, object], tmp_path: Path, clock: Any) -> None:
    incident = prepared_incident(services, intake, tmp_path, ALL_BY_EMAIL)
    first = deliver_all(services, incident, tmp_path, "first")
    person = person_by_user(services, incident, "u1")
    services.people.edit_person(incident, person.id, {"email": "u1-new@example.test"}, "地址填错")
    clock.now += timedelta(minutes=10)
    preview = [row[0] for row in services.platform.preview(incident, limit=10)["rows"]]
    second = deliver_all(services, incident, tmp_path, "second")
    assert preview == [line["reference"] for line in second]  # the preview shows the references written
    old_ref = next(line["reference"] for line in first if line["to"] == "user1@example.test")
    new_ref = next(line["reference"] for line in second if line["to"] == "u1-new@example.test")
    assert old_ref != new_ref
    # Everybody else kept their reference: the second export added one row, for the corrected address.
    assert sorted(line["reference"] for line in second if line["to"] != "u1-new@example.test") == sorted(
        line["reference"] for line in first if line["to"] != "user1@example.test")
    old, new = rows_of(services, incident, "u1")
    assert old[:4] == (0, "user1@example.test", "sent", old_ref)  # what went to the old address, unchanged
    assert new[:4] == (1, "u1-new@example.test", "sent", new_ref)
    assert old[4] < new[4]
    assert status(services, incident)[0] == "met"
    # The evidence pack shows both deliveries, the addresses masked.
    out = tmp_path / "pack.zip"
    build_evidence_pack(services, incident, out, unmask=False)
    ledger = list(csv.DictReader(io.StringIO(zipfile.ZipFile(out).read("send-ledger/ledger.csv").decode("utf-8-sig"))))
    by_ref = {row["message_id"]: row for row in ledger}
    assert (by_ref[old_ref]["to_address"], by_ref[old_ref]["state"]) == ("u***1@example.test", "sent")
    assert (by_ref[new_ref]["to_address"], by_ref[new_ref]["state"]) == ("u***w@example.test", "sent")
    assert by_ref[old_ref]["recipient"] == by_ref[new_ref]["recipient"]  # the same person
    # Which contact of theirs each row went to, and which row is the one that counts now.
    assert (by_ref[old_ref]["contact_seq"], by_ref[old_ref]["current"]) == ("0", "no")
    assert (by_ref[new_ref]["contact_seq"], by_ref[new_ref]["current"]) == ("1", "yes")
    assert {row["current"] for row in ledger if row["message_id"] not in (old_ref, new_ref)} == {"yes"}
    text = zipfile.ZipFile(out).read("send-ledger/ledger.csv").decode("utf-8-sig")
    assert "user1@example.test" not in text and "u1-new@example.test" not in text


def test_the_same_export_twice_adds_no_row_and_a_letter_row_keeps_its_address(
        services: Services, intake: dict[str, object], tmp_path: Path) -> None:
    incident = prepared_incident(services, intake, tmp_path, [*ALL_BY_EMAIL, LETTER_A])
    first = export(services, incident, tmp_path, "first")
    again = tmp_path / "again.jsonl"
    result = services.platform.export_recipients(incident, again)
    assert result["new_ledger_rows"] == 0
    assert [json.loads(line)["reference"] for line in again.read_text(encoding="utf-8").splitlines()] == [
        line["reference"] for line in first]
    letter = next(p for p in services.people.iter_people(incident) if not p.user_id)
    assert [r[:3] for r in rows_of(services, incident, f"person-{letter.id}")] == [
        (0, "北京市朝阳区一号路1号", "queued")]


def test_the_first_exports_report_marks_only_the_row_of_the_old_address(
        services: Services, intake: dict[str, object], tmp_path: Path, clock: Any) -> None:
    incident = prepared_incident(services, intake, tmp_path, ALL_BY_EMAIL)
    first = export(services, incident, tmp_path, "first")
    person = person_by_user(services, incident, "u1")
    services.people.edit_person(incident, person.id, {"email": "u1-new@example.test"}, "地址填错")
    clock.now += timedelta(minutes=10)
    second = export(services, incident, tmp_path, "second")
    # The platform's report of the first file arrives late: it is accepted, for the old row only.
    report(services, incident, tmp_path, "first", first)
    assert [r[1:3] for r in rows_of(services, incident, "u1")] == [("user1@example.test", "sent"),
                                                                   ("u1-new@example.test", "queued")]
    state, why = status(services, incident)
    assert state != "met", why
    report(services, incident, tmp_path, "second", second)
    assert status(services, incident)[0] == "met"


def test_a_row_to_the_old_address_never_reported_does_not_hold_the_duty_open(
        services: Services, intake: dict[str, object], tmp_path: Path, clock: Any) -> None:
    incident = prepared_incident(services, intake, tmp_path, ALL_BY_EMAIL)
    export(services, incident, tmp_path, "first")  # handed off, never reported
    person = person_by_user(services, incident, "u1")
    services.people.edit_person(incident, person.id, {"email": "u1-new@example.test"}, "地址填错")
    clock.now += timedelta(minutes=10)
    second = export(services, incident, tmp_path, "second")
    report(services, incident, tmp_path, "second", second)
    state, why = status(services, incident)
    assert state == "met", why
    assert [r[1:3] for r in rows_of(services, incident, "u1")] == [("user1@example.test", "queued"),
                                                                   ("u1-new@example.test", "sent")]


def test_a_corrected_letter_address_handed_off_again_meets_the_duty_and_keeps_the_old_letter(
        services: Services, intake: dict[str, object], tmp_path: Path, clock: Any) -> None:
    incident = prepared_incident(services, intake, tmp_path, [*ALL_BY_EMAIL, LETTER_A])
    deliver_all(services, incident, tmp_path, "first")
    letter = next(p for p in services.people.iter_people(incident) if not p.user_id)
    services.people.edit_person(incident, letter.id, {"address": "广州市天河区三号路3号"}, "地址填错")
    assert status(services, incident)[0] != "met"
    clock.now += timedelta(minutes=10)
    deliver_all(services, incident, tmp_path, "second")
    state, why = status(services, incident)
    assert state == "met", why
    assert [r[:3] for r in rows_of(services, incident, f"person-{letter.id}")] == [
        (0, "北京市朝阳区一号路1号", "sent"), (1, "广州市天河区三号路3号", "sent")]


def test_a_letter_row_from_before_the_rows_kept_an_address_is_handed_off_once(
        services: Services, intake: dict[str, object], tmp_path: Path) -> None:
    # A letter row an older version wrote (no address): a re-export neither sends it again under a
    # new reference nor stops it counting for the person (what it went to is not on record).
    incident = prepared_incident(services, intake, tmp_path, [*ALL_BY_EMAIL, LETTER_A])
    first = deliver_all(services, incident, tmp_path, "first")
    letter = next(p for p in services.people.iter_people(incident) if not p.user_id)
    key = f"person-{letter.id}"
    with services.ctx.store.transaction():
        services.ctx.store.db.execute("UPDATE send_ledger SET to_address = '' WHERE incident_id = ? AND"
                                      " recipient_key = ?", [incident, key])
    assert status(services, incident)[0] == "met"
    again = tmp_path / "again.jsonl"
    assert services.platform.export_recipients(incident, again)["new_ledger_rows"] == 0
    assert [json.loads(line)["reference"] for line in again.read_text(encoding="utf-8").splitlines()] == [
        line["reference"] for line in first]
    assert [r[:3] for r in rows_of(services, incident, key)] == [(0, "", "sent")]


def test_the_sms_row_of_the_old_number_stays_and_its_report_stays_its_own(
        services: Services, intake: dict[str, object], tmp_path: Path, clock: Any) -> None:
    incident = approved_sms_incident(services, intake, tmp_path)
    first = tmp_path / "sms.csv"
    services.handoff.export_sms(incident, first)
    first_report = sms_report(first, tmp_path / "r.csv")
    services.handoff.import_report(incident, first_report)
    person = person_by_user(services, incident, "s1")
    services.people.edit_person(incident, person.id, {"phone": "13700137001"}, "号码填错")
    clock.now += timedelta(minutes=10)
    again = tmp_path / "sms2.csv"
    preview = services.handoff.preview(incident)["rows"]
    services.handoff.export_sms(incident, again)
    assert [row[-1] for row in preview] == [row[-1] for row in csv.reader(
        io.StringIO(again.read_text(encoding="utf-8-sig")))][1:]
    old_out = next(r[-1] for r in csv.reader(io.StringIO(first.read_text(encoding="utf-8-sig"))) if "8001" in r[0])
    new_out = next(r[-1] for r in csv.reader(io.StringIO(again.read_text(encoding="utf-8-sig"))) if "7001" in r[0])
    assert old_out != new_out  # the gateway gets a new out id for the corrected number
    services.handoff.import_report(incident, sms_report(again, tmp_path / "r2.csv"))
    old, new = rows_of(services, incident, "s1", "sms")
    assert old[:4] == (0, "+8613800138001", "sent", old_out)
    assert new[:4] == (1, "+8613700137001", "sent", new_out)
    # The first report imported again is still accepted (its number is on record) and changes nothing.
    assert services.handoff.import_report(incident, first_report)["changed"] == 0
    assert status(services, incident)[0] == "met"


def test_sending_again_after_a_corrected_address_e_mails_the_new_address(
        services: Services, intake: dict[str, object], tmp_path: Path, sink: Sink) -> None:
    incident = prepared_incident(services, intake, tmp_path, ALL_BY_EMAIL)
    send_all(services, incident, sink.port)
    first = sink.count()
    person = person_by_user(services, incident, "u1")
    services.people.edit_person(incident, person.id, {"email": "u1-new@example.test"}, "地址填错")
    assert status(services, incident)[0] != "met"
    send_all(services, incident, sink.port)
    # One more message, to the corrected address only, under its own Message-ID.
    assert [(r.address, r.message_id) for r in sink.received[first:]] == [("u1-new@example.test", ANY)]
    old, new = rows_of(services, incident, "u1", "email")
    assert old[:3] == (0, "user1@example.test", "sent") and new[:3] == (1, "u1-new@example.test", "sent")
    assert sink.received[-1].message_id == new[3] != old[3]
    assert status(services, incident)[0] == "met"
    send_all(services, incident, sink.port)  # nothing left to send
    assert sink.count() == first + 1


def test_a_notice_refused_at_the_old_address_goes_to_the_corrected_one_and_the_refusal_stays(
        services: Services, intake: dict[str, object], tmp_path: Path) -> None:
    from smtp_sink import start_sink

    sink = Sink(rule=lambda stage, address, _n: "550 5.1.1 no such user" if address == "user1@example.test"
                and stage == "rcpt" else None)
    controller = start_sink(sink)
    try:
        incident = prepared_incident(services, intake, tmp_path, ALL_BY_EMAIL)
        send_all(services, incident, controller.port)
        assert rows_of(services, incident, "u1", "email")[0][:3] == (0, "user1@example.test", "failed")
        person = person_by_user(services, incident, "u1")
        services.people.edit_person(incident, person.id, {"email": "u1-new@example.test"}, "地址填错")
        send_all(services, incident, controller.port)
        old, new = rows_of(services, incident, "u1", "email")
        assert old[:3] == (0, "user1@example.test", "failed")  # the refusal stays on record
        assert new[:3] == (1, "u1-new@example.test", "sent")
        state, why = status(services, incident)
        assert state == "met", why
    finally:
        controller.stop()


def notified(services: Services, incident: int) -> dict[str, int]:
    """The register's people-per-channel columns of one incident."""
    from incident_app.services.register.export import build_register
    from incident_app.services.register.sources import NOTIFIED_COLUMNS

    record = next(r for r in build_register(services).records if r["id"] == incident)
    return {c: record[c] for c in NOTIFIED_COLUMNS if record[c]}


def test_the_register_counts_a_person_e_mailed_again_at_a_corrected_address_once(
        services: Services, intake: dict[str, object], tmp_path: Path, sink: Sink) -> None:
    incident = prepared_incident(services, intake, tmp_path, ALL_BY_EMAIL)
    send_all(services, incident, sink.port)
    assert notified(services, incident) == {"notified_email": 5}
    person = person_by_user(services, incident, "u1")
    services.people.edit_person(incident, person.id, {"email": "u1-new@example.test"}, "地址填错")
    assert notified(services, incident) == {"notified_email": 4, "pending_email": 1}
    send_all(services, incident, sink.port)
    assert len(rows_of(services, incident, "u1", "email")) == 2
    # Two rows, one person: the register never says more people than the list holds.
    assert notified(services, incident) == {"notified_email": 5}
    # Corrected back: the first address was e-mailed already, so the correction copies that sent
    # row as the latest (same Message-ID and time): told there, counted once, never e-mailed again.
    services.people.edit_person(incident, person.id, {"email": "user1@example.test"}, "原地址无误")
    assert notified(services, incident) == {"notified_email": 5}
    first = sink.count()
    send_all(services, incident, sink.port)
    assert sink.received[first:] == []
    rows = rows_of(services, incident, "u1", "email")
    assert [r[:3] for r in rows] == [
        (0, "user1@example.test", "sent"), (1, "u1-new@example.test", "sent"), (2, "user1@example.test", "sent")]
    assert rows[2][3:] == rows[0][3:]  # the same message, sent when it was
    assert notified(services, incident) == {"notified_email": 5}


def test_the_register_counts_a_person_handed_to_the_platform_again_at_a_corrected_address_once(
        services: Services, intake: dict[str, object], tmp_path: Path, clock: Any) -> None:
    incident = prepared_incident(services, intake, tmp_path, ALL_BY_EMAIL)
    deliver_all(services, incident, tmp_path, "first")
    assert notified(services, incident) == {}  # the platform told everybody: nobody waits
    person = person_by_user(services, incident, "u1")
    services.people.edit_person(incident, person.id, {"email": "u1-new@example.test"}, "地址填错")
    assert notified(services, incident) == {"pending_email": 1}
    clock.now += timedelta(minutes=10)
    second = export(services, incident, tmp_path, "second")
    assert notified(services, incident) == {"pending_email": 1}  # handed off, not yet reported
    report(services, incident, tmp_path, "second", second)
    assert notified(services, incident) == {}


def test_a_letter_row_from_before_the_rows_kept_an_address_is_handed_off_again_after_an_address_correction(
        services: Services, intake: dict[str, object], tmp_path: Path, clock: Any) -> None:
    # A letter row an older version wrote (no address), then the officer corrects the address:
    # the letter went to the address corrected away, so the next export hands the corrected one
    # off under a new reference, and the duty waits for its report.
    incident = prepared_incident(services, intake, tmp_path, [*ALL_BY_EMAIL, LETTER_A])
    first = deliver_all(services, incident, tmp_path, "first")
    letter = next(p for p in services.people.iter_people(incident) if not p.user_id)
    key = f"person-{letter.id}"
    with services.ctx.store.transaction():
        services.ctx.store.db.execute("UPDATE send_ledger SET to_address = '' WHERE incident_id = ? AND"
                                      " recipient_key = ?", [incident, key])
    clock.now += timedelta(minutes=10)
    services.people.edit_person(incident, letter.id, {"address": "广州市天河区三号路3号"}, "地址填错")
    clock.now += timedelta(minutes=10)
    again = tmp_path / "again.jsonl"
    result = services.platform.export_recipients(incident, again)
    assert result["new_ledger_rows"] == result["corrected_contacts"] == 1
    lines = [json.loads(line) for line in again.read_text(encoding="utf-8").splitlines()]
    old_ref = next(line["reference"] for line in first if line["channel"] == "letter")
    new_line = next(line for line in lines if line["channel"] == "letter")
    assert new_line["reference"] != old_ref and new_line["to"] == "广州市天河区三号路3号"
    assert [r[:3] for r in rows_of(services, incident, key)] == [
        (0, "", "sent"), (1, "广州市天河区三号路3号", "queued")]
    state, why = status(services, incident)
    assert state != "met", why
    report(services, incident, tmp_path, "again", lines)
    state, why = status(services, incident)
    assert state == "met", why
    # Exported once more: the corrected row has its address now, nothing new.
    assert services.platform.export_recipients(incident, tmp_path / "third.jsonl")["new_ledger_rows"] == 0


def test_a_postal_address_corrected_away_and_back_reads_alike_in_the_duty_and_the_register(
        services: Services, intake: dict[str, object], tmp_path: Path, clock: Any) -> None:
    # The letter went to the first address, then (by mistake) to a second one; the officer
    # corrects the address back: the person was told at it — the duty stays met, the register
    # says nobody waits, and the next export hands the letter off under no new reference.
    incident = prepared_incident(services, intake, tmp_path, [*ALL_BY_EMAIL, LETTER_A])
    first = deliver_all(services, incident, tmp_path, "first")
    letter = next(p for p in services.people.iter_people(incident) if not p.user_id)
    services.people.edit_person(incident, letter.id, {"address": "广州市天河区三号路3号"}, "地址填错")
    clock.now += timedelta(minutes=10)
    deliver_all(services, incident, tmp_path, "second")
    services.people.edit_person(incident, letter.id, {"address": "北京市朝阳区一号路1号"}, "原地址无误")
    state, why = status(services, incident)
    assert (state, notified(services, incident)) == ("met", {}), why
    clock.now += timedelta(minutes=10)
    again = tmp_path / "third.jsonl"
    assert services.platform.export_recipients(incident, again)["new_ledger_rows"] == 0
    lines = [json.loads(line) for line in again.read_text(encoding="utf-8").splitlines()]
    old_ref = next(line["reference"] for line in first if line["channel"] == "letter")
    assert [line["reference"] for line in lines if line["channel"] == "letter"] == [old_ref]
    assert [r[:3] for r in rows_of(services, incident, f"person-{letter.id}")] == [
        (0, "北京市朝阳区一号路1号", "sent"), (1, "广州市天河区三号路3号", "sent"),
        (2, "北京市朝阳区一号路1号", "sent")]
