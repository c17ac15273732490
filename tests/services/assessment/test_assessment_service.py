from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import closing

import pytest

from incident_app.domain.clock import parse_time
from incident_app.domain.errors import ValidationError
from incident_app.domain.incident import IncidentStatus
from incident_app.services.container import Services
from incident_app.services.demo.incident import load_demo
from incident_app.services.incidents.report import incident_report
from incident_app.services.register.view import assessed_register_rows, register_details, register_rows


def test_saved_enisa_inputs_change_the_score_and_are_logged(
    services: Services, intake: dict[str, object], raw_connect: Callable[[], sqlite3.Connection]
) -> None:
    incident = services.incidents.create(intake)  # phone numbers, 3 minors -> minors_info (simple, +3 suggested)
    before = services.assessment.assess(incident.id)
    assert before.severity.factor("dpc").value == 4 and not before.severity.reviewed
    saved = services.assessment.save_enisa_inputs(incident.id, {
        "dpc_adjustment": 1, "dpc_rationale": "儿童手机号，非人身安全关键", "ei": 1, "ei_rationale": "号码可直接识别"})
    assert saved.saved_by and saved.saved_at == parse_time("2026-11-20T12:00:00+08:00")
    after = services.assessment.assess(incident.id)
    assert after.severity.factor("dpc").value == 2 and after.severity.reviewed
    assert after.severity.factor("dpc").officer_rationale == "儿童手机号，非人身安全关键"
    event = services.audit.timeline(incident.id)[0]
    assert event.type == "assessment.enisa_inputs_saved" and event.payload["dpc_adjustment"] == 1
    with closing(raw_connect()) as conn:
        assert conn.execute("SELECT count(*) FROM enisa_inputs").fetchone()[0] == 1


def test_out_of_range_inputs_save_nothing(services: Services, intake: dict[str, object]) -> None:
    incident = services.incidents.create(intake)
    with pytest.raises(ValidationError) as exc:
        services.assessment.save_enisa_inputs(incident.id, {"dpc_adjustment": -1, "dpc_rationale": "x"})
    assert "dpc_adjustment" in str(exc.value) and "+0 to +3" in str(exc.value)
    assert services.assessment.enisa_inputs(incident.id).saved_at is None


def test_changing_an_anchor_recomputes_the_clocks(services: Services, intake: dict[str, object]) -> None:
    incident = services.incidents.create(intake | {"affected_people": 1_500_000})
    due = services.assessment.assess(incident.id).obligation("cac-initial-report").deadline.due
    assert due == parse_time("2026-11-20T13:00:00+08:00")
    services.incidents.update_facts(incident.id, {"discovered_at": "2026-11-20T08:00:00+08:00"})
    moved = services.assessment.assess(incident.id).obligation("cac-initial-report").deadline.due
    assert moved == parse_time("2026-11-20T12:00:00+08:00")


def test_closing_the_incident_starts_the_summary_report_clock(
    services: Services, intake: dict[str, object], clock: object
) -> None:
    incident = services.incidents.create(intake | {"affected_people": 1_500_000})
    assert services.assessment.assess(incident.id).obligation("cac-summary-report").deadline.due is None
    services.incidents.change_status(incident.id, IncidentStatus.CLOSED, "handling finished", force=True)
    summary = services.assessment.assess(incident.id).obligation("cac-summary-report")
    assert summary.deadline.due == parse_time("2026-12-20T12:00:00+08:00")


def test_recorded_judgement_reaches_the_grade(services: Services, intake: dict[str, object]) -> None:
    incident = services.incidents.create(intake)
    assert services.assessment.assess(incident.id).grade.needs_judgement
    services.decisions.record(incident.id, {"kind": "cac_grade_judgement", "rationale": "少量非敏感号码",
                                            "decided_by": "王安全", "details": {"level": "一般"}})
    grade = services.assessment.assess(incident.id).grade
    assert not grade.needs_judgement and not grade.reportable and grade.judgement_decision_id == 1


