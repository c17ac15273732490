from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from assessment_support import NOW, decision, make_incident, run

from incident_app.domain.assessment.deadlines import DueKind
from incident_app.domain.assessment.engine import Assessment
from incident_app.domain.assessment.enisa_rules import EnisaInputs
from incident_app.domain.assessment.enquiries import EnquiryLoad
from incident_app.domain.assessment.obligations import ObligationStatus, Recipient, Regime
from incident_app.domain.assessment.people import PeopleCounts
from incident_app.domain.clock import parse_time
from incident_app.domain.decisions import DecisionKind
from incident_app.domain.profile import OperatorType

S = ObligationStatus
BIG = {"affected_people": 1_000_000}  # 较大: reportable under the CAC Measures


def status(a: Assessment, obligation_id: str) -> ObligationStatus:
    return a.obligation(obligation_id).status


@pytest.mark.parametrize(
    ("operator", "hours", "police"),
    [
        (OperatorType.ORDINARY, 4, S.NOT_APPLICABLE),
        (OperatorType.CRITICAL_INFRASTRUCTURE, 1, S.PENDING),
        (OperatorType.STATE_ORGAN, 2, S.NOT_APPLICABLE),
    ],
)
def test_cac_initial_report_deadline_by_operator_type(operator: OperatorType, hours: int, police: S) -> None:
    a = run(make_incident(**BIG), operator=operator, now=parse_time("2026-11-20T09:10:00+08:00"))
    report = a.obligation("cac-initial-report")
    assert report.status == S.PENDING
    assert report.deadline.anchor == "discovered_at"
    assert report.deadline.due == parse_time("2026-11-20T09:00:00+08:00") + timedelta(hours=hours)
    assert f"{hours} h" in report.why.en
    assert status(a, "cac-initial-report-police") == police


def test_reportable_incident_has_supplementary_and_summary_reports() -> None:
    a = run(make_incident(**BIG))
    assert status(a, "cac-supplementary-report") in (S.PENDING, S.OVERDUE)
    summary = a.obligation("cac-summary-report")
    assert summary.deadline.kind == DueKind.AWAITING_ANCHOR and summary.status == S.PENDING
    closed = run(make_incident(handling_closed_at=parse_time("2026-11-20T11:00:00+08:00"), **BIG))
    assert closed.obligation("cac-summary-report").deadline.due == parse_time("2026-12-20T11:00:00+08:00")


def test_cac_report_is_overdue_once_the_clock_passes() -> None:
    a = run(make_incident(**BIG), now=parse_time("2026-11-20T13:00:01+08:00"))
    assert status(a, "cac-initial-report") == S.OVERDUE


def test_general_grade_without_sensitive_data_is_not_reportable_but_pipl_applies() -> None:
    a = run(make_incident(affected_people=999_999))
    assert status(a, "cac-initial-report") == S.NOT_APPLICABLE
    assert "一般" in a.obligation("cac-initial-report").why.zh
    assert status(a, "pipl57-regulator") == S.PENDING and status(a, "pipl57-individuals") == S.PENDING


def test_sensitive_below_a_million_keeps_the_cac_clock_running_as_needs_judgement() -> None:
    a = run(make_incident(data_types=["facial_features"], affected_people=999_999),
            now=parse_time("2026-11-20T09:30:00+08:00"))
    report = a.obligation("cac-initial-report")
    assert report.status == S.NEEDS_JUDGEMENT and report.needs_judgement
    assert report.deadline.due == parse_time("2026-11-20T13:00:00+08:00")
    assert report.resolve_with == "cac_grade_judgement"
    judged = run(make_incident(data_types=["facial_features"], affected_people=999_999),
                 decisions=(decision(DecisionKind.CAC_GRADE_JUDGEMENT, level="较大"),),
                 now=parse_time("2026-11-20T09:30:00+08:00"))
    assert status(judged, "cac-initial-report") == S.PENDING


@pytest.mark.parametrize("people", [1, 5, 999_999, 2_000_000])
def test_minors_always_create_report_and_guardian_notice(people: int) -> None:
    a = run(make_incident(affected_people=people, affected_minors=1))
    report, guardians = a.obligation("minors-report"), a.obligation("minors-guardians")
    assert (report.regime, report.recipient) == (Regime.MINORS_2024, Recipient.REGULATOR)
    assert (guardians.regime, guardians.recipient) == (Regime.MINORS_2024, Recipient.GUARDIANS)
    assert report.status == S.PENDING and guardians.status == S.PENDING
    assert "whatever the head-count" in report.why.en


