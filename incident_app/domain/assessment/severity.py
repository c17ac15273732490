"""ENISA (2013) severity: SE = DPC × EI + CB, banded at 2 / 3 / 4.

The officer chooses the DPC adjustment (within ENISA's documented range for the data category),
the ease of identification and the integrity/availability circumstances, each with a rationale;
the tool suggests defaults from the facts and says which factors are still unreviewed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from incident_app.domain.assessment.common import Citation, Text
from incident_app.domain.assessment.enisa_rules import Availability, Band, EnisaInputs, EnisaRules, Integrity
from incident_app.domain.catalog import DataType, EnisaCategory
from incident_app.domain.incident import BreachType, IntakeFacts, Likelihood, Recipients
from incident_app.domain.wording import ENISA_CATEGORY_WORDS, both


@dataclass(frozen=True)
class Factor:
    """One term of the formula with the reasoning behind its value."""

    id: str
    value: float
    label: Text
    rationale: Text
    officer_rationale: str
    reviewed: bool
    citation: Citation


@dataclass(frozen=True)
class Modifier:
    """A consideration ENISA keeps outside the formula that can raise or lower the judgement."""

    id: str
    applies: bool
    effect: str
    why: Text
    citation: Citation


@dataclass(frozen=True)
class Severity:
    method: str
    score: float
    band: Band
    band_meaning: Text
    factors: tuple[Factor, ...]
    modifiers: tuple[Modifier, ...]
    dpc_category: EnisaCategory
    dpc_adjustment: int
    adjustment_range: tuple[int, int]
    suggested_ei: float
    reviewed: bool
    citation: Citation

    def factor(self, factor_id: str) -> Factor:
        return next(f for f in self.factors if f.id == factor_id)



# -- computation -------------------------------------------------------------------------

def top_data_type(types: Sequence[DataType], rules: EnisaRules) -> DataType | None:
    """The data type with the highest suggested DPC (ENISA: score each, keep the highest)."""
    if not types:
        return None
    return max(types, key=lambda t: (_suggested_dpc(t, rules), t.enisa_category.base_score))


def _suggested_dpc(item: DataType, rules: EnisaRules) -> int:
    return _clamp(rules.categories[item.enisa_category].base + item.dpc_adjustment)


def _clamp(value: float) -> int:
    return int(min(4, max(1, value)))


def compute_severity(facts: IntakeFacts, types: Sequence[DataType], people: int, inputs: EnisaInputs,
                     rules: EnisaRules) -> Severity:
    """ENISA severity of the incident from its facts, its data types and the officer's inputs."""
    top = top_data_type(types, rules)
    category = top.enisa_category if top else EnisaCategory.SIMPLE
    dpc = _dpc_factor(top, inputs, rules)
    ei = _ei_factor(facts, types, inputs, rules)
    cb = _cb_factors(facts, inputs, rules)
    score = round(dpc.value * ei.value + sum(f.value for f in cb), 2)
    band = rules.band_of(score)
    rule = rules.categories[category]
    return Severity(
        method=rules.method, score=score, band=band.band, band_meaning=band.meaning,
        factors=(dpc, ei, *cb), modifiers=_modifiers(facts, people, rules), dpc_category=category,
        dpc_adjustment=_adjustment_in_force(top, inputs),
        adjustment_range=(rule.min_adjustment, rule.max_adjustment),
        suggested_ei=_suggested_ei(facts, types), reviewed=inputs.saved_at is not None,
        citation=rules.bands_citation,
    )


def _adjustment_in_force(top: DataType | None, inputs: EnisaInputs) -> int:
    if inputs.dpc_adjustment is not None:
        return inputs.dpc_adjustment
    return top.dpc_adjustment if top else 0


