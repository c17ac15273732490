"""The ``assess`` JSON (a stable contract; README: Command line): severity, CAC grade and obligations,
each with its reasoning, source and confidence, in one language (zh-CN by default)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from incident_app.domain.assessment.common import Citation, Text
from incident_app.domain.assessment.engine import Assessment, AssessmentRules, JudgementItem
from incident_app.domain.assessment.grading import CacGrade, IndicatorResult
from incident_app.domain.assessment.obligations import Obligation
from incident_app.domain.assessment.severity import Factor, Modifier, Severity
from incident_app.domain.clock import to_iso

INTERNAL_TARGET_LABEL = Text("内部目标，非法定时限", "internal target, not a legal deadline")


def assessment_to_json(a: Assessment, rules: AssessmentRules, lang: str = "zh-CN") -> dict[str, Any]:
    """Everything the officer needs to defend the assessment, as plain JSON values."""
    nxt = a.next_deadline()
    return {
        "incident_id": a.incident_id, "computed_at": to_iso(a.computed_at), "lang": lang, "drill": a.drill,
        "people": {"total": a.people.total, "minors": a.people.minors, "children": a.people.children,
                   "teens": a.people.teens, "unreachable": a.people.unreachable, "source": a.people.source,
                   "intake_estimate": a.people.estimate, "gap_to_estimate": a.people.gap_to_estimate},
        "data_types": [{"id": t.id, "name": t.name(lang), "sensitive": t.sensitive,
                        "enisa_category": t.enisa_category.value, "dpc_adjustment_hint": t.dpc_adjustment}
                       for t in a.data_types],
        "sensitive": a.sensitive, "minors_involved": a.minors_involved,
        "severity": severity_json(a.severity, lang),
        "cac_grade": grade_json(a.grade, lang),
        # The MIIT plan's grade for a value-added telecom licence holder (null without a licence).
        "miit_grade": a.miit.to_dict(lang) if a.miit else None,
        "obligations": [obligation_json(o, rules, lang, a.computed_at) for o in a.obligations],
        "needs_judgement": [judgement_json(item, lang) for item in a.needs_judgement],
        "next_deadline": None if nxt is None else {
            "obligation_id": nxt.id, "at": _iso(nxt.deadline.clock), "internal_target": nxt.deadline.due is None},
    }


def _iso(moment: datetime | None) -> str | None:
    return to_iso(moment) if moment else None


def _cite(citation: Citation) -> dict[str, str]:
    return {"source": citation.source, "source_zh": citation.source_in("zh-CN"),
            "confidence": citation.confidence.value, "confidence_mark": citation.confidence.mark}


def severity_json(s: Severity, lang: str) -> dict[str, Any]:
    dpc, ei = s.factor("dpc").value, s.factor("ei").value
    cb = sum(f.value for f in s.factors if f.id.startswith("cb."))
    return {
        "method": s.method, "score": s.score, "band": s.band.value, "band_meaning": s.band_meaning.get(lang),
        "formula": f"SE = DPC × EI + CB = {dpc:g} × {ei:g} + {cb:g} = {s.score:g}",
        "reviewed": s.reviewed, "dpc_category": s.dpc_category.value,
        "dpc_adjustment": s.dpc_adjustment, "dpc_adjustment_range": list(s.adjustment_range),
        "suggested_ei": s.suggested_ei,
        "factors": [factor_json(f, lang) for f in s.factors],
        "modifiers": [modifier_json(m, lang) for m in s.modifiers],
        **_cite(s.citation),
    }


def factor_json(f: Factor, lang: str) -> dict[str, Any]:
    return {"id": f.id, "name": f.label.get(lang), "value": f.value, "rationale": f.rationale.get(lang),
            "officer_rationale": f.officer_rationale, "reviewed": f.reviewed, **_cite(f.citation)}


def modifier_json(m: Modifier, lang: str) -> dict[str, Any]:
    return {"id": m.id, "applies": m.applies, "effect": m.effect, "why": m.why.get(lang), **_cite(m.citation)}


def grade_json(g: CacGrade, lang: str) -> dict[str, Any]:
    return {
        "level": g.level.value, "level_en": g.level.english, "threshold_level": g.threshold_level.value,
        "reportable": g.reportable, "needs_judgement": g.needs_judgement, "why": g.why.get(lang),
        "judgement_decision_id": g.judgement_decision_id,
        "indicators": [indicator_json(i, lang) for i in g.indicators],
        "notes": [n.get(lang) for n in g.notes],
        **_cite(g.citation),
    }


def indicator_json(i: IndicatorResult, lang: str) -> dict[str, Any]:
    threshold = None if i.threshold is None else {"min": i.threshold.minimum, **_cite(i.threshold.citation)}
    return {"id": i.id, "name": i.name.get(lang), "value": i.value, "level": i.level.value, "threshold": threshold}


def obligation_json(o: Obligation, rules: AssessmentRules, lang: str, now: datetime) -> dict[str, Any]:
    d = o.deadline
    names = rules.obligations.channels
    return {
        "id": o.id, "regime": o.regime.value, "recipient": o.recipient.value,
        "recipient_detail": o.recipient_detail.get(lang), "title": o.title.get(lang),
        "channels": list(o.channels), "channel_names": [names[c].get(lang) for c in o.channels if c in names],
        "anchor": d.anchor, "anchor_at": _iso(d.anchor_at),
        "due": _iso(d.due), "due_kind": d.kind.value,
        "internal_target": _iso(d.internal_target),
        "internal_target_label": INTERNAL_TARGET_LABEL.get(lang) if d.internal_target else None,
        "seconds_left": int((d.clock - now).total_seconds()) if d.clock else None,
        "calendar_published": d.calendar_published,
        "status": o.status.value, "needs_judgement": o.needs_judgement, "decision_id": o.decision_id,
        "met_at": _iso(o.met_at), "fulfilment_id": o.fulfilment_id,
        "met_on_time": o.met_on_time if o.met_at and o.deadline.due else None,
        "met_late_by_seconds": int(o.late_by.total_seconds()) if o.late_by else None,
        "why": o.why.get(lang), **_cite(o.citation),
    }


def judgement_json(item: JudgementItem, lang: str) -> dict[str, Any]:
    return {"item": item.item, "why": item.why.get(lang), "decision_kind": item.decision_kind}
