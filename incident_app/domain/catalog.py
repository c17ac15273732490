"""The data-type catalog: every kind of personal information the company's privacy policy says it
collects, plus the PIPL Art. 28 sensitive categories. Parsed and validated here; the data lives in
resources/catalog.json."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from incident_app.domain.errors import FieldProblem, ValidationError


class EnisaCategory(StrEnum):
    """ENISA 2013 data processing context categories with their base DPC score."""

    SIMPLE = "simple"
    BEHAVIOURAL = "behavioural"
    FINANCIAL = "financial"
    SENSITIVE = "sensitive"

    @property
    def base_score(self) -> int:
        return {"simple": 1, "behavioural": 2, "financial": 3, "sensitive": 4}[self.value]


@dataclass(frozen=True)
class DataType:
    """One kind of personal information, as the officer picks it in the intake."""

    id: str
    group: str
    name_zh: str
    name_en: str
    sensitive: bool
    sensitive_basis: str
    enisa_category: EnisaCategory
    harm_zh: str
    harm_en: str
    advice_zh: str
    advice_en: str
    source: str
    # Optional assessment hints (see resources/catalog.json): who treats the type as sensitive, the
    # DPC adjustment ENISA's examples suggest for it, and how directly it identifies a person.
    sensitive_policy: bool = False
    sensitive_pipl: bool = False
    dpc_adjustment: int = 0
    ei_hint: float = 1.0

    @property
    def enisa_base(self) -> int:
        return self.enisa_category.base_score

    def name(self, lang: str) -> str:
        return self.name_zh if lang.startswith("zh") else self.name_en


@dataclass(frozen=True)
class Catalog:
    """All data types by id, in catalog order."""

    types: tuple[DataType, ...]

    def ids(self) -> frozenset[str]:
        return frozenset(t.id for t in self.types)

    def get(self, type_id: str) -> DataType:
        for item in self.types:
            if item.id == type_id:
                return item
        raise KeyError(type_id)

    def pick(self, ids: Iterable[str]) -> tuple[DataType, ...]:
        wanted = set(ids)
        return tuple(t for t in self.types if t.id in wanted)

    def resolve(self, token: str) -> DataType | None:
        """Find a type by id or by its Chinese or English name (people files use either)."""
        needle = token.strip().lower()
        for item in self.types:
            if needle in (item.id.lower(), item.name_zh.lower(), item.name_en.lower()):
                return item
        return None


_FIELDS = ("id", "group", "name_zh", "name_en", "sensitive", "enisa_category",
           "harm_zh", "harm_en", "advice_zh", "advice_en", "source")


def parse_catalog(entries: Iterable[Mapping[str, Any]]) -> Catalog:
    """Validate catalog entries; a broken catalog is a bug in the shipped data, so report all."""
    problems: list[FieldProblem] = []
    types: list[DataType] = []
    seen: set[str] = set()
    for row, entry in enumerate(entries, start=1):
        missing = [f for f in _FIELDS if f not in entry]
        problems += [FieldProblem(f, "missing in catalog entry", row) for f in missing]
        if missing:
            continue
        if entry["id"] in seen:
            problems.append(FieldProblem("id", f"duplicate id {entry['id']}", row))
        seen.add(entry["id"])
        try:
            category = EnisaCategory(entry["enisa_category"])
        except ValueError:
            problems.append(FieldProblem("enisa_category", "unknown category", row))
            continue
        types.append(DataType(
            id=entry["id"], group=entry["group"], name_zh=entry["name_zh"],
            name_en=entry["name_en"], sensitive=bool(entry["sensitive"]),
            sensitive_basis=entry.get("sensitive_basis", ""), enisa_category=category,
            harm_zh=entry["harm_zh"], harm_en=entry["harm_en"], advice_zh=entry["advice_zh"],
            advice_en=entry["advice_en"], source=entry["source"], **_hints(entry, row, problems),
        ))
    if problems:
        raise ValidationError(problems)
    return Catalog(tuple(types))


def _hints(entry: Mapping[str, Any], row: int, problems: list[FieldProblem]) -> dict[str, Any]:
    """The optional assessment fields; the legal DPC range is checked against the ENISA rules."""
    sensitive = bool(entry["sensitive"])
    hints = {
        "sensitive_policy": entry.get("sensitive_policy", sensitive),
        "sensitive_pipl": entry.get("sensitive_pipl", False),
        "dpc_adjustment": entry.get("dpc_adjustment", 0),
        "ei_hint": entry.get("ei_hint", 1.0),
    }
    for key in ("sensitive_policy", "sensitive_pipl"):
        if not isinstance(hints[key], bool):
            problems.append(FieldProblem(key, "must be true or false", row))
    if isinstance(hints["dpc_adjustment"], bool) or not isinstance(hints["dpc_adjustment"], int):
        problems.append(FieldProblem("dpc_adjustment", "must be a whole number", row))
    if isinstance(hints["ei_hint"], bool) or not isinstance(hints["ei_hint"], int | float):
        problems.append(FieldProblem("ei_hint", "must be a number", row))
    if (hints["sensitive_policy"] or hints["sensitive_pipl"]) and not sensitive:
        problems.append(FieldProblem("sensitive", "must be true when the policy or PIPL treats it as sensitive", row))
    hints["ei_hint"] = float(hints["ei_hint"]) if isinstance(hints["ei_hint"], int | float) else 1.0
    return hints
