"""The breach register: one row per incident, notified or not (GDPR Art. 33(5): the facts, the
effects and the remedial action; ICO: decisions not to report and reasons for delay; CAC summary
report: cause, measures, harm). Drills are listed, flagged, and left out of every total."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from incident_app.domain.catalog import Catalog
from incident_app.domain.clock import SHANGHAI, parse_time, to_iso
from incident_app.domain.decisions import Decision
from incident_app.domain.incident import Incident
from incident_app.domain.register.outcomes import (
    Milestone,
    MilestoneKind,
    ObligationOutcome,
    OutcomeStatus,
    first_milestone,
)
from incident_app.domain.remediation import RemediationAction
from incident_app.domain.wording import ACTION_STATUS_WORDS, DECISION_WORDS, OUTCOME_WORDS, format_time, words

# People told per channel (services/register/sources.py says where each count comes from).
NOTIFIED_KEYS: tuple[str, ...] = (
    "notified_email", "pending_email", "pending_sms", "pending_letter", "announcement_people",
)


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str


REGISTER_COLUMNS: tuple[Column, ...] = (
    Column("id", "编号", "No."), Column("drill", "演练", "Drill"), Column("title", "事件", "Incident"),
    Column("status", "状态", "Status"), Column("summary", "经过", "What happened"),
    Column("occurred_at", "发生时间", "Occurred"), Column("occurred_until", "持续至", "Until"),
    Column("discovered_at", "发现时间", "Discovered"), Column("aware_at", "知悉时间", "Aware"),
    Column("handling_closed_at", "处置结束", "Handling closed"),
    Column("discovered_by", "发现人", "Found by"), Column("location", "地点", "Where"),
    Column("systems", "涉及系统", "Systems"), Column("breach_types", "类型", "Breach types"),
    Column("likelihood", "已发生/可能", "Actual/suspected"), Column("cause", "原因", "Cause"),
    Column("malicious", "恶意", "Malicious"), Column("recipients", "数据去向", "Recipients"),
    Column("affected_people", "涉及人数", "People"), Column("affected_records", "记录数", "Records"),
    Column("affected_minors", "未成年人数(未满18)", "Minors (under 18)"),
    Column("affected_minors_under_14", "不满14周岁", "Under 14"),
    Column("affected_minors_14_17", "14至17周岁", "Aged 14-17"),
    Column("eu_subjects", "欧盟数据主体", "EU subjects"),
    Column("data_types", "信息类型", "Data types"), Column("sensitive_data", "含敏感信息", "Sensitive data"),
    Column("sensitive_types", "敏感信息类型", "Sensitive types"),
    Column("unintelligible", "数据不可读", "Unintelligible"),
    Column("economic_loss_cny", "经济损失(元)", "Economic loss (CNY)"),
    Column("police_notified", "已报警", "Police notified"), Column("cac_grade", "事件级别", "CAC grade"),
    Column("cac_grade_needs_judgement", "级别待判断", "Grade awaits judgement"),
    Column("remediation", "处置措施", "Remedial action"), Column("decisions", "决定及理由", "Decisions and rationale"),
    Column("regulator_reported_at", "首次报告监管", "First regulator report"),
    Column("individuals_notified_at", "首次告知个人", "First notice to individuals"),
    Column("obligations_total", "义务数", "Obligations"),
    Column("obligations_met_on_time", "按时履行", "Met on time"),
    Column("obligations_met_late", "逾期履行", "Met late"), Column("obligations_overdue", "逾期未履行", "Overdue"),
    Column("obligations_pending", "未到期", "Pending"),
    Column("obligations_not_applicable", "不适用", "Not applicable"),
    Column("late_reasons", "逾期/不适用原因", "Reasons (late / not applicable)"),
    Column("notified_email", "已发邮件告知(人)", "Told by e-mail (sent)"),
    Column("pending_email", "待发邮件(人)", "E-mail not yet sent"),
    Column("pending_sms", "待短信告知(人)", "To be told by SMS"),
    Column("pending_letter", "待信函告知(人)", "To be told by letter"),
    Column("announcement_people", "以公告告知(人)", "Covered by the public announcement"),
)
COLUMN_KEYS: tuple[str, ...] = tuple(c.key for c in REGISTER_COLUMNS)
TIME_KEYS: tuple[str, ...] = ("occurred_at", "occurred_until", "discovered_at", "aware_at", "handling_closed_at",
                              "regulator_reported_at", "individuals_notified_at")


@dataclass(frozen=True)
class RegisterInputs:
    """Everything known about one incident beyond its facts."""

    incident: Incident
    decisions: Sequence[Decision] = ()
    remediation: Sequence[RemediationAction] = ()
    outcomes: Sequence[ObligationOutcome] = ()
    milestones: Sequence[Milestone] = ()
    notified: Mapping[str, int] = field(default_factory=dict)
    grade: str | None = None
    grade_needs_judgement: bool = False
    counts: Mapping[str, int] = field(default_factory=dict)  # the assessed counts (imported list, else intake)


def register_record(inputs: RegisterInputs, catalog: Catalog, now: datetime) -> dict[str, Any]:
    """The incident's register row, keyed by :data:`COLUMN_KEYS` (values JSON-ready)."""
    incident, facts = inputs.incident, inputs.incident.facts
    record = {k: v for k, v in facts.to_dict().items() if k in COLUMN_KEYS}
    record |= {k: int(v) for k, v in inputs.counts.items() if k in COLUMN_KEYS}  # one count source
    record |= {"id": incident.id, "status": incident.status.value, "cac_grade": inputs.grade,
               "cac_grade_needs_judgement": inputs.grade_needs_judgement,
               "handling_closed_at": _iso(incident.handling_closed_at)}
    record |= _effects(facts.data_types, catalog)
    # Prose a person reads, also in the JSON: words and Beijing time, never codes.
    record["remediation"] = [f"{a.description}（{words(ACTION_STATUS_WORDS, a.status, 'zh-CN')}）"
                             for a in inputs.remediation]
    record["decisions"] = [f"{words(DECISION_WORDS, d.kind, 'zh-CN')}（{d.decided_by}，"
                           f"{format_time(d.decided_at, 'zh-CN')}）：{d.shown}" for d in inputs.decisions]
    milestones = list(inputs.milestones)
    for key, kind in (("regulator_reported_at", MilestoneKind.REGULATOR_REPORTED),
                      ("individuals_notified_at", MilestoneKind.INDIVIDUALS_NOTIFIED)):
        record[key] = _iso(first_milestone(milestones, incident.id, kind))
    record |= _obligations(inputs.outcomes, now)
    record |= _notified(inputs.notified)
    for key in TIME_KEYS:  # one zone in the whole register: Beijing time (+08:00)
        if record.get(key):
            record[key] = to_iso(parse_time(str(record[key])).astimezone(SHANGHAI))
    return {k: record.get(k) for k in COLUMN_KEYS}


