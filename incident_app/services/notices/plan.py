"""Which notices an incident needs: from the assessed obligations when there are any, else a
provisional plan derived from the facts and the recorded decisions (marked ``provisional``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from incident_app.domain.decisions import Decision, DecisionKind
from incident_app.domain.incident import Cause, Incident
from incident_app.domain.notices import NoticeKind

# Obligation recipients (the ``assess`` JSON) and the notices they call for. The police
# obligations (a CII operator reports to the police too; a suspected crime is reported as a case)
# call for the written case report (报案材料) the officer hands over or files.
RECIPIENT_KINDS: dict[str, tuple[NoticeKind, ...]] = {
    "regulator": (NoticeKind.REGULATOR_INITIAL,),
    "individuals": (NoticeKind.INDIVIDUAL,),
    "guardians": (NoticeKind.GUARDIAN,),
    "public": (NoticeKind.PUBLIC_ANNOUNCEMENT,),
    "partners": (NoticeKind.PARTNER,),
    "eu_authority": (NoticeKind.EU_AUTHORITY,),
    "police": (NoticeKind.POLICE_REPORT,),
    "responsible_persons": (NoticeKind.INTERNAL_BRIEF,),
    "sector_regulator": (NoticeKind.SECTOR_REGULATOR,),
}
# Causes that make the incident a suspected crime (as the obligation rule ``crime`` reads them).
CRIME_CAUSES = (Cause.ATTACK, Cause.MALWARE, Cause.INSIDER)
REPORTABLE_GRADES = ("较大", "重大", "特别重大")
CAC_PEOPLE_THRESHOLD = 1_000_000  # CAC Grading Guide: PI of ≥ 1,000,000 people is 较大


@dataclass(frozen=True)
class PlannedNotice:
    """One notice the incident needs, and why."""

    kind: NoticeKind
    why: str
    source: str
    provisional: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "why": self.why, "source": self.source, "provisional": self.provisional}


def _field(obligation: Any, name: str) -> Any:
    if isinstance(obligation, Mapping):
        return obligation.get(name)
    return getattr(obligation, name, None)


def plan_from_obligations(obligations: Iterable[Any]) -> list[PlannedNotice]:
    """Map each obligation's ``recipient`` to notice kinds (objects or mappings accepted)."""
    planned: dict[NoticeKind, PlannedNotice] = {}
    for obligation in obligations:
        recipient = str(_field(obligation, "recipient") or "")
        regime = str(_field(obligation, "regime") or "")
        why = str(_field(obligation, "why") or "")
        source = str(_field(obligation, "source") or regime)
        kinds = RECIPIENT_KINDS.get(recipient, ())
        if recipient == "regulator" and "summary" in str(_field(obligation, "id") or ""):
            # The CAC summary report (30 days after handling closes) is a notice of its own.
            kinds = (NoticeKind.REGULATOR_SUMMARY,)
        for kind in kinds:
            planned.setdefault(kind, PlannedNotice(kind, why, source))
    return sorted(planned.values(), key=lambda p: list(NoticeKind).index(p.kind))


def plan_notices(
    incident: Incident, obligations: Sequence[Any] | None = None, *, decisions: Sequence[Decision] = (),
    grade: str | None = None, supplement_due: bool = False, teens: bool | None = None,
) -> list[PlannedNotice]:
    """The notices to prepare. ``supplement_due``: a regulator report was approved and the facts
    have changed since, so a supplementary report is needed (CAC Measures: 及时补报). ``teens``:
    whether minors aged 14-17 are affected (None: judge from the intake); they get the notice
    written for them next to their guardians' (Minors' Network Protection Regs Art. 35)."""
    plan = plan_from_obligations(obligations) if obligations is not None else _provisional(incident, decisions, grade)
    if teens is None:
        teens = teens_expected(incident)
    guardian = next((p for p in plan if p.kind == NoticeKind.GUARDIAN), None)
    if guardian is not None and teens:
        plan.append(PlannedNotice(NoticeKind.MINOR, "minors aged 14-17 are told directly, in words for them",
                                  "Minors' Network Protection Regs Art. 35 ¶1", guardian.provisional))
    if supplement_due and NoticeKind.REGULATOR_SUPPLEMENT not in [p.kind for p in plan]:
        plan.append(PlannedNotice(NoticeKind.REGULATOR_SUPPLEMENT, "facts changed after the report was approved",
                                  "CAC Reporting Measures: 其他情况及时补报"))
    return sorted(plan, key=lambda p: list(NoticeKind).index(p.kind))


def teens_expected(incident: Incident) -> bool:
    """From the intake: 14-17-year-olds counted, or minors not yet split by age (then the
    teenager's notice is prepared too rather than missed)."""
    f = incident.facts
    return f.affected_minors_14_17 > 0 or f.affected_minors > f.affected_minors_under_14 + f.affected_minors_14_17


def _latest(decisions: Sequence[Decision], kind: DecisionKind) -> Decision | None:
    found = [d for d in decisions if d.kind == kind]
    return found[-1] if found else None


def _provisional(incident: Incident, decisions: Sequence[Decision], grade: str | None) -> list[PlannedNotice]:
    facts = incident.facts
    plan = [PlannedNotice(NoticeKind.REGULATOR_INITIAL, "PI leaked, tampered with or lost, or likely to be",
                          "PIPL Art. 57 ¶1", True),
            PlannedNotice(NoticeKind.INTERNAL_BRIEF, "the responsible persons are told first",
                          "Privacy policy IV.2(5)", True)]
    if grade in REPORTABLE_GRADES or facts.affected_people >= CAC_PEOPLE_THRESHOLD:
        plan.append(PlannedNotice(NoticeKind.REGULATOR_SUMMARY, "graded 较大 or above (CAC Grading Guide)",
                                  "CAC Reporting Measures: summary within 30 days", True))
    exempt = _latest(decisions, DecisionKind.EXEMPT_INDIVIDUAL_NOTICE)
    instead = _latest(decisions, DecisionKind.PUBLIC_ANNOUNCEMENT_INSTEAD)
    if instead:
        plan.append(PlannedNotice(NoticeKind.PUBLIC_ANNOUNCEMENT, f"decision #{instead.id}: {instead.rationale}",
                                  "GB/T 35273 §10.2 a); policy IV.2(5)", True))
    if not exempt and not instead:
        plan.append(PlannedNotice(NoticeKind.INDIVIDUAL, "affected individuals must be told",
                                  "PIPL Art. 57 ¶1; policy IV.2(5)", True))
    if facts.affected_minors > 0:
        # The Minors' Regulations have no exemption like PIPL Art. 57 ¶2: guardians are still told.
        plan.append(PlannedNotice(NoticeKind.GUARDIAN, f"{facts.affected_minors} minors under 18 affected",
                                  "Minors' Network Protection Regs Art. 35", True))
    if facts.cause == Cause.THIRD_PARTY:
        plan.append(PlannedNotice(NoticeKind.PARTNER, "a partner or SDK provider holds the data",
                                  "PIPL Art. 21; contract", True))
    if facts.eu_subjects > 0:
        plan.append(PlannedNotice(NoticeKind.EU_AUTHORITY, f"{facts.eu_subjects} data subjects in the EU",
                                  "GDPR Art. 33", True))
    if (facts.malicious or facts.cause in CRIME_CAUSES) and not facts.police_notified:
        plan.append(PlannedNotice(NoticeKind.POLICE_REPORT, "a crime is suspected: report the case to the police",
                                  "CAC Reporting Measures Art. 4 (及时向公安机关报案)", True))
    return plan