def test_register_rows_come_bare_and_details_carry_grade_and_next_deadline(
    services: Services, intake: dict[str, object]
) -> None:
    load_demo(services)
    services.incidents.create(intake | {"title": "second"})
    bare = register_rows(services)
    assert [(r.id, r.assessed, r.grade) for r in bare] == [(2, False, None), (1, False, None)]  # newest first
    assert bare[1].affected_people == 200  # the imported list (200 people, also the estimate)
    row = register_details(services, [1])[1]
    assert row.assessed and row.grade == "一般" and row.grade_needs_judgement  # minors: waits for the officer
    # The responsible persons' brief (1 h internal target) is the first clock until it is sent.
    assert row.next_deadline is not None and row.next_deadline_label == "POLICY*"  # * = internal target
    assert assessed_register_rows(services)[1] == row


def test_show_includes_the_assessment(services: Services, intake: dict[str, object]) -> None:
    incident = services.incidents.create(intake)
    report = incident_report(services, incident.id)
    assert report["assessment"]["cac_grade"]["level"] == "一般"
    json.dumps(report, ensure_ascii=False)


def test_every_assessment_message_exists_in_both_languages() -> None:
    import re

    from incident_app.domain.assessment.deadlines import DueKind
    from incident_app.domain.assessment.enisa_rules import Availability, Band, Integrity
    from incident_app.domain.assessment.obligations import ObligationStatus, Recipient
    from incident_app.domain.i18n import Translator
    from incident_app.services.resources import RESOURCES_DIR, load_messages

    messages = load_messages()
    assert Translator(messages).missing_keys() == {}
    ui = RESOURCES_DIR.parent / "ui"
    used = set()
    for name in ("assessment/tab.py", "assessment/models.py", "assessment/judgement_dialog.py"):
        used |= set(re.findall(r'"(assess\.[a-z_.]+)"', (ui / name).read_text(encoding="utf-8")))
    dynamic = {f"assess.band.{b.value}" for b in Band} | {f"assess.status.{s.value}" for s in ObligationStatus}
    dynamic |= {f"assess.recipient.{r.value}" for r in Recipient} | {f"assess.due.{d.value}" for d in DueKind}
    used -= {"assess.integrity", "assess.availability", "assess.category", "assess.regime"}  # prefixes, below
    dynamic |= {f"assess.integrity.{i.value}" for i in Integrity}
    dynamic |= {f"assess.availability.{a.value}" for a in Availability}
    dynamic |= {f"assess.confidence.{c}" for c in ("confirmed", "secondary", "unconfirmed")}
    dynamic |= {f"assess.confidence_short.{c}" for c in ("confirmed", "secondary", "unconfirmed")}
    dynamic |= {"assess.item.cac_grade", "assess.item.severity"}
    from incident_app.domain.catalog import EnisaCategory

    dynamic |= {f"assess.category.{c.value}" for c in EnisaCategory}
    from incident_app.domain.assessment.obligations import Regime

    dynamic |= {f"assess.regime.{r.value}" for r in Regime}  # every regime in words
    for lang in ("zh-CN", "en"):
        missing = sorted((used | dynamic) - set(messages[lang]))
        assert not missing, (lang, missing)


def test_the_demo_estimate_matches_its_list(services: Services) -> None:
    """The demo's intake estimate is the size of the list it imports: no gap, no flag."""
    from incident_app.services.demo.incident import load_demo

    incident = load_demo(services)
    people = services.assessment.assess(incident.id).people
    assert people.source == "import" and people.total == incident.facts.affected_people == 200
    assert people.gap_to_estimate == 0


def test_a_smaller_list_is_used_and_its_gap_kept(services: Services, incident_id: int) -> None:
    """A list of 5 against an estimate of 1,200: the list's 5 is used, the 1,195 gap is kept."""
    from types import SimpleNamespace

    people = services.assessment.assess(incident_id, people=SimpleNamespace(total=5, minors=0, unreachable=0)).people
    assert (people.total, people.source, people.estimate, people.gap_to_estimate) == (5, "import", 1200, 1195)
    assert services.assessment.assess(incident_id).people.gap_to_estimate == 0  # nothing imported yet
