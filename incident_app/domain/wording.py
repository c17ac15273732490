"""How numbers, times, phone numbers and coded facts read to a person, zh-CN and English.

One place for the formatting every reader-facing text uses (notices, assessment reasons, the
register export): times always in Beijing time and labelled so, large Chinese counts in 万/亿
("约125万人", never "1,250,000"), phone numbers with +86 for English readers, and words instead of the
stable codes facts are stored as (never ``attack``, ``ordinary``, ``met`` where a person reads)."""

from __future__ import annotations

import re
from datetime import datetime

from incident_app.domain.clock import SHANGHAI, parse_time

Label = tuple[str, str]  # (zh-CN, en)

BEIJING_TIME = "北京时间"
BEIJING_TIME_EN = "Beijing time"


def _moment(value: str | datetime) -> datetime:
    return (parse_time(value) if isinstance(value, str) else value).astimezone(SHANGHAI)


def format_time(value: str | datetime | None, lang: str) -> str:
    """A time as a reader sees it: Beijing time, labelled ("北京时间2026年11月20日 09:20",
    "20 November 2026, 09:20 Beijing time"); "" for no time."""
    if not value:
        return ""
    moment = _moment(value)
    if lang == "en":
        return f"{moment.day} {moment:%B %Y, %H:%M} {BEIJING_TIME_EN}"
    # The reader (a regulator, the police, a person abroad) must not have to guess the zone.
    return f"{BEIJING_TIME}{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


def format_date(value: str | datetime | None, lang: str) -> str:
    """A date (of Beijing time) without a time of day: "2026年11月20日", "20 November 2026"."""
    if not value:
        return ""
    moment = _moment(value)
    return f"{moment.day} {moment:%B %Y}" if lang == "en" else f"{moment.year}年{moment.month}月{moment.day}日"


def _trim(number: float, decimals: int) -> str:
    text = f"{number:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def zh_count(value: int, *, approximate: bool) -> str:
    """A head-count or record count as Chinese text: below 10,000 in digits ("3,008"); an estimate
    from 10,000 up in 万 / 亿 as a Chinese company writes it ("4.8万", "125万", "1.2亿"); an exact
    count stays exact ("48,213" — a regulator must get the number, not a rounding of it)."""
    if value < 10_000 or not approximate:
        return f"{value:,}"
    if value >= 100_000_000:
        return _trim(value / 100_000_000, 2) + "亿"
    wan = value / 10_000
    return _trim(wan, 1 if wan < 100 else 0) + "万"


def count_text(value: int, lang: str, *, approximate: bool) -> str:
    """A count for a sentence in either language ("约4.8万", "about 48,213")."""
    if lang == "en":
        return f"{'about ' if approximate else ''}{value:,}"
    return f"{'约' if approximate else ''}{zh_count(value, approximate=approximate)}"


