"""Notices: who is told (kind), through what (channel), and which elements each notice must carry,
in which order (the privacy policy's breach promise; PIPL Art. 57; GB/T 35273 §10.1 c) 3) and §10.2; CAC Reporting
Measures Art. 7 items (一)–(八)). Element ids are stable across languages; the headings below are
how a reader (and the completeness check) recognises each section in text, PDF and DOCX output."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class NoticeKind(StrEnum):
    """Who a notice is addressed to. Values are stable (stored, used on the command line)."""

    INDIVIDUAL = "individual"
    GUARDIAN = "guardian"
    MINOR = "minor"  # written for a teenager aged 14-17 (a child under 14 is told through the guardian)
    REGULATOR_INITIAL = "regulator_initial"
    REGULATOR_SUPPLEMENT = "regulator_supplement"
    REGULATOR_SUMMARY = "regulator_summary"
    PUBLIC_ANNOUNCEMENT = "public_announcement"
    PARTNER = "partner"
    EU_AUTHORITY = "eu_authority"
    # CAC Measures Art. 4 (CII: report to the police at the same time) and a suspected crime
    # (及时向公安机关报案): the written case report (报案材料) handed to the police.
    POLICE_REPORT = "police_report"
    # Privacy policy IV.2(5): the company's responsible persons are told first. Counts only: the
    # brief never carries a name or contact of an affected person.
    INTERNAL_BRIEF = "internal_brief"
    # The MIIT data-security incident plan: the report to the communications administration of a
    # value-added telecom licence holder.
    SECTOR_REGULATOR = "sector_regulator"

    @property
    def personal(self) -> bool:
        """Personal notices are rendered once per recipient from one approved master."""
        return self in PERSONAL_KINDS


class Channel(StrEnum):
    """How a notice reaches its reader; each channel has its own template."""

    EMAIL_HTML = "email_html"
    EMAIL_TEXT = "email_text"
    LETTER = "letter"
    SMS = "sms"
    PUSH = "push"
    PHONE_SCRIPT = "phone_script"
    DOCUMENT = "document"

    @property
    def is_html(self) -> bool:
        return self in (Channel.EMAIL_HTML, Channel.LETTER, Channel.DOCUMENT)

    @property
    def template_name(self) -> str:
        """File stem of the channel's template: templates/<kind>/<stem>.<lang>.<ext>."""
        return _TEMPLATE_STEMS[self]

    @property
    def extension(self) -> str:
        return "html" if self.is_html else "txt"


PERSONAL_KINDS: tuple[NoticeKind, ...] = (NoticeKind.INDIVIDUAL, NoticeKind.GUARDIAN, NoticeKind.MINOR)
# Notices read by people and partners rather than authorities: each has its own plain wording of
# these elements (the officer's text per audience); the regulator report keeps the technical one.
AUDIENCE_KINDS: tuple[NoticeKind, ...] = (*PERSONAL_KINDS, NoticeKind.PUBLIC_ANNOUNCEMENT, NoticeKind.PARTNER)
AUDIENCE_ELEMENTS: tuple[str, ...] = ("situation", "cause", "possible_harm", "measures_taken", "self_protection")

_TEMPLATE_STEMS = {
    Channel.EMAIL_HTML: "email", Channel.EMAIL_TEXT: "email", Channel.LETTER: "letter",
    Channel.SMS: "sms", Channel.PUSH: "push", Channel.PHONE_SCRIPT: "phone", Channel.DOCUMENT: "document",
}

CHANNELS: dict[NoticeKind, tuple[Channel, ...]] = {
    NoticeKind.INDIVIDUAL: (Channel.EMAIL_HTML, Channel.EMAIL_TEXT, Channel.LETTER, Channel.SMS,
                            Channel.PUSH, Channel.PHONE_SCRIPT),
    NoticeKind.GUARDIAN: (Channel.EMAIL_HTML, Channel.EMAIL_TEXT, Channel.LETTER, Channel.SMS),
    NoticeKind.MINOR: (Channel.EMAIL_HTML, Channel.EMAIL_TEXT, Channel.LETTER, Channel.SMS),
    NoticeKind.REGULATOR_INITIAL: (Channel.DOCUMENT,),
    NoticeKind.REGULATOR_SUPPLEMENT: (Channel.DOCUMENT,),
    NoticeKind.REGULATOR_SUMMARY: (Channel.DOCUMENT,),
    NoticeKind.PUBLIC_ANNOUNCEMENT: (Channel.DOCUMENT,),
    NoticeKind.PARTNER: (Channel.DOCUMENT,),
    NoticeKind.EU_AUTHORITY: (Channel.DOCUMENT,),
    NoticeKind.POLICE_REPORT: (Channel.DOCUMENT,),
    NoticeKind.INTERNAL_BRIEF: (Channel.EMAIL_HTML, Channel.EMAIL_TEXT),
    NoticeKind.SECTOR_REGULATOR: (Channel.DOCUMENT,),
}
SHORT_CHANNELS = (Channel.SMS, Channel.PUSH)

