"""From one fact snapshot to the variables a notice template sees (documented in templates/README.md).

Everything is formatted here (dates, counts, wording of coded facts) so templates stay simple and
rendering stays fast; the parts that depend only on the language are built once and reused."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from incident_app.domain.assessment.grading import exact_number
from incident_app.domain.clock import parse_time
from incident_app.domain.decisions import rationale_text
from incident_app.domain.incident import FACT_LANGS, UNTRANSLATED
from incident_app.domain.notices import (
    ACTION_STATUS,
    BREACH_TYPES,
    CAUSES,
    ELEMENT_IDS,
    FINDING,
    GRADE_PENDING,
    GRADE_PRELIMINARY,
    GRADES,
    INCIDENT_NOUNS,
    LIKELIHOOD,
    OPERATOR_TYPES,
    RECIPIENTS,
    RECIPIENTS_UNKNOWN,
    REPORT_ADDRESSEES,
    Channel,
    FactChange,
    FactSnapshot,
    NoticeKind,
    change_label,
    guardian_advice,
    guardian_harms,
    pick,
    teen_advice,
)
from incident_app.domain.notices.bilingual import fact_in, fact_list, fact_text, localised, side_text
from incident_app.domain.notices.kinds import (
    AUDIENCE_ELEMENTS,
    AUDIENCE_KINDS,
    BRIEF_CHANGES_ELEMENT,
    DELAY_ELEMENT,
    RANSOM_ELEMENT,
)
from incident_app.domain.wording import BEIJING_TIME, format_date, format_phone, format_time, zh_count
from incident_app.services.notices.brief import brief_context, grade_name
from incident_app.services.resources import read_json_resource

# The personal fields a template may print; the fast personaliser substitutes exactly these.
RECIPIENT_FIELDS = ("display_name", "salutation", "reference", "child_name", "address")
# Elements whose generated list the officer's own text replaces (context key per element).
LIST_ELEMENTS = {"possible_harm": "harms", "self_protection": "advice", "remedies": "remedies",
                 "measures_taken": "measures_taken"}


@dataclass(frozen=True)
class ReportInfo:
    """What a regulator report needs beyond the facts: the notices planned and, for the
    supplementary and summary reports, when the initial report was filed — the time recorded with
    its fulfilment (never the approval time: approving a text is not filing it)."""

    planned: tuple[NoticeKind, ...] = ()
    initial_filed_at: datetime | None = None
    changes: tuple[FactChange, ...] = ()
    # When the notices are prepared: a GDPR Art. 33 notification made more than 72 h after
    # awareness must give the reasons for the delay. None: the snapshot's as_of.
    prepared_at: datetime | None = None
    # The internal brief: the assessment's part (services/notices/brief.py) and what changed since
    # the last brief was sent (empty: no brief sent yet, or nothing changed).
    brief: Mapping[str, Any] | None = None
    brief_changes: tuple[FactChange, ...] = ()
    # The report to the communications administration: the MIIT grade per language.
    sector: Mapping[str, Any] | None = None


GDPR_HOURS = 72
# Decision kind whose rationale carries the reasons for a late GDPR notification (CLI: decide).
DELAY_DECISION = "notification_delay"
EXEMPTION_DECISION = "exempt_individual_notice"
REGULATOR_KINDS = (NoticeKind.REGULATOR_INITIAL, NoticeKind.REGULATOR_SUPPLEMENT)
# Causes that are crimes in themselves (as the notice plan: services/notices/plan.py).
CRIME_CAUSES = ("attack", "malware", "insider")
# Documents for authorities speak about the affected people, never to them ("You may…").
THIRD_PERSON_KINDS = (*REGULATOR_KINDS, NoticeKind.REGULATOR_SUMMARY, NoticeKind.EU_AUTHORITY,
                      NoticeKind.POLICE_REPORT, NoticeKind.PARTNER, NoticeKind.SECTOR_REGULATOR)


def format_amount(value: float) -> str:
    """An amount exactly as recorded: 4,999,999.99 stays 4,999,999.99 (never rounded up to a
    grading threshold); whole amounts have no decimals."""
    return exact_number(value)


@cache
def _province_names() -> dict[str, str]:
    return {p["zh"]: p["en"] for p in read_json_resource("provinces.json")}


def _join(items: Sequence[str], lang: str) -> str:
    return ", ".join(items) if lang == "en" else "、".join(items)


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.splitlines() if p.strip()]


class NoticeContextBuilder:
    """Builds template contexts for every (kind, language, data-type group) from one snapshot."""

    def __init__(self, snapshot: FactSnapshot, report: ReportInfo | None = None) -> None:
        self.snapshot = snapshot
        self.data = snapshot.data
        self.report = report or ReportInfo()
        self._base: dict[tuple[str, str], dict[str, Any]] = {}

    def context(self, kind: NoticeKind, channel: Channel, lang: str, recipient: Mapping[str, Any] | None = None,
                data_type_ids: Sequence[str] | None = None) -> dict[str, Any]:
        """The variables for one template render. ``data_type_ids`` narrows a personal notice to
        the person's own data types (default: all types of the incident)."""
        audience = kind.value if kind in AUDIENCE_KINDS else ""
        ctx = dict(self._lang_base(lang, audience))
        ctx.update(self._data_type_parts(lang, data_type_ids, audience))
        ctx["notice"] = {**ctx["notice"], "kind": kind.value, "channel": channel.value}
        if kind == NoticeKind.GUARDIAN:  # about the child, to the guardian: never the adult's own texts
            ctx["harms"], ctx["advice"] = ctx["guardian_harms"], ctx["guardian_advice"]
        elif kind in THIRD_PERSON_KINDS and not ctx["texts"]["possible_harm"]:
            ctx["harms"] = [third_person(h, lang) for h in ctx["harms"]]
        ctx["recipient"] = dict(recipient or {})
        if kind == NoticeKind.INTERNAL_BRIEF:
            ctx["brief"] = brief_context(self.report.brief, self.report.brief_changes, lang, format_time, change_label)
        if kind == NoticeKind.SECTOR_REGULATOR:
            ctx["sector"] = self._sector(lang)
        return ctx

    def _sector(self, lang: str) -> dict[str, Any]:
        """The ``sector`` variable: the communications administration and the MIIT grade."""
        grade = (self.report.sector or {}).get(lang) or {}
        # English: the English name (a marker naming telecom_authority_en while only the Chinese is set).
        authority = _profile_pair(self.data["profile"], "telecom_authority", "telecom_authority_en", lang)
        return {"authority": authority or ("the communications administration" if lang == "en" else "通信管理局"),
                "available": bool(grade), "level": grade_name(grade.get("level"), lang) if grade else "",
                "why": grade.get("why", ""),
                "confidence_mark": grade.get("confidence_mark", ""), "unconfirmed": bool(grade.get("unconfirmed")),
                "notes": list(grade.get("notes", [])), "report_time": grade.get("report_time", ""),
                "plan": grade.get("plan", ""), "source": grade.get("source", "")}

    # -- parts that depend only on the language ------------------------------------------------
    def _lang_base(self, lang: str, audience: str = "") -> dict[str, Any]:
        if (lang, audience) not in self._base:
            self._base[lang, audience] = self._build_base(lang, audience)
        return self._base[lang, audience]

    def element_texts(self, lang: str, audience: str = "") -> dict[str, str]:
        """The officer's texts a notice in ``lang`` for ``audience`` ('' = authorities) uses: an
        audience notice takes its own text for the audience elements (never the shared one, which
        keeps the technical detail for regulators), the shared one for the rest."""
        shared = {k: v.get(lang, "") for k, v in self.data.get("texts", {}).items()}
        if not audience:
            return shared
        own = self.data.get("audience_texts", {}).get(audience, {})
        texts = {k: v for k, v in shared.items() if k not in AUDIENCE_ELEMENTS}
        # Written in one language only: the other language's notice shows the gap (and cannot be
        # approved) rather than its generated wording, which would say something else.
        other = "zh-CN" if lang == "en" else "en"
        texts.update({k: localised(v.get(lang, ""), f"{audience}.{k}", lang, other=bool(v.get(other)))
                      for k, v in own.items() if k in AUDIENCE_ELEMENTS})
        return texts

    def _build_base(self, lang: str, audience: str = "") -> dict[str, Any]:
        texts = self.element_texts(lang, audience)
        ctx: dict[str, Any] = {
            "notice": self._notice(lang), "company": self._company(lang), "contact": self._contact(lang),
            "incident": self._incident(lang, plain=bool(audience)), "counts": count_phrases(self.data, lang),
            "texts": _TextDefaults(texts),
            "measures_taken": self._actions(lang, ("done", "in_progress")),
            "measures_planned": self._actions(lang, ("planned",)),
            "remedies": self._notes("remedies", lang), "changes": self._changes(lang, plain=bool(audience)),
            "enquiries": enquiry_lines(self.data.get("enquiries"), lang),
        }
        ctx["report"] = self._report(lang, ctx)
        for element in ("measures_taken", "remedies"):
            if texts.get(element):
                ctx[LIST_ELEMENTS[element]] = _paragraphs(texts[element])
        return ctx

    def _notice(self, lang: str) -> dict[str, Any]:
        drill = bool(self.data["facts"].get("drill"))
        banner = ("【演练 DRILL】本通知仅用于应急演练，并非真实事件，请勿据此采取任何行动。" if lang != "en" else
                  "[DRILL] This notice is for an incident-response drill only. It is not a real incident; "
                  "do not act on it.")
        # A drill e-mail's subject is marked too: its reader sees the subject before the banner.
        mark = ("[DRILL]" if lang == "en" else "【演练 DRILL】") if drill else ""
        return {"lang": lang, "drill": drill, "drill_banner": banner if drill else "", "drill_mark": mark,
                "as_of": format_date(self.data["as_of"], lang), "reference": f"BD-{self.data['incident_id']}"}

    def _company(self, lang: str) -> dict[str, Any]:
        profile = self.data["profile"]
        # An English notice without company_en names the missing field instead of the Chinese name.
        return {"name": _profile_text(profile, "company", lang),
                "website": profile.get("website", ""),
                "operator_type": pick(OPERATOR_TYPES.get(profile.get("operator_type", "ordinary"),
                                                         OPERATOR_TYPES["ordinary"]), lang),
                "province": profile.get("province", ""),
                "province_en": _province_names().get(profile.get("province", ""), profile.get("province", ""))}

    def _contact(self, lang: str) -> dict[str, Any]:
        p = self.data["profile"]
        address = _profile_text(p, "postal_address", lang)
        title = _profile_text(p, "officer_title", lang)
        return {"title": title, "name": _profile_pair(p, "contact_name", "contact_name_en", lang),
                "phone": format_phone(p["officer_phone"], lang), "email": p["officer_email"], "address": address,
                "postcode": p.get("postcode", ""), "reply_days": p.get("reply_working_days", 3),
                "handling_days": p.get("handling_working_days", 15)}

    def _incident(self, lang: str, *, plain: bool = False) -> dict[str, Any]:
        """The incident's facts in ``lang``. ``plain``: for people and partners, who are not told
        the internal narrative, system names, place or finder (the regulator report keeps them)."""
        f = self.data["facts"]
        breach = [pick(BREACH_TYPES[b], lang) for b in f.get("breach_types", []) if b in BREACH_TYPES]
        grade = self.data.get("grade")
        suspected = f.get("likelihood") == "suspected"
        # Before facts were bilingual, an English account of what happened went in as the English
        # situation text: it still stands in for a missing English summary.
        en_situation = self.data.get("texts", {}).get("situation", {}).get("en", "") if lang == "en" else ""
        summary = fact_text(f, "summary", lang)
        if en_situation and not fact_in(f, "summary", "en")[0]:
            summary = en_situation
        systems = [] if plain else fact_list(f, "systems", lang)
        return {
            "id": self.data["incident_id"], "title": fact_text(f, "title", lang),
            "summary": "" if plain else summary,
            "occurred_at": format_time(f.get("occurred_at"), lang),
            # Printed only after "至": the start time already says 北京时间.
            "occurred_until": format_time(f.get("occurred_until"), lang).removeprefix(BEIJING_TIME),
            "discovered_at": format_time(f.get("discovered_at"), lang),
            "discovered_date": format_date(f.get("discovered_at"), lang),
            "aware_at": format_time(f.get("aware_at"), lang),
            "discovered_by": "" if plain else fact_text(f, "discovered_by", lang),
            "location": "" if plain else fact_text(f, "location", lang), "systems": systems,
            "systems_text": _join(systems, lang), "breach_types": breach,
            "breach_text": _either(breach) if lang == "en" else "、".join(breach),
            "breach_noun": _breach_noun(f.get("breach_types", []), lang),
            "actual": f.get("likelihood") != "suspected",
            "likelihood_text": _label(LIKELIHOOD, f.get("likelihood"), "actual", lang),
            "finding": _label(FINDING, f.get("likelihood"), "actual", lang),
            "cause": f.get("cause", "other"), "cause_text": _label(CAUSES, f.get("cause"), "other", lang),
            "malicious": bool(f.get("malicious")),
            "crime_suspected": bool(f.get("malicious")) or f.get("cause") in CRIME_CAUSES,
            "recipients_text": recipients_text(f.get("recipients"), f.get("breach_types", []), lang),
            "harm_condition": _harm_condition(f.get("breach_types", []), lang),
            "affected_people": f"{f.get('affected_people', 0):,}",
            "affected_records": f"{f.get('affected_records', 0):,}",
            "affected_minors": f"{f.get('affected_minors', 0):,}", "has_minors": f.get("affected_minors", 0) > 0,
            "eu_subjects": f"{f.get('eu_subjects', 0):,}", "has_eu_subjects": f.get("eu_subjects", 0) > 0,
            "unintelligible": bool(f.get("unintelligible")), "police_notified": bool(f.get("police_notified")),
            "economic_loss": format_amount(f.get("economic_loss_cny", 0)),
            "ransom": _ransom(f.get("ransom"), lang), "has_ransom": f.get("ransom") is not None,
            # A suspected incident's grade is a preliminary call, never stated as settled.
            "grade": (pick(GRADES[grade], lang) + (pick(GRADE_PRELIMINARY, lang) if suspected else "")
                      if grade in GRADES else pick(GRADE_PENDING, lang)),
            "grade_known": grade in GRADES,
            "handling_closed_at": format_time(self.data.get("handling_closed_at"), lang),
        }

    def _actions(self, lang: str, statuses: tuple[str, ...]) -> list[str]:
        out = []
        for action in self.data.get("actions", []):
            if action["status"] not in statuses:
                continue
            text = side_text(action, "description", "description_en", lang, f"actions.{action.get('id', '')}")
            out.append(f"{text}{_action_state(action, lang)}")
        return out

    def _notes(self, key: str, lang: str) -> list[str]:
        """Advice or remedies in ``lang``, each named by its place in the list when untranslated."""
        return [side_text(n, "zh", "en", lang, f"{key}.{number}")
                for number, n in enumerate(self.data.get(key, []), start=1)]

    def _changes(self, lang: str, *, plain: bool = False) -> list[dict[str, str]]:
        """The "what has changed" lines. ``plain`` (people, the public, partners): not the facts
        they are never told (the internal narrative, systems, place, finder)."""
        hidden = tuple(f"facts.{key}" for key in _NOT_TOLD) if plain else ()
        return [{"label": change_label(c.path, lang), "before": _value_text(c.before, lang, c.path),
                 "after": _value_text(c.after, lang, c.path)} for c in self.report.changes
                if not (hidden and c.path.startswith(hidden))]

    def _report(self, lang: str, ctx: Mapping[str, Any]) -> dict[str, Any]:
        planned = set(self.report.planned)
        exemptions = [d for d in self.data.get("decisions", []) if d["kind"] == EXEMPTION_DECISION]
        filed = self.report.initial_filed_at
        operator = self.data["profile"].get("operator_type", "ordinary")
        to = pick(REPORT_ADDRESSEES.get(operator, REPORT_ADDRESSEES["ordinary"]), lang)
        return {
            "to": to.format(province=ctx["company"]["province"], province_en=ctx["company"]["province_en"]),
            "operator": operator, "police_too": operator == "critical_infrastructure",
            "reported_at": format_time(self.data["as_of"], lang),
            # Not the number of hours: that would change the notice (and undo its approval) hourly.
            "delay_reasons": self._delay_reasons(lang, ctx), "notified_late": self.notified_late(),
            "notify_individuals": NoticeKind.INDIVIDUAL in planned, "notify_guardians": NoticeKind.GUARDIAN in planned,
            "public_announcement": NoticeKind.PUBLIC_ANNOUNCEMENT in planned,
            # The template ends the sentence itself: no 「。。」.
            "exemption_rationale": _rationale(exemptions[-1], lang).rstrip("。.．！!；; ") if exemptions else "",
            "notify_minors": NoticeKind.MINOR in planned,
            "previous_date": format_time(filed.isoformat(), lang) if filed else "",
            "filing_recorded": filed is not None,
            "pending": self._pending(ctx),
        }

    def _pending(self, ctx: Mapping[str, Any]) -> list[str]:
        """CAC items not yet known: the report gives items 1–2 now and these "to follow"."""
        texts = ctx["texts"]
        pending = [e for e in ("trend", "tracing_leads") if not texts[e]]
        if self.data["facts"].get("cause", "other") == "other" and not texts["cause_analysis"]:
            pending.insert(1, "cause_analysis")
        if not ctx["measures_planned"] and not texts["planned_measures"]:
            pending.append("planned_measures")
        if not texts["scene_protection"]:
            pending.append("scene_protection")
        ransom = ctx["incident"]["ransom"]
        if ransom and ransom["pending"]:
            pending.append(RANSOM_ELEMENT)
        return pending

    # -- conditional elements --------------------------------------------------------------------
    def _aware_at(self) -> datetime:
        facts = self.data["facts"]
        return parse_time(facts.get("aware_at") or facts["discovered_at"])

    def notified_late(self) -> bool:
        """GDPR Art. 33(1): a notification made now would come more than 72 h after awareness."""
        moment = self.report.prepared_at or parse_time(self.data["as_of"])
        return moment - self._aware_at() > timedelta(hours=GDPR_HOURS)

    def _delay_reasons(self, lang: str, ctx: Mapping[str, Any]) -> str:
        """The officer's reasons for a late notification: the element text, else the latest
        ``notification_delay`` decision's rationale."""
        text = str(ctx["texts"][DELAY_ELEMENT])
        if text:
            return text
        found = [d for d in self.data.get("decisions", []) if d["kind"] == DELAY_DECISION]
        return _rationale(found[-1], lang) if found else ""

    def extra_elements(self, kind: NoticeKind) -> tuple[str, ...]:
        """The conditional elements this incident calls for in a notice of ``kind``."""
        extra = []
        if kind in REGULATOR_KINDS and self.data["facts"].get("ransom") is not None:
            extra.append(RANSOM_ELEMENT)
        if kind == NoticeKind.EU_AUTHORITY and self.notified_late():
            extra.append(DELAY_ELEMENT)
        if kind == NoticeKind.INTERNAL_BRIEF and self.report.brief_changes:
            extra.append(BRIEF_CHANGES_ELEMENT)
        return tuple(extra)

    # -- parts that depend on the data types ---------------------------------------------------
    def _data_type_parts(self, lang: str, ids: Sequence[str] | None, audience: str = "") -> dict[str, Any]:
        types = self.data.get("data_types", [])
        if ids:
            wanted = set(ids)
            types = [t for t in types if t["id"] in wanted] or types
        side = "en" if lang == "en" else "zh"
        names = [t[f"name_{side}"] for t in types]
        groups = [str(t.get("group", "")) for t in types]
        texts = self._lang_base(lang, audience)["texts"]
        harms = _paragraphs(texts["possible_harm"]) or _unique(t[f"harm_{side}"] for t in types)
        # The officer's advice often starts as the catalog's suggestion: list each sentence once.
        advice = _paragraphs(texts["self_protection"]) or _unique(
            [*(t[f"advice_{side}"] for t in types), *self._notes("advice", lang)])
        return {
            "data_types": [{"id": t["id"], "name": t[f"name_{side}"], "short_name": _short(t[f"name_{side}"]),
                            "sensitive": t["sensitive"]} for t in types],
            "data_types_text": _join([_mid_sentence(n, lang) for n in names], lang),
            "data_types_short": _join([_mid_sentence(_short(n), lang) for n in names], lang),
            "has_sensitive": any(t["sensitive"] for t in types), "harms": harms, "advice": advice,
            # Notices about minors speak about the child (guardian) or to the teenager, never in
            # the adult's words of the catalog (domain/notices/minor_texts.py).
            "guardian_harms": guardian_harms(groups, lang), "guardian_advice": guardian_advice(groups, lang),
            "teen_advice": teen_advice(groups, lang),
        }


