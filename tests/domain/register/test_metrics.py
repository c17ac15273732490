from __future__ import annotations

from datetime import timedelta
from typing import Any

from incident_app.domain.catalog import Catalog, DataType, EnisaCategory
from incident_app.domain.clock import parse_time
from incident_app.domain.incident import Cause, Incident, parse_intake
from incident_app.domain.register.metrics import compute_metrics, metrics_to_dict
from incident_app.domain.register.outcomes import Milestone, MilestoneKind, ObligationOutcome, OutcomeStatus
from incident_app.domain.register.rows import RegisterInputs, register_record, register_totals

NOW = parse_time("2026-12-01T12:00:00+08:00")
LATER = parse_time("2999-01-01T00:00:00+00:00")


def incident(incident_id: int, **facts: Any) -> Incident:
    base = {"title": f"incident {incident_id}", "discovered_at": "2026-11-20T09:00:00+08:00",
            "occurred_at": "2026-11-18T09:00:00+08:00", "cause": "attack"}
    return Incident(incident_id, parse_intake(base | facts, now=LATER))


def at(text: str) -> Any:
    return parse_time(text)


def outcome(incident_id: int, due: str | None, met: str | None, **kw: Any) -> ObligationOutcome:
    return ObligationOutcome(incident_id, f"o-{incident_id}-{due}-{met}", "regulator",
                             at(due) if due else None, at(met) if met else None, **kw)


def test_durations_from_occurrence_discovery_and_milestones() -> None:
    a = incident(1)  # occurred 48 h before discovery
    b = incident(2, occurred_at="2026-11-20T08:00:00+08:00", cause="insider")  # 1 h
    milestones = [
        Milestone(1, MilestoneKind.REGULATOR_REPORTED, at("2026-11-20T12:00:00+08:00")),
        Milestone(1, MilestoneKind.REGULATOR_REPORTED, at("2026-11-20T11:00:00+08:00")),  # the first one counts
        Milestone(2, MilestoneKind.INDIVIDUALS_NOTIFIED, at("2026-11-21T09:00:00+08:00")),
    ]
    m = compute_metrics([a, b], milestones, now=NOW)
    assert (m.occurrence_to_discovery.count, m.occurrence_to_discovery.median_hours,
            m.occurrence_to_discovery.max_hours) == (2, 24.5, 48.0)
    assert m.discovery_to_regulator_report.median_hours == 2.0
    assert m.discovery_to_individual_notice.median_hours == 24.0
    assert dict(m.causes)[Cause.ATTACK] == 1 and dict(m.causes)[Cause.INSIDER] == 1
    assert [c for c, _ in m.causes] == list(Cause)


def test_on_time_share_counts_only_decided_obligations() -> None:
    outcomes = [
        outcome(1, "2026-11-20T13:00:00+08:00", "2026-11-20T12:00:00+08:00"),  # on time
        outcome(1, "2026-11-20T13:00:00+08:00", "2026-11-20T14:00:00+08:00"),  # late
        outcome(1, "2026-11-25T13:00:00+08:00", None),                         # overdue by NOW
        outcome(1, "2026-12-25T13:00:00+08:00", None),                         # pending
        outcome(1, None, None, not_applicable=True, reason="no EU subjects"),
        outcome(1, None, "2026-11-22T12:00:00+08:00"),                         # no deadline: on time
    ]
    assert [o.status(NOW) for o in outcomes] == [
        OutcomeStatus.MET_ON_TIME, OutcomeStatus.MET_LATE, OutcomeStatus.OVERDUE,
        OutcomeStatus.PENDING, OutcomeStatus.NOT_APPLICABLE, OutcomeStatus.MET_ON_TIME]
    m = compute_metrics([incident(1)], [], outcomes, now=NOW)
    assert (m.obligations_decided, m.obligations_on_time, m.on_time_share) == (4, 2, 0.5)