def _iso(moment: datetime | None) -> str | None:
    return to_iso(moment.astimezone(SHANGHAI)) if moment else None


def _effects(type_ids: Iterable[str], catalog: Catalog) -> dict[str, Any]:
    known = {t.id: t for t in catalog.types}
    types = [known[i] for i in type_ids if i in known]
    sensitive = [t.name_zh for t in types if t.sensitive]
    names = [t.name_zh for t in types] + [i for i in type_ids if i not in known]
    return {"data_types": names, "sensitive_data": bool(sensitive), "sensitive_types": sensitive}


def _obligations(outcomes: Sequence[ObligationOutcome], now: datetime) -> dict[str, Any]:
    statuses = [o.status(now) for o in outcomes]
    counts = {s: statuses.count(s) for s in OutcomeStatus}
    # A rule that simply does not apply (no reason recorded) is counted, not explained again.
    reasons = [f"{o.obligation_id}：{o.reason or words(OUTCOME_WORDS, s, 'zh-CN')}"
               for o, s in zip(outcomes, statuses, strict=True)
               if s in (OutcomeStatus.MET_LATE, OutcomeStatus.OVERDUE)
               or (s == OutcomeStatus.NOT_APPLICABLE and o.reason)]
    return {
        "obligations_total": len(outcomes),
        "obligations_met_on_time": counts[OutcomeStatus.MET_ON_TIME],
        "obligations_met_late": counts[OutcomeStatus.MET_LATE],
        "obligations_overdue": counts[OutcomeStatus.OVERDUE],
        "obligations_pending": counts[OutcomeStatus.PENDING],
        "obligations_not_applicable": counts[OutcomeStatus.NOT_APPLICABLE],
        "late_reasons": reasons,
    }


def _notified(counts: Mapping[str, int]) -> dict[str, int]:
    return {key: int(counts.get(key, 0)) for key in NOTIFIED_KEYS}


TOTAL_KEYS: tuple[str, ...] = (
    "affected_people", "affected_records", "affected_minors", "affected_minors_under_14", "affected_minors_14_17",
    "eu_subjects", "obligations_total",
    "obligations_met_on_time", "obligations_met_late", "obligations_overdue", "obligations_pending",
    "obligations_not_applicable", *NOTIFIED_KEYS,
)


def register_totals(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Sums over real incidents only: drills are counted apart and never added in."""
    real = [r for r in records if not r["drill"]]
    totals: dict[str, Any] = {"incidents": len(real), "drills_excluded": len(records) - len(real)}
    for key in TOTAL_KEYS:
        totals[key] = sum(int(r[key] or 0) for r in real)
    totals["with_sensitive_data"] = sum(1 for r in real if r["sensitive_data"])
    totals["regulator_reported"] = sum(1 for r in real if r["regulator_reported_at"])
    totals["individuals_notified"] = sum(1 for r in real if r["individuals_notified_at"])
    return totals