def test_no_minors_no_minors_obligations() -> None:
    a = run(make_incident())
    assert status(a, "minors-report") == S.NOT_APPLICABLE and status(a, "minors-guardians") == S.NOT_APPLICABLE


def test_minors_data_type_alone_counts() -> None:
    a = run(make_incident(data_types=["minors_info"]))
    assert a.minors_involved and status(a, "minors-guardians") == S.PENDING


def test_eu_residents_bring_gdpr_33_with_72_hours_from_awareness() -> None:
    a = run(make_incident(eu_subjects=12))
    gdpr = a.obligation("gdpr33-authority")
    assert (gdpr.regime, gdpr.recipient, gdpr.status) == (Regime.GDPR_33, Recipient.EU_AUTHORITY, S.PENDING)
    assert gdpr.deadline.anchor == "aware_at"
    assert gdpr.deadline.due == parse_time("2026-11-23T09:30:00+08:00")
    assert "every EU Member State" in gdpr.recipient_detail.en
    assert status(run(make_incident()), "gdpr33-authority") == S.NOT_APPLICABLE


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        (EnisaInputs(), S.NOT_APPLICABLE),  # phone numbers: 1 x 1 + 0.5 = 1.5 low
        (EnisaInputs(dpc_adjustment=1, dpc_rationale="r", saved_at=NOW), S.NEEDS_JUDGEMENT),  # 2.5 medium
        (EnisaInputs(dpc_adjustment=3, dpc_rationale="r", saved_at=NOW), S.PENDING),  # 4.5 very high
    ],
)
def test_gdpr_34_follows_the_enisa_band(inputs: EnisaInputs, expected: S) -> None:
    a = run(make_incident(eu_subjects=3), inputs=inputs)
    assert status(a, "gdpr34-individuals") == expected


def test_gdpr_no_risk_and_individual_exemption_decisions() -> None:
    decisions = (decision(DecisionKind.GDPR_NO_RISK, 1),
                 decision(DecisionKind.GDPR_INDIVIDUAL_EXEMPTION, 2, ground="disproportionate_effort"))
    inputs = EnisaInputs(dpc_adjustment=3, dpc_rationale="r", saved_at=NOW)
    a = run(make_incident(eu_subjects=3), decisions=decisions, inputs=inputs)
    assert status(a, "gdpr33-authority") == S.NOT_APPLICABLE
    assert a.obligation("gdpr33-authority").decision_id == 1
    assert status(a, "gdpr34-individuals") == S.NOT_APPLICABLE
    public = a.obligation("gdpr34-public")
    assert public.status == S.PENDING and public.deadline.anchor_at == parse_time("2026-11-20T11:00:00+08:00")


def test_suspected_versus_actual() -> None:
    actual = run(make_incident(eu_subjects=5, **BIG))
    suspected = run(make_incident(likelihood="suspected", eu_subjects=5, **BIG))
    assert status(actual, "pipl57-regulator") == S.PENDING
    assert status(suspected, "pipl57-regulator") == S.PENDING  # PIPL 57 covers 'may have happened'
    assert "may have happened" in suspected.obligation("pipl57-individuals").why.en
    assert status(actual, "cac-initial-report") in (S.PENDING, S.OVERDUE)
    assert suspected.obligation("cac-initial-report").needs_judgement
    assert status(actual, "gdpr33-authority") == S.PENDING
    assert status(suspected, "gdpr33-authority") == S.NEEDS_JUDGEMENT


def test_exemption_decision_removes_only_the_individual_notice() -> None:
    exempt = (decision(DecisionKind.EXEMPT_INDIVIDUAL_NOTICE, 9),)
    a = run(make_incident(affected_minors=1), decisions=exempt)
    individuals = a.obligation("pipl57-individuals")
    assert individuals.status == S.NOT_APPLICABLE and individuals.decision_id == 9
    assert "#9" in individuals.why.en
    assert status(a, "pipl57-regulator") == S.PENDING
    assert status(a, "minors-guardians") == S.PENDING
    policy = a.obligation("policy-notify-individuals")  # the policy's own promise has no exemption
    assert policy.status == S.NEEDS_JUDGEMENT and policy.decision_id == 9
    assert status(run(make_incident()), "pipl57-individuals") == S.PENDING


