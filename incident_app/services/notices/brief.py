"""The internal brief to the responsible persons (privacy policy IV.2(5)): what it is built from
(the assessment's grade, obligations and the decisions still needed, as plain JSON next to the
fact snapshot), what changed since the last brief was sent, and the template variables.

Counts only: the basis holds obligation titles, clocks and statuses, the grade and its reasons —
never a name or contact of an affected person (those live in the people list, which the brief
does not read)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from incident_app.domain.assessment.engine import Assessment
from incident_app.domain.assessment.obligations import Obligation, ObligationStatus
from incident_app.domain.clock import to_iso
from incident_app.domain.notices import FactChange, diff_snapshots
from incident_app.domain.notices.labels import GRADES, pick

# The brief's own obligation: never listed in the brief (sending it would change the brief).
BRIEF_OBLIGATION = "policy-responsible-persons"
# Snapshot parts whose change makes a supplementary brief due (besides grade and obligation status).
_FACT_PARTS = ("facts", "people", "actions", "data_types", "handling_closed_at")

_STATUS_WORDS = {
    "pending": ("待履行", "pending"), "met": ("已履行", "met"), "not_applicable": ("不适用", "not applicable"),
    "needs_judgement": ("需判断", "needs judgement"), "overdue": ("已超时", "overdue"),
}
_DECISIONS = {
    "cac_grade_judgement": ("对 CAC 事件级别作出并记录判断（涉及敏感或未成年人信息，数量门槛以下须定性判断）",
                            "Judge and record the CAC grade (sensitive or minors' information below the numeric "
                            "thresholds needs a qualitative call)"),
    "exempt_individual_notice": ("是否适用《个人信息保护法》第五十七条第二款的豁免"
                                 "（措施能够有效避免危害时可不通知个人）",
                                 "Whether the PIPL Art. 57 ¶2 exemption applies (no individual notice when the "
                                 "measures effectively avoid harm)"),
    "public_announcement_instead": ("是否以公告代替逐一通知（难以逐一告知时）",
                                    "Whether an announcement replaces individual notices (when people cannot be "
                                    "told one by one)"),
}


def brief_basis(assessment: Assessment) -> dict[str, Any]:
    """The assessment's part of the brief, as plain JSON (stored with the brief's versions)."""
    listed = [o for o in assessment.obligations if o.id != BRIEF_OBLIGATION]
    open_ = sorted((o for o in listed if o.status.is_open),
                   key=lambda o: (o.deadline.clock is None, o.deadline.clock or assessment.computed_at))
    grade = assessment.grade
    return {
        "grade": {"level": grade.level.value, "zh": _plain_words(grade.why.zh, "zh"),
                  "en": _plain_words(grade.why.en, "en"),
                  "needs_judgement": grade.needs_judgement, "confidence": grade.citation.confidence.mark,
                  "reportable": grade.reportable},
        "open": [_obligation(o) for o in open_],
        "done": [_obligation(o) for o in listed if o.status == ObligationStatus.MET],
        "statuses": {o.id: o.status.value for o in listed},
        # Every obligation's title, for the changes of a supplementary brief (one that became not
        # applicable is in neither list above).
        "titles": {o.id: {"zh": o.title.zh, "en": o.title.en} for o in listed},
        "decisions": _decisions_needed(assessment, listed),
        # An imported list smaller than the intake estimate is used (it is exact), never silently:
        # the people in charge are told the estimate too.
        "estimate_gap": {"estimate": assessment.people.estimate, "gap": assessment.people.gap_to_estimate}
        if assessment.people.gap_to_estimate else None,
    }


# Decision codes the assessment's reasons name for the officer (who types them on the command
# line); the people in charge read the decision's name instead.
_CODE_WORDS = {"cac_grade_judgement": ("事件分级判断", "CAC grade judgement")}


def _plain_words(text: str, lang: str) -> str:
    for code, (zh, en) in _CODE_WORDS.items():
        text = text.replace(code, en if lang == "en" else zh)
    return text


def _obligation(o: Obligation) -> dict[str, Any]:
    return {"id": o.id, "zh": o.title.zh, "en": o.title.en, "status": o.status.value,
            "due": to_iso(o.deadline.due) if o.deadline.due else None,
            "target": to_iso(o.deadline.internal_target) if o.deadline.internal_target else None,
            "met_at": to_iso(o.met_at) if o.met_at else None}


def _decisions_needed(assessment: Assessment, obligations: Sequence[Obligation]) -> list[dict[str, str]]:
    """The decisions the people in charge must take now: the grade judgement, whether the
    exemption applies, whether an announcement replaces individual notices, and every other
    obligation that waits for a judgement."""
    kinds = []
    if assessment.grade.needs_judgement:
        kinds.append("cac_grade_judgement")
    individuals = next((o for o in obligations if o.id == "pipl57-individuals"), None)
    if individuals is not None and individuals.status.is_open:
        kinds += ["exempt_individual_notice", "public_announcement_instead"]
    out = [{"kind": k, "zh": _DECISIONS[k][0], "en": _DECISIONS[k][1]} for k in kinds]
    out += [{"kind": o.resolve_with or "obligation_status", "zh": f"{o.title.zh}：需判断是否仍须履行",
             "en": f"{o.title.en}: decide whether it still applies"} for o in obligations if o.needs_judgement]
    return out


def brief_snapshot_data(snapshot_data: Mapping[str, Any], basis: Mapping[str, Any] | None) -> dict[str, Any]:
    """The fact snapshot with the brief's basis added (what a brief version is rendered from)."""
    return {**snapshot_data, "brief": dict(basis or {})}