# The privacy policy's breach promise: every notice to individuals carries these, in this order.
INDIVIDUAL_ELEMENTS: tuple[str, ...] = (
    "situation", "data_types", "cause", "possible_harm", "measures_taken", "self_protection",
    "remedies", "contact",
)
# The teenager's notice (Minors' Network Protection Regulations Art. 35: minors *and* guardians) is
# short and plain: what happened, which information, what to do, tell your parent or guardian, whom to ask.
MINOR_ELEMENTS: tuple[str, ...] = ("situation", "data_types", "self_protection", "tell_guardian", "contact")
# SMS and push cannot hold eight sections in 134 characters: they point to the full notice
# (email/letter) and carry what a person needs at once (what, which data, what to do, whom to ask).
SHORT_ELEMENTS: tuple[str, ...] = ("situation", "data_types", "self_protection", "contact")
# CAC Measures Art. 7 items (一)–(八), in report order, with PIPL Art. 57 and GB/T 35273 §10.1 c)
# 1)/3) folded in: item (二) is split into its parts (times and place, type and grade, scale, data
# types, impact and harm, measures and their effect; the ransom demand only for ransomware), and
# item (八) carries the police report, what individuals can do and whether they are told. The
# contact section names the reporting unit, the contact person, the phone and the report time.
REGULATOR_ELEMENTS: tuple[str, ...] = (
    "operator_system", "incident_facts", "times_place", "incident_type_grade", "affected_counts",
    "data_types", "impact_harm", "measures_effect", "trend", "cause_analysis", "tracing_leads",
    "planned_measures", "scene_protection", "other_matters", "police", "self_protection",
    "individual_notice", "contact",
)
# Item (二)'s ransomware part: required only when the intake records a ransom demand.
RANSOM_ELEMENT = "ransom"
# CAC Measures Art. 7 ¶2: "可先报告第一项、第二项内容，其他情况及时补报" — these may be marked "to
# follow"; the ransom demand too, part by part (amount, way, date), while it is not known.
DEFERRABLE_ELEMENTS: frozenset[str] = frozenset({"trend", "cause_analysis", "tracing_leads", "planned_measures",
                                                 "scene_protection", RANSOM_ELEMENT})
# GDPR Art. 33(1): a notification made after 72 hours carries the reasons for the delay.
DELAY_ELEMENT = "delay_reasons"
# CAC Measures: summary report within 30 days after handling ends.
SUMMARY_ELEMENTS: tuple[str, ...] = (
    "overview", "cause_analysis", "measures_effect", "harm_caused", "accountability",
    "rectification", "lessons", "contact",
)
PARTNER_ELEMENTS: tuple[str, ...] = (
    "situation", "data_types", "cause", "possible_harm", "measures_taken", "partner_actions", "contact",
)
# GDPR Art. 33(3) (a)–(d).
EU_ELEMENTS: tuple[str, ...] = (
    "situation", "affected_counts", "data_types", "possible_harm", "measures_taken", "contact",
)

# The written case report to the police (报案材料): what happened, when and where, what was taken or
# changed, the leads, the loss, the preserved scene and evidence, and whom to contact.
POLICE_ELEMENTS: tuple[str, ...] = (
    "situation", "times_place", "affected_counts", "data_types", "tracing_leads", "impact_harm",
    "scene_protection", "contact",
)

# The internal brief: what happened, the scale (counts only), the grade and why, every open
# obligation with its clock, the decisions needed now and what has been done; a supplementary
# brief adds what changed since the last brief was sent (the conditional ``changes``).
BRIEF_ELEMENTS: tuple[str, ...] = (
    "situation", "affected_counts", "brief_grade", "brief_obligations", "brief_decisions", "brief_done", "contact",
)
# The report to the communications administration (MIIT data-security incident plan).
SECTOR_ELEMENTS: tuple[str, ...] = (
    "operator_system", "times_place", "miit_grade", "affected_counts", "data_types", "impact_harm",
    "measures_effect", "contact",
)
BRIEF_CHANGES_ELEMENT = "changes"

