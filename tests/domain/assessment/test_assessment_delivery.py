"""E-mail delivery meets the obligations to tell individuals and guardians only when the send
ledger shows every e-mail recipient sent and nobody waits for an SMS or a letter."""

from __future__ import annotations

from datetime import timedelta

from assessment_support import NOW, decision, make_incident, run

from incident_app.domain.assessment.delivery import EmailDelivery, LedgerBatch
from incident_app.domain.assessment.obligations import ObligationStatus
from incident_app.domain.clock import parse_time
from incident_app.domain.decisions import DecisionKind

S = ObligationStatus
SENT_AT = parse_time("2026-11-20T11:00:00+08:00")
MINORS = {"affected_minors": 2}
PEOPLE_OBLIGATIONS = ("pipl57-individuals", "policy-notify-individuals")


def batch(kind: str, rows: int, sent: int, version: str = "v1", at: str = "2026-11-20T11:00:00+08:00",
          channel: str = "email") -> LedgerBatch:
    return LedgerBatch(kind, version, rows, sent, parse_time(at) if sent else None, channel)


def test_all_emails_sent_meets_the_individual_obligations_at_the_last_acceptance() -> None:
    delivery = EmailDelivery({"email": 3}, (batch("individual", 3, 3),))
    a = run(make_incident(), delivery=delivery)
    for obligation_id in PEOPLE_OBLIGATIONS:
        obligation = a.obligation(obligation_id)
        assert obligation.status == S.MET and obligation.met_at == SENT_AT
        assert "send ledger shows every notice e-mail (and SMS, and mass-platform message) sent" in obligation.why.en
    # Nobody has asked: the policy's reply duty is not shown at all (e-mail delivery never meets it).
    assert "policy-enquiry-reply" not in {o.id for o in a.obligations}


def test_an_unsent_row_or_a_person_not_yet_in_the_ledger_keeps_it_open() -> None:
    for delivery in (EmailDelivery({"email": 3}, (batch("individual", 3, 2),)),
                     EmailDelivery({"email": 4}, (batch("individual", 3, 3),))):
        obligation = run(make_incident(), delivery=delivery).obligation("pipl57-individuals")
        assert obligation.status == S.PENDING and obligation.met_at is None
        assert "not yet all" in obligation.why.en


def test_people_told_by_sms_or_letter_keep_it_open_until_the_officer_records_it() -> None:
    delivery = EmailDelivery({"email": 3, "sms": 1}, (batch("individual", 3, 3),))
    obligation = run(make_incident(), delivery=delivery).obligation("pipl57-individuals")
    assert obligation.status == S.PENDING and "SMS or letter for 1 more" in obligation.why.en
    met = decision(DecisionKind.OBLIGATION_STATUS, 7, obligation_id="pipl57-individuals", status="met",
                   met_at="2026-11-21T09:00:00+08:00")
    recorded = run(make_incident(), delivery=delivery, decisions=(met,)).obligation("pipl57-individuals")
    assert recorded.status == S.MET and recorded.met_at == parse_time("2026-11-21T09:00:00+08:00")


def test_guardians_group_and_individuals_need_both_kinds_done() -> None:
    people = {"email": 2, "guardian_email": 1}
    half = EmailDelivery(people, (batch("individual", 2, 2), batch("guardian", 1, 0)))
    a = run(make_incident(**MINORS), delivery=half)
    assert a.obligation("pipl57-individuals").status == S.PENDING
    assert a.obligation("minors-guardians").status == S.PENDING
    later = "2026-11-20T11:30:00+08:00"
    done = EmailDelivery(people, (batch("individual", 2, 2), batch("guardian", 1, 1, at=later)))
    a = run(make_incident(**MINORS), delivery=done)
    assert a.obligation("minors-guardians").met_at == parse_time(later)
    assert a.obligation("pipl57-individuals").met_at == parse_time(later)  # the later of the two groups


def test_a_corrected_version_sent_later_does_not_move_the_moment_it_was_met() -> None:
    first, second = "2026-11-20T11:00:00+08:00", "2026-11-22T11:00:00+08:00"
    delivery = EmailDelivery({"email": 2}, (batch("individual", 2, 2, "v1", first),
                                            batch("individual", 2, 1, "v2", second)))
    assert run(make_incident(), delivery=delivery).obligation("pipl57-individuals").met_at == parse_time(first)


def test_delivery_never_meets_an_obligation_that_does_not_apply() -> None:
    delivery = EmailDelivery({"email": 3}, (batch("individual", 3, 3),))
    exempt = decision(DecisionKind.EXEMPT_INDIVIDUAL_NOTICE, 3)
    a = run(make_incident(), delivery=delivery, decisions=(exempt,), now=NOW + timedelta(days=1))
    assert a.obligation("pipl57-individuals").status == S.NOT_APPLICABLE
    assert a.obligation("gdpr34-individuals").status == S.NOT_APPLICABLE  # no EU subjects


