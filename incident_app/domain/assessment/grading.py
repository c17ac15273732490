"""The CAC incident grade (一般/较大/重大/特别重大) under the Grading Guide annexed to the CAC
Incident Reporting Measures: every indicator is compared with its inclusive thresholds and the
highest level reached wins. Below the numbers the law is qualitative, so where sensitive or
minors' information is involved the grade waits for the officer's recorded judgement."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from incident_app.domain.assessment.common import Citation, Confidence, RuleReader, Text, joined_citation, weakest
from incident_app.domain.decisions import Decision


class CacLevel(StrEnum):
    GENERAL = "一般"
    RELATIVELY_MAJOR = "较大"
    MAJOR = "重大"
    PARTICULARLY_MAJOR = "特别重大"

    @property
    def rank(self) -> int:
        return list(CacLevel).index(self)

    @property
    def english(self) -> str:
        return {"一般": "general", "较大": "relatively major", "重大": "major",
                "特别重大": "particularly major"}[self.value]


@dataclass(frozen=True)
class Threshold:
    level: CacLevel
    minimum: float
    citation: Citation


@dataclass(frozen=True)
class IndicatorRule:
    id: str
    name: Text
    thresholds: tuple[Threshold, ...]


@dataclass(frozen=True)
class GradingRules:
    """resources/rules/grading.json."""

    guide: str
    citation: Citation
    reportable_from: CacLevel
    reportable_citation: Citation
    indicators: tuple[IndicatorRule, ...]
    qualitative: Text
    qualitative_citation: Citation
    miit_note: Text
    miit_min_people: int
    miit_citation: Citation


@dataclass(frozen=True)
class IndicatorResult:
    id: str
    name: Text
    value: float
    level: CacLevel
    threshold: Threshold | None


@dataclass(frozen=True)
class GradingInput:
    """What the grade depends on (the engine fills it from facts, people counts and decisions)."""

    people: int
    economic_loss_cny: float
    sensitive: bool
    minors: bool
    suspected: bool
    judgement: Decision | None = None
    # The intake's breach types ("leak", "tamper", "loss"): the people indicator is named by them.
    breach_types: tuple[str, ...] = ("leak",)


@dataclass(frozen=True)
class CacGrade:
    level: CacLevel
    threshold_level: CacLevel
    reportable: bool
    needs_judgement: bool
    why: Text
    indicators: tuple[IndicatorResult, ...]
    notes: tuple[Text, ...]
    citation: Citation
    judgement_decision_id: int | None


def parse_grading_rules(data: Any) -> GradingRules:
    """Validate resources/rules/grading.json."""
    r = RuleReader("grading.json")
    root = r.mapping(data, "(file)")
    rules = GradingRules(
        guide=r.text(root, "guide", "(root)"), citation=r.citation(root, "(root)"),
        reportable_from=r.choice(root, "reportable_from", CacLevel, "(root)") or CacLevel.RELATIVELY_MAJOR,
        reportable_citation=read_prefixed_citation(r, root, "reportable"),
        indicators=tuple(read_indicator(r, r.mapping(item, f"indicators[{i}]"), i)
                         for i, item in enumerate(r.items(root, "indicators", "(root)"))),
        qualitative=r.bilingual(root, "qualitative", "(root)"),
        qualitative_citation=read_prefixed_citation(r, root, "qualitative"),
        miit_note=r.bilingual(root, "miit_note", "(root)"),
        miit_min_people=int(r.number(root, "miit_min_people", "(root)")),
        miit_citation=read_prefixed_citation(r, root, "miit"),
    )
    r.done()
    return rules


def read_prefixed_citation(r: RuleReader, root: Mapping[str, Any], prefix: str) -> Citation:
    """The citation a rule file gives as ``<prefix>_source`` and ``<prefix>_confidence``."""
    return r.citation({"source": root.get(f"{prefix}_source"), "source_zh": root.get(f"{prefix}_source_zh"),
                       "confidence": root.get(f"{prefix}_confidence")}, prefix)


def read_indicator(r: RuleReader, item: Mapping[str, Any], i: int) -> IndicatorRule:
    """One indicator of a grading table (CAC or MIIT): its id, name and rising thresholds."""
    where = f"indicators[{i}]"
    thresholds = []
    for j, raw in enumerate(r.items(item, "thresholds", where)):
        t = r.mapping(raw, f"{where}.thresholds[{j}]")
        thresholds.append(Threshold(r.choice(t, "level", CacLevel, f"{where}.thresholds[{j}]") or CacLevel.GENERAL,
                                    r.number(t, "min", f"{where}.thresholds[{j}]"),
                                    r.citation(t, f"{where}.thresholds[{j}]")))
    if [t.minimum for t in thresholds] != sorted(t.minimum for t in thresholds):
        r.fail(where, "thresholds must rise with the level")
    return IndicatorRule(r.text(item, "id", where), r.bilingual(item, "name", where), tuple(thresholds))


def level_for(value: float, rule: IndicatorRule) -> tuple[CacLevel, Threshold | None]:
    """The highest level whose (inclusive) minimum ``value`` reaches."""
    reached = [t for t in rule.thresholds if value >= t.minimum]
    if not reached:
        return CacLevel.GENERAL, None
    best = max(reached, key=lambda t: t.level.rank)
    return best.level, best


def grade_incident(data: GradingInput, rules: GradingRules) -> CacGrade:
    """Grade the incident; see the module docstring for the judgement rule."""
    values = {"people": float(data.people), "economic_loss_cny": data.economic_loss_cny}
    results = tuple(_measure(_named_for(rule, data.breach_types), values.get(rule.id, 0.0))
                    for rule in rules.indicators)
    deciding = max(results, key=lambda res: res.level.rank)
    threshold_level = deciding.level
    qualitative = threshold_level == CacLevel.GENERAL and (data.sensitive or data.minors)
    level, why, judged_id = _apply_judgement(threshold_level, data.judgement, results, deciding)
    needs_judgement = qualitative and data.judgement is None
    if needs_judgement:
        why = why + _qualitative_why(data, rules)
    elif threshold_level == CacLevel.GENERAL and data.judgement is None:
        why = why + Text("未涉及敏感个人信息或未成年人信息：按《办法》无需报告，"
                         "但《个人信息保护法》第五十七条的义务仍然适用。",
                         "No sensitive or minors' information: no report under the Measures, "
                         "but the PIPL Art. 57 duties still apply.")
    return CacGrade(
        level=level, threshold_level=threshold_level,
        reportable=level.rank >= rules.reportable_from.rank and not needs_judgement,
        needs_judgement=needs_judgement, why=why, indicators=results, notes=_notes(data, rules),
        citation=_citation(deciding, qualitative, rules), judgement_decision_id=judged_id,
    )


# What happened to the information, by breach type, for the people indicator's name.
_BREACH_WORDS = {"tamper": Text("篡改", "tampered with"), "loss": Text("丢失", "lost")}


def _named_for(rule: IndicatorRule, breach_types: Sequence[str]) -> IndicatorRule:
    """The people indicator is worded for a leak; a tampering or loss incident is never explained
    as "people whose personal information leaked"."""
    if rule.id != "people" or "leak" in breach_types or not breach_types:
        return rule
    words = [_BREACH_WORDS[b] for b in ("tamper", "loss") if b in breach_types]
    if not words:
        return rule
    zh = "、".join(w.zh for w in words)
    en = " or ".join(w.en for w in words)
    return IndicatorRule(rule.id, Text(f"个人信息被{zh}涉及人数", f"people whose personal information was {en}"),
                         rule.thresholds)


def _measure(rule: IndicatorRule, value: float) -> IndicatorResult:
    level, threshold = level_for(value, rule)
    return IndicatorResult(rule.id, rule.name, value, level, threshold)


def exact_number(value: float) -> str:
    """A value as recorded, never rounded across a threshold: 4,999,999.99 stays 4,999,999.99
    (rounded it would read as the 5,000,000 threshold it does not reach)."""
    exact = Decimal(repr(float(value)))
    if exact == exact.to_integral_value():
        return f"{int(exact):,}"
    return format(exact, ",f")


def _threshold_why(results: Sequence[IndicatorResult], deciding: IndicatorResult) -> Text:
    parts_zh, parts_en = [], []
    for res in results:
        value = exact_number(res.value)
        if res.threshold:
            minimum = exact_number(res.threshold.minimum)
            parts_zh.append(f"{res.name.zh} {value} ≥ {minimum}（{res.level.value}，"
                            f"{res.threshold.citation.confidence.mark}）")
            parts_en.append(f"{res.name.en} {value} ≥ {minimum} ({res.level.english} ({res.level.value}), "
                            f"{res.threshold.citation.confidence.mark})")
        else:
            parts_zh.append(f"{res.name.zh} {value} 低于全部门槛")
            parts_en.append(f"{res.name.en} {value} is below every threshold")
    return Text(f"按分级指南（门槛含本数，取最高）：{'；'.join(parts_zh)}。结论：{deciding.level.value}。",
                f"Under the Grading Guide (inclusive thresholds, highest level wins): {'; '.join(parts_en)}. "
                f"Result: {deciding.level.english} ({deciding.level.value}).")


def _apply_judgement(threshold_level: CacLevel, judgement: Decision | None, results: Sequence[IndicatorResult],
                     deciding: IndicatorResult) -> tuple[CacLevel, Text, int | None]:
    why = _threshold_why(results, deciding)
    if judgement is None:
        return threshold_level, why, None
    judged = CacLevel(judgement.details["level"])
    who = Text(f"负责人判断（决定 #{judgement.id}，{judgement.decided_by}）：{judged.value}；"
               f"理由：{judgement.rationale_for('zh-CN')}。",
               f"Officer's judgement (decision #{judgement.id}, {judgement.decider_for('en')}): "
               f"{judged.english} ({judged.value}); "
               f"rationale: {judgement.rationale_for('en')}.")
    if judged.rank < threshold_level.rank:
        return threshold_level, why + who + Text(
            "判断不能低于数量门槛已达到的级别，维持门槛结论。",
            "A judgement cannot go below the level a numeric threshold reached, so the threshold result stands."), \
            judgement.id
    return judged, why + who, judgement.id


def _qualitative_why(data: GradingInput, rules: GradingRules) -> Text:
    what = []
    if data.sensitive:
        what.append(Text("涉及敏感个人信息", "sensitive personal information is involved"))
    if data.minors:
        what.append(Text("涉及不满十四周岁未成年人的信息", "information of children under 14 is involved"))
    zh = "、".join(t.zh for t in what)
    en = " and ".join(t.en for t in what)
    return Text(f"{zh}：需要判断。", f"{en[:1].upper()}{en[1:]}: judgement needed. ") + rules.qualitative + Text(
        "在记录“事件级别判断”决定之前，CAC 报告义务显示为“需判断”，时限照常计算。",
        "Until a CAC grade judgement decision is recorded, the CAC report obligation shows as 'needs judgement' "
        "and its clock keeps running.")


def _notes(data: GradingInput, rules: GradingRules) -> tuple[Text, ...]:
    notes = []
    if data.sensitive and data.people >= rules.miit_min_people:
        notes.append(rules.miit_note)
    if data.suspected:
        notes.append(Text("疑似事件：按可能涉及的规模分级（保守做法）；《办法》针对已发生的事件，是否报告请结合核实进展判断。",
                          "Suspected incident: graded on the scale it may reach (conservative); the Measures speak of "
                          "incidents that occurred, so weigh the investigation's progress before reporting."))
    return tuple(notes)


def _citation(deciding: IndicatorResult, qualitative: bool, rules: GradingRules) -> Citation:
    parts = [rules.citation]
    if deciding.threshold:
        parts.append(deciding.threshold.citation)
    if qualitative:
        parts.append(rules.qualitative_citation)
    confidence: Confidence = weakest(*(p.confidence for p in parts))
    return joined_citation(parts, confidence)
