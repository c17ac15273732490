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
    why: str  # in Chinese, like the obligations' reasons it is taken from
    source: str
    provisional: bool = False
    why_en: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "why": self.why, "why_en": self.why_en or self.why, "source": self.source,
                "provisional": self.provisional}


def _planned(kind: NoticeKind, why: tuple[str, str], source: str, provisional: bool = True) -> PlannedNotice:
    return PlannedNotice(kind, why[0], source, provisional, why[1])


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
        why_en = str(_field(obligation, "why_en") or why)
        source = str(_field(obligation, "source") or regime)
        kinds = RECIPIENT_KINDS.get(recipient, ())
        if recipient == "regulator" and "summary" in str(_field(obligation, "id") or ""):
            # The CAC summary report (30 days after handling closes) is a notice of its own.
            kinds = (NoticeKind.REGULATOR_SUMMARY,)
        for kind in kinds:
            planned.setdefault(kind, PlannedNotice(kind, why, source, why_en=why_en))
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
        plan.append(_planned(NoticeKind.MINOR, ("十四至十七周岁的未成年人另收到一份写给他们本人、用语浅显的通知。",
                                                "Minors aged 14-17 are also told directly, in words written for them."),
                             "Minors' Network Protection Regs Art. 35 ¶1", guardian.provisional))
    if supplement_due and NoticeKind.REGULATOR_SUPPLEMENT not in [p.kind for p in plan]:
        plan.append(_planned(NoticeKind.REGULATOR_SUPPLEMENT, ("首次报告批准后事实有变化，须及时补报。",
                                                               "The facts changed after the report was approved: "
                                                               "a supplementary report is due."),
                             "CAC Reporting Measures: 其他情况及时补报", False))
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
    plan = [_planned(NoticeKind.REGULATOR_INITIAL, ("个人信息已经或者可能泄露、篡改、丢失。",
                                                    "Personal information was, or may have been, leaked, tampered "
                                                    "with or lost."), "PIPL Art. 57 ¶1"),
            _planned(NoticeKind.INTERNAL_BRIEF, ("先向负责人通报事件。", "The responsible persons are briefed first."),
                     "Privacy policy IV.2(5)")]
    if grade in REPORTABLE_GRADES or facts.affected_people >= CAC_PEOPLE_THRESHOLD:
        plan.append(_planned(NoticeKind.REGULATOR_SUMMARY, ("事件级别为较大及以上（《分级指南》）。",
                                                            "Graded relatively major (较大) or above (CAC Grading "
                                                            "Guide)."),
                             "CAC Reporting Measures: summary within 30 days"))
    exempt = _latest(decisions, DecisionKind.EXEMPT_INDIVIDUAL_NOTICE)
    instead = _latest(decisions, DecisionKind.PUBLIC_ANNOUNCEMENT_INSTEAD)
    if instead:
        why_zh, why_en = instead.rationale_for("zh-CN"), instead.rationale_for("en")
        plan.append(_planned(NoticeKind.PUBLIC_ANNOUNCEMENT, (f"决定 #{instead.id}：{why_zh}",
                                                              f"Decision #{instead.id}: {why_en}"),
                             "GB/T 35273 §10.2 a); policy IV.2(5)"))
    if not exempt and not instead:
        plan.append(_planned(NoticeKind.INDIVIDUAL, ("须告知受影响的个人。", "The affected individuals must be told."),
                             "PIPL Art. 57 ¶1; policy IV.2(5)"))
    if facts.affected_minors > 0:
        # The Minors' Regulations have no exemption like PIPL Art. 57 ¶2: guardians are still told.
        plan.append(_planned(NoticeKind.GUARDIAN, (f"涉及未成年人（未满十八周岁）{facts.affected_minors:,}人。",
                                                   f"{facts.affected_minors:,} minors under 18 are affected."),
                             "Minors' Network Protection Regs Art. 35"))
    if facts.cause == Cause.THIRD_PARTY:
        plan.append(_planned(NoticeKind.PARTNER, ("合作方或SDK提供方处理这些数据。",
                                                  "A partner or SDK provider holds the data."),
                             "PIPL Art. 21; contract"))
    if facts.eu_subjects > 0:
        plan.append(_planned(NoticeKind.EU_AUTHORITY, (f"涉及位于欧盟境内的数据主体{facts.eu_subjects:,}人。",
                                                       f"{facts.eu_subjects:,} data subjects in the EU are affected."),
                             "GDPR Art. 33"))
    if (facts.malicious or facts.cause in CRIME_CAUSES) and not facts.police_notified:
        plan.append(_planned(NoticeKind.POLICE_REPORT, ("涉嫌违法犯罪：须向公安机关报案。",
                                                        "A crime is suspected: report the case to the police."),
                             "CAC Reporting Measures Art. 4 (及时向公安机关报案)"))
    return plan
