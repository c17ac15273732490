"""ENISA (2013) rule tables (resources/rules/enisa.json) and the officer's inputs to the
severity formula, both validated here; severity.py does the arithmetic."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from incident_app.domain.assessment.common import Citation, RuleReader, Text
from incident_app.domain.catalog import Catalog, EnisaCategory
from incident_app.domain.errors import FieldProblem, ValidationError
from incident_app.domain.incident import Recipients


class Band(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"


class Integrity(StrEnum):
    """What became of tampered data (ENISA CB, loss of integrity)."""

    RECOVERED = "recovered"
    RECOVERABLE = "recoverable"
    NOT_RECOVERABLE = "not_recoverable"


class Availability(StrEnum):
    """What became of lost data (ENISA CB, loss of availability)."""

    RECOVERABLE = "recoverable"
    TEMPORARY = "temporary"
    PERMANENT = "permanent"


@dataclass(frozen=True)
class CategoryRule:
    base: int
    min_adjustment: int
    max_adjustment: int
    range_text: Text
    citation: Citation


@dataclass(frozen=True)
class EiLevel:
    value: float
    name: Text
    meaning: Text


@dataclass(frozen=True)
class BandRule:
    band: Band
    minimum: float
    meaning: Text


@dataclass(frozen=True)
class EnisaRules:
    """The ENISA tables from resources/rules/enisa.json."""

    method: str
    citation: Citation
    categories: Mapping[EnisaCategory, CategoryRule]
    ei_levels: tuple[EiLevel, ...]
    ei_citation: Citation
    confidentiality: Mapping[Recipients, float]
    integrity: Mapping[Integrity, float]
    availability: Mapping[Availability, float]
    malicious: float
    cb_citation: Citation
    bands: tuple[BandRule, ...]
    bands_citation: Citation
    people_threshold: int
    modifiers_citation: Citation

    def ei_level(self, value: float) -> EiLevel | None:
        return next((lvl for lvl in self.ei_levels if lvl.value == value), None)

    def band_of(self, score: float) -> BandRule:
        return [b for b in self.bands if score >= b.minimum][-1]


@dataclass(frozen=True)
class EnisaInputs:
    """The officer's choices; ``None`` means 'not chosen yet, use the suggestion'."""

    dpc_adjustment: int | None = None
    dpc_rationale: str = ""
    ei: float | None = None
    ei_rationale: str = ""
    integrity: Integrity | None = None
    availability: Availability | None = None
    cb_rationale: str = ""
    saved_by: str = ""
    saved_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "dpc_adjustment": self.dpc_adjustment, "dpc_rationale": self.dpc_rationale,
            "ei": self.ei, "ei_rationale": self.ei_rationale,
            "integrity": self.integrity.value if self.integrity else None,
            "availability": self.availability.value if self.availability else None,
            "cb_rationale": self.cb_rationale,
        }



# -- rule data -------------------------------------------------------------------------------

def parse_enisa_rules(data: Any) -> EnisaRules:
    """Validate resources/rules/enisa.json."""
    r = RuleReader("enisa.json")
    root = r.mapping(data, "(file)")
    rules = EnisaRules(
        method=r.text(root, "method", "(root)"), citation=r.citation(root, "(root)"),
        categories=_categories(r, r.mapping(root.get("categories"), "categories")),
        ei_levels=tuple(_ei_level(r, r.mapping(e, f"ei_levels[{i}]"), i)
                        for i, e in enumerate(r.items(root, "ei_levels", "(root)"))),
        ei_citation=_cite(r, root, "ei"),
        confidentiality=_scores(r, root, "confidentiality", Recipients),
        integrity=_scores(r, root, "integrity", Integrity),
        availability=_scores(r, root, "availability", Availability),
        malicious=r.number(root, "malicious", "(root)"), cb_citation=_cite(r, root, "cb"),
        bands=tuple(_band(r, r.mapping(b, f"bands[{i}]"), i) for i, b in enumerate(r.items(root, "bands", "(root)"))),
        bands_citation=_cite(r, root, "bands"),
        people_threshold=int(r.number(root, "people_modifier_threshold", "(root)")),
        modifiers_citation=_cite(r, root, "modifiers"),
    )
    if [b.minimum for b in rules.bands] != sorted(b.minimum for b in rules.bands) or not rules.bands:
        r.fail("bands", "must be listed from the lowest minimum up")
    r.done()
    return rules


def _cite(r: RuleReader, root: Mapping[str, Any], prefix: str) -> Citation:
    return r.citation({"source": root.get(f"{prefix}_source"), "source_zh": root.get(f"{prefix}_source_zh"),
                       "confidence": root.get(f"{prefix}_confidence")}, prefix)


