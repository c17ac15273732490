"""When does an obligation apply? Each rule in resources/rules/obligations.json names one of
these predicates; a predicate looks at the situation and answers yes / needs judgement / no,
always with the reason in both languages."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from incident_app.domain.assessment.common import Text
from incident_app.domain.assessment.delivery import EmailDelivery
from incident_app.domain.assessment.enisa_rules import Band
from incident_app.domain.assessment.enquiries import EnquiryLoad
from incident_app.domain.assessment.grading import CacGrade
from incident_app.domain.assessment.people import PeopleCounts
from incident_app.domain.decisions import Decision, DecisionKind
from incident_app.domain.fulfilments import Fulfilment
from incident_app.domain.incident import Cause, IntakeFacts, Likelihood
from incident_app.domain.profile import OperatorType
from incident_app.domain.wording import BAND_WORDS, CAC_GRADE_WORDS, CAUSE_WORDS, DECISION_WORDS, OPERATOR_WORDS, both


class Applies(StrEnum):
    YES = "yes"
    JUDGEMENT = "judgement"
    NO = "no"


@dataclass(frozen=True)
class Verdict:
    applies: Applies
    reason: Text
    # The decision kind that settles a 'judgement' verdict (default: an obligation_status decision).
    resolve_with: str = "obligation_status"


@dataclass(frozen=True)
class Situation:
    """Everything the obligation rules look at, gathered once per assessment."""

    facts: IntakeFacts
    operator_type: OperatorType
    people: PeopleCounts
    grade: CacGrade
    band: Band
    decisions: tuple[Decision, ...]
    minors_involved: bool
    now: datetime
    profile_numbers: Mapping[str, float]
    email_delivery: EmailDelivery | None = None
    # Obligations met outside the tool, as recorded (withdrawn ones already left out).
    fulfilments: tuple[Fulfilment, ...] = ()
    # The profile: a value-added telecom licence brings the MIIT plan (and its report), and the
    # communications administration named for it.
    telecom_licence: bool = False
    telecom_authority: str = ""
    # The incident's enquiries (None or total 0: nobody has asked, so no reply duty is shown).
    enquiries: EnquiryLoad | None = None
    # The administration's English name (profile telecom_authority_en), for the English text.
    telecom_authority_en: str = ""

    @property
    def suspected(self) -> bool:
        return self.facts.likelihood == Likelihood.SUSPECTED

    def latest(self, kind: DecisionKind) -> Decision | None:
        """The newest decision of a kind (a later decision supersedes an earlier one)."""
        found = [d for d in self.decisions if d.kind == kind]
        return found[-1] if found else None


def decision_text(decision: Decision) -> Text:
    """A recorded decision as a reason cites it: its number, who decided and why, each language
    with its own words (a marker where the record has none in English)."""
    return Text(f"决定 #{decision.id}（{decision.decided_by}，理由：{decision.rationale_for('zh-CN')}）",
                f"decision #{decision.id} ({decision.decider_for('en')}; rationale: {decision.rationale_for('en')})")


def _always(s: Situation) -> Verdict:
    if s.suspected:
        return Verdict(Applies.YES, Text(
            "疑似事件同样适用：条文覆盖“可能发生”的泄露、篡改、丢失。",
            "A suspected incident counts: the rule covers incidents that may have happened."))
    return Verdict(Applies.YES, Text("", ""))


def _cac_reportable(s: Situation) -> Verdict:
    grade = s.grade
    grade_en = both(CAC_GRADE_WORDS, grade.level)[1]
    judgement_zh, judgement_en = both(DECISION_WORDS, DecisionKind.CAC_GRADE_JUDGEMENT)
    if grade.needs_judgement:
        return Verdict(Applies.JUDGEMENT, Text(
            f"CAC 分级为{grade.level.value}但需要判断（涉及敏感或未成年人信息、不足100万人）："
            f"请记录“{judgement_zh}”决定。",
            f"The CAC grade is {grade_en} but needs judgement (sensitive or minors' data, fewer than "
            f"1 million people): record a '{judgement_en}' decision."), "cac_grade_judgement")
    if not grade.reportable:
        return Verdict(Applies.NO, Text(f"CAC 分级为{grade.level.value}：按《办法》无需报告。",
                                        f"CAC grade {grade_en}: "
                                        "no report under the Measures."))
    if s.suspected:
        return Verdict(Applies.JUDGEMENT, Text(
            f"按可能的规模分级为{grade.level.value}，但事件仍属疑似：请确认是否已发生；时钟照常自发现时起算。",
            f"Graded {grade_en} on the scale it may reach, but the incident is still suspected: confirm "
            "whether it happened; the clock runs from discovery regardless."))
    return Verdict(Applies.YES, Text(f"CAC 分级为{grade.level.value}（较大及以上须报告）。",
                                     f"CAC grade {grade_en}: relatively major "
                                     "or above must be reported."))


def _cac_reportable_cii(s: Situation) -> Verdict:
    if s.operator_type != OperatorType.CRITICAL_INFRASTRUCTURE:
        zh, en = both(OPERATOR_WORDS, s.operator_type)
        return Verdict(Applies.NO, Text(f"运营者类型为{zh}，不是关键信息基础设施运营者。",
                                        f"The organisation is {en}, not a CII operator."))
    return _cac_reportable(s)


def _minors(s: Situation) -> Verdict:
    if not s.minors_involved:
        return Verdict(Applies.NO, Text("未记录受影响的未成年人。", "No affected minors recorded."))
    return Verdict(Applies.YES, Text(
        f"涉及未成年人（记录未满十八周岁者 {s.people.minors:,} 名，其中不满十四周岁 {s.people.children:,} 名、"
        f"十四至十七周岁 {s.people.teens:,} 名，或选择了未成年人信息类型），与人数多少无关。",
        f"Minors are involved ({s.people.minors:,} under 18 recorded — {s.people.children:,} children under 14, "
        f"{s.people.teens:,} aged 14-17 — or the minors' data type was chosen), whatever the head-count."))


def _unreachable(s: Situation) -> Verdict:
    instead = s.latest(DecisionKind.PUBLIC_ANNOUNCEMENT_INSTEAD)
    if instead:
        return Verdict(Applies.YES, Text("已决定以公告代替逐一告知：", "It was decided to announce publicly "
                                         "instead of notifying one by one: ") + decision_text(instead))
    if s.people.unreachable is None:
        return Verdict(Applies.JUDGEMENT, Text(
            "尚不清楚是否每个人都能逐一联系：导入受影响人员名单，或记录以公告代替的决定。",
            "It is not yet known whether everyone can be reached: import the affected-people list, or record a "
            "decision to announce publicly instead."), "public_announcement_instead")
    if s.people.unreachable > 0:
        return Verdict(Applies.YES, Text(f"{s.people.unreachable:,} 人无法逐一联系。",
                                         f"{s.people.unreachable:,} people cannot be reached one by one."))
    return Verdict(Applies.NO, Text("所有受影响者都能逐一联系。", "Everyone affected can be reached one by one."))


PARTNER_WORDS: Sequence[str] = ("sdk", "partner", "vendor", "supplier", "合作", "供应商", "第三方", "服务商")


def _partners(s: Situation) -> Verdict:
    if s.facts.cause == Cause.THIRD_PARTY:
        return Verdict(Applies.YES, Text("事件原因记录为第三方（合作方／SDK）。",
                                         "The cause is recorded as a third party (partner / SDK)."))
    named = [name for name in s.facts.systems if any(w in name.lower() for w in PARTNER_WORDS)]
    if named:
        return Verdict(Applies.YES, Text(f"涉及系统包括：{'、'.join(named)}。",
                                         f"The systems involved include: {', '.join(named)}."))
    return Verdict(Applies.NO, Text("未记录合作方或 SDK 服务商参与。",
                                    "No partner or SDK provider recorded as involved."))


CRIME_CAUSES = (Cause.ATTACK, Cause.MALWARE, Cause.INSIDER)


def _crime(s: Situation) -> Verdict:
    cause_zh, cause_en = both(CAUSE_WORDS, s.facts.cause)
    if s.facts.malicious or s.facts.cause in CRIME_CAUSES:
        return Verdict(Applies.YES, Text(f"涉嫌违法犯罪（恶意：{'是' if s.facts.malicious else '否'}；"
                                         f"原因：{cause_zh}）。",
                                         f"A crime is suspected (malicious: {'yes' if s.facts.malicious else 'no'}; "
                                         f"cause: {cause_en})."))
    return Verdict(Applies.NO, Text(f"未涉嫌犯罪（非恶意；原因：{cause_zh}）。",
                                    f"No crime suspected (not malicious; cause: {cause_en})."))


def _eu(s: Situation) -> Verdict:
    count = s.facts.eu_subjects
    if count == 0:
        return Verdict(Applies.NO, Text("未涉及欧盟居民。", "No EU residents affected."))
    if s.suspected:
        return Verdict(Applies.JUDGEMENT, Text(
            f"涉及 {count:,} 名欧盟居民，但事件仍属疑似：“知悉”指合理确信个人数据已受影响，"
            "可短暂调查，但 72 小时自知悉起算。",
            f"{count:,} EU residents affected, but the incident is still suspected: 'aware' means reasonable "
            "certainty that personal data was compromised; a short investigation is allowed, the 72 h run from "
            "awareness."))
    return Verdict(Applies.YES, Text(f"涉及 {count:,} 名欧盟居民。", f"{count:,} EU residents affected."))


def _eu_high_risk(s: Situation) -> Verdict:
    if s.facts.eu_subjects == 0:
        return Verdict(Applies.NO, Text("未涉及欧盟居民。", "No EU residents affected."))
    if s.band in (Band.HIGH, Band.VERY_HIGH):
        band_zh, band_en = both(BAND_WORDS, s.band)
        return Verdict(Applies.YES, Text(f"ENISA 严重程度为“{band_zh}”：视为高风险（◐ 实务惯例）。",
                                         f"ENISA severity {band_en}: treated as high risk (◐ convention)."))
    if s.band == Band.MEDIUM:
        return Verdict(Applies.JUDGEMENT, Text("ENISA 严重程度为“中”：请判断是否构成高风险。",
                                               "ENISA severity medium: decide whether the risk is high."))
    return Verdict(Applies.NO, Text("ENISA 严重程度为 low：不太可能构成高风险（◐ 实务惯例；监管机构仍可要求告知）。",
                                    "ENISA severity low: high risk unlikely (◐ convention; the authority may still "
                                    "require the communication)."))


DISPROPORTIONATE = ("disproportionate_effort", "c", "34(3)(c)")


def _gdpr34_public(s: Situation) -> Verdict:
    exemption = s.latest(DecisionKind.GDPR_INDIVIDUAL_EXEMPTION)
    if exemption and str(exemption.details.get("ground", "")).lower() in DISPROPORTIONATE:
        return Verdict(Applies.YES, Text("以不成比例的努力为由豁免逐一告知：", "Individual communication exempted "
                                         "for disproportionate effort: ") + decision_text(exemption))
    return Verdict(Applies.NO, Text("未以不成比例的努力为由豁免逐一告知。",
                                    "No exemption for disproportionate effort was recorded."))


def _telecom_licence(s: Situation) -> Verdict:
    if not s.telecom_licence:
        return Verdict(Applies.NO, Text("组织资料未登记增值电信业务经营许可证：工信部预案不适用。",
                                        "The profile records no value-added telecom licence: the MIIT plan does "
                                        "not apply."))
    authority = s.telecom_authority or "通信管理局"
    # English: its English name; while the profile has none, the Chinese one said to be that.
    authority_en = s.telecom_authority_en or (f"{s.telecom_authority} (no English name in the profile: "
                                              "telecom_authority_en)" if s.telecom_authority
                                              else "not named in the profile")
    return Verdict(Applies.YES, Text(f"组织资料登记了增值电信业务经营许可证，负责的通信管理局为{authority}。",
                                     f"The profile records a value-added telecom licence; the responsible "
                                     f"communications administration is {authority_en}."))


def _enquiries(s: Situation) -> Verdict:
    load = s.enquiries
    if load is None or not load.total:
        return Verdict(Applies.NO, Text("尚无用户询问。", "Nobody has asked yet."))
    return Verdict(Applies.YES, Text(f"已收到 {load.total:,} 个询问，每个询问自到达之日起各自计时；"
                                     "此处显示最早一个仍待答复的询问的时限。",
                                     f"{load.total:,} enquiries received, each with its own clock from its arrival; "
                                     "shown here is the clock of the oldest one still waiting."))


def _enquiries_verification(s: Situation) -> Verdict:
    load = s.enquiries
    if load is None or not load.total:
        return Verdict(Applies.NO, Text("尚无用户询问。", "Nobody has asked yet."))
    if not load.needing_verification:
        return Verdict(Applies.NO, Text("没有需要核实处理的投诉或请求。",
                                        "No complaint or request needs verification."))
    return Verdict(Applies.YES, Text(f"{load.needing_verification:,} 个投诉或请求需要核实处理，各自计时；"
                                     "此处显示最早一个仍未办结的时限。",
                                     f"{load.needing_verification:,} complaints or requests need verification, "
                                     "each with its own clock; shown here is the oldest one still open."))


# Predicates whose obligation is left out altogether when it answers 'no': the policy's reply
# duties exist only once someone has asked.
HIDDEN_WHEN_NO = frozenset({"enquiries", "enquiries_verification"})

PREDICATES: Mapping[str, Callable[[Situation], Verdict]] = {
    "enquiries": _enquiries,
    "enquiries_verification": _enquiries_verification,
    "always": _always,
    "cac_reportable": _cac_reportable,
    "cac_reportable_cii": _cac_reportable_cii,
    "minors": _minors,
    "unreachable": _unreachable,
    "partners": _partners,
    "crime": _crime,
    "eu": _eu,
    "eu_high_risk": _eu_high_risk,
    "gdpr34_public": _gdpr34_public,
    "telecom_licence": _telecom_licence,
}
