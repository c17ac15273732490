"""The enquiry desk's use cases on real database files (plain and encrypted): logging with clocks
across holiday weeks and make-up working days, the indexed "is this person affected?" lookup,
replies by template (e-mail to a real aiosmtpd sink, or by phone), closing, the policy obligations
that exist only once someone has asked, and no personal data in events."""

from __future__ import annotations

import email
import json
from email import policy
from pathlib import Path

import pytest
from smtp_sink import Sink, smtp_settings

from incident_app.domain.clock import parse_time
from incident_app.domain.enquiries import EnquiryFilter, EnquiryStatus, ReplyKind, Topic
from incident_app.domain.errors import ValidationError
from incident_app.services.container import Services
from incident_app.services.enquiries import ReplyMail
from tests.conftest import Clock

PEOPLE = ("user_id,name,email,phone,data_types,language,guardian_name,guardian_phone,birth_date\n"
          "U1,张三,Zhang.San@Example.com,138 0013 8000,phone_number;email,zh-CN,,,1980-01-01\n"
          "U2,Li Si,lisi@example.com,,email,en,,,1985-05-05\n"
          "U3,王小明,,,phone_number,zh-CN,王大明,13900139000,2016-03-03\n")


@pytest.fixture
def incident(services: Services, incident_id: int, tmp_path: Path) -> int:
    # The breach began early in the year, so enquiries around the holiday weeks can follow it.
    services.incidents.update_facts(incident_id, {"occurred_at": "2026-01-05T08:00:00+08:00"})
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE, encoding="utf-8")
    services.people.import_file(incident_id, path)
    return incident_id


def add(services: Services, incident: int, **changes: str) -> int:
    data = {"channel": "phone", "received_at": "2026-11-20T10:00:00+08:00", "contact": "13800138000",
            "topic": "affected", "text": "是否涉及我？"} | changes
    return services.enquiries.add(incident, data).id


@pytest.mark.parametrize(("received", "topic", "reply_due", "close_due"), [
    # Spring Festival 2026: Feb 15-23 off, Sat Feb 14 and Sat Feb 28 are make-up working days.
    ("2026-02-13T15:00:00+08:00", "deletion", "2026-02-25T23:59:59+08:00", "2026-03-12T23:59:59+08:00"),
    # National Day 2026: Oct 1-7 off, Sat Oct 10 is a make-up working day (it counts).
    ("2026-09-30T10:00:00+08:00", "complaint", "2026-10-10T23:59:59+08:00", "2026-10-27T23:59:59+08:00"),
    # An ordinary week: Friday evening -> the third working day is Wednesday; no verification clock.
    ("2026-11-20T21:00:00+08:00", "what_leaked", "2026-11-25T23:59:59+08:00", None),
])
def test_each_enquiry_has_its_own_clocks_on_the_official_calendar(
        services: Services, incident: int, clock: Clock, received: str, topic: str, reply_due: str,
        close_due: str | None) -> None:
    clock.now = parse_time("2026-11-20T22:00:00+08:00")
    enquiry = services.enquiries.get(add(services, incident, received_at=received, topic=topic))
    assert enquiry.reply_due == parse_time(reply_due)
    assert (enquiry.close_due == parse_time(close_due)) if close_due else enquiry.close_due is None
    assert enquiry.needs_verification == (close_due is not None)


def test_bad_input_names_every_field_and_stores_nothing(services: Services, incident: int) -> None:
    with pytest.raises(ValidationError) as caught:
        services.enquiries.add(incident, {"channel": "fax", "topic": "gossip", "contact": "",
                                          "received_at": "2030-01-01T00:00:00+08:00"})
    fields = {p.field for p in caught.value.problems}
    assert fields == {"channel", "topic", "contact", "received_at"}
    assert services.enquiries.count(incident) == 0
    with pytest.raises(ValidationError, match="phone"):
        add(services, incident, contact="12345", contact_kind="phone")