_SEPARATORS = re.compile(r"[\s\-‐‑–—().（）]")
# Mainland area codes of 2 digits (10 Beijing, 2x big cities); every other area code has 3.
_TWO_DIGIT_AREAS = ("10", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29")


def format_phone(phone: str, lang: str) -> str:
    """A mainland phone number as the reader dials it: unchanged in Chinese; in English with +86
    and the trunk 0 dropped ("021-38760448" → "+86 21 3876 0448", "13800138000" → "+86 138 0013
    8000", "400-820-8820" → "+86 400 820 8820"). A number already international, or one not
    recognised as mainland, is left as written."""
    text = phone.strip()
    if lang != "en" or not text or text.startswith(("+", "00")):
        return text
    digits = _SEPARATORS.sub("", text)
    if not digits.isdigit():
        return text
    if len(digits) == 11 and digits.startswith("1"):
        return f"+86 {digits[:3]} {digits[3:7]} {digits[7:]}"
    if len(digits) == 10 and digits[:3] in ("400", "800"):
        return f"+86 {digits[:3]} {digits[3:6]} {digits[6:]}"
    if digits.startswith("0") and 10 <= len(digits) <= 12:
        national = digits[1:]
        area_len = 2 if national[:2] in _TWO_DIGIT_AREAS else 3
        area, local = national[:area_len], national[area_len:]
        half = len(local) // 2
        return f"+86 {area} {local[:half]} {local[half:]}"
    return text


def pick(label: Label, lang: str) -> str:
    """The zh-CN or English side of a label."""
    return label[1] if lang == "en" else label[0]


# Words for the codes of the domain enums, for texts built below the UI (assessment reasons,
# register export). The UI has the same words in its message catalogs.
CAUSE_WORDS: dict[str, Label] = {
    "attack": ("外部网络攻击", "an external attack"),
    "malware": ("恶意程序感染", "malware"),
    "insider": ("内部人员违规操作", "misconduct by an insider"),
    "misdelivery": ("信息误发送", "information sent to the wrong recipient"),
    "lost_device": ("存储设备或介质丢失", "a lost device or storage medium"),
    "third_party": ("第三方合作方（供应商或SDK提供方）的安全缺陷",
                    "a security flaw at a third party (supplier or SDK)"),
    "misconfiguration": ("系统配置错误", "a misconfigured system"),
    "other": ("其他原因", "another cause"),
}
OPERATOR_WORDS: dict[str, Label] = {
    "ordinary": ("一般网络运营者", "an ordinary network operator"),
    "critical_infrastructure": ("关键信息基础设施运营者", "a critical information infrastructure operator"),
    "state_organ": ("中央和国家机关单位", "a central or state organ"),
}
ENISA_CATEGORY_WORDS: dict[str, Label] = {
    "simple": ("一般数据", "simple data"),
    "behavioural": ("行为数据", "behavioural data"),
    "financial": ("财务数据", "financial data"),
    "sensitive": ("敏感数据", "sensitive data"),
}
BAND_WORDS: dict[str, Label] = {
    "low": ("低", "low"),
    "medium": ("中", "medium"),
    "high": ("高", "high"),
    "very_high": ("很高", "very high"),
}
OBLIGATION_STATUS_WORDS: dict[str, Label] = {
    "pending": ("待办", "pending"),
    "met": ("已履行", "met"),
    "not_applicable": ("不适用", "not applicable"),
    "needs_judgement": ("需要判断", "needs judgement"),
    "overdue": ("已逾期", "overdue"),
}
# The same words as the GUI's catalog (decisions.kind.*).
DECISION_WORDS: dict[str, Label] = {
    "exempt_individual_notice": ("不通知个人（豁免）", "Do not notify individuals (exemption)"),
    "public_announcement_instead": ("以公告代替逐一通知", "Public announcement instead of individual notice"),
    "cac_grade_judgement": ("事件分级判断", "CAC grade judgement"),
    "gdpr_no_risk": ("GDPR：不太可能产生风险", "GDPR: unlikely to result in a risk"),
    "gdpr_individual_exemption": ("GDPR：免于通知个人", "GDPR: exemption from telling individuals"),
    "notification_delay": ("GDPR：迟延通知的原因", "GDPR: reasons for a late notification"),
    "waive_notice_element": ("通知要素豁免", "Waive a notice element"),
    "obligation_status": ("义务状态", "Obligation status"),
    "other": ("其他决定", "Other decision"),
}
ACTION_STATUS_WORDS: dict[str, Label] = {
    "done": ("已完成", "done"),
    "in_progress": ("进行中", "in progress"),
    "planned": ("计划中", "planned"),
}
OUTCOME_WORDS: dict[str, Label] = {
    "met_on_time": ("按时履行", "met on time"),
    "met_late": ("逾期履行", "met late"),
    "overdue": ("逾期未履行", "overdue"),
    "pending": ("未到期", "pending"),
    "not_applicable": ("不适用", "not applicable"),
}
CAC_GRADE_WORDS: dict[str, Label] = {
    "一般": ("一般", "general (一般)"),
    "较大": ("较大", "relatively major (较大)"),
    "重大": ("重大", "major (重大)"),
    "特别重大": ("特别重大", "particularly major (特别重大)"),
}


def words(table: dict[str, Label], code: object, lang: str) -> str:
    """The reader's word for a stored code; an unknown code is shown as it is (never dropped)."""
    key = str(getattr(code, "value", code))
    return pick(table[key], lang) if key in table else key


def both(table: dict[str, Label], code: object) -> Label:
    """The (zh-CN, en) words for a stored code, for texts built in both languages at once."""
    return words(table, code, "zh-CN"), words(table, code, "en")


def time_both(value: str | datetime | None) -> Label:
    """A Beijing-time label in both languages (see format_time)."""
    return format_time(value, "zh-CN"), format_time(value, "en")


# -- a text in one language that lacks a fact -------------------------------------------------
LANG_NAMES = {"zh-CN": "Chinese", "en": "English"}
MISSING, UNTRANSLATED = "missing", "untranslated"


def marker(field: str, lang: str, state: str = MISSING) -> str:
    """The marker printed where a value is missing (or a copy) in ``lang``; ASCII only, so an
    English text shows no Chinese even in its gaps."""
    return f"[{LANG_NAMES.get(lang, lang)} text {state}: {field}]"


def has_chinese(text: str) -> bool:
    """Whether ``text`` holds a Chinese character or full-width punctuation (what an English
    reader cannot read)."""
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\u3000" <= ch <= "\u303f"
               or "\uff00" <= ch <= "\uffef" for ch in text)