def _categories(r: RuleReader, data: Mapping[str, Any]) -> dict[EnisaCategory, CategoryRule]:
    result: dict[EnisaCategory, CategoryRule] = {}
    for category in EnisaCategory:
        where = f"categories.{category.value}"
        item = r.mapping(data.get(category.value), where)
        result[category] = CategoryRule(
            int(r.number(item, "base", where)), int(r.number(item, "min_adjustment", where)),
            int(r.number(item, "max_adjustment", where)), r.bilingual(item, "range", where),
            r.citation(item, where))
        if result[category].base != category.base_score:
            r.fail(where, f"base must be {category.base_score} as in ENISA 2013")
    return result


def _ei_level(r: RuleReader, item: Mapping[str, Any], i: int) -> EiLevel:
    where = f"ei_levels[{i}]"
    return EiLevel(r.number(item, "value", where), r.bilingual(item, "name", where),
                   r.bilingual(item, "meaning", where))


def _band(r: RuleReader, item: Mapping[str, Any], i: int) -> BandRule:
    where = f"bands[{i}]"
    return BandRule(r.choice(item, "band", Band, where) or Band.LOW, r.number(item, "min", where),
                    r.bilingual(item, "meaning", where))


def _scores(r: RuleReader, root: Mapping[str, Any], key: str, enum: type[StrEnum]) -> dict[Any, float]:
    table = r.mapping(root.get(key), key)
    missing = [e.value for e in enum if e.value not in table]
    if missing:
        r.fail(key, "missing scores for " + ", ".join(missing))
    return {enum(k): float(v) for k, v in table.items() if k in {e.value for e in enum}}


def check_catalog_hints(catalog: Catalog, rules: EnisaRules) -> None:
    """Every catalog entry's suggested DPC adjustment and EI hint must be legal ENISA values."""
    problems: list[FieldProblem] = []
    for row, item in enumerate(catalog.types, start=1):
        rule = rules.categories[item.enisa_category]
        if not rule.min_adjustment <= item.dpc_adjustment <= rule.max_adjustment:
            problems.append(FieldProblem("dpc_adjustment", f"{item.id}: {item.dpc_adjustment} is outside "
                                         f"{rule.min_adjustment}..{rule.max_adjustment}", row))
        if rules.ei_level(item.ei_hint) is None:
            problems.append(FieldProblem("ei_hint", f"{item.id}: {item.ei_hint} is not an ENISA EI level", row))
    if problems:
        raise ValidationError(problems)


# -- the officer's inputs -------------------------------------------------------------------------

ENISA_INPUT_KEYS = ("dpc_adjustment", "dpc_rationale", "ei", "ei_rationale", "integrity", "availability",
                    "cb_rationale")


def parse_enisa_inputs(data: Mapping[str, Any], rules: EnisaRules, category: EnisaCategory) -> EnisaInputs:
    """Validate the officer's ENISA choices against the rules and the incident's top data category."""
    problems = [FieldProblem(str(k), "unknown key; allowed: " + ", ".join(ENISA_INPUT_KEYS))
                for k in data if k not in ENISA_INPUT_KEYS]
    adjustment = _adjustment(data.get("dpc_adjustment"), rules.categories[category], category, problems)
    ei = _ei(data.get("ei"), rules, problems)
    integrity = _optional_enum(data.get("integrity"), Integrity, "integrity", problems)
    availability = _optional_enum(data.get("availability"), Availability, "availability", problems)
    for key, value in (("dpc_rationale", adjustment), ("ei_rationale", ei)):
        if value is not None and not str(data.get(key) or "").strip():
            problems.append(FieldProblem(key, "explain the choice; the rationale is what makes it defensible"))
    if (integrity or availability) and not str(data.get("cb_rationale") or "").strip():
        problems.append(FieldProblem("cb_rationale", "explain the integrity/availability circumstances"))
    if problems:
        raise ValidationError(problems)
    return EnisaInputs(adjustment, str(data.get("dpc_rationale") or "").strip(), ei,
                       str(data.get("ei_rationale") or "").strip(), integrity, availability,
                       str(data.get("cb_rationale") or "").strip())


def _adjustment(value: Any, rule: CategoryRule, category: EnisaCategory, problems: list[FieldProblem]) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(FieldProblem("dpc_adjustment", f"must be a whole number, got {value!r}"))
        return None
    if not rule.min_adjustment <= value <= rule.max_adjustment:
        problems.append(FieldProblem("dpc_adjustment", f"for {category.value} data ENISA allows "
                                     f"{rule.min_adjustment:+d} to {rule.max_adjustment:+d}, got {value:+d}"))
        return None
    return value


def _ei(value: Any, rules: EnisaRules, problems: list[FieldProblem]) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or rules.ei_level(float(value)) is None:
        allowed = ", ".join(f"{lvl.value:g}" for lvl in rules.ei_levels)
        problems.append(FieldProblem("ei", f"must be one of {allowed}, got {value!r}"))
        return None
    return float(value)


def _optional_enum(value: Any, enum: type[StrEnum], key: str, problems: list[FieldProblem]) -> Any:
    if value in (None, ""):
        return None
    try:
        return enum(value)
    except ValueError:
        problems.append(FieldProblem(key, f"'{value}' is not one of: " + ", ".join(e.value for e in enum)))
        return None