def test_lookup_normalises_like_the_import_and_reads_the_send_ledger(services: Services, incident: int) -> None:
    by_phone = services.enquiries.lookup(incident, "phone", "+86 138-0013-8000")
    assert by_phone.affected and [m.person.user_id for m in by_phone.matches] == ["U1"]
    person = by_phone.to_dict()["people"][0]
    assert person["phone"] == "138****8000" and person["email"] == "z***@example.com" and person["name"] == "张*"
    assert person["data_types"] == ["phone_number"] and person["notice_delivered"] is False
    assert services.enquiries.lookup(incident, "email", " ZHANG.SAN@example.COM ").affected
    assert services.enquiries.lookup(incident, "user_id", "U2").matches[0].person.language == "en"
    guardian = services.enquiries.lookup(incident, "phone", "13900139000")  # a parent calls for a child
    assert [m.person.user_id for m in guardian.matches] == ["U3"]
    assert not services.enquiries.lookup(incident, "phone", "13700137000").affected
    # The notice of U1 accepted by the relay shows as delivered, with its time.
    with services.ctx.store.transaction():
        services.ctx.store.db.execute(
            "INSERT INTO send_ledger (incident_id, recipient_key, notice_kind, notice_version, to_address, language,"
            " message_id, state, attempts, in_doubt, queued_at, updated_at, sent_at) VALUES (?, 'U1', 'individual',"
            " 'v1', 'zhang.san@example.com', 'zh-CN', '<m@x>', 'sent', 1, 0, ?, ?, ?)",
            [incident, "2026-11-20T11:00:00+08:00", "2026-11-20T11:00:00+08:00", "2026-11-20T11:00:00+08:00"])
    again = services.enquiries.lookup(incident, "user_id", "U1").to_dict()["people"][0]
    assert again["notice_delivered"] is True and again["notice_delivered_at"] == "2026-11-20T11:00:00+08:00"


def test_lookup_probes_use_the_indexes(services: Services, incident: int) -> None:
    repo = services.ctx.store.enquiries
    for kind, value in (("phone", "+8613800138000"), ("email", "a@b.cn"), ("user_id", "U1")):
        plans = repo.lookup_plan(incident, kind, value)
        assert plans and all("USING INDEX" in p or "USING COVERING INDEX" in p for p in plans), plans


def test_phone_reply_by_template_is_filled_from_the_incident_and_the_person(
        services: Services, incident: int, clock: Clock) -> None:
    enquiry_id = add(services, incident, topic="what_leaked")
    clock.now = parse_time("2026-11-21T09:00:00+08:00")
    reply = services.enquiries.reply(enquiry_id, via=ReplyKind.PHONE, template="what_leaked")
    assert "手机号码" in reply.body  # the incident's data type, by its catalog name
    assert "2026-11-20" in reply.body and f"BD{incident}-Q{enquiry_id}" in reply.body
    assert "经核实，您的以下个人信息涉及本次事件" in reply.body
    closed = services.enquiries.get(enquiry_id)  # a question without verification is done once answered
    assert closed.status == EnquiryStatus.CLOSED and closed.replied_on_time() is True
    english = services.enquiries.draft(add(services, incident, contact="U2", contact_kind="user_id"), "affected")
    assert english[0] == "en" and "information of yours is involved" in english[2]