def _dpc_factor(top: DataType | None, inputs: EnisaInputs, rules: EnisaRules) -> Factor:
    label = Text("数据处理情境 DPC", "Data processing context (DPC)")
    if top is None:
        why = Text("尚未选择数据类型，暂按简单数据 1 分计算；请在事件事实中选择数据类型。",
                   "No data types chosen yet, so simple data (1) is assumed; pick the data types in the facts.")
        simple = rules.categories[EnisaCategory.SIMPLE]
        return Factor("dpc", 1, label, why, inputs.dpc_rationale, False, simple.citation)
    rule = rules.categories[top.enisa_category]
    adjustment = _adjustment_in_force(top, inputs)
    value = _clamp(rule.base + adjustment)
    origin = (Text("（目录建议值，待负责人复核）", " (catalog suggestion, not yet reviewed)")
              if inputs.dpc_adjustment is None else Text("（负责人选定）", " (chosen by the officer)"))
    category_zh, category_en = both(ENISA_CATEGORY_WORDS, top.enisa_category)
    why = Text(
        f"最高分的数据类型为“{top.name_zh}”（{category_zh}，基础分 {rule.base}），"
        f"调整 {adjustment:+d}",
        f"The highest-scoring data type is '{top.name_en}' ({category_en}, base {rule.base}), "
        f"adjusted {adjustment:+d}",
    ) + origin + Text(f"；允许范围 {rule.min_adjustment:+d}～{rule.max_adjustment:+d}：", f"; allowed range "
                      f"{rule.min_adjustment:+d} to {rule.max_adjustment:+d}: ") + rule.range_text
    return Factor("dpc", value, label, why, inputs.dpc_rationale, inputs.dpc_adjustment is not None, rule.citation)


def _suggested_ei(facts: IntakeFacts, types: Sequence[DataType]) -> float:
    if facts.unintelligible:
        return 0.25
    return max((t.ei_hint for t in types), default=1.0)


def _ei_factor(facts: IntakeFacts, types: Sequence[DataType], inputs: EnisaInputs, rules: EnisaRules) -> Factor:
    suggested = _suggested_ei(facts, types)
    value = suggested if inputs.ei is None else inputs.ei
    level = rules.ei_level(value)
    name = level.name if level else Text("", "")
    meaning = level.meaning if level else Text("", "")
    if inputs.ei is not None:
        origin = Text(f"负责人选定 {value:g}（{name.zh}）：", f"Chosen by the officer: {value:g} ({name.en}): ")
    elif facts.unintelligible:
        origin = Text("数据不可读（加密且密钥未泄露，或强哈希），建议 0.25：",
                      "The data was unintelligible (encrypted with an uncompromised key or strongly hashed), "
                      "so 0.25 is suggested: ")
    else:
        origin = Text(f"按所涉数据类型建议 {value:g}（{name.zh}，待负责人复核）：",
                      f"Suggested from the data types: {value:g} ({name.en}, not yet reviewed): ")
    return Factor("ei", value, Text("可识别程度 EI", "Ease of identification (EI)"), origin + meaning,
                  inputs.ei_rationale, inputs.ei is not None, rules.ei_citation)


def _cb_factors(facts: IntakeFacts, inputs: EnisaInputs, rules: EnisaRules) -> list[Factor]:
    return [_confidentiality(facts, inputs, rules), _integrity(facts, inputs, rules),
            _availability(facts, inputs, rules), _malicious(facts, inputs, rules)]


_RECIPIENTS = {
    Recipients.NONE_KNOWN: Text("无证据表明数据被非法访问", "no evidence that anyone accessed the data unlawfully"),
    Recipients.KNOWN_LIMITED: Text("数据流向有限的已知接收方", "the data reached a limited number of known recipients"),
    Recipients.UNKNOWN: Text("数据流向数量不明的接收方", "the data reached an unknown number of recipients"),
    Recipients.PUBLIC: Text("数据已被公开", "the data was made public"),
}


def _confidentiality(facts: IntakeFacts, inputs: EnisaInputs, rules: EnisaRules) -> Factor:
    label = Text("CB 保密性丧失", "CB loss of confidentiality")
    if BreachType.LEAK not in facts.breach_types:
        return Factor("cb.confidentiality", 0, label, Text("未记录泄露。", "No leak recorded."),
                      inputs.cb_rationale, True, rules.cb_citation)
    value = rules.confidentiality[facts.recipients]
    why = Text("泄露：", "Leak: ") + _RECIPIENTS[facts.recipients] + Text(f"，{value:+g}。", f", {value:+g}.")
    if facts.likelihood == Likelihood.SUSPECTED:
        why = why + Text("疑似事件按已发生计分（保守）。",
                         "A suspected incident is scored as if it happened (conservative).")
    return Factor("cb.confidentiality", value, label, why, inputs.cb_rationale, True, rules.cb_citation)


