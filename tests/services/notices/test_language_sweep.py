"""Language sweep over the demo (``demo`` command, services/demo): every notice of the demo incident
— each kind × channel as master, and each demo person's own e-mail, letter and SMS — rendered in
zh-CN and in English, and read for the other language:

* an English text holds no Chinese character (CJK ideographs, CJK punctuation such as 【】「」。
  or full-width forms such as ，（）：) except inside the values that are genuinely Chinese proper
  data: the recipient's own name, their masked child's name and their postal address, as the
  people list gives them (ALLOWED_IN_ENGLISH says exactly which);
* a Chinese text holds no English template text: every Latin word in it is one of the acronyms
  the demo's facts and the data-type catalog use (ALLOWED_LATIN), part of an e-mail address, web
  address or host name, or a personal reference code — plus the one English legal term the
  Chinese GDPR notification glosses on purpose (ALLOWED_PHRASES).

The sweep runs on the demo as loaded, with the profile's optional report facts (the contact
person, the telecom licence and its communications administration) given in both languages and
in Chinese only, and on the demo turned ransomware with the ransom's way of payment in Chinese
only and in both languages: a value given only in Chinese shows, in English, a marker naming
the missing English field instead of the Chinese words, and the completeness check says so."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from incident_app.cli.main import run
from incident_app.domain.notices.kinds import CHANNELS, PERSONAL_KINDS, Channel, NoticeKind
from incident_app.domain.notices.recipient import NoticeRecipient, recipients_from_people
from incident_app.services.container import open_services
from incident_app.services.notices.html_blocks import html_to_text
from incident_app.services.notices.personal import PersonalRenderer

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")
# The only values an English text may print in Chinese: the recipient's own data from the people list.
ALLOWED_IN_ENGLISH = ("display_name", "child_display_name", "address")
# Latin words a Chinese text may hold: acronyms of the demo's facts and the catalog's data types
# (一键登录 SDK, 设备标识符（IMEI/OAID/IDFA/MAC 等）, IP 地址, SRC 报告, CAC, GDPR) and the BD prefix of
# the incident reference (BD-1).
ALLOWED_LATIN = frozenset({"SDK", "IMEI", "OAID", "IDFA", "MAC", "IP", "SRC", "CAC", "GDPR", "BD"})
# The Chinese GDPR notification names the legal term in English on purpose (its English version is filed).
ALLOWED_PHRASES = ("（personal data breach）",)
# ASCII word classes: a Chinese character next to an address or a reference is not part of it.
ADDRESSES = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?:https?://|www\.)[^\s，。；、）)]+|\b[\w-]+(?:\.[\w-]+)+\b",
                       re.ASCII)
REFERENCE = re.compile(r"\bBD\d+-[0-9A-F]{10}\b", re.ASCII)
PERSON_CHANNELS = (Channel.EMAIL_HTML, Channel.EMAIL_TEXT, Channel.LETTER, Channel.SMS)

# The profile's optional report facts: none (the demo as loaded), in both languages, in Chinese only.
REPORT_FACTS = {"contact_name": "王安全", "telecom_licence": True, "telecom_authority": "上海市通信管理局"}
ENGLISH_FACTS = {"contact_name_en": "Wang Anquan", "telecom_authority_en": "Shanghai Communications Administration"}
PROFILES: dict[str, dict[str, object]] = {"demo": {}, "both_languages": {**REPORT_FACTS, **ENGLISH_FACTS},
                                          "chinese_only": REPORT_FACTS}
# The demo turned ransomware (CAC report item 2 states the ransom demanded): its way of payment
# written in Chinese only, then in both languages.
RANSOM = {"cause": "malware", "malicious": True, "ransom": {"amount_cny": 500000, "method": "比特币", "date": ""}}
FACTS: dict[str, dict[str, object]] = {
    "ransom_chinese_only": RANSOM,
    "ransom_both_languages": RANSOM | {"ransom": {"amount_cny": 500000, "method": "比特币", "method_en": "Bitcoin"}}}
SCENARIOS = {**{name: (name, {}) for name in PROFILES}, **{name: ("both_languages", f) for name, f in FACTS.items()}}


def english_problems(text: str, allowed: tuple[str, ...] = ()) -> list[str]:
    """Each run of Chinese characters of an English text outside the allowed values, with some context."""
    for value in sorted((v for v in allowed if v), key=len, reverse=True):
        text = text.replace(value, "")
    return [text[max(0, m.start() - 20):m.end() + 20] for m in CJK.finditer(text)]


def chinese_problems(text: str) -> list[str]:
    """The English words of a Chinese text that are not an allowed acronym, address or reference."""
    for phrase in ALLOWED_PHRASES:
        text = text.replace(phrase, "")
    text = REFERENCE.sub(" ", ADDRESSES.sub(" ", text))
    return [text[max(0, m.start() - 20):m.end() + 20] for m in re.finditer(r"[A-Za-z]+", text)
            if m.group(0) not in ALLOWED_LATIN]


def reader_text(content: str, channel: Channel, lang: str) -> str:
    """What the reader sees: HTML as the plain-text export makes it (styles and tags gone)."""
    return html_to_text(content, lang) if channel.is_html else content


def sweep(db: Path, profile: dict[str, object], facts: dict[str, object]) -> Iterator[tuple[str, str, str]]:
    """(label, language, problem) for every notice of the demo incident under ``profile``, with ``facts`` changed."""
    services = open_services(db)
    try:
        if profile:
            services.profile.save(profile)
        if facts:
            services.incidents.update_facts(1, facts)
        notice_set = services.notices.prepare(1)
        # The notices the plan calls for, and every other kind the incident may still need.
        for kind, channels in CHANNELS.items():
            for channel in channels:
                for lang in ("zh-CN", "en"):
                    notice = notice_set.renderers[kind].render_master(kind, channel, lang)
                    assert not notice.error, (kind, channel, lang, notice.error)
                    text = reader_text(notice.content, channel, lang)
                    found = english_problems(text) if lang == "en" else chinese_problems(text)
                    yield from ((f"{kind.value}/{channel.value}/{lang}", lang, p) for p in found)
        planned = {p.kind for p in notice_set.plan} & set(PERSONAL_KINDS)
        renderer = PersonalRenderer(notice_set.renderers, allowed=planned)
        people = list(recipients_from_people(services.notices.people_source(1)))  # type: ignore[misc]
        assert len({r.language for r in people}) == 2, "the demo list has Chinese and English readers"
        for recipient in people:
            if recipient.kind not in planned:
                continue
            for lang in ("zh-CN", "en"):  # each person in their language and in the other one
                reader = dataclasses.replace(recipient, language=lang)
                for channel in (c for c in CHANNELS[recipient.kind] if c in PERSON_CHANNELS):
                    text = reader_text(renderer.render(recipient.kind, channel, reader), channel, lang)
                    found = (english_problems(text, personal_values(reader)) if lang == "en"
                             else chinese_problems(text))
                    yield from ((f"{recipient.recipient_key}/{recipient.kind.value}/{channel.value}/{lang}", lang, p)
                                for p in found)
    finally:
        services.close()


def personal_values(recipient: NoticeRecipient) -> tuple[str, ...]:
    return tuple(str(getattr(recipient, name)) for name in ALLOWED_IN_ENGLISH)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("sweep") / "demo.sqlite3"
    assert run(["demo", "--db", str(db)]) == 0
    return db


@pytest.mark.parametrize(("profile", "facts"), list(SCENARIOS.values()), ids=list(SCENARIOS))
def test_every_demo_notice_speaks_only_its_own_language(demo_db: Path, tmp_path: Path, profile: str,
                                                        facts: dict[str, object]) -> None:
    db = tmp_path / "demo.sqlite3"
    db.write_bytes(demo_db.read_bytes())
    found = list(sweep(db, PROFILES[profile], facts))
    assert not found, "\n".join(f"{label}: {problem!r}" for label, _lang, problem in found[:40])


def test_chinese_only_report_facts_are_named_in_the_english_check(demo_db: Path, tmp_path: Path) -> None:
    """Given only in Chinese, the contact person and the communications administration hold the
    English reports (a marker naming the field, and the check's problem), never the Chinese."""
    db = tmp_path / "demo.sqlite3"
    db.write_bytes(demo_db.read_bytes())
    services = open_services(db)
    try:
        services.profile.save(REPORT_FACTS)
        states = services.notices.prepare(1, kinds=[NoticeKind.REGULATOR_INITIAL, NoticeKind.SECTOR_REGULATOR]).notices
        english = {s.rendered.kind: s.rendered for s in states if s.rendered.lang == "en"}
        chinese = {s.rendered.kind: s.rendered for s in states if s.rendered.lang == "zh-CN"}
    finally:
        services.close()
    assert "English text missing: profile.contact_name_en" in english[NoticeKind.REGULATOR_INITIAL].report.problems
    sector = english[NoticeKind.SECTOR_REGULATOR]
    assert {"English text missing: profile.contact_name_en",
            "English text missing: profile.telecom_authority_en"} <= set(sector.report.problems)
    assert "[English text missing: profile.telecom_authority_en]" in sector.content
    assert "王安全" not in sector.content and "上海市通信管理局" not in sector.content
    assert "王安全" in chinese[NoticeKind.REGULATOR_INITIAL].content
    assert "上海市通信管理局" in chinese[NoticeKind.SECTOR_REGULATOR].content
    assert not [p for p in chinese[NoticeKind.SECTOR_REGULATOR].report.problems if "text missing" in p]


@pytest.mark.parametrize(("lang", "text", "caught"), [
    ("en", "Contact person: 王安全, PI protection officer", True),
    ("en", "To 上海市通信管理局:", True),
    ("en", "Phone（24 h）: +86 21 3876 0448", True),
    ("en", "【Wotu】 Your reference BD1-0123456789", True),
    ("en", "Dear user, your reference is BD1-0123456789.", False),
    ("zh-CN", "联系人：[English text missing: profile.contact_name_en]", True),
    ("zh-CN", "尊敬的用户： Dear user,", True),
    ("zh-CN", "设备标识符（IMEI/OAID/IDFA/MAC 等）、IP 地址；编号 BD1-0123456789；tousu@ooopic.com", False),
])
def test_the_sweep_is_able_to_fail(lang: str, text: str, caught: bool) -> None:
    found = english_problems(text) if lang == "en" else chinese_problems(text)
    assert bool(found) == caught, found


def test_only_the_recipients_own_values_are_allowed_chinese_in_english() -> None:
    person = NoticeRecipient("user-1", display_name="王伟", language="en", address="上海市浦东新区碧波路12号",
                             is_guardian=True, child_display_name="王*明")
    text = "Dear 王伟 (parent or guardian of 王*明), by letter to 上海市浦东新区碧波路12号. 联系人：王安全"
    found = english_problems(text, personal_values(person))
    assert len(found) == 1 and "联系人：王安全" in found[0]  # only the staff name is left