def test_email_reply_goes_through_the_relay_to_the_enquirer(services: Services, incident: int, sink: Sink) -> None:
    enquiry_id = add(services, incident, channel="email", contact="lisi@example.com", topic="deletion")
    mail = ReplyMail(smtp_settings(sink.port, from_address="dpo@ooopic.com", reply_to="dpo@ooopic.com"))
    reply = services.enquiries.reply(enquiry_id, via=ReplyKind.EMAIL, template="deletion", mail=mail)
    assert reply.state == "sent" and reply.code == 250
    assert [r.address for r in sink.received] == ["lisi@example.com"]
    parsed = email.message_from_bytes(sink.received[0].data, policy=policy.default)
    assert parsed["Message-ID"] == reply.message_id and f"Q{enquiry_id}" in str(parsed["Subject"])
    body = parsed.get_body(("plain",))
    assert body is not None and "delete your personal information" in body.get_content()
    enquiry = services.enquiries.get(enquiry_id)
    assert enquiry.status == EnquiryStatus.REPLIED and enquiry.first_reply_at is not None  # verification still open
    assert [r.state for r in services.enquiries.replies(enquiry_id)] == ["sent"]
    closed = services.enquiries.close(enquiry_id, "done")
    assert closed.status == EnquiryStatus.CLOSED and closed.outcome is not None and closed.outcome.value == "done"


def test_a_refusing_relay_keeps_the_enquiry_unanswered(services: Services, incident: int) -> None:
    from smtp_sink import start_sink

    sink = Sink(rule=lambda stage, address, before: "550 5.1.1 no such user" if stage == "rcpt" else None)
    controller = start_sink(sink)
    try:
        enquiry_id = add(services, incident, channel="email", contact="lisi@example.com", topic="other")
        mail = ReplyMail(smtp_settings(controller.port, from_address="dpo@ooopic.com", reply_to="dpo@ooopic.com"))
        reply = services.enquiries.reply(enquiry_id, via=ReplyKind.EMAIL, template="other", mail=mail)
    finally:
        controller.stop()
    assert reply.state == "failed" and reply.code == 550
    enquiry = services.enquiries.get(enquiry_id)
    assert enquiry.status == EnquiryStatus.OPEN and enquiry.first_reply_at is None
    with pytest.raises(ValidationError, match="no reply yet"):
        services.enquiries.close(enquiry_id)


def test_dry_run_writes_the_reply_as_an_eml_file(services: Services, incident: int, tmp_path: Path) -> None:
    enquiry_id = add(services, incident, channel="email", contact="lisi@example.com", topic="protect")
    mail = ReplyMail(smtp_settings(1, from_address="dpo@ooopic.com", reply_to="dpo@ooopic.com"),
                     dry_run=tmp_path / "out")
    reply = services.enquiries.reply(enquiry_id, via=ReplyKind.EMAIL, template="protect", mail=mail)
    files = list((tmp_path / "out").iterdir())
    assert reply.state == "dry_run" and len(files) == 1 and (files[0].stat().st_mode & 0o077) == 0
    assert b"lisi@example.com" in files[0].read_bytes()
    assert services.enquiries.get(enquiry_id).first_reply_at is None  # a dry run answers nobody


def test_obligations_appear_with_the_first_enquiry_and_go_overdue_in_the_register(
        services: Services, incident: int, clock: Clock) -> None:
    ids = {o.id for o in services.assessment.assess(incident).obligations}
    assert "policy-enquiry-reply" not in ids and "policy-enquiry-handling" not in ids
    add(services, incident, topic="compensation", received_at="2026-11-20T10:00:00+08:00")
    clock.now = parse_time("2026-11-26T00:00:01+08:00")  # after Wednesday Nov 25, the third working day
    assessment = services.assessment.assess(incident)
    assert assessment.obligation("policy-enquiry-reply").status.value == "overdue"
    assert assessment.obligation("policy-enquiry-handling").status.value == "pending"
    listed = next(a for a in services.assessment.assess_all() if a.incident_id == incident)
    assert listed.obligation("policy-enquiry-reply").status.value == "overdue"
    assert services.enquiries.count(incident, EnquiryFilter(overdue_at=clock.now)) == 1
    metrics = services.enquiries.metrics(incident)
    assert metrics.overdue == 1 and metrics.on_time_share == 0.0


