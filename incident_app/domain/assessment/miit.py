"""The MIIT grade (一般/较大/重大/特别重大) under the MIIT data-security incident plan, for a
value-added telecom licence holder: general PI and sensitive PI are separate indicators, the
sensitive one at one tenth of the general threshold; thresholds inclusive, the highest level
reached wins. Every threshold carries its confidence (resources/rules/miit.json): the 较大
sensitive band was not found in the sources and is shown as unconfirmed wherever it decides."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from incident_app.domain.assessment.common import Citation, RuleReader, Text, joined_citation, weakest
from incident_app.domain.assessment.grading import (
    CacLevel,
    IndicatorResult,
    IndicatorRule,
    exact_number,
    level_for,
    read_indicator,
    read_prefixed_citation,
)


@dataclass(frozen=True)
class MiitRules:
    """resources/rules/miit.json."""

    plan: Text
    citation: Citation
    applies: Text
    applies_citation: Citation
    sensitive_note: Text
    indicators: tuple[IndicatorRule, ...]
    report_time: Text
    report_time_citation: Citation


@dataclass(frozen=True)
class MiitGrade:
    level: CacLevel
    why: Text
    indicators: tuple[IndicatorResult, ...]
    citation: Citation
    # Whether the deciding threshold (or the plan's scope) is not confirmed by the fact base.
    unconfirmed: bool
    notes: tuple[Text, ...]

    def to_dict(self, lang: str) -> dict[str, Any]:
        return {"level": self.level.value, "level_en": self.level.english, "why": self.why.get(lang),
                "confidence": self.citation.confidence.value, "confidence_mark": self.citation.confidence.mark,
                "unconfirmed": self.unconfirmed, "source": self.citation.source,
                "notes": [n.get(lang) for n in self.notes],
                "indicators": [{"id": i.id, "value": i.value, "level": i.level.value,
                                "confidence": i.threshold.citation.confidence.value if i.threshold else None}
                               for i in self.indicators]}


def parse_miit_rules(data: Any) -> MiitRules:
    """Validate resources/rules/miit.json."""
    r = RuleReader("miit.json")
    root = r.mapping(data, "(file)")
    rules = MiitRules(
        plan=r.bilingual({"plan_zh": root.get("plan"), "plan_en": root.get("plan_en")}, "plan", "(root)"),
        citation=r.citation(root, "(root)"), applies=r.bilingual(root, "applies", "(root)"),
        applies_citation=read_prefixed_citation(r, root, "applies"),
        sensitive_note=r.bilingual(root, "sensitive", "(root)"),
        indicators=tuple(read_indicator(r, r.mapping(item, f"indicators[{i}]"), i)
                         for i, item in enumerate(r.items(root, "indicators", "(root)"))),
        report_time=r.bilingual(root, "report_time", "(root)"),
        report_time_citation=read_prefixed_citation(r, root, "report_time"),
    )
    if {i.id for i in rules.indicators} != {"people", "sensitive_people"}:
        r.fail("indicators", "must be exactly 'people' and 'sensitive_people'")
    r.done()
    return rules


def grade_miit(people: int, sensitive: bool, rules: MiitRules) -> MiitGrade:
    """The MIIT grade for ``people`` affected; with sensitive information every one of them counts
    towards the sensitive indicator (conservative: the tool does not split people by data type)."""
    values = {"people": float(people), "sensitive_people": float(people if sensitive else 0)}
    results = []
    for rule in rules.indicators:
        level, threshold = level_for(values[rule.id], rule)
        results.append(IndicatorResult(rule.id, rule.name, values[rule.id], level, threshold))
    deciding = max(results, key=lambda res: res.level.rank)
    parts = [rules.citation, rules.applies_citation]
    if deciding.threshold:
        parts.append(deciding.threshold.citation)
    confidence = weakest(*(p.confidence for p in parts))
    unconfirmed = deciding.threshold is not None and deciding.threshold.citation.confidence.value == "unconfirmed"
    notes = [rules.applies]
    if sensitive:
        notes.append(rules.sensitive_note)
    return MiitGrade(deciding.level, _why(results, deciding), tuple(results),
                     joined_citation(parts, confidence), unconfirmed,
                     tuple(notes))


def _why(results: list[IndicatorResult], deciding: IndicatorResult) -> Text:
    zh, en = [], []
    for res in results:
        value = exact_number(res.value)
        if res.threshold:
            mark = res.threshold.citation.confidence.mark
            minimum = exact_number(res.threshold.minimum)
            unsure = "，未经证实" if res.threshold.citation.confidence.value == "unconfirmed" else ""
            unsure_en = ", unconfirmed" if unsure else ""
            zh.append(f"{res.name.zh} {value} ≥ {minimum}（{res.level.value}，{mark}{unsure}）")
            en.append(f"{res.name.en} {value} ≥ {minimum} ({res.level.english}, {mark}{unsure_en})")
        else:
            zh.append(f"{res.name.zh} {value} 低于全部门槛")
            en.append(f"{res.name.en} {value} is below every threshold")
    return Text(f"按工信部预案（门槛含本数，取最高；敏感个人信息按一般门槛的十分之一）：{'；'.join(zh)}。"
                f"结论：{deciding.level.value}。",
                f"Under the MIIT plan (inclusive thresholds, highest level wins; sensitive PI at one tenth of the "
                f"general threshold): {'; '.join(en)}. Result: {deciding.level.english}.")