_REQUIRED: dict[NoticeKind, tuple[str, ...]] = {
    NoticeKind.INDIVIDUAL: INDIVIDUAL_ELEMENTS,
    NoticeKind.GUARDIAN: INDIVIDUAL_ELEMENTS,
    NoticeKind.MINOR: MINOR_ELEMENTS,
    NoticeKind.REGULATOR_INITIAL: REGULATOR_ELEMENTS,
    NoticeKind.REGULATOR_SUPPLEMENT: ("report_reference", "changes", *REGULATOR_ELEMENTS),
    NoticeKind.REGULATOR_SUMMARY: SUMMARY_ELEMENTS,
    NoticeKind.PUBLIC_ANNOUNCEMENT: (*INDIVIDUAL_ELEMENTS, "inquiry"),
    NoticeKind.PARTNER: PARTNER_ELEMENTS,
    NoticeKind.EU_AUTHORITY: EU_ELEMENTS,
    NoticeKind.POLICE_REPORT: POLICE_ELEMENTS,
    NoticeKind.INTERNAL_BRIEF: BRIEF_ELEMENTS,
    NoticeKind.SECTOR_REGULATOR: SECTOR_ELEMENTS,
}
# Elements that only some incidents call for, and the kinds that may carry them: the ransom part of
# the CAC report (a ransom demand is recorded) and the GDPR delay reasons (notified after 72 h).
CONDITIONAL_ELEMENTS: dict[str, frozenset[NoticeKind]] = {
    RANSOM_ELEMENT: frozenset({NoticeKind.REGULATOR_INITIAL, NoticeKind.REGULATOR_SUPPLEMENT}),
    DELAY_ELEMENT: frozenset({NoticeKind.EU_AUTHORITY}),
    BRIEF_CHANGES_ELEMENT: frozenset({NoticeKind.INTERNAL_BRIEF}),
}
# Where a conditional element goes: right after this element.
_CONDITIONAL_AFTER = {RANSOM_ELEMENT: "measures_effect", DELAY_ELEMENT: "situation",
                      BRIEF_CHANGES_ELEMENT: "situation"}


def required_elements(kind: NoticeKind, channel: Channel, extra: Iterable[str] = ()) -> tuple[str, ...]:
    """The elements a (kind, channel) notice must carry, in the required order. ``extra``: the
    conditional elements this incident calls for (ignored where the kind has no place for them)."""
    if channel in SHORT_CHANNELS:
        return SHORT_ELEMENTS
    required = list(_REQUIRED[kind])
    for element in extra:
        if kind in CONDITIONAL_ELEMENTS.get(element, ()) and element not in required:
            required.insert(required.index(_CONDITIONAL_AFTER[element]) + 1, element)
    return tuple(required)


def may_defer(kind: NoticeKind, element: str) -> bool:
    """Whether an element may say "to be supplemented" (regulator reports; the police report's
    leads and scene, which the investigation may not have yet)."""
    if kind == NoticeKind.POLICE_REPORT:
        return element in ("tracing_leads", "scene_protection")
    return kind in (NoticeKind.REGULATOR_INITIAL, NoticeKind.REGULATOR_SUPPLEMENT) and element in DEFERRABLE_ELEMENTS


