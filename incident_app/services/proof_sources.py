"""Where the register and the metrics get what is not in the incident's facts: the grade, the
obligation outcomes, the milestones (first regulator report, first notices to people) and the
counts notified per channel.

Each source is a plain function over all incidents at once (one pass, not one query per row).
The defaults read what is recorded today — events and decisions — under this contract:

``obligation.met``  payload ``obligation_id``, ``recipient`` (``regulator``, ``individuals``,
                    ``guardians``, ``public``, …), ``due`` (ISO 8601 or null), ``met_at`` (ISO 8601;
                    defaults to the event time), ``reason`` (why it was late, if it was).
``notice.sent``     payload ``recipient`` (as above), ``channel`` (``email``, ``sms``, ``push``,
                    ``phone``, ``letter``…), ``count`` (people reached by this batch; default 1).
decision ``obligation_status`` details ``obligation_id``, ``status`` (``met`` or
                    ``not_applicable``), optional ``met_at``, ``due``, ``recipient``.
decision ``cac_grade_judgement`` details ``level`` — the grade until the assessment engine's own
                    grade is wired in.

Phase 2 (after the assessment engine, notices and the send ledger are merged) passes other
functions in :class:`RegisterSources`; nothing else changes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from incident_app.domain.clock import parse_time
from incident_app.domain.decisions import Decision, DecisionKind
from incident_app.domain.events import Event
from incident_app.domain.incident import Incident
from incident_app.domain.outcomes import Milestone, MilestoneKind, ObligationOutcome
from incident_app.services.container import Services

OBLIGATION_MET_EVENT = "obligation.met"
NOTICE_SENT_EVENT = "notice.sent"
# A public announcement made instead of individual notices also tells the people concerned.
PEOPLE_RECIPIENTS = frozenset({"individuals", "guardians", "public"})
REGULATOR_RECIPIENTS = frozenset({"regulator"})

OutcomesSource = Callable[[Services, Sequence[Incident]], Sequence[ObligationOutcome]]
MilestonesSource = Callable[[Services, Sequence[Incident]], Sequence[Milestone]]
NotifiedSource = Callable[[Services, Sequence[Incident]], Mapping[int, Mapping[str, int]]]
GradesSource = Callable[[Services, Sequence[Incident]], Mapping[int, str]]


def _events(services: Services, event_type: str, incidents: Sequence[Incident]) -> Iterator[Event]:
    wanted = {i.id for i in incidents}
    return (e for e in services.ctx.store.events.of_types([event_type]) if e.incident_id in wanted)


def _time(value: Any, default: Any) -> Any:
    return parse_time(str(value)) if value else default


def outcomes_from_records(services: Services, incidents: Sequence[Incident]) -> list[ObligationOutcome]:
    """Obligations met (``obligation.met``) or judged (``obligation_status`` decisions); for one
    obligation the latest record wins."""
    latest: dict[tuple[int, str], ObligationOutcome] = {}
    for event in _events(services, OBLIGATION_MET_EVENT, incidents):
        outcome = _outcome_from_event(event)
        latest[(outcome.incident_id, outcome.obligation_id)] = outcome
    for incident in incidents:
        for decision in services.decisions.list(incident.id):
            if decision.kind == DecisionKind.OBLIGATION_STATUS:
                outcome = _outcome_from_decision(decision)
                latest[(outcome.incident_id, outcome.obligation_id)] = outcome
    return list(latest.values())


def _outcome_from_event(event: Event) -> ObligationOutcome:
    p = event.payload
    return ObligationOutcome(
        incident_id=int(event.incident_id or 0), obligation_id=str(p.get("obligation_id", event.object_id)),
        recipient=str(p.get("recipient", "")), due=_time(p.get("due"), None),
        met_at=_time(p.get("met_at"), event.at), reason=str(p.get("reason", "")),
    )


def _outcome_from_decision(decision: Decision) -> ObligationOutcome:
    d = decision.details
    not_applicable = d.get("status") == "not_applicable"
    return ObligationOutcome(
        incident_id=decision.incident_id, obligation_id=str(d["obligation_id"]),
        recipient=str(d.get("recipient", "")), due=_time(d.get("due"), None),
        met_at=None if not_applicable else _time(d.get("met_at"), decision.decided_at),
        not_applicable=not_applicable, reason=decision.rationale,
    )


def milestones_from_records(services: Services, incidents: Sequence[Incident]) -> list[Milestone]:
    """First-report and first-notice moments from obligations met and notices sent."""
    found: list[Milestone] = []
    for outcome in outcomes_from_records(services, incidents):
        kind = _milestone_kind(outcome.recipient)
        if kind and outcome.met_at:
            found.append(Milestone(outcome.incident_id, kind, outcome.met_at))
    for event in _events(services, NOTICE_SENT_EVENT, incidents):
        kind = _milestone_kind(str(event.payload.get("recipient", "")))
        if kind and event.incident_id is not None:
            found.append(Milestone(event.incident_id, kind, event.at))
    return found


def _milestone_kind(recipient: str) -> MilestoneKind | None:
    if recipient in REGULATOR_RECIPIENTS:
        return MilestoneKind.REGULATOR_REPORTED
    if recipient in PEOPLE_RECIPIENTS:
        return MilestoneKind.INDIVIDUALS_NOTIFIED
    return None


def notified_from_records(services: Services, incidents: Sequence[Incident]) -> dict[int, dict[str, int]]:
    """People reached per channel, from ``notice.sent`` batches addressed to people."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for event in _events(services, NOTICE_SENT_EVENT, incidents):
        if event.payload.get("recipient") in PEOPLE_RECIPIENTS and event.incident_id is not None:
            channel = str(event.payload.get("channel") or "other")
            counts[event.incident_id][channel] += int(event.payload.get("count", 1))
    return {k: dict(v) for k, v in counts.items()}


def grades_from_decisions(services: Services, incidents: Sequence[Incident]) -> dict[int, str]:
    """The officer's recorded CAC grade judgement (latest), until the engine's grade is wired in."""
    grades: dict[int, str] = {}
    for incident in incidents:
        judged = [d for d in services.decisions.list(incident.id) if d.kind == DecisionKind.CAC_GRADE_JUDGEMENT]
        if judged:
            grades[incident.id] = str(max(judged, key=lambda d: d.decided_at).details["level"])
    return grades


@dataclass(frozen=True)
class RegisterSources:
    """The pluggable inputs of the register and its metrics."""

    outcomes: OutcomesSource = outcomes_from_records
    milestones: MilestonesSource = milestones_from_records
    notified: NotifiedSource = notified_from_records
    grades: GradesSource = grades_from_decisions
