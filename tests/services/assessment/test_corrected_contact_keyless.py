"""A person WITHOUT a user id is keyed in the send ledger by their e-mail (else phone, else row):
when the officer corrects that contact, the row of the old contact is still that person's row and
becomes history, exactly as for a person keyed by user id — it no longer holds the duty open, a
late report for it changes nothing, and the register counts the person once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from proof_helpers import ALL_BY_EMAIL, import_people, prepared_incident, send_all
from smtp_sink import Sink, start_sink
from test_attack_delivery_record import deliver_all
from test_corrected_contact_history import export, notified, report, rows_of
from test_delivery_current_people import status

from incident_app.domain.clock import to_iso
from incident_app.domain.errors import ValidationError
from incident_app.domain.people import mask_email
from incident_app.services.container import Services

OLD, NEW = "wu.shi@example.test", "wu.fixed@example.test"
KEYLESS = ("", "吴十", OLD, "", "", "1983-08-08", "", "", "", "zh-CN")
PHONE_ONLY = ("", "赵六", "", "13800138006", "", "1983-08-08", "", "", "", "zh-CN")


def keyless(services: Services, incident: int) -> Any:
    return next(p for p in services.people.iter_people(incident) if not p.user_id)


def refusing_the_old_address() -> Sink:
    """A relay that refuses the old address at RCPT (550) and accepts every other."""
    return Sink(rule=lambda stage, address, _n: "550 5.1.1 no such user" if address == OLD and stage == "rcpt"
                else None)


def test_a_keyless_person_refused_at_the_old_address_and_sent_again_meets_the_duty(
        services: Services, intake: dict[str, object], tmp_path: Path) -> None:
    sink = refusing_the_old_address()
    controller = start_sink(sink)
    try:
        incident = prepared_incident(services, intake, tmp_path, [*ALL_BY_EMAIL, KEYLESS])
        send_all(services, incident, controller.port)
        assert rows_of(services, incident, OLD, "email")[0][:3] == (0, OLD, "failed")
        services.people.edit_person(incident, keyless(services, incident).id, {"email": NEW}, "地址填错")
        assert status(services, incident)[0] != "met"
        send_all(services, incident, controller.port)
        # One person, two rows under the key they had: the refusal stays on record as history.
        assert [r[:3] for r in rows_of(services, incident, OLD, "email")] == [(0, OLD, "failed"), (1, NEW, "sent")]
        assert rows_of(services, incident, NEW, "email") == []
        state, why = status(services, incident)
        assert state == "met", why
        assert notified(services, incident) == {"notified_email": 6}
        first = sink.count()
        send_all(services, incident, controller.port)  # nothing left to send
        assert sink.count() == first
    finally:
        controller.stop()


def test_a_keyless_persons_old_platform_row_never_reported_does_not_hold_the_duty_open(
        services: Services, intake: dict[str, object], tmp_path: Path, clock: Any) -> None:
    incident = prepared_incident(services, intake, tmp_path, [*ALL_BY_EMAIL, KEYLESS])
    first = export(services, incident, tmp_path, "first")
    report(services, incident, tmp_path, "first", [line for line in first if line["to"] != OLD])
    services.people.edit_person(incident, keyless(services, incident).id, {"email": NEW}, "地址填错")
    clock.now += timedelta(minutes=10)
    second = export(services, incident, tmp_path, "second")
    assert [line["to"] for line in second if line["reference"] not in {x["reference"] for x in first}] == [NEW]
    report(services, incident, tmp_path, "second", second)
    state, why = status(services, incident)
    assert state == "met", why
    assert [r[1:3] for r in rows_of(services, incident, OLD)] == [(OLD, "queued"), (NEW, "sent")]
    assert notified(services, incident) == {}

    # A late bounce for the old reference is recorded on the old row and does not reopen the duty.
    old_ref = next(line["reference"] for line in first if line["to"] == OLD)
    late = tmp_path / "late.csv"
    late.write_text(f"reference,status,time\n{old_ref},bounced,{to_iso(clock.now + timedelta(minutes=5))}\n",
                    encoding="utf-8")
    services.platform.import_delivery(incident, late)
    assert [r[1:3] for r in rows_of(services, incident, OLD)] == [(OLD, "failed"), (NEW, "sent")]
    state, why = status(services, incident)
    assert state == "met", why
    assert notified(services, incident) == {}


def test_a_person_keyed_by_phone_keeps_the_key_when_an_e_mail_is_added(
        services: Services, intake: dict[str, object], tmp_path: Path, clock: Any) -> None:
    incident = prepared_incident(services, intake, tmp_path, [*ALL_BY_EMAIL, PHONE_ONLY])
    export(services, incident, tmp_path, "first")
    person = keyless(services, incident)
    services.people.edit_person(incident, person.id, {"email": NEW}, "补充邮箱")
    assert services.people.iter_people(incident) is not None
    clock.now += timedelta(minutes=10)
    second = export(services, incident, tmp_path, "second")
    report(services, incident, tmp_path, "second", second)
    assert [r[:3] for r in rows_of(services, incident, "+8613800138006")] == [
        (0, "+8613800138006", "queued"), (1, NEW, "sent")]
    state, why = status(services, incident)
    assert state == "met", why


def test_the_enquiry_desk_says_delivered_only_when_the_current_contacts_row_is(
        services: Services, intake: dict[str, object], tmp_path: Path, clock: Any) -> None:
    incident = prepared_incident(services, intake, tmp_path, [*ALL_BY_EMAIL, KEYLESS])
    deliver_all(services, incident, tmp_path, "first")
    person = keyless(services, incident)
    services.people.edit_person(incident, person.id, {"email": NEW}, "地址填错")
    clock.now += timedelta(minutes=10)
    second = export(services, incident, tmp_path, "second")  # the corrected address: queued
    found = services.enquiries.lookup(incident, "email", NEW).to_dict()["people"][0]
    assert found["notice_delivered"] is False and found["notice_delivered_at"] is None
    assert found["older_contact_told"] is True and found["older_contact_told_at"]
    assert [(n["contact"], n["state"], n["current"]) for n in found["notices"]] == [
        (mask_email(OLD), "sent", False), (mask_email(NEW), "queued", True)]
    assert OLD not in str(found) and NEW not in str(found)
    report(services, incident, tmp_path, "second", second)
    found = services.enquiries.lookup(incident, "email", NEW).to_dict()["people"][0]
    assert found["notice_delivered"] is True and found["notice_delivered_at"] > found["older_contact_told_at"]


def test_an_old_address_given_to_someone_else_refuses_the_send_and_the_hand_off_naming_both(
        services: Services, intake: dict[str, object], tmp_path: Path) -> None:
    """The corrected person keeps their old address as their key; a list imported later with a new
    person at that address would share it (one e-mailed on every send, the other never): the sender
    and every hand-off export refuse, naming both people, and nothing is sent or written."""
    sink = refusing_the_old_address()
    controller = start_sink(sink)
    try:
        incident = prepared_incident(services, intake, tmp_path, [*ALL_BY_EMAIL, KEYLESS])
        send_all(services, incident, controller.port)
        corrected = keyless(services, incident).id
        services.people.edit_person(incident, corrected, {"email": NEW}, "地址填错")
        send_all(services, incident, controller.port)
        newcomer = ("", "郑十一", OLD, "", "", "1984-04-04", "", "", "", "zh-CN")
        (tmp_path / "again").mkdir()
        import_people(services, incident, tmp_path / "again", [newcomer])
        services.notices.approve(incident, "王安全")
        other = next(p.id for p in services.people.iter_people(incident) if p.email == OLD)
        sent, ledger = sink.count(), services.mail.count(incident)
        with pytest.raises(ValidationError) as refused:
            send_all(services, incident, controller.port)
        text = str(refused.value)
        assert f"person {other}" in text and f"person {corrected} was corrected from" in text
        assert OLD not in text
        assert sink.count() == sent and services.mail.count(incident) == ledger, "nothing sent or queued"
        out = tmp_path / "refused.jsonl"
        with pytest.raises(ValidationError):
            services.platform.export_recipients(incident, out)
        assert not out.exists()
        # Corrected, the newcomer is someone else: the send goes ahead and tells them.
        services.people.edit_person(incident, other, {"email": "zheng@example.test"}, "他自己的地址")
        send_all(services, incident, controller.port)
        assert sink.count() > sent
    finally:
        controller.stop()
