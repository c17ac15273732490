"""Faults found by attacking the enquiry desk: typo'd arrival times that broke every clock of the
incident, enquiries logged after the retention purge, the handler field, relay answers kept after
the purge, and replies that trusted a person match made before the list was imported or replaced."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from misbehaving_smtp import EchoesUpperCase, misbehaving
from smtp_sink import Sink, smtp_settings

from incident_app.domain.clock import parse_time
from incident_app.domain.enquiries import ReplyKind
from incident_app.domain.errors import ValidationError
from incident_app.domain.incident import IncidentStatus
from incident_app.services.container import Services
from incident_app.services.enquiries import ReplyMail
from incident_app.services.retention import purge_due, set_retention_days
from tests.conftest import Clock

PEOPLE = ("user_id,name,email,phone,data_types,language\n"
          "U1,张三,zhang@example.com,13800138000,phone_number;email,zh-CN\n")
OTHER = ("user_id,name,email,phone,data_types,language\n"
         "U9,Li Si,lisi@example.com,13900139000,phone_number,en\n")


def enquiry(**changes: str) -> dict[str, str]:
    return {"channel": "phone", "received_at": "2026-11-20T10:00:00+08:00", "contact": "13800138000",
            "topic": "affected"} | changes


@pytest.mark.parametrize("received", ["0001-01-01T00:00:00", "1900-01-01T00:00:00+08:00",
                                      "2026-11-01T10:00:00+08:00"])  # the breach began on Nov 18
def test_an_arrival_before_the_incident_began_is_refused_and_the_incident_still_assesses(
        services: Services, incident_id: int, received: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.enquiries.add(incident_id, enquiry(received_at=received))
    assert [p.field for p in caught.value.problems] == ["received_at"]
    assert "1990" in str(caught.value) or "before the incident began" in str(caught.value)
    assert services.enquiries.count(incident_id) == 0
    services.assessment.assess(incident_id)  # year 1 used to raise OverflowError here for good
    # Between the breach and its discovery an enquiry is plausible (it may be how it was found).
    services.enquiries.add(incident_id, enquiry(received_at="2026-11-19T10:00:00+08:00"))


@pytest.mark.parametrize("handler", ["a\u202eb", "x" * 201, "bell\x07"])
def test_the_handler_follows_the_text_rule(services: Services, incident_id: int, handler: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.enquiries.add(incident_id, enquiry(handler=handler))
    assert [p.field for p in caught.value.problems] == ["handler"]
    assert services.enquiries.count(incident_id) == 0
    blank = services.enquiries.add(incident_id, enquiry(handler="   "))
    assert blank.handler == services.ctx.actor


def _purge(services: Services, incident_id: int, clock: Clock) -> None:
    services.incidents.change_status(incident_id, IncidentStatus.CLOSED, "all told", force=True)
    set_retention_days(services, 1)
    clock.now = clock.now + timedelta(days=3)
    assert purge_due(services)


def test_no_enquiry_is_logged_after_the_retention_purge(
        services: Services, incident_id: int, clock: Clock, tmp_path: Path) -> None:
    asked = services.enquiries.add(incident_id, enquiry(topic="deletion")).id
    _purge(services, incident_id, clock)
    with pytest.raises(ValidationError, match="purged") as caught:
        services.enquiries.add(incident_id, enquiry(contact="late@example.com", received_at="now"))
    assert [p.field for p in caught.value.problems] == ["incident"]
    with pytest.raises(ValidationError, match="purged"):
        services.enquiries.reply(asked, via=ReplyKind.PHONE, note="told 张三 at 13800138000 we deleted it")
    assert services.enquiries.count(incident_id) == 1 and services.enquiries.replies(asked) == []
    assert services.enquiries.close(asked, "withdrawn").status.value == "closed"  # closing stores no text


def test_the_purge_blanks_the_relay_answer_that_quoted_the_address(
        services: Services, incident_id: int, clock: Clock, raw_connect: object) -> None:
    clock.now = parse_time("2026-11-20T12:00:00+08:00")
    enquiry_id = services.enquiries.add(incident_id, enquiry(contact="user3@example.com", channel="email")).id
    with misbehaving(sink=EchoesUpperCase()) as sink:
        reply = services.enquiries.reply(enquiry_id, via=ReplyKind.EMAIL, template="affected",
                                         mail=ReplyMail(smtp_settings(sink.port)))
    assert reply.state == "failed" and "USER3@EXAMPLE.COM" in reply.relay_reply
    _purge(services, incident_id, clock)
    rows = services.ctx.store.db.execute("SELECT body, relay_reply FROM enquiry_replies").fetchall()
    assert rows and all(not body and not relay for body, relay in rows)


def test_a_reply_looks_the_enquirer_up_again_after_the_list_changed(
        services: Services, incident_id: int, tmp_path: Path) -> None:
    early = services.enquiries.add(incident_id, enquiry())  # nobody imported yet
    assert early.person_id is None
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    services.people.import_file(incident_id, people)
    facts = services.enquiries.facts_for(services.enquiries.get(early.id))
    assert facts.affected is True and facts.person_types == ("phone_number",)
    matched = services.enquiries.add(incident_id, enquiry())
    assert matched.person_id is not None
    # The list is replaced: the stored id now points at somebody else (or at nobody).
    people.write_text(OTHER, encoding="utf-8")
    services.people.import_file(incident_id, people, replace=True)
    facts = services.enquiries.facts_for(services.enquiries.get(matched.id))
    assert facts.affected is False and facts.person_types is None  # not Li Si's data types
    _lang, _subject, body = services.enquiries.draft(matched.id, "affected")
    assert "未发现" in body  # in the enquirer's own language default, not the new person's English


def test_a_late_answer_leaves_the_reply_duty_met_late_not_just_met(
        services: Services, incident_id: int, clock: Clock) -> None:
    clock.now = parse_time("2026-11-30T12:00:00+08:00")
    on_time = services.enquiries.add(incident_id, enquiry(received_at="2026-11-23T10:00:00+08:00")).id
    late = services.enquiries.add(incident_id, enquiry(received_at="2026-11-20T10:00:00+08:00")).id  # due Nov 25
    services.enquiries.reply(on_time, via=ReplyKind.PHONE, note="已电话告知", at="2026-11-24T10:00:00+08:00")
    services.enquiries.reply(late, via=ReplyKind.PHONE, note="已电话告知", at="2026-11-27T10:00:00+08:00")
    duty = services.assessment.assess(incident_id).obligation("policy-enquiry-reply")
    assert duty.status.value == "met"
    assert duty.deadline.due == parse_time("2026-11-25T23:59:59+08:00")
    assert duty.met_at == parse_time("2026-11-27T10:00:00+08:00")
    assert duty.late_by is not None and not duty.met_on_time
    assert services.enquiries.metrics(incident_id).to_dict()["on_time_share"] == 0.5


def test_a_bounced_notice_is_not_told_as_delivered(services: Services, intake: dict[str, object],
                                                    tmp_path: Path, sink: Sink) -> None:
    from proof_helpers import prepared_incident, send_all

    incident_id = prepared_incident(services, intake, tmp_path)
    send_all(services, incident_id, sink.port)
    asked = services.enquiries.add(incident_id, enquiry(contact="user1@example.test", channel="email")).id
    delivered = services.enquiries.lookup(incident_id, "email", "user1@example.test").to_dict()["people"][0]
    assert delivered["notice_delivered"] and delivered["notice_delivered_at"]
    assert services.enquiries.facts_for(services.enquiries.get(asked)).notice_sent_at
    ids = [r[0] for r in services.ctx.store.db.execute(
        "SELECT message_id FROM send_ledger WHERE to_address = 'user1@example.test'")]
    services.ctx.store.send_ledger.mark_bounced(incident_id, ids, reason="550 mailbox gone", now=services.ctx.now())
    bounced = services.enquiries.lookup(incident_id, "email", "user1@example.test").to_dict()["people"][0]
    assert bounced["notice_delivered"] is False and bounced["notice_delivered_at"] is None
    assert services.enquiries.facts_for(services.enquiries.get(asked)).notice_sent_at is None
    _lang, _subject, body = services.enquiries.draft(asked, "affected", "zh-CN")
    assert "发送给您" not in body


def test_the_pack_says_which_requests_were_answered_late(services: Services, incident_id: int, clock: Clock,
                                                         tmp_path: Path) -> None:
    import csv
    import io
    import zipfile

    from incident_app.services.evidence import build_evidence_pack

    clock.now = parse_time("2026-12-20T12:00:00+08:00")
    late = services.enquiries.add(incident_id, enquiry(topic="deletion", received_at="2026-11-20T10:00:00+08:00")).id
    services.enquiries.reply(late, via=ReplyKind.PHONE, note="已电话告知", at="2026-11-27T10:00:00+08:00")
    services.enquiries.close(late, "done", at="2026-12-18T10:00:00+08:00")  # handling due Dec 11
    waiting = services.enquiries.add(incident_id, enquiry(topic="complaint", received_at="2026-12-18T10:00:00+08:00"))
    pack = build_evidence_pack(services, incident_id, tmp_path / "pack.zip")
    with zipfile.ZipFile(pack.path) as archive:
        rows = {int(r["enquiry"]): r for r in csv.DictReader(io.StringIO(
            archive.read("enquiries/requests.csv").decode("utf-8")))}
    assert rows[late]["overdue"] == "False"  # answered and closed, so not overdue any more ...
    assert rows[late]["replied_on_time"] == "False" and rows[late]["handled_on_time"] == "False"  # ... but late
    assert rows[waiting.id]["replied_on_time"] == "" and rows[waiting.id]["handled_on_time"] == ""


def test_a_guardian_is_told_about_the_child_not_about_themselves(services: Services, incident_id: int,
                                                                 tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text("user_id,name,phone,data_types,language,guardian_name,guardian_phone,birth_date\n"
                      "U3,王小明,,phone_number,zh-CN,王大明,13900139000,2016-03-03\n"
                      "U4,王大明,13900139000,phone_number,zh-CN,,,1980-01-01\n", encoding="utf-8")
    services.people.import_file(incident_id, people)
    found = {m["user_id"]: m["contact_is_guardian"]
             for m in services.enquiries.lookup(incident_id, "phone", "139 0013 9000").to_dict()["people"]}
    assert found == {"U3": True, "U4": False}  # the child through the parent, and the parent's own record
    parent = tmp_path / "parent.csv"
    parent.write_text("user_id,name,phone,data_types,language,guardian_name,guardian_phone,birth_date\n"
                      "U3,王小明,,phone_number,zh-CN,王大明,13900139000,2016-03-03\n", encoding="utf-8")
    services.people.import_file(incident_id, parent, replace=True)
    asked = services.enquiries.add(incident_id, enquiry(contact="13900139000")).id
    _lang, _subject, body = services.enquiries.draft(asked, "affected", "zh-CN")
    assert "您监护的未成年人的以下个人信息涉及本次事件" in body and "您的以下个人信息" not in body
    _lang, _subject, body = services.enquiries.draft(asked, "affected", "en")
    assert "the minor in your care" in body


def test_a_full_width_at_sign_is_an_email_address(services: Services, incident_id: int, tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    services.people.import_file(incident_id, people)
    logged = services.enquiries.add(incident_id, enquiry(contact="ＺＨＡＮＧ＠example。com", channel="email"))
    assert logged.contact_kind.value == "email" and logged.contact == "zhang@example.com"
    assert logged.person_id is not None
