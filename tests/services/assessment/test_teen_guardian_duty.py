"""The duty to inform minors and their guardians (minors-guardians) counts the guardians of
teenagers told through a contact of their own: a 14-17-year-old gets their own notice and their
guardian one too, and the duty is met only once every guardian notice (``<key>#guardian``) was
delivered to the guardian's contact now — through a real import, the real sender to an SMTP sink,
real corrections, and the retention purge."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from proof_helpers import EMAIL_ADULTS, prepared_incident, send_all
from smtp_sink import Sink
from test_attack_delivery_record import TEEN
from test_delivery_current_people import OTHER_CHILD, OTHERS, person_by_user, replace_people, status

from incident_app.domain.incident import IncidentStatus
from incident_app.services.container import Services
from incident_app.services.register.export import build_register
from incident_app.services.retention import purge_due

# A teenager with their own e-mail whose guardian is known only by the household address: the
# guardian's notice is a letter, printed and posted outside the tool.
TEEN_GUARDIAN_BY_LETTER = ("teen2", "赵小军", "teen2@example.test", "", "北京市海淀区四号路4号", "2010-07-01",
                           "赵大军", "", "", "zh-CN")


def test_a_teenagers_guardian_e_mail_corrected_after_the_send_reopens_the_minors_duty(
        services: Services, intake: dict[str, object], tmp_path: Path, sink: Sink) -> None:
    incident = prepared_incident(services, intake, tmp_path, [*EMAIL_ADULTS, TEEN])
    send_all(services, incident, sink.port)
    assert status(services, incident, "minors-guardians")[0] == "met"
    teen = person_by_user(services, incident, "teen1")
    services.people.edit_person(incident, teen.id, {"guardian_email": "parent-new@example.test"}, "监护人邮箱填错")
    state, why = status(services, incident, "minors-guardians")
    assert state != "met" and "1 person now on the list has no delivered notice" in why, why
    # The teenager was told themself: the duty to tell individuals stays met.
    assert status(services, incident)[0] == "met"
    # Sent again: the guardian's corrected address gets a new row (the old one kept), which meets it.
    first = sink.count()
    send_all(services, incident, sink.port)
    assert [r.address for r in sink.received[first:]] == ["parent-new@example.test"]
    assert status(services, incident, "minors-guardians")[0] == "met"
    record = next(r for r in build_register(services).records if r["id"] == incident)
    rows = services.ctx.store.db.execute("SELECT count(*) FROM send_ledger WHERE incident_id = ?",
                                         [incident]).fetchone()[0]
    assert rows == 7 and (record["notified_email"], record["pending_email"]) == (5, 0)  # five people, seven rows


def test_a_teenagers_guardian_told_by_letter_keeps_the_minors_duty_open_until_recorded(
        services: Services, intake: dict[str, object], tmp_path: Path, sink: Sink) -> None:
    incident = prepared_incident(services, intake, tmp_path, [*EMAIL_ADULTS, TEEN_GUARDIAN_BY_LETTER])
    send_all(services, incident, sink.port)
    assert status(services, incident)[0] == "met"
    state, why = status(services, incident, "minors-guardians")
    assert state == "pending" and "SMS or letter for 1 more" in why, why


def reading(services: Services) -> dict[int, tuple[str, dict[str, int]]]:
    """Per incident: the minors' duty's status, and the register's e-mail columns."""
    return {r["id"]: (status(services, r["id"], "minors-guardians")[0],
                      {k: r[k] for k in ("notified_email", "pending_email")}) for r in build_register(services).records}


def test_after_the_purge_the_minors_duty_and_the_registers_counts_read_as_before(
        services: Services, intake: dict[str, object], tmp_path: Path, sink: Sink, clock: Any) -> None:
    told = prepared_incident(services, intake, tmp_path, [*EMAIL_ADULTS, TEEN])
    replaced = prepared_incident(services, intake | {"title": "replaced"}, tmp_path, [*EMAIL_ADULTS, TEEN])
    for incident in (told, replaced):
        send_all(services, incident, sink.port)
    replace_people(services, replaced, tmp_path, [*OTHERS, OTHER_CHILD])
    before = reading(services)
    assert before == {told: ("met", {"notified_email": 5, "pending_email": 0}),
                      replaced: ("pending", {"notified_email": 0, "pending_email": 5})}, before
    for incident in (told, replaced):
        services.incidents.change_status(incident, IncidentStatus.CLOSED, "all told; summary report filed", force=True)
    clock.now += timedelta(days=90)
    assert {r.incident_id for r in purge_due(services)} == {told, replaced}
    after = reading(services)
    assert after == before


def test_a_guardians_e_mail_corrected_back_is_not_e_mailed_again(
        services: Services, intake: dict[str, object], tmp_path: Path, sink: Sink) -> None:
    # A teenager's guardian (told through the teenager's row, "<key>#guardian") and a child's
    # (a guardian_email person): each guardian's address changed by mistake, e-mailed there, and
    # corrected back — both guardians were told at it already, so nothing goes to them again and
    # the minors' duty stays met.
    from proof_helpers import CHILD

    incident = prepared_incident(services, intake, tmp_path, [*EMAIL_ADULTS, TEEN, CHILD])
    send_all(services, incident, sink.port)
    assert status(services, incident, "minors-guardians")[0] == "met"
    people = [person_by_user(services, incident, "teen1"), person_by_user(services, incident, "kid1")]
    originals = [p.guardian_email for p in people]
    for person in people:
        services.people.edit_person(incident, person.id, {"guardian_email": f"wrong-{person.id}@example.test"}, "填错")
    send_all(services, incident, sink.port)
    first = sink.count()
    for person, original in zip(people, originals, strict=True):
        services.people.edit_person(incident, person.id, {"guardian_email": original or ""}, "改回")
    assert status(services, incident, "minors-guardians")[0] == "met"
    send_all(services, incident, sink.port)
    assert sink.received[first:] == []
    record = next(r for r in build_register(services).records if r["id"] == incident)
    assert (record["notified_email"], record["pending_email"]) == (6, 0)