def test_public_announcement_when_people_cannot_be_reached() -> None:
    unknown = run(make_incident())
    assert status(unknown, "public-announcement") == S.NEEDS_JUDGEMENT
    some = run(make_incident(), people=PeopleCounts(1200, 0, 40, "import"))
    assert status(some, "public-announcement") == S.PENDING and "40" in some.obligation("public-announcement").why.en
    everyone = run(make_incident(), people=PeopleCounts(1200, 0, 0, "import"))
    assert status(everyone, "public-announcement") == S.NOT_APPLICABLE
    instead = run(make_incident(), decisions=(decision(DecisionKind.PUBLIC_ANNOUNCEMENT_INSTEAD, 4),))
    assert status(instead, "public-announcement") == S.PENDING
    assert status(instead, "pipl57-individuals") == S.NOT_APPLICABLE


def test_imported_counts_replace_the_intake_estimate() -> None:
    """One source of truth: once the list is imported its counts are the ones every output uses."""
    a = run(make_incident(affected_people=1_000_000), people=PeopleCounts(900, 2, 0, "import", 1, 1))
    assert (a.people.total, a.people.minors, a.people.children, a.people.teens) == (900, 2, 1, 1)


def test_a_sixteen_year_old_alone_triggers_the_minors_obligations() -> None:
    """Minors' Regs Art. 35 covers every minor under 18: one teenager, no child under 14."""
    a = run(make_incident(affected_people=10), people=PeopleCounts(10, 1, 0, "import", 0, 1))
    assert a.minors_involved
    assert a.obligation("minors-report").status != S.NOT_APPLICABLE
    assert a.obligation("minors-guardians").status != S.NOT_APPLICABLE


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"cause": "third_party"}, S.PENDING),
        ({"systems": ["一键登录 SDK"]}, S.PENDING),
        ({}, S.NOT_APPLICABLE),
    ],
)
def test_partners_and_sdk_providers(changes: dict[str, Any], expected: S) -> None:
    partner = run(make_incident(**changes)).obligation("partners-notice")
    assert partner.status == expected and partner.citation.confidence.value == "unconfirmed"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"malicious": True}, S.PENDING),
        ({"cause": "attack"}, S.PENDING),
        ({"cause": "insider", "police_notified": True}, S.MET),
        ({"cause": "misdelivery"}, S.NOT_APPLICABLE),
    ],
)
def test_police_when_a_crime_is_suspected(changes: dict[str, Any], expected: S) -> None:
    assert status(run(make_incident(**changes)), "police-report") == expected


def test_obligation_status_decision_marks_met_and_wins() -> None:
    met = decision(DecisionKind.OBLIGATION_STATUS, 5, obligation_id="pipl57-regulator", status="met")
    a = run(make_incident(), decisions=(met,), now=parse_time("2026-11-25T12:00:00+08:00"))
    assert status(a, "pipl57-regulator") == S.MET
    bogus = decision(DecisionKind.OBLIGATION_STATUS, 6, obligation_id="pipl57-regulator", status="done-ish")
    assert run(make_incident(), decisions=(bogus,)).obligation("pipl57-regulator").needs_judgement


def test_anchor_change_moves_the_deadlines() -> None:
    before = run(make_incident(**BIG))
    later = run(make_incident(discovered_at="2026-11-20T10:30:00+08:00", aware_at="2026-11-20T11:00:00+08:00",
                              **BIG))
    shift = timedelta(minutes=90)
    for obligation_id in ("cac-initial-report", "gdpr33-authority", "pipl57-regulator"):
        old, new = before.obligation(obligation_id).deadline, later.obligation(obligation_id).deadline
        assert new.clock is not None and old.clock is not None and new.clock - old.clock == shift


def waiting(received: str, *, verification: int = 1) -> EnquiryLoad:
    """One enquiry received at ``received``, not yet answered (a request when verification=1)."""
    at = parse_time(received)
    return EnquiryLoad(1, at, at if verification else None, None, None, verification)


