"""Reply templates and the phone team's FAQ per topic (resources/enquiry_replies.json), filled
from the incident facts, the organisation profile and the enquirer's record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from incident_app.domain.catalog import Catalog
from incident_app.domain.clock import SHANGHAI
from incident_app.domain.enquiries import Topic
from incident_app.domain.incident import Incident
from incident_app.domain.notices.bilingual import localised
from incident_app.domain.profile import OrganisationProfile
from incident_app.domain.wording import format_phone
from incident_app.services.resources import read_json_resource

LANGUAGES = ("zh-CN", "en")


@cache
def _data() -> Mapping[str, Any]:
    data: Mapping[str, Any] = read_json_resource("enquiry_replies.json")
    return data


def template_names() -> tuple[str, ...]:
    """The reply templates (one per topic)."""
    return tuple(_data()["templates"])


@dataclass(frozen=True)
class Facts:
    """What a reply may say about the incident and the enquirer (no other person's data)."""

    incident: Incident
    profile: OrganisationProfile
    catalog: Catalog
    reference: str
    person_types: tuple[str, ...] | None  # None: not checked (or no match possible)
    affected: bool | None
    notice_sent_at: str | None
    # The enquirer is the guardian of the affected (minor) person: the data is the child's.
    guardian: bool = False


def _join(ids: tuple[str, ...], catalog: Catalog, lang: str) -> str:
    names = [catalog.get(i).name(lang) if i in catalog.ids() else i for i in ids]
    return ("、" if lang == "zh-CN" else ", ").join(names) or ("（未记录）" if lang == "zh-CN" else "(not recorded)")


def _values(facts: Facts, lang: str) -> dict[str, str]:
    data, f, p = _data(), facts.incident.facts, facts.profile
    state = ("unknown" if facts.affected is None else ("yes_guardian" if facts.guardian else "yes")
             if facts.affected else "no")
    person_types = _join(facts.person_types or (), facts.catalog, lang)
    affected = data["affected"][state][lang].format(person_types=person_types)
    notice = (data["notice"]["sent"][lang].format(sent_at=facts.notice_sent_at) if facts.notice_sent_at
              else data["notice"]["none"][lang])
    # The phone team's FAQ shows a fact missing in its language as a marker naming the field; the
    # replies name the incident only by a title written in their language (never the other one's).
    return {
        "company": p.company_zh if lang == "zh-CN" else (p.company_en or p.company_zh),
        "incident_title": _fact(facts, "title", lang), "summary": _fact(facts, "summary", lang),
        "about_incident": _about_incident(facts, lang),
        "discovered": f.discovered_at.astimezone(SHANGHAI).date().isoformat(),
        "incident_types": _join(f.data_types, facts.catalog, lang), "person_types": person_types,
        "affected_answer": affected, "notice_answer": notice, "officer_phone": format_phone(p.officer_phone, lang),
        "officer_email": p.officer_email, "reply_days": str(p.reply_working_days),
        "handling_days": str(p.handling_working_days), "reference": facts.reference,
    }


def _fact(facts: Facts, key: str, lang: str) -> str:
    """A bilingual incident fact (title, summary) in ``lang``, marked where it is not written."""
    f = facts.incident.facts
    other = "en" if lang == "zh-CN" else "zh-CN"
    return localised(str(f.text_in(key, lang) or ""), key, lang, other=bool(f.text_in(key, other)),
                     copied=f.is_untranslated(key, lang))


def _about_incident(facts: Facts, lang: str) -> str:
    """The incident as a reply names it: by its title in ``lang``; an English reply whose title has
    no English text yet (or only an untranslated copy) says "the incident" instead of quoting the
    Chinese title."""
    f = facts.incident.facts
    title = str(f.text_in("title", lang) or "").strip()
    if lang == "zh-CN":
        return f"“{title or f.title}”事件"
    return f'the incident "{title}"' if title and not f.is_untranslated("title", lang) else "the incident"


def render_reply(template: str, facts: Facts, lang: str) -> tuple[str, str]:
    """(subject, body) of the reply in ``lang``."""
    data = _data()
    if template not in data["templates"]:
        raise KeyError(template)
    values = _values(facts, lang)
    body = data["templates"][template][lang].format(**values) + "\n\n" + data["closing"][lang].format(**values)
    return data["subject"][lang].format(**values), body


def faq(topic: Topic, facts: Facts, lang: str) -> str:
    """The answer the phone team reads out for ``topic``."""
    return str(_data()["faq"][topic.value][lang].format(**_values(facts, lang)))