# Headings per element: zh-CN first, then English. The first of each language is what the bundled
# templates print; the completeness check accepts any listed heading (or the element id itself).
HEADINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "situation": {"zh-CN": ("事件基本情况",), "en": ("What happened",)},
    "data_types": {"zh-CN": ("涉及的个人信息种类",), "en": ("Personal information involved",)},
    "cause": {"zh-CN": ("事件原因",), "en": ("Cause",)},
    "possible_harm": {"zh-CN": ("可能造成的危害",), "en": ("Possible harm",)},
    "measures_taken": {"zh-CN": ("已采取和将要采取的措施",), "en": ("What we have done and will do",)},
    "self_protection": {"zh-CN": ("您可以采取的防范措施", "个人可以采取的减轻危害的措施", "你可以这样保护自己"),
                        "en": ("What you can do to protect yourself", "What individuals can do to reduce harm")},
    "tell_guardian": {"zh-CN": ("告诉你的父母或监护人",), "en": ("Tell your parent or guardian",)},
    "remedies": {"zh-CN": ("我们为您提供的补救措施",), "en": ("What we offer you",)},
    "contact": {"zh-CN": ("联系我们", "联系人及联系方式", "报告单位及联系人", "报案单位及联系人"),
                "en": ("How to contact us", "Contact", "Questions?", "Reporting unit and contact",
                       "Reporting organisation and contact")},
    "inquiry": {"zh-CN": ("咨询与查询",), "en": ("Where to ask",)},
    "partner_actions": {"zh-CN": ("请贵方配合的事项",), "en": ("What we ask of you",)},
    "operator_system": {"zh-CN": ("事发单位名称及发生事件的设施、系统、平台的基本情况", "事发单位及系统基本情况"),
                        "en": ("Operator and the affected facilities, systems and platforms",
                               "Operator and affected systems")},
    "incident_facts": {"zh-CN": ("事件发现或发生时间、地点、类型、级别、影响和应对措施",),
                       "en": ("Discovery, place, type, grade, impact and measures taken",)},
    "incident_type_grade": {"zh-CN": ("事件类型和级别",), "en": ("Incident type and grade",)},
    "times_place": {"zh-CN": ("发现和发生的时间、地点",), "en": ("Times and place",)},
    "affected_counts": {"zh-CN": ("影响范围",), "en": ("Scale",)},
    "impact_harm": {"zh-CN": ("已造成的影响和可能造成的危害",), "en": ("Impact so far and possible harm",)},
    "measures_effect": {"zh-CN": ("已采取的应对措施及效果", "应急处置措施及效果"),
                        "en": ("Measures taken and their effect",)},
    "ransom": {"zh-CN": ("勒索情况",), "en": ("Ransom demand",)},
    "trend": {"zh-CN": ("事态发展趋势及可能造成的进一步影响和危害", "事态发展趋势及可能的进一步影响"),
              "en": ("Likely development and further impact",)},
    "cause_analysis": {"zh-CN": ("网络安全事件原因初步分析", "原因初步分析", "事件原因分析"),
                       "en": ("Preliminary cause analysis", "Cause analysis")},
    "tracing_leads": {"zh-CN": ("溯源调查工作线索", "溯源调查线索"), "en": ("Leads for tracing",)},
    "planned_measures": {"zh-CN": ("拟进一步采取的应对措施以及请求支援事项", "拟采取的措施及请求支援事项"),
                         "en": ("Planned further measures and support requested",
                                "Planned measures and support requested")},
    "scene_protection": {"zh-CN": ("网络安全事件现场保护情况", "事件现场保护情况"),
                         "en": ("Preservation of the incident scene",)},
    "police": {"zh-CN": ("向公安机关报案情况",), "en": ("Police report",)},
    "delay_reasons": {"zh-CN": ("迟延通知的原因",), "en": ("Reasons for the delay",)},
    "individual_notice": {"zh-CN": ("告知受影响个人的情况",), "en": ("Notification of affected individuals",)},
    "other_matters": {"zh-CN": ("其他应当报告的情况",), "en": ("Other matters",)},
    "report_reference": {"zh-CN": ("补报说明",), "en": ("About this supplementary report",)},
    "changes": {"zh-CN": ("新增和变更的情况",), "en": ("What is new or changed",)},
    "brief_grade": {"zh-CN": ("事件级别及判断依据",), "en": ("Grade and why",)},
    "brief_obligations": {"zh-CN": ("待履行的义务及时限",), "en": ("Open obligations and their clocks",)},
    "brief_decisions": {"zh-CN": ("现在需要作出的决定",), "en": ("Decisions needed now",)},
    "brief_done": {"zh-CN": ("已完成的工作",), "en": ("What has been done",)},
    "miit_grade": {"zh-CN": ("事件级别（工业和信息化领域数据安全事件应急预案）",),
                   "en": ("Grade under the MIIT data-security incident plan",)},
    "update": {"zh-CN": ("更新说明",), "en": ("What has changed since our last notice",)},
    "overview": {"zh-CN": ("事件概况",), "en": ("Overview",)},
    "harm_caused": {"zh-CN": ("造成的危害",), "en": ("Harm caused",)},
    "accountability": {"zh-CN": ("责任追究情况",), "en": ("Accountability",)},
    "rectification": {"zh-CN": ("完善整改情况",), "en": ("Rectification",)},
    "lessons": {"zh-CN": ("经验教训",), "en": ("Lessons learned",)},
}
ELEMENT_IDS: frozenset[str] = frozenset(HEADINGS)


def heading(element: str, lang: str) -> str:
    """The canonical heading of an element in a language (zh-CN when the language is unknown)."""
    by_lang = HEADINGS[element]
    return (by_lang.get(lang) or by_lang["zh-CN"])[0]


def _heading_index() -> dict[str, str]:
    index = {element: element for element in HEADINGS}
    for element, by_lang in HEADINGS.items():
        for titles in by_lang.values():
            index.update({title.casefold(): element for title in titles})
    return index


HEADING_INDEX: dict[str, str] = _heading_index()

# A drill incident's notices must say so in every format (banner text; the HTML also carries
# data-drill="true").
DRILL_MARKERS: tuple[str, ...] = ("演练", "DRILL")
# SMS: two concatenated UCS-2 segments hold 2 × 67 characters (each carries a 6-byte header).
SMS_MAX_CHARS = 134
# …or 2 × 153 when every character is in the GSM 7-bit alphabet (plain English).
SMS_MAX_GSM7 = 306