def test_drills_never_leak_into_metrics() -> None:
    real = [incident(1), incident(2, cause="insider")]
    drill = incident(3, drill=True, cause="malware", occurred_at="2020-01-01T00:00:00+08:00")
    milestones = [Milestone(1, MilestoneKind.REGULATOR_REPORTED, at("2026-11-20T10:00:00+08:00"))]
    outcomes = [outcome(1, "2026-11-20T13:00:00+08:00", "2026-11-20T12:00:00+08:00")]
    drill_milestones = [Milestone(3, MilestoneKind.REGULATOR_REPORTED, at("2026-11-30T10:00:00+08:00")),
                        Milestone(3, MilestoneKind.INDIVIDUALS_NOTIFIED, at("2026-11-30T10:00:00+08:00"))]
    drill_outcomes = [outcome(3, "2026-11-20T13:00:00+08:00", "2026-11-29T12:00:00+08:00")]
    without = compute_metrics(real, milestones, outcomes, now=NOW)
    with_drill = compute_metrics([*real, drill], milestones + drill_milestones, outcomes + drill_outcomes, now=NOW)
    expected = metrics_to_dict(without) | {"drills_excluded": 1}
    assert metrics_to_dict(with_drill) == expected
    assert with_drill.discovery_to_individual_notice.count == 0
    assert dict(with_drill.causes)[Cause.MALWARE] == 0


def test_empty_register_has_no_figures_rather_than_zeros() -> None:
    m = compute_metrics([], now=NOW)
    assert m.on_time_share is None and m.occurrence_to_discovery.median_hours is None


def test_register_row_and_totals_leave_drills_out() -> None:
    catalog = Catalog((
        DataType("id_card", "identity", "身份证件号码", "ID card number", True, "PIPL Art. 28",
                 EnisaCategory.SENSITIVE, "", "", "", "", ""),
        DataType("nickname", "account", "昵称", "Nickname", False, "", EnisaCategory.SIMPLE, "", "", "", "", ""),
    ))
    rows = [
        register_record(RegisterInputs(incident(1, data_types=["id_card", "nickname"], affected_people=10),
                                       notified={"notified_email": 7, "pending_sms": 1}), catalog, NOW),
        register_record(RegisterInputs(incident(2, drill=True, affected_people=500),
                                       notified={"notified_email": 500}), catalog, NOW),
    ]
    assert rows[0]["sensitive_data"] is True and rows[0]["sensitive_types"] == ["身份证件号码"]
    assert rows[0]["data_types"] == ["身份证件号码", "昵称"]
    totals = register_totals(rows)
    assert (totals["incidents"], totals["drills_excluded"], totals["affected_people"],
            totals["notified_email"], totals["pending_sms"], totals["with_sensitive_data"]) == (1, 1, 10, 7, 1, 1)


def test_negative_gap_counts_as_immediate() -> None:
    m = compute_metrics([incident(1)],
                        [Milestone(1, MilestoneKind.REGULATOR_REPORTED, at("2026-11-20T09:00:00+08:00")
                                   - timedelta(hours=5))], now=NOW)
    assert m.discovery_to_regulator_report.median_hours == 0.0


def test_the_summed_parts_give_what_each_outcomes_status_gives_now() -> None:
    # The metrics sum each incident's MetricPart (no outcome rebuilt); the on-time figures and the
    # next change must be exactly what ObligationOutcome.status(now) decides outcome by outcome.
    import random

    from incident_app.domain.register.outcomes import DECIDED

    rnd = random.Random(7)
    incidents = [incident(i, drill=i % 7 == 0) for i in range(1, 41)]
    moments = [NOW + timedelta(hours=h, microseconds=m) for h in range(-30, 30, 3) for m in (0, 1)] + [NOW]
    outcomes = [ObligationOutcome(rnd.randint(1, 45), f"o{n}", "regulator", rnd.choice([None, *moments]),
                                  rnd.choice([None, None, *moments]), not_applicable=rnd.random() < 0.1)
                for n in range(400)]
    metrics = compute_metrics(incidents, (), outcomes, now=NOW)
    real = {i.id for i in incidents if not i.facts.drill}
    statuses = [(o, o.status(NOW)) for o in outcomes if o.incident_id in real]
    decided = [s for _, s in statuses if s in DECIDED]
    assert metrics.obligations_decided == len(decided) > 0
    assert metrics.obligations_on_time == decided.count(OutcomeStatus.MET_ON_TIME)
    assert metrics.changes_at == min(o.due for o, s in statuses if s is OutcomeStatus.PENDING and o.due is not None)