def test_status_decision_met_without_a_time_is_met_when_recorded() -> None:
    met = decision(DecisionKind.OBLIGATION_STATUS, 5, obligation_id="cac-initial-report", status="met")
    a = run(make_incident(affected_people=1_000_000), decisions=(met,))
    assert a.obligation("cac-initial-report").met_at == parse_time("2026-11-20T11:00:00+08:00")


def test_sms_people_are_met_by_the_gateway_report_in_the_ledger() -> None:
    later = "2026-11-20T12:00:00+08:00"
    people = {"email": 3, "sms": 2}
    waiting = EmailDelivery(people, (batch("individual", 3, 3), batch("individual", 2, 1, "sms-v", channel="sms")))
    assert run(make_incident(), delivery=waiting).obligation("pipl57-individuals").status == S.PENDING
    # an e-mail batch of the same size does not stand in for the SMS people
    emails_only = EmailDelivery(people, (batch("individual", 5, 5),))
    assert run(make_incident(), delivery=emails_only).obligation("pipl57-individuals").status == S.PENDING
    sms_done = batch("individual", 2, 2, "sms-v", at=later, channel="sms")
    done = EmailDelivery(people, (batch("individual", 3, 3), sms_done))
    obligation = run(make_incident(), delivery=done).obligation("pipl57-individuals")
    assert obligation.status == S.MET and obligation.met_at == parse_time(later)


def test_a_teenagers_guardian_is_needed_by_the_guardians_group_not_their_own_notice() -> None:
    # Two adults and a teenager with an e-mail of their own, whose guardian has one too.
    people = {"email": 3, "teen_guardian_email": 1}
    own_only = EmailDelivery(people, (batch("individual", 2, 2), batch("minor", 1, 1)))
    a = run(make_incident(affected_minors=1), delivery=own_only)
    assert a.obligation("pipl57-individuals").status == S.MET  # the teenager was told themself
    guardians = a.obligation("minors-guardians")
    assert guardians.status == S.PENDING and "not yet all" in guardians.why.en
    later = "2026-11-20T11:30:00+08:00"
    both = EmailDelivery(people, (batch("individual", 2, 2), batch("minor", 1, 1), batch("guardian", 1, 1, at=later)))
    guardians = run(make_incident(affected_minors=1), delivery=both).obligation("minors-guardians")
    assert guardians.status == S.MET and guardians.met_at == parse_time(later)


def test_the_guardian_rows_must_cover_children_and_teenagers_guardians_alike() -> None:
    people = {"email": 1, "guardian_email": 1, "teen_guardian_email": 1}
    one_guardian = EmailDelivery(people, (batch("minor", 1, 1), batch("guardian", 1, 1)))
    assert run(make_incident(**MINORS), delivery=one_guardian).obligation("minors-guardians").status == S.PENDING
    two = EmailDelivery(people, (batch("minor", 1, 1), batch("guardian", 2, 2)))
    assert run(make_incident(**MINORS), delivery=two).obligation("minors-guardians").status == S.MET


def test_a_teenagers_guardian_told_by_sms_or_letter_waits_like_a_childs() -> None:
    by_sms = EmailDelivery({"email": 1, "teen_guardian_sms": 1}, (batch("minor", 1, 1),))
    guardians = run(make_incident(affected_minors=1), delivery=by_sms).obligation("minors-guardians")
    assert guardians.status == S.PENDING and "SMS or letter for 1 more" in guardians.why.en
    reported = EmailDelivery({"email": 1, "teen_guardian_sms": 1},
                             (batch("minor", 1, 1), batch("guardian", 1, 1, "sms-v", channel="sms")))
    assert run(make_incident(affected_minors=1), delivery=reported).obligation("minors-guardians").status == S.MET
    by_letter = EmailDelivery({"email": 1, "teen_guardian_letter": 1}, (batch("minor", 1, 1),))
    guardians = run(make_incident(affected_minors=1), delivery=by_letter).obligation("minors-guardians")
    assert guardians.status == S.PENDING and "SMS or letter for 1 more" in guardians.why.en
    # The platform delivers letters too: its guardian row meets it.
    platform = EmailDelivery({"email": 1, "teen_guardian_letter": 1},
                             (batch("minor", 1, 1, "p1", channel="platform"),
                              batch("guardian", 1, 1, "p1", channel="platform")))
    assert run(make_incident(affected_minors=1), delivery=platform).obligation("minors-guardians").status == S.MET
