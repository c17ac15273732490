"""The notify-individuals obligation is met by the send ledger only for the people *now* on the
list: after a complete send (e-mail, SMS hand-off, mass-messaging platform) the officer replacing
the people with as many *different* people, or correcting a person's contact, must reopen it —
with the number of current people who have no delivered notice — never leave it "met"."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from proof_helpers import ALL_BY_EMAIL, HEADER, import_people, prepared_incident, send_all
from smtp_sink import Sink

from incident_app.domain.clock import to_iso
from incident_app.services.container import Services

OTHERS = [(f"n{n}", f"新用户{n}号", f"new{n}@example.test", "", "", "1990-02-0{n}", "", "", "", "zh-CN")
          for n in range(1, 5)]
OTHER_CHILD = ("kid9", "李小红", "", "", "", "2016-06-01", "李大伟", "parent9@example.test", "", "zh-CN")


def status(services: Services, incident_id: int, rule: str = "pipl57-individuals") -> tuple[str, str]:
    obligation = services.assessment.assess(incident_id).obligation(rule)
    return obligation.status.value, obligation.why.en


def replace_people(services: Services, incident_id: int, folder: Path, rows: list[tuple[str, ...]]) -> None:
    sub = folder / "replaced"
    sub.mkdir(exist_ok=True)
    path = sub / "people.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    services.people.import_file(incident_id, path, replace=True)


def test_same_number_of_different_people_after_an_email_send_is_not_met(
        services: Services, intake: dict[str, object], tmp_path: Path, sink: Sink) -> None:
    incident = prepared_incident(services, intake, tmp_path, ALL_BY_EMAIL)
    send_all(services, incident, sink.port)
    assert status(services, incident)[0] == "met"
    replace_people(services, incident, tmp_path, [*OTHERS, OTHER_CHILD])
    state, why = status(services, incident)
    assert state != "met", why
    assert "5 people now on the list have no delivered notice" in why, why
    assert status(services, incident, "minors-guardians")[0] != "met"


def test_one_new_person_among_the_same_people_is_named_as_one(
        services: Services, intake: dict[str, object], tmp_path: Path, sink: Sink) -> None:
    incident = prepared_incident(services, intake, tmp_path, ALL_BY_EMAIL)
    send_all(services, incident, sink.port)
    replace_people(services, incident, tmp_path, [*ALL_BY_EMAIL[1:4], OTHERS[0], ALL_BY_EMAIL[4]])
    state, why = status(services, incident)
    assert state != "met" and "1 person now on the list has no delivered notice" in why, why
    zh = services.assessment.assess(incident).obligation("pipl57-individuals").why.zh
    assert "名单上现有 1 人没有送达的告知" in zh, zh


def test_correcting_the_address_that_keys_a_person_reopens_the_obligation(
        services: Services, intake: dict[str, object], tmp_path: Path, sink: Sink) -> None:
    rows = [("", *r[1:]) for r in ALL_BY_EMAIL[:4]]  # no user id: the e-mail address is the key
    incident = prepared_incident(services, intake, tmp_path, rows)
    send_all(services, incident, sink.port)
    assert status(services, incident)[0] == "met"
    person = next(iter(services.people.iter_people(incident)))
    services.people.edit_person(incident, person.id, {"email": "corrected@example.test"}, "地址填错")
    state, why = status(services, incident)
    assert state != "met" and "1 person now on the list has no delivered notice" in why, why


def sms_report(export: Path, path: Path) -> Path:
    rows = list(csv.reader(io.StringIO(export.read_bytes().decode("utf-8-sig"))))[1:]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["手机号码", "发送状态", "BizId", "错误码"])
        writer.writerows([row[0].removeprefix("+86"), "发送成功", f"biz{i}", ""] for i, row in enumerate(rows))
    return path


SMS_PEOPLE = [(f"s{n}", f"短信{n}", "", f"1380013800{n}", "", "", "", "", "", "zh-CN") for n in range(1, 4)]
SMS_OTHERS = [(f"t{n}", f"别人{n}", "", f"1390013900{n}", "", "", "", "", "", "zh-CN") for n in range(1, 4)]


def approved_sms_incident(services: Services, intake: dict[str, object], folder: Path) -> int:
    incident = services.incidents.create(intake | {"affected_minors": 0, "affected_people": 3})
    import_people(services, incident.id, folder, SMS_PEOPLE)
    for element, audience in (("measures_taken", "individual"), ("remedies", "")):
        services.notices.set_element_text(incident.id, element, "zh-CN", "已关闭存储桶的公开访问。", audience)
        services.notices.set_element_text(incident.id, element, "en", "We closed public access to the bucket.",
                                          audience)
    services.notices.approve(incident.id, "王安全", kind="individual")
    return incident.id


def test_same_number_of_different_sms_people_is_not_met(
        services: Services, intake: dict[str, object], tmp_path: Path) -> None:
    incident = approved_sms_incident(services, intake, tmp_path)
    export = tmp_path / "sms.csv"
    services.handoff.export_sms(incident, export)
    services.handoff.import_report(incident, sms_report(export, tmp_path / "r.csv"))
    assert status(services, incident)[0] == "met"
    replace_people(services, incident, tmp_path, SMS_OTHERS)
    state, why = status(services, incident)
    assert state != "met" and "3 people now on the list have no delivered notice" in why, why


def test_same_number_of_different_people_after_a_platform_delivery_is_not_met(
        services: Services, intake: dict[str, object], tmp_path: Path, clock: Any) -> None:
    incident = prepared_incident(services, intake, tmp_path, ALL_BY_EMAIL)
    out = tmp_path / "r.jsonl"
    services.platform.export_recipients(incident, out)
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    at = to_iso(services.ctx.now() + timedelta(minutes=1))
    report = tmp_path / "delivery.csv"
    report.write_text("reference,status,time\n" + "".join(f"{line['reference']},delivered,{at}\n" for line in lines),
                      encoding="utf-8")
    services.platform.import_delivery(incident, report)
    assert status(services, incident)[0] == "met"
    replace_people(services, incident, tmp_path, [*OTHERS, OTHER_CHILD])
    state, why = status(services, incident)
    assert state != "met" and "5 people now on the list have no delivered notice" in why, why


def person_by_user(services: Services, incident_id: int, user_id: str) -> Any:
    return next(p for p in services.people.iter_people(incident_id) if p.user_id == user_id)


def test_correcting_the_address_of_a_person_keyed_by_user_id_reopens_the_obligation(
        services: Services, intake: dict[str, object], tmp_path: Path, sink: Sink) -> None:
    incident = prepared_incident(services, intake, tmp_path, ALL_BY_EMAIL)  # every adult has a user id
    send_all(services, incident, sink.port)
    assert status(services, incident)[0] == "met"
    person = person_by_user(services, incident, "u2")
    services.people.edit_person(incident, person.id, {"email": "u2-corrected@example.test"}, "地址填错")
    state, why = status(services, incident)
    assert state != "met" and "1 person now on the list has no delivered notice" in why, why
    # Correcting the guardian's address of a child keyed by user id reopens the guardians' duty too.
    child = person_by_user(services, incident, "kid1")
    services.people.edit_person(incident, child.id, {"guardian_email": "parent1-new@example.test"}, "家长邮箱填错")
    state, why = status(services, incident, "minors-guardians")
    assert state != "met" and "1 person now on the list has no delivered notice" in why, why
    assert "2 people now on the list have no delivered notice" in status(services, incident)[1]


def test_a_contact_the_notice_did_not_use_changes_nothing(
        services: Services, intake: dict[str, object], tmp_path: Path, sink: Sink) -> None:
    incident = prepared_incident(services, intake, tmp_path, ALL_BY_EMAIL)
    send_all(services, incident, sink.port)
    person = person_by_user(services, incident, "u3")
    # A phone added to somebody told by e-mail: their e-mail notice still reached them.
    services.people.edit_person(incident, person.id, {"phone": "13800138003"}, "补充电话")
    assert status(services, incident)[0] == "met", status(services, incident)[1]


def test_correcting_the_number_of_an_sms_person_keyed_by_user_id_reopens_the_obligation(
        services: Services, intake: dict[str, object], tmp_path: Path) -> None:
    incident = approved_sms_incident(services, intake, tmp_path)
    export = tmp_path / "sms.csv"
    services.handoff.export_sms(incident, export)
    services.handoff.import_report(incident, sms_report(export, tmp_path / "r.csv"))
    assert status(services, incident)[0] == "met"
    person = person_by_user(services, incident, "s1")
    services.people.edit_person(incident, person.id, {"phone": "13700137001"}, "号码填错")
    state, why = status(services, incident)
    assert state != "met" and "1 person now on the list has no delivered notice" in why, why


def test_correcting_an_address_after_a_platform_delivery_reopens_the_obligation(
        services: Services, intake: dict[str, object], tmp_path: Path) -> None:
    incident = prepared_incident(services, intake, tmp_path, ALL_BY_EMAIL)
    out = tmp_path / "r.jsonl"
    services.platform.export_recipients(incident, out)
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    at = to_iso(services.ctx.now() + timedelta(minutes=1))
    report = tmp_path / "delivery.csv"
    report.write_text("reference,status,time\n" + "".join(f"{line['reference']},delivered,{at}\n" for line in lines),
                      encoding="utf-8")
    services.platform.import_delivery(incident, report)
    assert status(services, incident)[0] == "met"
    person = person_by_user(services, incident, "u1")
    services.people.edit_person(incident, person.id, {"email": "u1-new@example.test"}, "地址填错")
    state, why = status(services, incident)
    assert state != "met" and "1 person now on the list has no delivered notice" in why, why


def close_and_purge(services: Services, incident_id: int, clock: Any) -> None:
    from incident_app.domain.incident import IncidentStatus
    from incident_app.services.retention import purge_due

    services.incidents.change_status(incident_id, IncidentStatus.CLOSED, "all told", force=True)
    clock.now += timedelta(days=400)
    assert [r.incident_id for r in purge_due(services)] == [incident_id]


def test_a_list_replaced_before_the_purge_stays_not_met_after_it(
        services: Services, intake: dict[str, object], tmp_path: Path, sink: Sink, clock: Any) -> None:
    incident = prepared_incident(services, intake, tmp_path, ALL_BY_EMAIL)
    send_all(services, incident, sink.port)
    replace_people(services, incident, tmp_path, [*ALL_BY_EMAIL[1:4], OTHERS[0], ALL_BY_EMAIL[4]])
    before = status(services, incident)
    assert before[0] != "met" and "1 person now on the list has no delivered notice" in before[1], before
    close_and_purge(services, incident, clock)
    state, why = status(services, incident)
    assert state == before[0] and "1 person now on the list has no delivered notice" in why, why
    assert services.assessment.assess_all()[0].obligation("pipl57-individuals").status.value == before[0]


def test_a_list_fully_told_before_the_purge_stays_met_after_it(
        services: Services, intake: dict[str, object], tmp_path: Path, sink: Sink, clock: Any) -> None:
    incident = prepared_incident(services, intake, tmp_path, ALL_BY_EMAIL)
    send_all(services, incident, sink.port)
    obligation = services.assessment.assess(incident).obligation("pipl57-individuals")
    assert obligation.status.value == "met"
    close_and_purge(services, incident, clock)
    after = services.assessment.assess(incident).obligation("pipl57-individuals")
    assert after.status.value == "met" and after.met_at == obligation.met_at
