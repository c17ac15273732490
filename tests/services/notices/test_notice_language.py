"""Language quality of every rendered notice (issue 14, part 3): each kind × channel × language,
the HTML and the text made from it, for the sample incident and for a large, suspected, malicious
one, read for what a reader must never see — raw codes, doubled 已经/已, 「（已经确认）」 in every
sentence, Chinese estimates in long digits, times without the Beijing-time label, English phone
numbers without +86, ISO timestamps."""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

import pytest

from incident_app.domain.assessment.enisa_rules import Band
from incident_app.domain.assessment.obligations import ObligationStatus
from incident_app.domain.catalog import EnisaCategory
from incident_app.domain.clock import parse_time
from incident_app.domain.decisions import DecisionKind
from incident_app.domain.incident import (
    BreachType,
    Cause,
    Incident,
    IncidentStatus,
    Likelihood,
    Recipients,
    parse_intake,
)
from incident_app.domain.notices import FactChange
from incident_app.domain.notices.fact_snapshot import SnapshotInputs, build_snapshot
from incident_app.domain.notices.kinds import CHANNELS, NoticeKind
from incident_app.domain.profile import OperatorType
from incident_app.domain.remediation import ActionStatus
from incident_app.domain.wording import format_phone, zh_count
from incident_app.services.notices.context import NoticeContextBuilder, ReportInfo
from incident_app.services.notices.html_blocks import html_to_text
from incident_app.services.notices.render import NoticeRenderer, contact_expectations
from incident_app.services.notices.sample import (
    SAMPLE_ACTIONS,
    SAMPLE_INTAKE,
    SAMPLE_NOTES,
    SAMPLE_TEXTS,
    sample_incident,
)
from incident_app.services.notices.templates import NoticeTemplates
from incident_app.services.resources import load_catalog, load_default_profile

ENUMS: tuple[type[StrEnum], ...] = (BreachType, Likelihood, Cause, Recipients, IncidentStatus, ActionStatus,
                                    OperatorType, ObligationStatus, DecisionKind, EnisaCategory, Band)
RAW_IDS = sorted({e.value for enum in ENUMS for e in enum}, key=len, reverse=True)
# In English some codes are ordinary words ("planned", "done", "malware", "high"): there only the
# codes that are no English a person writes are looked for.
EN_RAW_IDS = [v for v in RAW_IDS if "_" in v] + ["ordinary", "met", "tamper", "misdelivery", "misconfiguration"]
# Chinese words that are doubled on purpose.
DOUBLED_OK = {"谢谢", "看看", "常常", "逐一逐一"}
MOBILE = r"1[3-9]\d{9}"
LANDLINE = r"0\d{2,3}-?\d{7,8}"


def _big_incident() -> Incident:
    """Large (1,250,000 people), suspected, malicious, leaked and tampered: every conditional wording."""
    intake = {**SAMPLE_INTAKE, "affected_people": 1_250_000, "affected_records": 3_400_000,
              "likelihood": "suspected", "cause": "attack", "malicious": True, "breach_types": ["leak", "tamper"],
              "recipients": "public"}
    facts = parse_intake(intake, now=parse_time("2026-12-31T00:00:00+08:00"))
    base = sample_incident()
    return Incident(1, facts, IncidentStatus.ASSESSED, base.created_at, base.updated_at,
                    handling_closed_at=base.handling_closed_at)


def _renderer(incident: Incident, changes: tuple[FactChange, ...] = ()) -> NoticeRenderer:
    snapshot = build_snapshot(SnapshotInputs(
        incident=incident, profile=load_default_profile(), catalog=load_catalog(), actions=SAMPLE_ACTIONS,
        notes=SAMPLE_NOTES, element_texts=SAMPLE_TEXTS, grade="较大", as_of=parse_time("2026-11-20T12:00:00+08:00")))
    builder = NoticeContextBuilder(snapshot, ReportInfo(planned=tuple(NoticeKind), changes=changes))
    return NoticeRenderer(NoticeTemplates(), builder, contact_expectations(builder))


# A supplementary report lists what changed: coded facts must be listed in words.
CHANGES = (FactChange("facts.cause", "third_party", "attack"), FactChange("facts.likelihood", "actual", "suspected"),
           FactChange("facts.breach_types", ["leak"], ["leak", "tamper"]),
           FactChange("facts.affected_people", 48213, 1_250_000))