_ENQUIRY_TOPICS = {
    "affected": ("询问是否受影响", "asking whether they were affected"),
    "what_leaked": ("询问泄露内容", "asking what leaked"),
    "protect": ("询问防范建议", "asking how to protect themselves"),
    "complaint": ("投诉", "complaints"), "compensation": ("赔偿请求", "compensation requests"),
    "deletion": ("删除请求", "deletion requests"), "correction": ("更正请求", "correction requests"),
    "other": ("其他", "other"),
}
_REQUEST_STATUSES = {"pending": ("待处理", "pending"), "done": ("已办理", "done"), "refused": ("已拒绝", "refused"),
                     "withdrawn": ("已撤回", "withdrawn")}


def enquiry_lines(data: Mapping[str, Any] | None, lang: str) -> dict[str, Any] | None:
    """The summary report's paragraph on enquiries and the complaints/requests by status (counts)."""
    if not data or not data.get("total"):
        return None
    en = lang == "en"
    topics = [f"{_ENQUIRY_TOPICS.get(t, (t, t))[1 if en else 0]} {n:,}" for t, n in sorted(data["by_topic"].items())]
    requests = []
    for topic, statuses in sorted(data.get("requests", {}).items()):
        parts = [f"{_REQUEST_STATUSES.get(s, (s, s))[1 if en else 0]} {n:,}" for s, n in sorted(statuses.items())]
        name = _ENQUIRY_TOPICS.get(topic, (topic, topic))[1 if en else 0]
        requests.append(f"{name}: {', '.join(parts)}" if en else f"{name}：{'，'.join(parts)}")
    total = int(data["total"])
    return {"total": f"{total:,}", "topics": ("; " if en else "；").join(topics), "requests": requests}


