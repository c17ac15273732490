"""Obligations: who must be told, by when, and why. Each rule in
resources/rules/obligations.json is evaluated against the situation; the result carries the
regime, recipient, channels, the deadline clock, a status and the reasoning with its source.

Status, in order of precedence: a recorded fulfilment (done outside the tool, met on time or late by
the difference to the due time); an ``obligation_status`` decision for the obligation; a fact that
shows it done (e.g. police notified); a decision that makes it not applicable (e.g. the PIPL
Art. 57 ¶2 exemption); the rule's own predicate; then 'overdue' once a legal due time has passed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cached_property
from typing import Any, NamedTuple

from incident_app.domain.assessment.applicability import (
    HIDDEN_WHEN_NO,
    PREDICATES,
    Applies,
    Situation,
    Verdict,
    decision_text,
)
from incident_app.domain.assessment.common import Citation, RuleReader, Text, join_texts, joined_citation, weakest
from incident_app.domain.assessment.deadlines import (
    Anchors,
    Deadline,
    Timing,
    TimingKind,
    WorkdayCalendar,
    compute_deadline,
)
from incident_app.domain.assessment.delivery import GROUPS
from incident_app.domain.clock import parse_time
from incident_app.domain.decisions import Decision, DecisionKind
from incident_app.domain.fulfilments import CHANNEL_LABELS, Fulfilment, lateness
from incident_app.domain.profile import OperatorType
from incident_app.domain.wording import OBLIGATION_STATUS_WORDS, both, time_both

NO_TEXT = Text("", "")


class Regime(StrEnum):
    PIPL_57 = "PIPL-57"
    CAC_2025 = "CAC-2025"
    MINORS_2024 = "MINORS-2024"
    GBT_35273 = "GBT-35273"
    GDPR_33 = "GDPR-33"
    GDPR_34 = "GDPR-34"
    MIIT_2024 = "MIIT-2024"
    POLICY = "POLICY"


class Recipient(StrEnum):
    REGULATOR = "regulator"
    INDIVIDUALS = "individuals"
    GUARDIANS = "guardians"
    PUBLIC = "public"
    PARTNERS = "partners"
    POLICE = "police"
    EU_AUTHORITY = "eu_authority"
    RESPONSIBLE_PERSONS = "responsible_persons"
    SECTOR_REGULATOR = "sector_regulator"


class ObligationStatus(StrEnum):
    PENDING = "pending"
    MET = "met"
    NOT_APPLICABLE = "not_applicable"
    NEEDS_JUDGEMENT = "needs_judgement"
    OVERDUE = "overdue"

    @property
    def is_open(self) -> bool:
        return self not in (ObligationStatus.MET, ObligationStatus.NOT_APPLICABLE)


@dataclass(frozen=True)
class OperatorRow:
    """CAC Measures Art. 4: initial-report hours and recipient for one operator type."""

    hours: float
    recipient: Text
    citation: Citation


@dataclass(frozen=True)
class ObligationRule:
    id: str
    regime: Regime
    recipient: Recipient
    recipient_text: Text | None
    channels: tuple[str, ...]
    anchor: str
    timing: Timing
    profile_field: str | None
    applies: str
    not_applicable_by: tuple[DecisionKind, ...]
    judgement_by: tuple[DecisionKind, ...]
    met_by_fact: str | None
    met_by_email_delivery: str | None  # a recipient group of domain/assessment/delivery.py
    title: Text
    why: Text
    citation: Citation
    # A send-ledger notice kind (e.g. internal_brief): met once one version went to everyone.
    met_by_ledger_kind: str | None = None


@dataclass(frozen=True)
class ReportItem:
    """CAC Measures Art. 7: one numbered item of the initial report, the notice element that
    carries it, and how sure the rule data is of it (item 7, scene preservation, is ◐)."""

    item: int
    element: str
    title: Text
    citation: Citation


@dataclass(frozen=True)
class ObligationRules:
    rules: tuple[ObligationRule, ...]
    channels: Mapping[str, Text]
    operator_table: Mapping[OperatorType, OperatorRow]
    sector_note: Text
    sector_citation: Citation
    report_items: tuple[ReportItem, ...] = ()


@dataclass(frozen=True)
class Obligation:
    id: str
    regime: Regime
    recipient: Recipient
    recipient_detail: Text
    channels: tuple[str, ...]
    title: Text
    deadline: Deadline
    status: ObligationStatus
    needs_judgement: bool
    why_parts: tuple[Text, ...]
    citation: Citation
    decision_id: int | None
    # The case-specific part of ``why`` and, when a judgement is needed, the decision that settles it.
    reason: Text = NO_TEXT
    resolve_with: str | None = None
    # When it was met, where a record says so (a status decision, the send ledger).
    met_at: datetime | None = None
    # The fulfilment record that met it (done outside the tool), if one did.
    fulfilment_id: int | None = None

    @property
    def late_by(self) -> timedelta | None:
        """How long after the legal due time it was met (None: on time, open, or no due time)."""
        return lateness(self.met_at, self.deadline.due) if self.status == ObligationStatus.MET else None

    @property
    def met_on_time(self) -> bool:
        return self.status == ObligationStatus.MET and self.late_by is None

    @cached_property
    def why(self) -> Text:
        """The rule, the reason it applies here (or not), and how the clock runs, in both languages.
        Joined on first use: the register computes many obligations and reads no reasons."""
        parts = list(self.why_parts)
        parts.insert(2, self.deadline.explanation)
        return join_texts(parts)


# -- rule data ----------------------------------------------------------------------------

def parse_obligation_rules(obligations: Any, deadlines: Any) -> ObligationRules:
    """Validate resources/rules/obligations.json together with deadlines.json."""
    r = RuleReader("obligations.json")
    root = r.mapping(obligations, "(file)")
    channels = {k: Text(str(v.get("zh", "")), str(v.get("en", ""))) for k, v in
                r.mapping(root.get("channels"), "channels").items() if isinstance(v, Mapping)}
    rules = tuple(_rule(r, r.mapping(item, f"obligations[{i}]"), i, channels)
                  for i, item in enumerate(r.items(root, "obligations", "(root)")))
    ids = [rule.id for rule in rules]
    if len(ids) != len(set(ids)):
        r.fail("obligations", "ids must be unique")
    r.done()
    d = RuleReader("deadlines.json")
    droot = d.mapping(deadlines, "(file)")
    table = _operator_table(d, d.mapping(droot.get("cac_initial_report"), "cac_initial_report"))
    sector = d.bilingual(droot, "sector_regulator", "(root)")
    sector_citation = d.citation({"source": droot.get("sector_regulator_source"),
                                  "source_zh": droot.get("sector_regulator_source_zh"),
                                  "confidence": droot.get("sector_regulator_confidence")}, "sector_regulator")
    items = tuple(_report_item(d, d.mapping(item, f"cac_report_items[{i}]"), i)
                  for i, item in enumerate(d.items(droot, "cac_report_items", "(root)")))
    if [i.item for i in items] != list(range(1, len(items) + 1)):
        d.fail("cac_report_items", "items must be numbered 1, 2, 3… in order")
    d.done()
    return ObligationRules(rules, channels, table, sector, sector_citation, items)


def _report_item(d: RuleReader, item: Mapping[str, Any], i: int) -> ReportItem:
    where = f"cac_report_items[{i}]"
    return ReportItem(int(d.number(item, "item", where)), d.text(item, "element", where),
                      d.bilingual(item, "title", where), d.citation(item, where))


def _rule(r: RuleReader, item: Mapping[str, Any], i: int, channels: Mapping[str, Text]) -> ObligationRule:
    where = f"obligations[{i}]"
    timing_data = r.mapping(item.get("timing"), f"{where}.timing")
    kind = r.choice(timing_data, "kind", TimingKind, f"{where}.timing") or TimingKind.NONE
    amount = timing_data.get("amount")
    profile_field = timing_data.get("profile_field")
    numbered = kind in (TimingKind.HOURS, TimingKind.CALENDAR_DAYS, TimingKind.WORKING_DAYS)
    if numbered and not isinstance(amount, int | float) and not profile_field:
        r.fail(f"{where}.timing", f"{kind.value} needs an amount or a profile_field")
    applies = r.text(item, "applies", where)
    if applies and applies not in PREDICATES:
        r.fail(f"{where}.applies", f"unknown predicate; known: {', '.join(PREDICATES)}")
    unknown = [c for c in item.get("channels", []) if c not in channels]
    if unknown or not item.get("channels"):
        r.fail(f"{where}.channels", f"must list known channel ids (unknown: {', '.join(unknown) or 'none given'})")
    return ObligationRule(
        id=r.text(item, "id", where), regime=r.choice(item, "regime", Regime, where) or Regime.POLICY,
        recipient=r.choice(item, "recipient", Recipient, where) or Recipient.REGULATOR,
        recipient_text=None if item.get("recipient_from_operator_table") else r.bilingual(item, "recipient", where),
        channels=tuple(item.get("channels", [])), anchor=r.text(item, "anchor", where),
        timing=Timing(kind, float(amount) if isinstance(amount, int | float) else None,
                      timing_data.get("internal_target_hours")),
        profile_field=profile_field, applies=applies,
        not_applicable_by=_kinds(r, item, "not_applicable_by", where),
        judgement_by=_kinds(r, item, "judgement_by", where), met_by_fact=item.get("met_by_fact"),
        met_by_email_delivery=_delivery_group(r, item, where),
        title=r.bilingual(item, "title", where), why=r.bilingual(item, "why", where), citation=r.citation(item, where),
        met_by_ledger_kind=str(item["met_by_ledger_kind"]) if item.get("met_by_ledger_kind") else None,
    )


def _delivery_group(r: RuleReader, item: Mapping[str, Any], where: str) -> str | None:
    group = item.get("met_by_email_delivery")
    if group is not None and group not in GROUPS:
        r.fail(f"{where}.met_by_email_delivery", f"must be one of {', '.join(GROUPS)}")
    return str(group) if group else None


def _kinds(r: RuleReader, item: Mapping[str, Any], key: str, where: str) -> tuple[DecisionKind, ...]:
    kinds = []
    for value in item.get(key, []):
        try:
            kinds.append(DecisionKind(value))
        except ValueError:
            r.fail(f"{where}.{key}", f"'{value}' is not a decision kind")
    return tuple(kinds)


def _operator_table(d: RuleReader, data: Mapping[str, Any]) -> dict[OperatorType, OperatorRow]:
    table = {}
    for operator in OperatorType:
        where = f"cac_initial_report.{operator.value}"
        row = d.mapping(data.get(operator.value), where)
        table[operator] = OperatorRow(d.number(row, "hours", where), d.bilingual(row, "recipient", where),
                                      d.citation(row, where))
    return table


# -- evaluation ---------------------------------------------------------------------------

def evaluate_obligations(situation: Situation, rules: ObligationRules, anchors: Anchors,
                         calendar: WorkdayCalendar) -> tuple[Obligation, ...]:
    """Every obligation rule evaluated for this incident, in rule order; a rule whose predicate
    is in HIDDEN_WHEN_NO and answers 'no' is left out (the reply duties before anyone asked)."""
    return tuple(_evaluate(rule, situation, rules, anchors, calendar) for rule in rules.rules
                 if rule.applies not in HIDDEN_WHEN_NO or PREDICATES[rule.applies](situation).applies != Applies.NO)


def _evaluate(rule: ObligationRule, s: Situation, rules: ObligationRules, anchors: Anchors,
              calendar: WorkdayCalendar) -> Obligation:
    operator = rules.operator_table[s.operator_type]
    timing = rule.timing
    if rule.profile_field:
        timing = replace(timing, amount=float(s.profile_numbers[rule.profile_field]))
    deadline = compute_deadline(timing, rule.anchor, anchors, calendar, operator.hours)
    verdict = PREDICATES[rule.applies](s)
    status, needs, reason, decision_id, met_at, fulfilment_id = _status(rule, s, verdict)
    if status in (ObligationStatus.PENDING, ObligationStatus.NEEDS_JUDGEMENT) and deadline.due and s.now > deadline.due:
        status = ObligationStatus.OVERDUE
        reason = reason + Text("已超过截止时间。", "The due time has passed.")
    parts = [rule.why, reason]
    citation = rule.citation
    if rule.recipient_text is None or timing.kind == TimingKind.OPERATOR_HOURS:
        citation = joined_citation([rule.citation, operator.citation],
                                   weakest(rule.citation.confidence, operator.citation.confidence))
    if timing.kind == TimingKind.OPERATOR_HOURS:
        parts.append(rules.sector_note)
    return Obligation(
        id=rule.id, regime=rule.regime, recipient=rule.recipient,
        recipient_detail=rule.recipient_text or operator.recipient, channels=rule.channels, title=rule.title,
        deadline=deadline, status=status, needs_judgement=needs, why_parts=tuple(parts), citation=citation,
        decision_id=decision_id, reason=reason, resolve_with=verdict.resolve_with if needs else None, met_at=met_at,
        fulfilment_id=fulfilment_id,
    )


class _Status(NamedTuple):
    status: ObligationStatus
    needs_judgement: bool
    reason: Text
    decision_id: int | None = None
    met_at: datetime | None = None
    fulfilment_id: int | None = None


def _status(rule: ObligationRule, s: Situation, verdict: Verdict) -> _Status:
    fulfilment = _fulfilment(rule.id, s.fulfilments)
    if fulfilment is not None:
        return _from_fulfilment(fulfilment, verdict)
    override = _status_decision(rule.id, s.decisions)
    if override is not None:
        return _from_status_decision(override, verdict)
    if rule.met_by_fact and getattr(s.facts, rule.met_by_fact, False):
        return _Status(ObligationStatus.MET, False, verdict.reason + Text(
            f"事件事实记录已办理（{rule.met_by_fact}）。", f"The facts record it as done ({rule.met_by_fact})."))
    for kind in rule.not_applicable_by:
        decision = s.latest(kind)
        if decision:
            because = Text("因记录在案的决定而不适用：", "Not applicable because of a recorded ")
            return _Status(ObligationStatus.NOT_APPLICABLE, False, verdict.reason + because + decision_text(decision),
                           decision.id)
    if verdict.applies == Applies.NO:
        return _Status(ObligationStatus.NOT_APPLICABLE, False, verdict.reason)
    sent = _ledger_status(rule, s, verdict)
    if sent is not None:
        return sent
    answered = _enquiries_answered(rule, s, verdict)
    if answered is not None:
        return answered
    delivered = _delivery_status(rule, s, verdict)
    if delivered.status == ObligationStatus.MET:
        return delivered
    for kind in rule.judgement_by:
        decision = s.latest(kind)
        if decision:
            return _Status(ObligationStatus.NEEDS_JUDGEMENT, True, delivered.reason + Text(
                "存在可能与本项冲突的决定，请判断本项是否仍须履行：",
                "A recorded decision may conflict with this duty; decide whether it still applies: ") + decision_text(
                decision), decision.id)
    if verdict.applies == Applies.JUDGEMENT:
        return _Status(ObligationStatus.NEEDS_JUDGEMENT, True, delivered.reason)
    return _Status(ObligationStatus.PENDING, False, delivered.reason)


def _ledger_status(rule: ObligationRule, s: Situation, verdict: Verdict) -> _Status | None:
    """Met when the send ledger shows one version of the rule's notice kind (the internal brief)
    accepted by the relay for every row; None otherwise."""
    if rule.met_by_ledger_kind is None or s.email_delivery is None:
        return None
    done = s.email_delivery.kind_sent_at(rule.met_by_ledger_kind)
    if done is None:
        return None
    done_zh, done_en = time_both(done)
    return _Status(ObligationStatus.MET, False, verdict.reason + Text(
        f"发送记录显示简报已发给全部负责人（最后一封于{done_zh}被邮件服务器接收）。",
        f"The send ledger shows the brief sent to every responsible person (the last accepted by the relay on "
        f"{done_en})."), met_at=done)


def _delivery_status(rule: ObligationRule, s: Situation, verdict: Verdict) -> _Status:
    """Met when the send ledger shows the whole group e-mailed (domain/assessment/delivery.py);
    otherwise pending, with the e-mail progress added to the reason once sending has begun."""
    delivery, group = s.email_delivery, rule.met_by_email_delivery
    if delivery is None or group is None or (not delivery.batches and not delivery.unmatched_rows):
        return _Status(ObligationStatus.PENDING, False, verdict.reason)
    if delivery.unmatched_rows:  # said first: the counts that follow leave these rows out
        verdict = replace(verdict, reason=verdict.reason + _unmatched_text(delivery.unmatched_rows))
    done = delivery.completed_at(group)
    if done is not None:
        done_zh, done_en = time_both(done)
        return _Status(ObligationStatus.MET, False, verdict.reason + Text(
            f"发送记录显示全部告知邮件（及短信、群发平台消息）已发出（最后一条于{done_zh}被接收）。",
            f"The send ledger shows every notice e-mail (and SMS, and mass-platform message) sent (the last "
            f"accepted on {done_en})."),
            met_at=done)
    unreached = delivery.unreached(group)
    if unreached:  # the counts add up, but not for the people now on the list
        return _Status(ObligationStatus.PENDING, False, verdict.reason + _unreached_text(unreached))
    waiting = delivery.waiting_on_other_channels(group)
    progress = Text(f"已发出 {delivery.emails_sent():,} 封告知邮件，尚未全部完成",
                    f"{delivery.emails_sent():,} notice e-mails sent, not yet all")
    platform = delivery.platform_progress()
    if platform is not None:  # the platform tells everyone, SMS and letters included: its report decides
        sent, rows = platform
        if sent == rows:  # every message delivered, yet fewer than the people now on the list
            progress = progress + Text(
                f"；群发平台已报告其全部 {rows:,} 条消息送达，但这些消息未覆盖名单上现有的所有人"
                "（见发送记录；名单在交接后有变化时，请重新交接并导入新回执）",
                f"; the mass-messaging platform reported all {rows:,} of its messages delivered, but they do not "
                "cover everyone now on the list (see the send ledger; after a change to the list, hand off again "
                "and import the new report)")
        else:
            progress = progress + Text(
                f"；群发平台的 {rows:,} 条消息中已报告送达 {sent:,} 条，其余失败或尚待回执"
                "（见发送记录；导入平台的新回执，或改正后重新交接）",
                f"; the mass-messaging platform reported {sent:,} of its {rows:,} messages delivered, the others "
                "failed or await its report (see the send ledger; import its newer report, or hand off again)")
    elif waiting:
        progress = progress + Text(f"；另有 {waiting:,} 人须以短信或信函告知，完成后请记录履行情况（发送时间与渠道）",
                                   f"; SMS or letter for {waiting:,} more: record the fulfilment (when and how) "
                                   "once they are told")
    return _Status(ObligationStatus.PENDING, False, verdict.reason + progress + Text("。", "."))


def _unmatched_text(rows: int) -> Text:
    """Why some guardian rows of the ledger count for nobody: an older version keyed every child
    without user id, e-mail or phone alike, and the row fits no child now on the list, or several."""
    return Text(
        f"发送记录中有 {rows:,} 条旧版本的监护人告知记录无法对应到名单上的某一名儿童（旧版本对所有无编号、邮箱、"
        "电话的儿童使用同一标识），不计为任何儿童的已送达告知。",
        f"{rows:,} guardian notice row{'s' if rows != 1 else ''} of an older version (keyed alike for every child "
        "without user id, e-mail or phone) fit{'' if rows != 1 else 's'} no single child on the list and count as no "
        "child's delivered notice.")


def _unreached_text(unreached: int) -> Text:
    """Why a complete-looking ledger does not meet the duty: the list changed after the send."""
    people = "1 person now on the list has" if unreached == 1 else f"{unreached:,} people now on the list have"
    return Text(
        f"发送记录中的告知条数已足，但名单上现有 {unreached:,} 人没有送达的告知（发送后名单被替换或更正过）："
        "请向他们发送或交接告知，或在工具外告知后记录履行情况。",
        f"The send ledger holds enough delivered notices, but {people} no delivered notice (the list was "
        "replaced or corrected after the send): send or hand off their notices, or record the fulfilment once "
        "they are told outside the tool.")


def _enquiries_answered(rule: ObligationRule, s: Situation, verdict: Verdict) -> _Status | None:
    """Met once no enquiry waits any more (every one replied to / every request handled)."""
    load = s.enquiries
    if rule.applies not in HIDDEN_WHEN_NO or load is None:
        return None
    waiting, last, latest = ((load.oldest_unreplied, load.last_reply, load.latest_reply)
                             if rule.applies == "enquiries"
                             else (load.oldest_unhandled, load.last_closed, load.latest_handled))
    if waiting is not None:
        return None
    # Met when the answer latest against its own clock was given (the deadline runs on that one).
    return _Status(ObligationStatus.MET, False, verdict.reason + Text(
        "所有询问均已处理；截止时间按相对其时限最晚答复的询问计算。",
        "Every enquiry has been dealt with; the due time is that of the one answered latest against its clock."),
        met_at=latest[1] if latest else last)


def _fulfilment(obligation_id: str, fulfilments: tuple[Fulfilment, ...]) -> Fulfilment | None:
    """The earliest recorded fulfilment: the duty was met when it was first done."""
    found = [f for f in fulfilments if f.obligation_id == obligation_id]
    return min(found, key=lambda f: f.done_at) if found else None


def _from_fulfilment(f: Fulfilment, verdict: Verdict) -> _Status:
    zh, en = CHANNEL_LABELS.get(f.channel, (f.channel, f.channel))
    ref = f"，编号 {f.reference}" if f.reference else ""
    ref_en = f", reference {f.reference}" if f.reference else ""
    done_zh, done_en = time_both(f.done_at)
    reason = verdict.reason + Text(
        f"已在工具外办理：{done_zh}，渠道：{zh}{ref}，办理人 {f.done_by}（履行记录 #{f.id}）。",
        f"Done outside the tool on {done_en} via {en}{ref_en} by {f.done_by} (fulfilment #{f.id}).")
    return _Status(ObligationStatus.MET, False, reason, met_at=f.done_at, fulfilment_id=f.id)


def _status_decision(obligation_id: str, decisions: tuple[Decision, ...]) -> Decision | None:
    found = [d for d in decisions if d.kind == DecisionKind.OBLIGATION_STATUS
             and d.details.get("obligation_id") == obligation_id]
    return found[-1] if found else None


# Older versions of the decision form stored this for "met outside the tool"; it meant met.
LEGACY_MET = "met_outside_tool"


def _from_status_decision(decision: Decision, verdict: Verdict) -> _Status:
    stated = str(decision.details.get("status"))
    try:
        status = ObligationStatus(ObligationStatus.MET.value if stated == LEGACY_MET else stated)
    except ValueError:
        unknown = Text("决定中的状态无法识别：", "The status in the decision is not recognised: ")
        return _Status(ObligationStatus.NEEDS_JUDGEMENT, True, verdict.reason + unknown + decision_text(decision),
                       decision.id)
    if status == ObligationStatus.OVERDUE:  # overdue is computed from the clock, never declared
        status = ObligationStatus.PENDING
    needs = status == ObligationStatus.NEEDS_JUDGEMENT
    status_zh, status_en = both(OBLIGATION_STATUS_WORDS, status)
    reason = verdict.reason + Text(f"负责人记录状态为“{status_zh}”：",
                                   f"The officer recorded the status '{status_en}': ") + decision_text(decision)
    met_at = _decision_met_at(decision) if status == ObligationStatus.MET else None
    return _Status(status, needs, reason, decision.id, met_at)


def _decision_met_at(decision: Decision) -> datetime:
    """When the officer says it was done (``details.met_at``), else when it was recorded."""
    stated = decision.details.get("met_at")
    if stated:
        try:
            return parse_time(str(stated))
        except ValueError:
            pass  # the decision form validates it; an old free-text value falls back to the record time
    return decision.decided_at