def rendered() -> Iterator[tuple[str, str, str]]:
    """(label, language, reader text) for every notice of both incidents: HTML as text and as made into
    the plain-text export, and every text channel as it is."""
    for name, renderer in (("sample", _renderer(sample_incident())), ("large", _renderer(_big_incident(), CHANGES))):
        for kind, channels in CHANNELS.items():
            for channel in channels:
                for lang in ("zh-CN", "en"):
                    notice = renderer.render_master(kind, channel, lang)
                    assert not notice.error, (name, kind, channel, lang, notice.error)
                    label = f"{name}/{kind.value}/{channel.value}.{lang}"
                    if channel.is_html:
                        yield f"{label} (html)", lang, _visible(notice.content)
                        yield f"{label} (txt)", lang, html_to_text(notice.content, lang)
                    else:
                        yield label, lang, notice.content


def _visible(html: str) -> str:
    """The text a reader sees in the HTML (styles and tags removed)."""
    text = re.sub(r"(?s)<style>.*?</style>", "", html)
    return re.sub(r"<[^>]+>", " ", text)


NOTICES = list(rendered())


def problems(lang: str, text: str) -> list[str]:
    """Everything in one reader text that must not be there."""
    found: list[str] = []
    ids = RAW_IDS if lang == "zh-CN" else EN_RAW_IDS
    found += [f"raw id {i!r}" for i in ids if re.search(rf"(?<![\w@.-]){re.escape(i)}(?![\w@-])", text)]
    found += [f"ISO time {m!r}" for m in re.findall(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", text)]
    if lang == "zh-CN":
        found += [f"doubled {m!r}" for m in re.findall(r"已经?已|已经已经", text)]
        found += [f"doubled {m.group(0)!r}" for m in re.finditer(r"([\u4e00-\u9fff]{2})\1", text)
                  if m.group(0) not in DOUBLED_OK]
        if len(re.findall(r"（已经(?:发生|确认)）", text)) > 1:
            found.append("（已经发生/确认） more than once")
        found += [f"estimate in digits {m!r}" for m in re.findall(r"约\d[\d,]{4,}", text)]
        found += [f"unformatted count {m!r}" for m in re.findall(r"(?<![\d,.])\d{5,}(?=[人条名])", text)]
        for m in re.finditer(r"\d{1,2}:\d{2}", text):
            if "北京时间" not in text[max(0, m.start() - 40):m.start()]:
                found.append(f"time without 北京时间 {text[max(0, m.start() - 20):m.end()]!r}")
    else:
        for m in re.finditer(r"\d{1,2}:\d{2}", text):
            if "Beijing time" not in text[m.end():m.end() + 40]:
                found.append(f"time without 'Beijing time' {text[m.start():m.end() + 20]!r}")
        found += [f"phone without +86 {m!r}" for m in re.findall(rf"(?<![+\d])(?:{LANDLINE}|{MOBILE})\b", text)]
        found += [f"Chinese-law word {w!r}" for w in ("acting deliberately", "run errands") if w in text]
    found += [f"违约 {m!r}" for m in re.findall(r".{0,8}违约.{0,8}", text)]
    return found


@pytest.mark.parametrize(("label", "lang", "text"), NOTICES, ids=[n[0] for n in NOTICES])
def test_rendered_notice_reads_right(label: str, lang: str, text: str) -> None:
    assert problems(lang, text) == [], label


def test_every_kind_channel_and_language_is_scanned() -> None:
    expected = {(k.value, c.value, lang) for k, cs in CHANNELS.items() for c in cs for lang in ("zh-CN", "en")}
    seen = {(*re.split(r"[/.]", n[0].split(" ")[0], maxsplit=3)[1:3], n[1]) for n in NOTICES}
    assert {(k, c, lang) for k, c, lang in expected} <= {(s[0], s[1], s[2]) for s in seen}


@pytest.mark.parametrize(("lang", "text", "problem"), [
    ("zh-CN", "涉及约1,250,000人。", "estimate in digits"),
    ("zh-CN", "涉及1250000人。", "unformatted count"),
    ("zh-CN", "我们已经已向您发送通知。", "doubled"),
    ("zh-CN", "事件（已经发生），原因（已经发生）。", "more than once"),
    ("zh-CN", "原因：third_party。", "raw id"),
    ("zh-CN", "运营者类型为 ordinary。", "raw id"),
    ("zh-CN", "发现时间：2026年11月20日 09:20", "without 北京时间"),
    ("zh-CN", "截止 2026-12-05T05:53:00+08:00。", "ISO time"),
    ("en", "Phone: 021-38760448", "+86"),
    ("en", "Call 13800138000 now.", "+86"),
    ("en", "Status: met.", "raw id"),
    ("en", "found at 20 November 2026, 09:20.", "Beijing time"),
    ("en", "caused by an attack, acting deliberately.", "acting deliberately"),
])
def test_the_scan_catches_each_fault(lang: str, text: str, problem: str) -> None:
    """The scan is able to fail: each fault it looks for is found in a text that has it."""
    assert any(problem in p for p in problems(lang, text)), problems(lang, text)


def test_large_estimates_read_in_wan_and_english_phones_dial_from_abroad() -> None:
    large = _renderer(_big_incident())
    zh = large.render_master(NoticeKind.PUBLIC_ANNOUNCEMENT, CHANNELS[NoticeKind.PUBLIC_ANNOUNCEMENT][0], "zh-CN")
    assert "约125万人" in zh.content
    en = large.render_master(NoticeKind.INDIVIDUAL, CHANNELS[NoticeKind.INDIVIDUAL][0], "en")
    assert "+86 21 3876 0448" in en.content and "021-38760448" not in en.content
    assert zh_count(48_213, approximate=True) == "4.8万" and zh_count(48_213, approximate=False) == "48,213"
    assert zh_count(120_000_000, approximate=True) == "1.2亿"
    assert format_phone("13800138000", "en") == "+86 138 0013 8000"
    assert format_phone("010-12345678", "en") == "+86 10 1234 5678"
    assert format_phone("400-820-8820", "en") == "+86 400 820 8820"
    assert format_phone("021-38760448", "zh-CN") == "021-38760448"


def test_supplementary_changes_name_coded_facts_in_words() -> None:
    notice = _renderer(_big_incident(), CHANGES).render_master(
        NoticeKind.REGULATOR_SUPPLEMENT, CHANNELS[NoticeKind.REGULATOR_SUPPLEMENT][0], "zh-CN")
    assert "第三方合作方（供应商或SDK提供方）的安全缺陷 → 外部网络攻击" in notice.content
    assert "third_party" not in notice.content and "attack" not in notice.content


# -- text made from HTML keeps every piece of text ------------------------------------------------

def test_html_to_text_keeps_divs_spans_link_targets_and_numbers() -> None:
    html = ('<html lang="en"><body><div>Loose text in a div</div>'
            '<section data-element="contact"><h2>How to contact us</h2>'
            '<p>Call <span>our line</span> or read <a href="https://example.cn/faq">the FAQ</a>; '
            'write to <a href="mailto:privacy@example.cn">privacy@example.cn</a>.</p>'
            '<ol><li>First step</li><li><p>Second step</p></li></ol><span>A closing span</span>'
            '<a href="#top">back to top</a></section></body></html>')
    text = html_to_text(html, "en")
    assert "Loose text in a div" in text
    assert "Call our line or read the FAQ (https://example.cn/faq)" in text
    assert "privacy@example.cn." in text and "(privacy@example.cn)" not in text  # said once, not twice
    assert "1. First step\n2. Second step" in text
    assert "A closing span" in text and "back to top" in text and "#top" not in text


def test_officer_edited_template_loses_no_text_in_txt_and_docx(tmp_path: Path) -> None:
    from incident_app.domain.notices.kinds import Channel
    from incident_app.services.notices.docx import docx_text, write_docx
    from incident_app.services.notices.render import channel_template

    name = channel_template(NoticeKind.INDIVIDUAL, Channel.LETTER, "zh-CN")
    source = NoticeTemplates().source(name)
    edited = source.replace(
        "{% block body %}",
        '{% block body %}<div>官员补充说明：请留意短信。</div><p>详见<a href="https://example.cn/notice">公告页面</a>，'
        '<span>热线全天开通</span>。</p><ol><li>第一步：修改密码</li><li>第二步：开启登录提醒</li></ol>', 1)
    assert edited != source
    snapshot_renderer = _renderer(sample_incident())
    renderer = NoticeRenderer(NoticeTemplates().with_candidate(name, edited), snapshot_renderer.builder,
                              contact_expectations(snapshot_renderer.builder))
    notice = renderer.render_master(NoticeKind.INDIVIDUAL, Channel.LETTER, "zh-CN")
    assert not notice.error, notice.error
    text = html_to_text(notice.content, "zh-CN")
    for expected in ("官员补充说明：请留意短信。", "详见公告页面（https://example.cn/notice），热线全天开通。",
                     "1. 第一步：修改密码", "2. 第二步：开启登录提醒"):
        assert expected in text, expected
    out = tmp_path / "letter.docx"
    with out.open("wb") as handle:
        write_docx(notice.content, handle)
    words = docx_text(out)
    assert "官员补充说明：请留意短信。" in words and "https://example.cn/notice" in words and "2. 第二步" in words