def count_phrases(data: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """The counts every notice prints, from the snapshot's one count source (the imported list
    once there is one, else the intake's estimates): exact numbers without "about", estimates
    with it, and an unknown number said to be unknown — never "0"."""
    people = data.get("people") or _intake_people(data["facts"])
    exact, total, records = bool(people.get("imported")), int(people["total"]), int(people.get("records", 0))
    minors, children, teens = int(people["minors"]), int(people["children"]), int(people["teens"])
    en = lang == "en"
    if not total:
        people_text = "the number of people is still being verified" if en else "人数尚在核实中"
    elif en:
        people_text = f"{'' if exact else 'about '}{total:,} {'person' if total == 1 else 'people'}"
    else:
        people_text = f"{'' if exact else '约'}{zh_count(total, approximate=not exact)}人"
    if records:
        records_text = f"about {records:,} records" if en else f"个人信息记录约{zh_count(records, approximate=True)}条"
    else:
        records_text = "the number of records is still being verified" if en else "记录数尚在核实中"
    return {"exact": exact, "people_known": bool(total), "people_text": people_text, "records_known": bool(records),
            "records_text": records_text, "has_minors": minors > 0, "minors": f"{minors:,}",
            "children": f"{children:,}", "teens": f"{teens:,}",
            "minors_text": _minors_text(minors, children, teens, en) if minors else ""}


def recipients_text(code: Any, breach_types: Sequence[str], lang: str) -> str:
    """Who has the information. Not knowing "who obtained it" fits a leak only: for tampering the
    open question is who altered it, for a loss whether anyone has it at all."""
    if (code not in (None, "unknown") and str(code) in RECIPIENTS) or "leak" in breach_types or not breach_types:
        return _label(RECIPIENTS, code, "unknown", lang)
    key = "+".join(b for b in ("tamper", "loss") if b in breach_types)
    return pick(RECIPIENTS_UNKNOWN.get(key, RECIPIENTS["unknown"]), lang)


def _harm_condition(breach_types: Sequence[str], lang: str) -> str:
    """For tampering or loss the catalog's harms (written for a disclosure) are possible
    consequences, not what happened: this sentence introduces them as such."""
    if "leak" in breach_types or not breach_types:
        return ""
    return ("如上述信息已被他人获取或利用，可能造成以下后果：" if lang != "en" else
            "If the information has reached others or is used by them, it could lead to the following:")


# "you" followed by one of these is the subject of a verb ("where you live" → "where they live").
_SUBJECT_VERBS = frozenset({"live", "work", "were", "are", "can", "could", "may", "shared", "know", "like",
                            "have", "use", "used", "will", "would", "do", "did", "visit", "go"})


def third_person(text: str, lang: str) -> str:
    """A catalog harm addressed to the person ("You may receive…", 「…登录您的账号」) as a document
    for an authority says it: about the affected people ("Affected people may receive…",
    「…登录其账号」)."""
    if lang != "en":
        return text.replace("识别您", "识别其身份").replace("您的", "其").replace("您", "其")

    def you(match: re.Match[str]) -> str:
        word, following = match.group(1), match.group(2) or ""
        lower = word.lower()
        if lower == "your":
            out = "their"
        elif match.start() == 0 or text[:match.start()].rstrip().endswith((".", ";")):
            out = "affected people"
        else:
            out = "they" if following.lower() in _SUBJECT_VERBS else "them"
        return out[:1].upper() + out[1:] if word[:1].isupper() else out

    return re.sub(r"\b(you|your|You|Your)\b(?=(?:\W+(\w+))?)", you, text)


def _minors_text(minors: int, children: int, teens: int, en: bool) -> str:
    """'其中未成年人39人（不满十四周岁12人，十四至十七周岁27人）', with the part not yet split by age said so."""
    rest = minors - children - teens
    if not children + teens:
        return (f"including {minors:,} minors under 18 (age bands still being verified)" if en
                else f"其中未成年人（未满十八周岁）{minors:,}人（年龄段尚在核实中）")
    if en:
        parts = [f"{children:,} children under 14", f"{teens:,} aged 14-17"]
        if rest > 0:
            parts.append(f"{rest:,} whose age band is still being verified")
        return f"including {minors:,} minors under 18 ({'; '.join(parts)})"
    parts = [f"不满十四周岁{children:,}人", f"十四至十七周岁{teens:,}人"]
    if rest > 0:
        parts.append(f"{rest:,}人年龄段尚在核实中")
    return f"其中未成年人（未满十八周岁）{minors:,}人（{'，'.join(parts)}）"


def _intake_people(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Counts of a snapshot made before the people block existed: the intake's estimates."""
    return {"imported": False, "total": facts.get("affected_people", 0), "minors": facts.get("affected_minors", 0),
            "children": facts.get("affected_minors_under_14", 0), "teens": facts.get("affected_minors_14_17", 0),
            "records": facts.get("affected_records", 0)}


class _TextDefaults(dict[str, str]):
    """The officer's own text per element; a known element without one reads as an empty string,
    an unknown name stays an error (so a typo in a template is reported, not printed as blank)."""

    def __missing__(self, key: str) -> str:
        if key in ELEMENT_IDS:
            return ""
        raise KeyError(key)


def _either(words: Sequence[str]) -> str:
    """'leaked', 'tampered with or lost', 'leaked, tampered with or lost'."""
    return " or ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)


def _breach_noun(codes: Sequence[str], lang: str) -> str:
    """What the incident is called: 泄露 / 篡改 / 丢失 by breach type (never "leak" for tampering)."""
    nouns = [pick(INCIDENT_NOUNS[c], lang) for c in codes if c in INCIDENT_NOUNS]
    nouns = nouns or [pick(INCIDENT_NOUNS["leak"], lang)]
    return _either(nouns) if lang == "en" else "、".join(nouns)


def _ransom(value: Mapping[str, Any] | None, lang: str) -> dict[str, Any] | None:
    """CAC Art. 7 (二) for ransomware: amount, way and date of the ransom demanded; a part not yet
    known is empty and the whole is ``pending`` (the report marks it 待补报)."""
    if value is None:
        return None
    amount = value.get("amount_cny")
    date = str(value.get("date") or "")
    when = format_date(date if "T" in date else f"{date}T00:00:00+08:00", lang) if date else ""
    # The way of payment in the report's language: a marker naming the other field while only
    # one language has it (比特币 never reaches the English report).
    out = {"amount": format_amount(amount) if amount is not None else "",
           "method": _profile_pair(value, "method", "method_en", lang, field="ransom"), "date": when}
    return {**out, "pending": not all(out.values())}


def _short(name: str) -> str:
    """'设备标识符（IMEI/OAID…）' → '设备标识符': short forms (SMS) drop the parenthesis."""
    for mark in ("（", " ("):
        if mark in name:
            return name.split(mark, 1)[0].strip()
    return name


def _rationale(decision: Mapping[str, Any], lang: str) -> str:
    """A snapshot decision's rationale in ``lang``; a marker naming the decision when the officer
    wrote it only in the other language (so an English notice never prints the Chinese reasons)."""
    text, other = rationale_text(decision.get("rationale"), lang)
    return localised(text, f"decisions.{decision['kind']}", lang, other=other)


def _profile_text(profile: Mapping[str, Any], base: str, lang: str) -> str:
    """A bilingual profile field (``<base>_zh``/``<base>_en``) in ``lang``; an English notice
    shows a marker naming the empty English field instead of the Chinese text."""
    zh, en = str(profile.get(f"{base}_zh") or ""), str(profile.get(f"{base}_en") or "")
    return localised(en, f"profile.{base}_en", lang, other=bool(zh)) if lang == "en" else zh


def _profile_pair(record: Mapping[str, Any], zh_key: str, en_key: str, lang: str, field: str = "profile") -> str:
    """An optional text kept as a Chinese field and its ``_en`` one (the profile's contact person
    and communications administration, the ransom's way of payment) in ``lang``: empty while both
    are, else a marker naming the field (``field.key``) of ``lang`` that is empty while the other
    is set (never the other language's text)."""
    zh, en = str(record.get(zh_key) or "").strip(), str(record.get(en_key) or "").strip()
    if lang == "en":
        return localised(en, f"{field}.{en_key}", lang, other=bool(zh))
    return localised(zh, f"{field}.{zh_key}", lang, other=bool(en))


def _label(table: Mapping[str, tuple[str, str]], code: Any, default: str, lang: str) -> str:
    return pick(table.get(str(code), table[default]), lang)


def _mid_sentence(name: str, lang: str) -> str:
    """English names start with a capital in lists; inside a sentence 'Mobile phone' → 'mobile phone'
    (acronyms such as 'IP address' keep theirs)."""
    if lang == "en" and len(name) > 1 and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def _unique(items: Any) -> list[str]:
    return [i for i in dict.fromkeys(items) if i]


# Coded facts whose changes a supplementary report lists: the words, never the stored code.
_CODED_FACTS: dict[str, Mapping[str, tuple[str, str]]] = {
    "facts.cause": CAUSES, "facts.likelihood": LIKELIHOOD, "facts.breach_types": BREACH_TYPES,
    "facts.recipients": RECIPIENTS, "grade": GRADES,
}


def _action_state(action: Mapping[str, Any], lang: str) -> str:
    """'（已于北京时间…完成）', '（进行中，预计北京时间…前完成）': the time says what it is."""
    status = str(action["status"])
    when = format_time(action.get("done_at") or action.get("due_at"), lang)
    word = pick(ACTION_STATUS.get(status, ACTION_STATUS["planned"]), lang)
    if not when:
        return f" ({word})" if lang == "en" else f"（{word}）"
    if lang == "en":
        return f" (done on {when})" if status == "done" else f" ({word}, due by {when})"
    return f"（已于{when}完成）" if status == "done" else f"（{word}，预计{when}前完成）"


# Facts the notices to people, the public and partners leave out (the regulator report keeps them).
_NOT_TOLD = ("summary", "systems", "location", "discovered_by")


def _value_text(value: Any, lang: str, path: str = "") -> str:
    if isinstance(value, dict) and set(value) <= {*FACT_LANGS, UNTRANSLATED}:
        value = value.get(lang) or ""  # a bilingual fact: its text in the notice's language
    if value is None or value == "" or value == []:
        return "—"
    table = _CODED_FACTS.get(path)
    if table is not None:
        codes = value if isinstance(value, list) else [value]
        return _join([pick(table[str(c)], lang) if str(c) in table else str(c) for c in codes], lang)
    if isinstance(value, bool):
        return ("yes" if value else "no") if lang == "en" else ("是" if value else "否")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, list):
        return f"{len(value)} item(s)" if value and isinstance(value[0], dict) else _join([str(v) for v in value], lang)
    if isinstance(value, dict):
        return "(updated)" if lang == "en" else "（已更新）"
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and "T" in value:
        return format_time(value, lang)
    return str(value)
