"""Attack on the delivery record (s23-attack): cases where the notify-individuals obligation reads
"met" although somebody now on the list was not reached, or can never read met although they were.
Each known defect was marked xfail(strict=True) with its reason until it was fixed."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from proof_helpers import ALL_BY_EMAIL, prepared_incident, send_all
from smtp_sink import Sink
from test_delivery_current_people import approved_sms_incident, person_by_user, replace_people, sms_report, status

from incident_app.domain.clock import to_iso
from incident_app.services.container import Services

# Letter people: a name and a postal address, no user id, e-mail or phone (keyed "person-<row id>").
LETTER_A = ("", "张三", "", "", "北京市朝阳区一号路1号", "1980-01-01", "", "", "", "zh-CN")
LETTER_B = ("", "李四", "", "", "上海市浦东新区二号路2号", "1981-01-01", "", "", "", "zh-CN")


def deliver_all(services: Services, incident: int, folder: Path, name: str) -> list[dict[str, Any]]:
    """Export the platform file and import a report saying every line was delivered a minute later."""
    out = folder / f"{name}.jsonl"
    services.platform.export_recipients(incident, out)
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    at = to_iso(services.ctx.now() + timedelta(minutes=1))
    report = folder / f"{name}-delivery.csv"
    report.write_text("reference,status,time\n" + "".join(f"{line['reference']},delivered,{at}\n" for line in lines),
                      encoding="utf-8")
    services.platform.import_delivery(incident, report)
    return lines


def test_a_letter_person_replaced_by_another_is_not_met(
        services: Services, intake: dict[str, object], tmp_path: Path) -> None:
    incident = prepared_incident(services, intake, tmp_path, [*ALL_BY_EMAIL, LETTER_A])
    deliver_all(services, incident, tmp_path, "first")
    assert status(services, incident)[0] == "met"
    replace_people(services, incident, tmp_path, [*ALL_BY_EMAIL, LETTER_B])
    state, why = status(services, incident)
    assert state != "met", why
    assert "1 person now on the list has no delivered notice" in why, why


def test_correcting_a_letter_persons_address_after_a_platform_delivery_reopens_the_obligation(
        services: Services, intake: dict[str, object], tmp_path: Path) -> None:
    incident = prepared_incident(services, intake, tmp_path, [*ALL_BY_EMAIL, LETTER_A])
    deliver_all(services, incident, tmp_path, "first")
    assert status(services, incident)[0] == "met"
    person = next(p for p in services.people.iter_people(incident) if not p.user_id)
    services.people.edit_person(incident, person.id, {"address": "广州市天河区三号路3号"}, "地址填错")
    state, why = status(services, incident)
    assert state != "met", why


def test_a_platform_delivery_to_the_corrected_address_meets_the_obligation(
        services: Services, intake: dict[str, object], tmp_path: Path, clock: Any) -> None:
    incident = prepared_incident(services, intake, tmp_path, ALL_BY_EMAIL)
    deliver_all(services, incident, tmp_path, "first")
    person = person_by_user(services, incident, "u1")
    services.people.edit_person(incident, person.id, {"email": "u1-new@example.test"}, "地址填错")
    assert status(services, incident)[0] != "met"
    clock.now += timedelta(minutes=10)
    lines = deliver_all(services, incident, tmp_path, "second")
    assert "u1-new@example.test" in [line["to"] for line in lines]  # the platform was told the new address
    state, why = status(services, incident)
    assert state == "met", why


def test_the_gateway_report_for_a_corrected_number_is_accepted_and_meets_the_obligation(
        services: Services, intake: dict[str, object], tmp_path: Path, clock: Any) -> None:
    incident = approved_sms_incident(services, intake, tmp_path)
    export = tmp_path / "sms.csv"
    services.handoff.export_sms(incident, export)
    services.handoff.import_report(incident, sms_report(export, tmp_path / "r.csv"))
    person = person_by_user(services, incident, "s1")
    services.people.edit_person(incident, person.id, {"phone": "13700137001"}, "号码填错")
    assert status(services, incident)[0] != "met"
    clock.now += timedelta(minutes=10)
    again = tmp_path / "sms2.csv"
    services.handoff.export_sms(incident, again)
    assert "+8613700137001" in again.read_text(encoding="utf-8-sig")  # the gateway was given the new number
    services.handoff.import_report(incident, sms_report(again, tmp_path / "r2.csv"))
    state, why = status(services, incident)
    assert state == "met", why


def test_the_register_does_not_count_replaced_people_as_told(
        services: Services, intake: dict[str, object], tmp_path: Path, sink: Sink) -> None:
    from test_delivery_current_people import OTHER_CHILD, OTHERS

    from incident_app.services.register.export import build_register

    incident = prepared_incident(services, intake, tmp_path, ALL_BY_EMAIL)
    send_all(services, incident, sink.port)
    replace_people(services, incident, tmp_path, [*OTHERS, OTHER_CHILD])
    assert status(services, incident)[0] != "met"
    row = build_register(services).records[0]
    assert (row["notified_email"], row["pending_email"]) == (0, 5), row


TEEN = ("teen1", "王小华", "teen1@example.test", "", "", "2010-06-01", "王大华", "parent-teen@example.test", "",
        "zh-CN")


def test_a_teen_and_their_guardian_both_emailed_meet_the_minors_duty(
        services: Services, intake: dict[str, object], tmp_path: Path, sink: Sink) -> None:
    from proof_helpers import EMAIL_ADULTS

    incident = prepared_incident(services, intake, tmp_path, [*EMAIL_ADULTS, TEEN])
    send_all(services, incident, sink.port)
    states = services.ctx.store.db.execute(
        "SELECT recipient_key, state FROM send_ledger WHERE incident_id = ?", [incident]).fetchall()
    assert ("teen1#guardian", "sent") in states and ("teen1", "sent") in states
    state, why = status(services, incident, "minors-guardians")
    assert "not yet all" not in why, why
    assert state == "met", why


def test_a_platform_report_of_every_message_delivered_does_not_say_others_failed_after_the_list_grew(
        services: Services, intake: dict[str, object], tmp_path: Path) -> None:
    # Every handed-off message was delivered, then the list was replaced by more people: the reason
    # must not say "the others failed or await its report" (there are no others), and must say why.
    from test_delivery_current_people import OTHER_CHILD, OTHERS

    incident = prepared_incident(services, intake, tmp_path, ALL_BY_EMAIL)
    deliver_all(services, incident, tmp_path, "first")
    assert status(services, incident)[0] == "met"
    replace_people(services, incident, tmp_path, [*ALL_BY_EMAIL, *OTHERS, OTHER_CHILD])
    state, why = status(services, incident)
    assert state != "met", why
    assert "the others failed" not in why, why
    assert "reported all 5 of its messages delivered, but they do not cover everyone now on the list" in why, why
    zh = services.assessment.assess(incident).obligation("pipl57-individuals").why.zh
    assert "群发平台已报告其全部 5 条消息送达，但这些消息未覆盖名单上现有的所有人" in zh, zh
