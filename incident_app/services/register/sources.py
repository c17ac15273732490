"""Where the register and its metrics get what is not in an incident's facts: the grade, the
obligation outcomes, the milestones the metrics measure to, and the people told per channel.
Everything comes from records the tool keeps; nothing is typed in twice.

**Grade** — the assessment's CAC grade (``services.assessment.assess_all``), flagged when it still
waits for the officer's judgement.

**Obligations** — every obligation of the assessment becomes an :class:`ObligationOutcome`:

- *met* when the assessment says so, at the moment a record gives: a recorded fulfilment (when it
  was done outside the tool, e.g. filed on the 12387 website); an ``obligation_status``
  decision with status ``met`` (``details.met_at`` when the officer gives it, else when the decision
  was recorded); the send ledger for the notices to individuals and guardians (the rule in
  ``domain/assessment/delivery.py``: every person of the group e-mailed, met when the relay accepted
  the last message); a fact (``police_notified``), met when that fact was first recorded.
- *not applicable* — the reason printed is the rationale of the decision that made it so (a rule
  that simply does not apply, e.g. GDPR without EU residents, is counted but not explained again).
- *open* — pending, or overdue once its legal due time has passed.

On time or late is measured against the legal due time (``deadline.due``). Duties the law says to
do "immediately" or "promptly" have only the tool's internal target, which is not a legal
deadline: meeting them counts as on time. A late outcome carries the rationale of the decision that
recorded it (the officer says there why it was late).

**Milestones** (the metrics "discovery → first regulator report" and "discovery → individual
notices"):

- *regulator reported*: the earliest ``met_at`` of a met obligation addressed to the regulator. The
  officer files the report with the CAC outside the tool (12387 hotline, website) and records the
  fulfilment (``fulfil``, or *Record fulfilment…* in the Assessment tab). Approving the report in the
  tool (``notice.approved``) is not filing it, so approvals do not count.
- *individuals notified*: the first personal notice e-mail the relay accepted (the earliest
  ``sent_at`` in the send ledger), or the earliest ``met_at`` of a met obligation addressed to
  individuals, guardians or the public (told by SMS, letter or an announcement, recorded by the
  officer), whichever came first.

**People per channel** (counts only, each person now on the list once): ``notified_email`` —
people whose notice e-mail to their address now the relay accepted; ``pending_email`` — people to
e-mail not yet sent (queued, deferred or not yet in the ledger); ``pending_sms`` /
``pending_letter`` — people whose notice goes by SMS or letter, which the tool does not send (their
channel on import, or the fallback of an e-mail that failed for good); ``announcement_people`` —
people with no usable contact, and failed e-mails whose fallback is the public announcement. A
person whose SMS the gateway, or whose message the mass-messaging platform, reported delivered
(``import-sms-report``, ``import-delivery``) waits for nothing more. Each person is matched to
their own rows of the send ledger (the guardian's for a child) by key and contact, as the
obligations are: rows of people since replaced, or sent to an address since corrected, tell nobody
on the list. A contact corrected and sent again is a new row of the same person: only each version's
latest row counts (storage ``SendLedgerRepository.people_told``), so that person is counted once.

The sources are pluggable: :class:`RegisterSources` holds the one function that gathers them for
all incidents at once (a few grouped queries plus one assessment per incident).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from incident_app.domain.decisions import Decision
from incident_app.domain.incident import Incident
from incident_app.domain.mail import DeliveryOverview, FallbackChannel, SendState
from incident_app.domain.people import PeopleSummary
from incident_app.domain.register import Milestone, MilestoneKind, ObligationOutcome
from incident_app.services.container import Services

if TYPE_CHECKING:
    from incident_app.domain.assessment.engine import Assessment
    from incident_app.domain.assessment.obligations import Obligation

PEOPLE_RECIPIENTS = frozenset({"individuals", "guardians", "public"})
REGULATOR_RECIPIENTS = frozenset({"regulator"})
FACT_EVENTS = ("incident.created", "incident.facts_changed")
# The register's people-per-channel columns.
NOTIFIED_COLUMNS = ("notified_email", "pending_email", "pending_sms", "pending_letter", "announcement_people")


@dataclass(frozen=True)
class IncidentRecords:
    """What the records say about one incident beyond its facts."""

    grade: str | None = None
    grade_needs_judgement: bool = False
    outcomes: tuple[ObligationOutcome, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    notified: Mapping[str, int] = field(default_factory=dict)
    counts: Mapping[str, int] = field(default_factory=dict)  # people and minors by band, as assessed


RecordsSource = Callable[[Services, Sequence[Incident]], Mapping[int, IncidentRecords]]


def records_from_assessment(services: Services, incidents: Sequence[Incident]) -> dict[int, IncidentRecords]:
    """Grade, outcomes, milestones and channel counts of every incident, from the assessment,
    the decisions, the people counts and the send ledger (see the module docstring)."""
    return records_of_assessments(services, incidents, services.assessment.assess_all(incidents))


def records_of_assessments(services: Services, incidents: Sequence[Incident],
                           assessments: Sequence[Assessment]) -> dict[int, IncidentRecords]:
    """:func:`records_from_assessment` for assessments already computed (the summary cache)."""
    store = services.ctx.store
    people, ledgers, first_sent = store.people.all_stats(), store.send_ledger.all_overviews(), \
        store.send_ledger.first_sent_at()
    decided = store.decisions.by_incident([i.id for i in incidents])  # one read, not one per incident
    found = {}
    for incident, assessment in zip(incidents, assessments, strict=True):
        decisions = {d.id: d for d in decided.get(incident.id, [])}
        outcomes = tuple(_outcome(services, incident, o, decisions) for o in assessment.obligations)
        found[incident.id] = IncidentRecords(
            grade=assessment.grade.level.value, grade_needs_judgement=assessment.grade.needs_judgement,
            outcomes=outcomes, milestones=_milestones(incident.id, outcomes, first_sent.get(incident.id)),
            notified=_notified(services, incident.id, people.get(incident.id, PeopleSummary()),
                               ledgers.get(incident.id)),
            counts={"affected_people": assessment.people.total, "affected_minors": assessment.people.minors,
                    "affected_minors_under_14": assessment.people.children,
                    "affected_minors_14_17": assessment.people.teens})
    return found


def _outcome(services: Services, incident: Incident, o: Obligation,
             decisions: Mapping[int, Decision]) -> ObligationOutcome:
    # Deferred like the engine: the metrics served from cached parts never build an outcome.
    from incident_app.domain.assessment.obligations import ObligationStatus

    decided = decisions.get(o.decision_id) if o.decision_id is not None else None
    met_at = None
    if o.status == ObligationStatus.MET:
        met_at = o.met_at or _fact_recorded_at(services, incident)
    return ObligationOutcome(incident.id, o.id, o.recipient.value, o.deadline.due, met_at,
                             not_applicable=o.status == ObligationStatus.NOT_APPLICABLE,
                             reason=decided.shown if decided else "")


def _fact_recorded_at(services: Services, incident: Incident) -> datetime:
    """When a fact that meets a duty (e.g. police notified) was first recorded as true: the
    creation or the facts change that set it (met_by_fact is only ever a true-valued fact)."""
    for event in services.ctx.store.events.for_incident(incident.id, newest_first=False):
        if event.type not in FACT_EVENTS:
            continue
        facts = event.payload.get("facts", {})
        changes = event.payload.get("changes", {})
        if facts.get("police_notified") is True or changes.get("police_notified", {}).get("to") is True:
            return event.at
    return incident.created_at


def _milestones(incident_id: int, outcomes: Sequence[ObligationOutcome],
                first_email: datetime | None) -> tuple[Milestone, ...]:
    found = [Milestone(incident_id, MilestoneKind.INDIVIDUALS_NOTIFIED, first_email)] if first_email else []
    for outcome in outcomes:
        if outcome.met_at is None:
            continue
        if outcome.recipient in REGULATOR_RECIPIENTS:
            found.append(Milestone(incident_id, MilestoneKind.REGULATOR_REPORTED, outcome.met_at))
        elif outcome.recipient in PEOPLE_RECIPIENTS:
            found.append(Milestone(incident_id, MilestoneKind.INDIVIDUALS_NOTIFIED, outcome.met_at))
    return tuple(found)


def _notified(services: Services, incident_id: int, people: PeopleSummary,
              ledger: DeliveryOverview | None) -> dict[str, int]:
    """The channel counts of one incident: from the people now on the list matched to their own
    ledger rows once there is a ledger (:func:`people_told`), from the list alone before."""
    if ledger is None:  # nobody told yet: the counts of the list say it all
        return people_by_channel(people, ledger)
    if services.assessment.list_frozen_by_purge(incident_id):
        # The keys and contacts are blank, nothing is left to match: the counts matched when the
        # purge began stand (purged by a version that kept none: the row counts).
        kept = services.assessment.kept_people_told(incident_id)
        return people_by_channel(people, ledger) if kept is None else {c: kept.get(c, 0) for c in NOTIFIED_COLUMNS}
    return people_told(services, incident_id)


def people_told(services: Services, incident_id: int) -> dict[str, int]:
    """The register's channel counts of one incident from the people now on the list, each
    matched to their own rows in the send ledger (storage ``SendLedgerRepository.people_told``:
    one indexed aggregate, nothing per person in Python). A list replaced after a complete send
    shows its new people waiting, not told."""
    store = services.ctx.store
    told = store.send_ledger.people_told(incident_id, store.people.ranges(incident_id))
    return {c: told[c] for c in NOTIFIED_COLUMNS}


def people_by_channel(people: PeopleSummary, ledger: DeliveryOverview | None) -> dict[str, int]:
    """The register's channel counts of one incident, per person, from the row counts alone:
    before anything was sent, and after the retention purge blanked the list (see the module
    docstring; :func:`people_told` matches the rows to the people otherwise).

    The ledger counts messages: a teenager and their guardian are two messages for one person,
    and a corrected notice is sent again. Each person is counted once, in the channel that reached
    them first, so the columns never add up to more than the people."""
    by_channel = people.by_channel
    states = ledger.by_state if ledger else {}
    fallback = ledger.fallback if ledger else {}
    to_email = by_channel.get("email", 0) + by_channel.get("guardian_email", 0)
    sent = min(states.get(SendState.SENT, 0), to_email)
    failed = {c: fallback.get(c, 0) for c in FallbackChannel}
    room = to_email - sent  # e-mail people not yet reached: the only ones a failure can move
    for channel in (FallbackChannel.SMS, FallbackChannel.LETTER, FallbackChannel.ANNOUNCEMENT):
        failed[channel] = min(failed[channel], room)
        room -= failed[channel]
    pending_sms = max(0, by_channel.get("sms", 0) + by_channel.get("guardian_sms", 0) + failed[FallbackChannel.SMS]
                      - (ledger.handed_off_sent.get("sms", 0) if ledger else 0))
    pending_letter = by_channel.get("letter", 0) + by_channel.get("guardian_letter", 0) + failed[FallbackChannel.LETTER]
    # People the mass-messaging platform's report says it reached (import-delivery) wait for
    # nothing more, whatever their own channel: taken off e-mail, then SMS, then letter.
    platform = ledger.handed_off_sent.get("platform", 0) if ledger else 0
    pending = [room, pending_sms, pending_letter]
    for index, waiting in enumerate(pending):
        taken = min(waiting, platform)
        pending[index], platform = waiting - taken, platform - taken
    return {
        "notified_email": sent,
        "pending_email": pending[0],
        # People the SMS gateway's imported report says it reached are no longer waiting for one.
        "pending_sms": pending[1],
        "pending_letter": pending[2],
        "announcement_people": people.unreachable + failed[FallbackChannel.ANNOUNCEMENT],
    }


def records_from_cache(services: Services, incidents: Sequence[Incident]) -> dict[int, IncidentRecords]:
    """:func:`records_from_assessment` through the summary cache (services/register/summary.py):
    the same records, assessing only the incidents whose cached summary is not fresh."""
    from incident_app.services.register.summary import summaries  # it builds on this module

    return {incident_id: s.records for incident_id, s in summaries(services, incidents).items()}


@dataclass(frozen=True)
class RegisterSources:
    """The pluggable input of the register and its metrics (tests pass their own)."""

    records: RecordsSource = records_from_cache
