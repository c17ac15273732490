"""Building blocks shared by the assessment rules: confidence marks, citations, bilingual text,
and a small reader that validates rule data and reports every problem at once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from incident_app.domain.errors import FieldProblem, ValidationError


class Confidence(StrEnum):
    """How sure the fact base (docs/legal-basis.md) is of a rule: ✅ confirmed, ◐ secondary, ❓ unconfirmed."""

    CONFIRMED = "confirmed"
    SECONDARY = "secondary"
    UNCONFIRMED = "unconfirmed"

    @property
    def mark(self) -> str:
        return {"confirmed": "✅", "secondary": "◐", "unconfirmed": "❓"}[self.value]

    @property
    def rank(self) -> int:
        """Higher is surer; used to report the weakest link of a combined rule."""
        return {"confirmed": 2, "secondary": 1, "unconfirmed": 0}[self.value]


def weakest(*levels: Confidence) -> Confidence:
    """The least certain of several confidences (a chain is as sure as its weakest rule)."""
    return min(levels, key=lambda c: c.rank)


@dataclass(frozen=True)
class Text:
    """A sentence in both languages, Chinese first."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.zh if lang.startswith("zh") else self.en

    def format(self, **values: object) -> Text:
        return Text(self.zh.format(**values), self.en.format(**values))

    def __add__(self, other: Text) -> Text:
        return Text(_join(self.zh, other.zh, ""), _join(self.en, other.en, " "))

    def to_dict(self) -> dict[str, str]:
        return {"zh-CN": self.zh, "en": self.en}


def _join(left: str, right: str, sep: str) -> str:
    if not left:
        return right
    if not right:
        return left
    if left[-1].isspace() or right[0].isspace() or right[0] in ",.;:)":
        sep = ""
    return f"{left}{sep}{right}"


def join_texts(parts: Sequence[Text]) -> Text:
    """Concatenate sentences in both languages, skipping empty ones."""
    result = Text("", "")
    for part in parts:
        result = result + part
    return result


@dataclass(frozen=True)
class Citation:
    """Where a rule comes from and how sure we are of it."""

    source: str
    confidence: Confidence
    # The same citation in Chinese for the Chinese UI (rule files: ``source_zh``); English stays
    # the reference text (JSON, evidence) and stands in where no Chinese is given.
    source_zh: str = ""

    def source_in(self, lang: str) -> str:
        """The citation in the UI language ``lang``."""
        return self.source_zh if lang == "zh-CN" and self.source_zh else self.source

    def to_dict(self) -> dict[str, str]:
        out = {"source": self.source, "confidence": self.confidence.value, "mark": self.confidence.mark}
        return out | ({"source_zh": self.source_zh} if self.source_zh else {})


def joined_citation(parts: Sequence[Citation], confidence: Confidence) -> Citation:
    """Several citations as one (each source once, in order), in both languages."""
    english = "; ".join(dict.fromkeys(p.source for p in parts))
    chinese = "；".join(dict.fromkeys(p.source_in("zh-CN") for p in parts))
    return Citation(english, confidence, chinese if any(p.source_zh for p in parts) else "")


class RuleReader:
    """Reads one rule file's mappings, collecting every problem with the path of the field at fault."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[FieldProblem] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(FieldProblem(f"{self.file}:{where}", message))

    def mapping(self, data: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(data, Mapping):
            self.fail(where, "must be an object")
            return {}
        return data

    def items(self, data: Mapping[str, Any], key: str, where: str) -> list[Any]:
        value = data.get(key)
        if not isinstance(value, list):
            self.fail(f"{where}.{key}", "must be a list")
            return []
        return value

    def text(self, data: Mapping[str, Any], key: str, where: str) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{where}.{key}", "must be non-empty text")
            return ""
        return value

    def bilingual(self, data: Mapping[str, Any], key: str, where: str) -> Text:
        return Text(self.text(data, f"{key}_zh", where), self.text(data, f"{key}_en", where))

    def number(self, data: Mapping[str, Any], key: str, where: str) -> float:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(f"{where}.{key}", "must be a number")
            return 0.0
        return float(value)

    def citation(self, data: Mapping[str, Any], where: str) -> Citation:
        source = self.text(data, "source", where)
        source_zh = data.get("source_zh")
        if source_zh is not None and (not isinstance(source_zh, str) or not source_zh.strip()):
            self.fail(f"{where}.source_zh", "must be non-empty text when given")
            source_zh = ""
        try:
            confidence = Confidence(str(data.get("confidence")))
        except ValueError:
            self.fail(f"{where}.confidence", "must be confirmed, secondary or unconfirmed (✅/◐/❓)")
            confidence = Confidence.UNCONFIRMED
        return Citation(source, confidence, source_zh or "")

    def choice(self, data: Mapping[str, Any], key: str, enum: type[StrEnum], where: str) -> Any:
        try:
            return enum(str(data.get(key)))
        except ValueError:
            allowed = ", ".join(e.value for e in enum)
            self.fail(f"{where}.{key}", f"'{data.get(key)}' is not one of: {allowed}")
            return None

    def done(self) -> None:
        """Raise every collected problem: broken shipped rules are a bug, shown in full."""
        if self.problems:
            raise ValidationError(self.problems)
