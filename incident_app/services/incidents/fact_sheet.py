"""The incident's facts in words: labelled rows for the Overview and a plain-language summary for
the intake review, in the officer's language. Pure formatting (no Qt, no storage)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from incident_app.domain.catalog import Catalog
from incident_app.domain.clock import SHANGHAI
from incident_app.domain.i18n import Translator
from incident_app.domain.incident import IntakeFacts

TIME_FORMAT = "%Y-%m-%d %H:%M"


@dataclass(frozen=True)
class FactRow:
    key: str
    label: str
    value: str


def format_time(moment: datetime | None, tr: Translator) -> str:
    """A time as the officer reads it: Beijing time, minutes precision."""
    if moment is None:
        return tr.t("wizard.value.unknown")
    return moment.astimezone(SHANGHAI).strftime(TIME_FORMAT)


def join_list(items: list[str], tr: Translator) -> str:
    return tr.t("wizard.value.separator").join(items) if items else tr.t("wizard.value.none")


def yes_no(value: bool, tr: Translator) -> str:
    return tr.t("wizard.value.yes" if value else "wizard.value.no")


def data_type_names(facts: IntakeFacts, catalog: Catalog, tr: Translator) -> list[str]:
    """Names of the chosen data types, sensitive ones marked."""
    mark = tr.t("wizard.value.sensitive_mark")
    return [t.name(tr.lang) + (mark if t.sensitive else "") for t in catalog.pick(facts.data_types)]


def fact_rows(facts: IntakeFacts, catalog: Catalog, tr: Translator) -> list[FactRow]:
    """Every intake fact as a labelled, translated row."""
    values = {
        "title": facts.title,
        "summary": facts.summary or tr.t("wizard.value.none"),
        "occurred_at": format_time(facts.occurred_at, tr),
        "occurred_until": format_time(facts.occurred_until, tr),
        "discovered_at": format_time(facts.discovered_at, tr),
        "aware_at": format_time(facts.effective_aware_at, tr),
        "discovered_by": facts.discovered_by or tr.t("wizard.value.unknown"),
        "location": facts.location or tr.t("wizard.value.unknown"),
        "systems": join_list(list(facts.systems), tr),
        "breach_types": join_list([tr.t(f"wizard.breach.{b.value}") for b in facts.breach_types], tr),
        "likelihood": tr.t(f"wizard.likelihood.{facts.likelihood.value}"),
        "cause": tr.t(f"wizard.cause.{facts.cause.value}"),
        "malicious": yes_no(facts.malicious, tr),
        "recipients": tr.t(f"wizard.recipients.{facts.recipients.value}"),
        "data_types": join_list(data_type_names(facts, catalog, tr), tr),
        "affected_people": f"{facts.affected_people:,}",
        "affected_records": f"{facts.affected_records:,}",
        "affected_minors": f"{facts.affected_minors:,}",
        "affected_minors_under_14": f"{facts.affected_minors_under_14:,}",
        "affected_minors_14_17": f"{facts.affected_minors_14_17:,}",
        "eu_subjects": f"{facts.eu_subjects:,}",
        "unintelligible": yes_no(facts.unintelligible, tr),
        "police_notified": yes_no(facts.police_notified, tr),
        "drill": yes_no(facts.drill, tr),
    }
    for key in ("summary", "discovered_by", "location", "systems"):
        values[key] += _english_line(facts, key, tr)
    return [FactRow(key, tr.t(f"wizard.field.{key}"), value) for key, value in values.items()]


def _english_line(facts: IntakeFacts, key: str, tr: Translator) -> str:
    """The fact's English value on a line of its own, beside the Chinese one (English notices
    print it): missing or untranslated said so."""
    english, chinese = facts.text_in(key, "en"), facts.text_in(key, "zh-CN")
    if not english and not chinese:
        return ""
    text = join_list(list(english), tr) if isinstance(english, tuple) else str(english)
    if not text:
        return "\n" + tr.t("wizard.bilingual.english_missing")
    mark = " " + tr.t("wizard.bilingual.untranslated_mark") if facts.is_untranslated(key, "en") else ""
    return "\n" + tr.t("wizard.bilingual.english_line", text=text) + mark


def plain_summary(facts: IntakeFacts, catalog: Catalog, tr: Translator, containment_count: int = 0) -> list[str]:
    """Short sentences a stressed officer can check at a glance before saving."""
    t = tr.t
    lines = [t("wizard.summary.discovered", when=format_time(facts.discovered_at, tr), title=facts.title,
               likelihood=t(f"wizard.likelihood.{facts.likelihood.value}"),
               kinds=join_list([t(f"wizard.breach.{b.value}") for b in facts.breach_types], tr))]
    if facts.occurred_at:
        lines.append(t("wizard.summary.occurred", start=format_time(facts.occurred_at, tr),
                       end=format_time(facts.occurred_until, tr) if facts.occurred_until else "—"))
    lines.append(t("wizard.summary.aware", when=format_time(facts.effective_aware_at, tr)))
    lines.append(t("wizard.summary.cause", cause=t(f"wizard.cause.{facts.cause.value}"),
                   malicious=yes_no(facts.malicious, tr),
                   recipients=t(f"wizard.recipients.{facts.recipients.value}")))
    lines.append(_data_sentence(facts, catalog, tr))
    lines.append(t("wizard.summary.people", people=f"{facts.affected_people:,}",
                   records=f"{facts.affected_records:,}", minors=f"{facts.affected_minors:,}",
                   eu=f"{facts.eu_subjects:,}"))
    lines += _flag_sentences(facts, tr, containment_count)
    return lines


def _data_sentence(facts: IntakeFacts, catalog: Catalog, tr: Translator) -> str:
    chosen = catalog.pick(facts.data_types)
    if not chosen:
        return tr.t("wizard.summary.no_data_types")
    sensitive = [t.name(tr.lang) for t in chosen if t.sensitive]
    return tr.t("wizard.summary.data_types", types=join_list([t.name(tr.lang) for t in chosen], tr),
                sensitive=join_list(sensitive, tr))


def _flag_sentences(facts: IntakeFacts, tr: Translator, containment_count: int) -> list[str]:
    lines = []
    if facts.unintelligible:
        lines.append(tr.t("wizard.summary.unintelligible"))
    lines.append(tr.t("wizard.summary.containment", count=containment_count))
    if facts.drill:
        lines.append(tr.t("wizard.summary.drill"))
    return lines