def test_metrics_median_and_share_on_time(services: Services, incident: int, clock: Clock) -> None:
    first = add(services, incident, topic="protect", received_at="2026-11-16T10:00:00+08:00")
    second = add(services, incident, topic="protect", received_at="2026-11-16T10:00:00+08:00")
    services.enquiries.reply(first, via=ReplyKind.PHONE, note="已电话告知", at="2026-11-16T12:00:00+08:00")
    services.enquiries.reply(second, via=ReplyKind.PHONE, note="已电话告知", at="2026-11-20T10:00:00+08:00")
    metrics = services.enquiries.metrics(incident)
    assert metrics.replied == 2 and metrics.median_reply_hours == 49.0 and metrics.on_time_share == 0.5


def test_the_free_text_is_shown_with_its_contacts_masked(services: Services, incident: int) -> None:
    enquiry = services.enquiries.get(add(services, incident, contact="13800138000",
                                         text="我是13800138000，邮箱 zhang.san@example.com，电话 021-3876 0448"))
    shown = enquiry.to_dict(services.ctx.now())["text"]
    assert isinstance(shown, str) and "13800138000" not in shown and "zhang.san@" not in shown
    assert "3876 0448" not in shown and "@example.com" in shown and "我是" in shown
    assert enquiry.to_dict(services.ctx.now(), masked=False)["text"] == enquiry.text


def test_drill_enquiries_stay_out_of_the_register_metrics(services: Services, incident: int,
                                                          intake: dict[str, object]) -> None:
    real = add(services, incident, topic="protect", received_at="2026-11-16T10:00:00+08:00")
    services.enquiries.reply(real, via=ReplyKind.PHONE, note="已电话告知", at="2026-11-16T12:00:00+08:00")
    drill = services.incidents.create(intake | {"drill": True, "occurred_at": "2026-11-10T08:00:00+08:00"}).id
    for _ in range(3):
        slow = add(services, drill, topic="protect", received_at="2026-11-16T10:00:00+08:00")
        services.enquiries.reply(slow, via=ReplyKind.PHONE, note="演练", at="2026-11-20T10:00:00+08:00")
    everything = services.enquiries.metrics()
    assert (everything.total, everything.replied, everything.median_reply_hours) == (1, 1, 2.0)
    assert everything.drills_excluded == 3 and everything.to_dict()["drills_excluded"] == 3
    own = services.enquiries.metrics(drill)
    assert own.drill and own.total == 3 and own.to_dict()["drill"] is True
    assert not services.enquiries.metrics(incident).drill


def test_bulk_reply_and_filters(services: Services, incident: int) -> None:
    ids = [add(services, incident, topic="protect") for _ in range(5)] + [add(services, incident, topic="deletion")]
    query = EnquiryFilter(topic=Topic.PROTECT)
    assert services.enquiries.count(incident, query) == 5
    result = services.enquiries.bulk_reply(incident, ids[:5], via=ReplyKind.PHONE, template="protect")
    assert result == {"replied": 5, "skipped_closed": 0, "failed": {}}
    assert services.enquiries.count(incident, EnquiryFilter(status=EnquiryStatus.CLOSED)) == 5
    assert services.enquiries.count(incident, EnquiryFilter(status=EnquiryStatus.OPEN)) == 1
    again = services.enquiries.bulk_reply(incident, ids[:5], via=ReplyKind.PHONE, template="protect")
    assert again["skipped_closed"] == 5


def test_requests_keep_their_status_and_are_counted(services: Services, incident: int) -> None:
    done = add(services, incident, topic="deletion")
    refused = add(services, incident, topic="compensation")
    add(services, incident, topic="complaint")
    for enquiry_id in (done, refused):
        services.enquiries.reply(enquiry_id, via=ReplyKind.PHONE, note="已登记")
    services.enquiries.close(done, "done")
    services.enquiries.close(refused, "refused")
    summary = services.enquiries.requests_summary(incident)
    assert summary["requests"] == {"complaint": {"pending": 1}, "compensation": {"refused": 1},
                                   "deletion": {"done": 1}}
    pending = add(services, incident, topic="deletion")
    services.enquiries.reply(pending, via=ReplyKind.PHONE, note="已登记")
    with pytest.raises(ValidationError, match="outcome"):
        services.enquiries.close(pending, "maybe")