def _integrity(facts: IntakeFacts, inputs: EnisaInputs, rules: EnisaRules) -> Factor:
    label = Text("CB 完整性丧失", "CB loss of integrity")
    if BreachType.TAMPER not in facts.breach_types:
        return Factor("cb.integrity", 0, label, Text("未记录篡改。", "No tampering recorded."),
                      inputs.cb_rationale, True, rules.cb_citation)
    state = inputs.integrity or Integrity.RECOVERABLE
    value = rules.integrity[state]
    texts = {Integrity.RECOVERED: Text("使用前已恢复原始数据", "the original was recovered before any use"),
             Integrity.RECOVERABLE: Text("可能被错误使用，可恢复", "possibly used wrongly; recoverable"),
             Integrity.NOT_RECOVERABLE: Text("可能被错误使用，不可恢复", "possibly used wrongly; not recoverable")}
    why = Text("篡改：", "Tampering: ") + texts[state] + Text(f"，{value:+g}", f", {value:+g}") + _default_mark(
        inputs.integrity is None)
    return Factor("cb.integrity", value, label, why, inputs.cb_rationale, inputs.integrity is not None,
                  rules.cb_citation)


def _availability(facts: IntakeFacts, inputs: EnisaInputs, rules: EnisaRules) -> Factor:
    label = Text("CB 可用性丧失", "CB loss of availability")
    if BreachType.LOSS not in facts.breach_types:
        return Factor("cb.availability", 0, label, Text("未记录丢失。", "No loss recorded."),
                      inputs.cb_rationale, True, rules.cb_citation)
    state = inputs.availability or Availability.TEMPORARY
    value = rules.availability[state]
    texts = {Availability.RECOVERABLE: Text("可轻松恢复（如有备份）", "recoverable without difficulty (e.g. backup)"),
             Availability.TEMPORARY: Text("暂时不可用", "temporarily unavailable"),
             Availability.PERMANENT: Text("永久不可用", "permanently unavailable")}
    why = Text("丢失：", "Loss: ") + texts[state] + Text(f"，{value:+g}", f", {value:+g}") + _default_mark(
        inputs.availability is None)
    return Factor("cb.availability", value, label, why, inputs.cb_rationale, inputs.availability is not None,
                  rules.cb_citation)


def _default_mark(is_default: bool) -> Text:
    if is_default:
        return Text("（默认值，待负责人确认）。", " (default, to be confirmed by the officer).")
    return Text("（负责人选定）。", " (chosen by the officer).")


def _malicious(facts: IntakeFacts, inputs: EnisaInputs, rules: EnisaRules) -> Factor:
    label = Text("CB 恶意", "CB malicious intent")
    if facts.malicious:
        why = Text(f"记录为恶意行为（窃取、攻击、贩卖等），{rules.malicious:+g}。",
                   f"Recorded as malicious (theft, hacking, selling…), {rules.malicious:+g}.")
        return Factor("cb.malicious", rules.malicious, label, why, inputs.cb_rationale, True, rules.cb_citation)
    return Factor("cb.malicious", 0, label, Text("记录为意外或过失，不加分。", "Recorded as accidental, no addition."),
                  inputs.cb_rationale, True, rules.cb_citation)


def _modifiers(facts: IntakeFacts, people: int, rules: EnisaRules) -> tuple[Modifier, ...]:
    limit = rules.people_threshold
    many = Modifier(
        "people_over_100", people > limit, "raise",
        Text(f"受影响人数 {people:,}，{'超过' if people > limit else '未超过'} {limit} 人：人数众多时应从重判断。",
             f"{people:,} people affected, {'more' if people > limit else 'not more'} than {limit}: "
             "a large number of people weighs toward a higher judgement."),
        rules.modifiers_citation)
    unreadable = Modifier(
        "unintelligible", facts.unintelligible, "lower",
        Text("数据不可读（加密且密钥安全，或强哈希）：可从轻判断，EI 建议 0.25。" if facts.unintelligible
             else "数据并非不可读：不适用从轻。",
             "The data was unintelligible (encrypted with a safe key or strongly hashed): the judgement may be "
             "lowered and EI 0.25 is suggested." if facts.unintelligible
             else "The data was not unintelligible: no lowering."),
        rules.modifiers_citation)
    return (many, unreadable)