def test_policy_enquiry_duties_appear_only_once_someone_has_asked() -> None:
    incident = make_incident(occurred_at="2026-02-12T08:00:00+08:00", discovered_at="2026-02-13T09:00:00+08:00",
                             aware_at="2026-02-13T15:00:00+08:00")
    late = parse_time("2026-06-01T12:00:00+08:00")  # months after awareness: nothing is overdue without an enquiry
    ids = {o.id for o in run(incident, now=late).obligations}
    assert "policy-enquiry-reply" not in ids and "policy-enquiry-handling" not in ids
    question = run(incident, now=late, enquiries=waiting("2026-05-28T10:00:00+08:00", verification=0))
    assert question.obligation("policy-enquiry-reply").deadline.due == parse_time("2026-06-02T23:59:59+08:00")
    assert question.obligation("policy-enquiry-reply").status == ObligationStatus.PENDING
    assert "policy-enquiry-handling" not in {o.id for o in question.obligations}  # a question needs no verification
    answered = EnquiryLoad(1, None, None, parse_time("2026-05-29T10:00:00+08:00"), None, 0)
    met = run(incident, now=late, enquiries=answered).obligation("policy-enquiry-reply")
    assert met.status == ObligationStatus.MET and met.met_at == parse_time("2026-05-29T10:00:00+08:00")
    overdue = run(incident, now=parse_time("2026-06-03T00:00:01+08:00"),
                  enquiries=waiting("2026-05-28T10:00:00+08:00", verification=0))
    assert overdue.obligation("policy-enquiry-reply").status == ObligationStatus.OVERDUE


def test_policy_enquiry_replies_count_chinese_working_days_across_the_festival() -> None:
    incident = make_incident(occurred_at="2026-02-12T08:00:00+08:00", discovered_at="2026-02-13T09:00:00+08:00",
                             aware_at="2026-02-13T15:00:00+08:00")
    a = run(incident, now=parse_time("2026-02-13T16:00:00+08:00"), enquiries=waiting("2026-02-13T15:00:00+08:00"))
    assert a.obligation("policy-enquiry-reply").deadline.due == parse_time("2026-02-25T23:59:59+08:00")
    assert a.obligation("policy-enquiry-handling").deadline.due == parse_time("2026-03-12T23:59:59+08:00")
    assert "make-up workdays" in a.obligation("policy-enquiry-reply").why.en


def test_policy_enquiry_across_national_day() -> None:
    incident = make_incident(occurred_at="2026-09-29T08:00:00+08:00", discovered_at="2026-09-30T09:00:00+08:00",
                             aware_at="2026-09-30T10:00:00+08:00")
    a = run(incident, now=parse_time("2026-09-30T11:00:00+08:00"), enquiries=waiting("2026-09-30T10:00:00+08:00"))
    assert a.obligation("policy-enquiry-reply").deadline.due == parse_time("2026-10-10T23:59:59+08:00")


def test_every_obligation_explains_itself_with_a_source() -> None:
    for changes in ({}, {"affected_minors": 2, "eu_subjects": 4, "malicious": True}, BIG):
        # With one request waiting, the two policy reply duties are listed too (every rule then).
        a = run(make_incident(**changes), enquiries=waiting("2026-11-20T10:00:00+08:00"))
        assert len(a.obligations) >= 17
        for o in a.obligations:
            assert o.why.zh.strip() and o.why.en.strip() and o.citation.source.strip(), o.id
            assert o.regime in Regime and o.recipient in Recipient and o.channels


def test_next_deadline_is_the_earliest_open_clock() -> None:
    a = run(make_incident(**BIG), now=parse_time("2026-11-20T09:10:00+08:00"))
    nxt = a.next_deadline()
    # The responsible persons are told first (1 h internal target); the first legal due time is the CAC report.
    assert nxt is not None and nxt.id == "policy-responsible-persons"
    legal = min((o for o in a.obligations if o.status.is_open and o.deadline.due), key=lambda o: o.deadline.due)
    assert legal.id == "cac-initial-report"


def test_an_obligation_s_english_reason_cites_a_chinese_only_decision_with_markers() -> None:
    """A recorded decision in an obligation's reason: English words where the record has them,
    the missing-English marker where it has only Chinese, never the Chinese rationale (the name
    who decided is printed as recorded)."""
    chinese = replace(decision(DecisionKind.PUBLIC_ANNOUNCEMENT_INSTEAD, 4), rationale="无法逐一联系，改为公告",
                      decided_by="王安全")
    why = run(make_incident(), decisions=(chinese,)).obligation("pipl57-individuals").why
    assert "decision #4 (王安全; rationale: [English text missing: rationale])" in why.en
    assert "无法逐一联系" not in why.en
    assert "决定 #4（王安全，理由：无法逐一联系，改为公告）" in why.zh
    both = replace(chinese, rationale_en="the people cannot be reached one by one", decided_by="Wang Anquan")
    why = run(make_incident(), decisions=(both,)).obligation("pipl57-individuals").why
    assert "decision #4 (Wang Anquan; rationale: the people cannot be reached one by one)" in why.en
