"""The assessment of one incident: ENISA severity, CAC grade and obligations, computed afresh
from the facts, the organisation profile, the recorded decisions and the officer's ENISA inputs.
Nothing here is stored; the same inputs always give the same answer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from incident_app.domain.assessment.applicability import Situation
from incident_app.domain.assessment.common import Text
from incident_app.domain.assessment.deadlines import Anchors, ChineseOfficialCalendar, WorkdayCalendar
from incident_app.domain.assessment.delivery import EmailDelivery
from incident_app.domain.assessment.enisa_rules import EnisaInputs, EnisaRules
from incident_app.domain.assessment.enquiries import EnquiryLoad
from incident_app.domain.assessment.grading import CacGrade, GradingInput, GradingRules, grade_incident
from incident_app.domain.assessment.miit import MiitGrade, MiitRules, grade_miit
from incident_app.domain.assessment.obligations import Obligation, ObligationRules, evaluate_obligations
from incident_app.domain.assessment.people import PeopleCounts, PeopleCountsLike, combine_counts
from incident_app.domain.assessment.severity import Severity, compute_severity
from incident_app.domain.catalog import Catalog, DataType
from incident_app.domain.clock import SHANGHAI
from incident_app.domain.decisions import Decision, DecisionKind
from incident_app.domain.fulfilments import Fulfilment
from incident_app.domain.incident import Incident, Likelihood
from incident_app.domain.profile import OrganisationProfile

MINORS_TYPE = "minors_info"


@dataclass(frozen=True)
class AssessmentRules:
    """All rule tables, parsed and validated once (services/resources.py loads them)."""

    enisa: EnisaRules
    grading: GradingRules
    obligations: ObligationRules
    # The MIIT data-security incident plan (for value-added telecom licence holders).
    miit: MiitRules | None = None


@dataclass(frozen=True)
class AssessmentInput:
    incident: Incident
    profile: OrganisationProfile
    decisions: tuple[Decision, ...]
    enisa_inputs: EnisaInputs
    now: datetime
    people: PeopleCountsLike | None = None
    # The people's channels and the send ledger's batches: e-mail delivery can meet an obligation.
    email_delivery: EmailDelivery | None = None
    # Fulfilments recorded and not withdrawn by a correction (decisions likewise exclude withdrawn ones).
    fulfilments: tuple[Fulfilment, ...] = ()
    # The incident's enquiries: the policy reply duties appear (per enquiry clock) once one exists.
    enquiries: EnquiryLoad | None = None


@dataclass(frozen=True)
class JudgementItem:
    """Something the officer must decide before the assessment is complete."""

    item: str
    why: Text
    decision_kind: str | None


@dataclass(frozen=True)
class Assessment:
    incident_id: int
    computed_at: datetime
    drill: bool
    people: PeopleCounts
    data_types: tuple[DataType, ...]
    sensitive: bool
    minors_involved: bool
    severity: Severity
    grade: CacGrade
    obligations: tuple[Obligation, ...]
    needs_judgement: tuple[JudgementItem, ...]
    enisa_inputs: EnisaInputs = field(default_factory=EnisaInputs)
    # The MIIT grade, when the profile records a value-added telecom licence (else None).
    miit: MiitGrade | None = None

    def obligation(self, obligation_id: str) -> Obligation:
        return next(o for o in self.obligations if o.id == obligation_id)

    def next_deadline(self) -> Obligation | None:
        """The open obligation whose clock (due time, else internal target) ends first."""
        timed = [o for o in self.obligations if o.status.is_open and o.deadline.clock is not None]
        return min(timed, key=lambda o: o.deadline.clock or self.computed_at, default=None)


def effective_data_types(incident: Incident, people: PeopleCounts, catalog: Catalog) -> tuple[DataType, ...]:
    """The chosen types, plus minors' information whenever children under 14 are affected (PIPL
    Art. 28: all PI of children under 14 is sensitive) — or minors not yet split by age, the
    protective reading — so severity and grade cannot miss them. Teenagers aged 14-17 alone do not
    make every type sensitive; they still bring the MINORS-2024 duties."""
    ids = set(incident.facts.data_types)
    unsplit = people.minors > people.children + people.teens
    if (people.children > 0 or unsplit) and MINORS_TYPE in catalog.ids():
        ids.add(MINORS_TYPE)
    return catalog.pick(ids)


def assess(data: AssessmentInput, catalog: Catalog, rules: AssessmentRules,
           calendar: WorkdayCalendar | None = None) -> Assessment:
    """Compute the whole assessment of one incident."""
    facts = data.incident.facts
    people = combine_counts(facts, data.people)
    types = effective_data_types(data.incident, people, catalog)
    sensitive = any(t.sensitive for t in types)
    minors = people.minors > 0 or MINORS_TYPE in facts.data_types
    severity = compute_severity(facts, types, people.total, data.enisa_inputs, rules.enisa)
    grade = grade_incident(GradingInput(
        people=people.total, economic_loss_cny=facts.economic_loss_cny, sensitive=sensitive, minors=minors,
        suspected=facts.likelihood == Likelihood.SUSPECTED,
        breach_types=tuple(b.value for b in facts.breach_types),
        judgement=_latest(data.decisions, DecisionKind.CAC_GRADE_JUDGEMENT)), rules.grading)
    situation = Situation(facts, data.profile.operator_type, people, grade, severity.band, data.decisions, minors,
                          data.now, _profile_numbers(data.profile), data.email_delivery, data.fulfilments,
                          data.profile.telecom_licence, data.profile.telecom_authority, data.enquiries,
                          data.profile.telecom_authority_en)
    miit = (grade_miit(people.total, sensitive, rules.miit)
            if data.profile.telecom_licence and rules.miit is not None else None)
    obligations = evaluate_obligations(situation, rules.obligations, _anchors(data),
                                       calendar or ChineseOfficialCalendar())
    return Assessment(
        incident_id=data.incident.id, computed_at=data.now, drill=facts.drill, people=people, data_types=types,
        sensitive=sensitive, minors_involved=minors, severity=severity, grade=grade, obligations=obligations,
        needs_judgement=_judgement_items(severity, grade, obligations), enisa_inputs=data.enisa_inputs, miit=miit,
    )


def _latest(decisions: tuple[Decision, ...], kind: DecisionKind) -> Decision | None:
    found = [d for d in decisions if d.kind == kind]
    return found[-1] if found else None


def _profile_numbers(profile: OrganisationProfile) -> Mapping[str, float]:
    return {"reply_working_days": profile.reply_working_days,
            "handling_working_days": profile.handling_working_days}


def _anchors(data: AssessmentInput) -> Anchors:
    facts = data.incident.facts
    decided = {d.kind.value: d.decided_at for d in data.decisions}  # later decisions overwrite earlier ones
    closed = data.incident.handling_closed_at
    # Stored in UTC by older versions: read in Beijing time, like every other anchor.
    closed = closed.astimezone(SHANGHAI) if closed is not None else None
    load = data.enquiries
    # While an enquiry waits the duty runs on the oldest waiting one; once none waits, on the one
    # answered latest against its clock (so a late answer shows as met late, not just 'met').
    waiting = {} if load is None else {name: at for name, at in (
        ("enquiry_unreplied", load.oldest_unreplied or (load.latest_reply[0] if load.latest_reply else None)),
        ("enquiry_unhandled", load.oldest_unhandled or (load.latest_handled[0] if load.latest_handled else None)))
        if at}
    return Anchors(facts.discovered_at, facts.effective_aware_at, closed, decided, waiting)


def _judgement_items(severity: Severity, grade: CacGrade,
                     obligations: tuple[Obligation, ...]) -> tuple[JudgementItem, ...]:
    items = []
    if grade.needs_judgement:
        items.append(JudgementItem("cac_grade", grade.why, "cac_grade_judgement"))
    if not severity.reviewed:
        items.append(JudgementItem("severity", Text(
            "ENISA 各因素仍为工具建议值：请复核 DPC 调整、EI 和情形分值并写明理由。",
            "The ENISA factors are still the tool's suggestions: review the DPC adjustment, EI and circumstances "
            "and give your reasons."), None))
    items += [JudgementItem(o.id, o.title + Text("：", ": ") + o.reason, o.resolve_with)
              for o in obligations if o.needs_judgement]
    return tuple(items)