def test_events_carry_no_personal_data(services: Services, incident: int, sink: Sink) -> None:
    enquiry_id = add(services, incident, channel="email", contact="lisi@example.com", topic="deletion",
                     text="请删除我的账号 13800138000")
    services.enquiries.lookup(incident, "email", "lisi@example.com")
    mail = ReplyMail(smtp_settings(sink.port, from_address="dpo@ooopic.com", reply_to="dpo@ooopic.com"))
    services.enquiries.reply(enquiry_id, via=ReplyKind.EMAIL, template="deletion", mail=mail)
    services.enquiries.close(enquiry_id, "done")
    events = [e for e in services.ctx.store.events.for_incident(incident, newest_first=False)
              if e.type.startswith("enquiry.")]
    assert [e.type for e in events] == ["enquiry.added", "enquiry.replied", "enquiry.closed"]
    dumped = json.dumps([e.payload for e in events], ensure_ascii=False)
    for secret in ("lisi", "example.com", "13800138000", "删除我的账号", "Li Si"):
        assert secret not in dumped
    assert set(events[0].payload) == {"enquiry_id", "topic", "channel"}


def test_register_metrics_and_the_retention_purge(services: Services, incident: int) -> None:
    from incident_app.services.register.export import register_metrics

    enquiry_id = add(services, incident, topic="protect", text="我的手机 13800138000")
    services.enquiries.reply(enquiry_id, via=ReplyKind.PHONE, template="protect")
    metrics = register_metrics(services).enquiries
    assert metrics is not None and metrics["total"] == 1 and metrics["replied"] == 1
    with services.ctx.store.transaction():
        services.people.purge_contacts(incident)
    purged = services.enquiries.get(enquiry_id)
    assert purged.contact == "" and purged.text == "" and purged.topic == Topic.PROTECT
    assert [r.body for r in services.enquiries.replies(enquiry_id)] == [""]


def test_a_big_import_rebuilds_the_lookup_indexes(services: Services, incident_id: int, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import incident_app.storage.people as people_storage

    monkeypatch.setattr(people_storage, "BULK_IMPORT_ROWS", 1)  # this small file counts as big
    dropped: list[bool] = []
    original = people_storage.PeopleRepository.suspend_lookup_indexes

    def spy(self: people_storage.PeopleRepository, expected_rows: int) -> bool:
        dropped.append(original(self, expected_rows))
        return dropped[-1]

    monkeypatch.setattr(people_storage.PeopleRepository, "suspend_lookup_indexes", spy)
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE, encoding="utf-8")
    services.people.import_file(incident_id, path)
    assert dropped == [True]
    names = {r[0] for r in services.ctx.store.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {f"people_incident_{c}" for c in people_storage.LOOKUP_INDEXED} <= names
    assert services.enquiries.lookup(incident_id, "phone", "13800138000").affected
    plans = services.ctx.store.enquiries.lookup_plan(incident_id, "phone", "+8613800138000")
    assert all("INDEX" in p for p in plans)


def test_overdue_is_judged_in_time_not_text_whatever_the_clock_offset(
        services: Services, incident: int, clock: Clock) -> None:
    add(services, incident, topic="protect", received_at="2026-11-20T10:00:00+08:00")  # due Nov 25 23:59:59 +08
    clock.now = parse_time("2026-11-25T16:00:00+00:00")  # = Nov 26 00:00 in Beijing: one second late
    assert services.enquiries.count(incident, EnquiryFilter(overdue_at=clock.now)) == 1
    assert services.enquiries.metrics(incident).overdue == 1
    clock.now = parse_time("2026-11-25T15:59:00+00:00")
    assert services.enquiries.count(incident, EnquiryFilter(overdue_at=clock.now)) == 0