def brief_changes(previous: Mapping[str, Any], current: Mapping[str, Any]) -> list[FactChange]:
    """What changed since the brief in ``previous`` (its snapshot data) was sent: the facts, the
    grade and each obligation's status. Empty when nothing that matters changed."""
    old = {k: previous.get(k) for k in _FACT_PARTS}
    new = {k: current.get(k) for k in _FACT_PARTS}
    changes = diff_snapshots(old, new)
    before, after = previous.get("brief") or {}, current.get("brief") or {}
    old_grade, new_grade = (before.get("grade") or {}).get("level"), (after.get("grade") or {}).get("level")
    if old_grade != new_grade:
        changes.append(FactChange("grade", old_grade, new_grade))
    old_status, new_status = before.get("statuses") or {}, after.get("statuses") or {}
    for key in sorted(set(old_status) | set(new_status)):
        if old_status.get(key) != new_status.get(key):
            changes.append(FactChange(f"obligation.{key}", old_status.get(key), new_status.get(key)))
    return changes


def brief_context(basis: Mapping[str, Any] | None, changes: Sequence[FactChange], lang: str,
                  fmt_time: Any, label: Any) -> dict[str, Any]:
    """The ``brief`` template variable: the grade and why, open obligations (next clock first)
    with their due time or internal target, the decisions needed, what was done, and the
    changes since the last brief (``fmt_time``/``label``: the notice context's formatters)."""
    data = basis or {}
    en = lang == "en"
    grade = data.get("grade") or {}
    titles = {key: t.get("en" if en else "zh", key) for key, t in (data.get("titles") or {}).items()}
    titles |= {o["id"]: o["en" if en else "zh"] for o in [*data.get("open", []), *data.get("done", [])]}

    def status(value: Any) -> str:
        words = _STATUS_WORDS.get(str(value))
        return (words[1] if en else words[0]) if words else ("—" if value is None else str(value))

    def change(c: FactChange) -> dict[str, str]:
        if c.path == "grade":
            return {"label": "Grade" if en else "事件级别", "before": grade_name(c.before, lang),
                    "after": grade_name(c.after, lang)}
        if c.path.startswith("obligation."):
            key = c.path.removeprefix("obligation.")
            return {"label": titles.get(key, key), "before": status(c.before), "after": status(c.after)}
        return {"label": label(c.path, lang), "before": _plain(c.before, en), "after": _plain(c.after, en)}

    return {
        "available": bool(data),
        "grade_level": grade_name(grade.get("level"), lang) if grade.get("level") else "",
        "grade_why": grade.get("en" if en else "zh", ""),
        "grade_confidence": grade.get("confidence", ""), "grade_needs_judgement": bool(grade.get("needs_judgement")),
        "open": [{"title": o["en" if en else "zh"], "status": status(o["status"]),
                  "due": fmt_time(o.get("due"), lang), "target": fmt_time(o.get("target"), lang)}
                 for o in data.get("open", [])],
        "done": [{"title": o["en" if en else "zh"], "met_at": fmt_time(o.get("met_at"), lang)}
                 for o in data.get("done", [])],
        "decisions": [d["en" if en else "zh"] for d in data.get("decisions", [])],
        "estimate_gap": {"estimate": f"{gap['estimate']:,}", "gap": f"{gap['gap']:,}"}
        if (gap := data.get("estimate_gap")) else None,
        "changes": [change(c) for c in changes],
        "supplementary": bool(changes),
    }


def grade_name(level: Any, lang: str) -> str:
    """A grade (一般/较大/重大/特别重大) as the notices write it: the Chinese term in a Chinese
    text, ``relatively major (较大)`` in an English one; "—" when there is none."""
    if level is None or level == "":
        return "—"
    label = GRADES.get(str(level))
    return pick(label, lang) if label else str(level)


def _plain(value: Any, en: bool) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return ("yes" if value else "no") if en else ("是" if value else "否")
    if isinstance(value, int | float):
        return f"{value:,}"
    if isinstance(value, list | dict):
        return "(updated)" if en else "（已更新）"
    return str(value)


BRIEF_VERSION_PREFIX = "brief-"


def brief_version(version_ids: Sequence[int]) -> str:
    """The send ledger's version of a brief: the ids of the approved brief versions it carries."""
    return BRIEF_VERSION_PREFIX + "-".join(str(i) for i in sorted(version_ids))


def brief_version_ids(version: str) -> list[int]:
    """The notice version ids in a ledger version made by :func:`brief_version` (else empty)."""
    if not version.startswith(BRIEF_VERSION_PREFIX):
        return []
    parts = version.removeprefix(BRIEF_VERSION_PREFIX).split("-")
    return [int(p) for p in parts if p.isdigit()]
