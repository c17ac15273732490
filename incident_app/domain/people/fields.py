"""Normalising one field of an affected-people row: email, phone (to E.164), birth date, age,
data types, language, plain text. Each returns the clean value or raises :class:`FieldRejected`
with a message from :data:`MESSAGES`.

Fast paths first: a million-row import spends most of its time here, so the common shapes
(ASCII email, 11-digit mainland mobile, YYYY-MM-DD) avoid regex backtracking and phonenumbers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache

from incident_app.domain import contacts
from incident_app.domain.contacts import EMAIL_PATTERN as EMAIL_PATTERN  # re-exported for rows.py

MAX_TEXT = 200

# Reasons written to the import report, Chinese first. Tests compare them exactly.
MESSAGES: dict[str, str] = {
    "email_invalid": "邮箱格式无效，已舍弃该字段 / not a valid email address; field dropped",
    "email_non_ascii_local": "邮箱 @ 前含非 ASCII 字符，通知邮件无法发送到该地址，已舍弃该字段 / the part before "
                             "the @ is not ASCII: notices cannot be sent there (no SMTPUTF8); field dropped",
    "phone_invalid": "不是有效的电话号码，已舍弃该字段 / not a valid phone number; field dropped",
    "phone_not_mobile": "不是手机号码，无法接收短信（已保留）/ not a mobile number: kept, but it cannot receive SMS",
    "birth_date_invalid": "无法识别的出生日期（请写成 YYYY-MM-DD），已舍弃 / unrecognised birth date "
                          "(write YYYY-MM-DD); field dropped",
    "birth_date_range": "出生日期不在合理范围（1900 年至今），已舍弃 / birth date outside 1900..today; field dropped",
    "id_number_invalid": "不是有效的居民身份证号码（18位，校验码须正确），已舍弃 / not a valid Chinese resident ID "
                         "number (18 characters, check digit must match); field dropped",
    "id_birth_conflict": "出生日期与身份证号码中的出生日期不一致，以出生日期列为准 / the birth date disagrees with the "
                         "one in the ID number; the birth date column used",
    "age_invalid": "年龄应为 0–150 的整数，已舍弃 / age must be a whole number 0-150; field dropped",
    "age_conflict": "年龄与出生日期不一致，以出生日期为准 / age disagrees with the birth date; birth date used",
    "data_type_unknown": "未知的信息类型（运行 catalog 查看可用 ID），已舍弃 / unknown data type "
                         "(run 'catalog' for the ids); dropped",
    "language_unknown": "无法识别的语言，按 zh-CN 处理 / unrecognised language; zh-CN used",
    "too_long": "超过 200 个字符，已舍弃 / longer than 200 characters; field dropped",
    "unsafe_removed": "含控制字符或文字方向控制符（如 NUL、ESC、U+202E），已删除这些字符，其余内容保留 / contained "
                      "control or text-direction characters (such as NUL, ESC, U+202E); they were removed, "
                      "the rest kept",
    "minor_no_guardian": "未满14周岁但没有监护人联系方式：不直接联系儿童，计入公告，请查找监护人 / under 14 with no "
                         "guardian contact: the child is not contacted alone; counted toward the announcement — "
                         "find the guardian",
    "teen_no_guardian": "14至17周岁但没有监护人联系方式：只告知本人，请查找监护人 / aged 14-17 with no guardian "
                        "contact: only the teenager is told — find the guardian",
    "row_unidentified": "既无用户ID，也无姓名加联系方式，整行未导入 / no user id, and no name with a contact: "
                        "row not imported",
    "duplicate": "与第 {row} 行为同一人（{key} 相同），已合并 / same person as row {row} (same {key}); merged",
}


class FieldRejected(ValueError):  # noqa: N818 - reads as what happened to the field
    """The field's value is unusable; ``code`` keys :data:`MESSAGES`."""

    def __init__(self, code: str) -> None:
        super().__init__(MESSAGES[code])
        self.code = code


# Full-width digits, plus and separators fold to ASCII; separators are deleted.
_FOLD = {ord("０") + i: str(i) for i in range(10)} | {ord("＋"): "+"}
_DROP = " -–—.()（）\u3000\xa0－/"
PHONE_FOLD = str.maketrans(_FOLD | dict.fromkeys(map(ord, _DROP)))
DIGIT_FOLD = str.maketrans(_FOLD | {ord("／"): "/", ord("－"): "-", ord("．"): "."})
_CN_MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")


# phonenumbers (~20 ms) and python-stdnum (~15 ms with the ssl it imports) are imported where a
# number first needs them, not with this module: every process that opens the services imports it
# (the organisation profile's phone), and most never parse a phone beyond the fast paths.
@cache
def _mobile_types() -> frozenset[int]:
    import phonenumbers

    return frozenset({phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE})


# C0/C1 control characters (NUL, BEL, ESC…), DEL, and the invisible characters that reorder or
# hide text (bidi embeddings/overrides/isolates such as U+202E, LRM/RLM/ALM, zero-width space,
# a stray BOM). They have no place in a name or address and would reach notices and terminals.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_BREAKS = re.compile("[\t\r\n]+")


def strip_unsafe(value: str) -> str:
    """``value`` with line breaks and tabs as one space and unsafe characters removed."""
    if value.isprintable():
        return value
    return _UNSAFE.sub("", _BREAKS.sub(" ", value))


def has_unsafe(value: str) -> bool:
    """Whether :func:`strip_unsafe` removes something other than line breaks and tabs."""
    return not value.isprintable() and _UNSAFE.search(_BREAKS.sub(" ", value)) is not None


def clean_text(raw: str) -> str | None:
    """Trimmed text, None when empty; over-long values are rejected rather than cut."""
    text = raw.strip()
    if not text:
        return None
    if len(text) > MAX_TEXT:
        raise FieldRejected("too_long")
    return text


def normalise_email(raw: str) -> str | None:
    """The address as stored and sent (see domain/contacts.py, shared with the sender): lower
    case, full-width folded, IDN domains accepted; syntax checked, not delivery."""
    try:
        return contacts.normalise_email(raw)
    except contacts.AddressRejected as problem:
        raise FieldRejected("email_non_ascii_local" if problem.code == "non_ascii_local" else "email_invalid") from None


def normalise_phone(raw: str) -> tuple[str, bool] | None:
    """(E.164 number, can receive SMS) — mainland mobiles by a fast path, the rest by
    phonenumbers with China as the default region."""
    text = raw.strip()
    if not text:
        return None
    if len(text) == 11 and text.isascii() and text.isdigit() and text[0] == "1" and text[1] in "3456789":
        return "+86" + text, True
    text = text.translate(PHONE_FOLD)
    if not text.isprintable():
        raise FieldRejected("phone_invalid")  # phonenumbers would skip an ESC or NUL inside
    if text.startswith("00"):
        text = "+" + text[2:]
    match = _CN_MOBILE.fullmatch(text)
    if match:
        return "+86" + match.group(1), True
    return _parse_other_phone(text)


def _parse_other_phone(text: str) -> tuple[str, bool]:
    import phonenumbers  # deferred (see _mobile_types)

    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        raise FieldRejected("phone_invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise FieldRejected("phone_invalid")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164, phonenumbers.number_type(number) in _mobile_types()


def phone_is_mobile(e164: str | None) -> bool:
    """Whether a stored E.164 number can take SMS (used when merged rows change the contacts)."""
    if not e164:
        return False
    if e164.startswith("+861") and len(e164) == 14 and e164[4] in "3456789":
        return True
    import phonenumbers  # deferred (see _mobile_types)

    try:
        return phonenumbers.number_type(phonenumbers.parse(e164, None)) in _mobile_types()
    except phonenumbers.NumberParseException:
        return False


def normalise_birth_date(raw: str | date, today: date) -> str | None:
    """ISO date from 2012-03-04, 2012/3/4, 2012.03.04, 20120304, 2012年3月4日 or an Excel date."""
    if isinstance(raw, datetime):
        return _checked(raw.date(), today)
    if isinstance(raw, date):
        return _checked(raw, today)
    text = raw.strip()
    if not text:
        return None
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and text.isascii():
        return _checked(_make_date(text[:4], text[5:7], text[8:]), today)
    text = text.translate(DIGIT_FOLD)
    match = _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if not match:
        raise FieldRejected("birth_date_invalid")
    return _checked(_make_date(*match.groups()), today)


def _make_date(year: str, month: str, day: str) -> date:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise FieldRejected("birth_date_invalid") from None


def _checked(value: date, today: date) -> str:
    if value.year < 1900 or value > today:
        raise FieldRejected("birth_date_range")
    return value.isoformat()


def normalise_id_number(raw: str, today: date) -> tuple[str, str] | None:
    """(ID number, ISO birth date in it) of a Chinese resident ID number; the check digit, birth
    date and region code are checked by python-stdnum's ``cn.ric``. Full-width digits and a lower-case
    x are accepted."""
    from stdnum.cn import ric  # deferred (see _mobile_types)
    from stdnum.exceptions import ValidationError as NumberInvalid

    text = unicodedata.normalize("NFKC", raw).strip().replace(" ", "").upper()
    if not text:
        return None
    try:
        number = ric.validate(text)
        born = ric.get_birth_date(number)
    except NumberInvalid:
        raise FieldRejected("id_number_invalid") from None
    if born.year < 1900 or born > today:
        raise FieldRejected("id_number_invalid")
    return number, born.isoformat()


def normalise_age(raw: str) -> int | None:
    """Whole years 0..150; '12', '12岁' and Excel's '12.0' are accepted."""
    text = raw.strip().translate(DIGIT_FOLD).removesuffix("岁").removesuffix(".0").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) > 150:
        raise FieldRejected("age_invalid")
    return int(text)


def age_on(birth_iso: str, day: date) -> int:
    """Completed years on ``day`` (for checking a stated age against the birth date)."""
    born = date.fromisoformat(birth_iso)
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


_LANGUAGE_ALIASES = {
    "zh-cn": "zh-CN", "zh": "zh-CN", "zh_cn": "zh-CN", "zh-hans": "zh-CN", "cn": "zh-CN", "chinese": "zh-CN",
    "中文": "zh-CN", "简体中文": "zh-CN", "汉语": "zh-CN", "普通话": "zh-CN",
    "en": "en", "en-us": "en", "en-gb": "en", "en_us": "en", "english": "en", "英文": "en", "英语": "en",
}


def normalise_language(raw: str) -> tuple[str, bool]:
    """(language code, recognised); unknown or empty means zh-CN, the company's default."""
    text = raw.strip()
    if not text:
        return "zh-CN", True
    code = _LANGUAGE_ALIASES.get(text.lower())
    return (code, True) if code else ("zh-CN", False)


_TYPE_SPLIT = re.compile(r"[;；、,，|]")


def split_data_types(raw: str, names: Mapping[str, str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(catalog ids, unknown tokens) from 'phone_number;IP 地址、设备标识符'. ``names`` maps a
    lower-cased id or zh/en name to its id."""
    known: list[str] = []
    unknown: list[str] = []
    for token in _TYPE_SPLIT.split(raw):
        token = token.strip()
        if not token:
            continue
        type_id = names.get(token.lower())
        if type_id is None:
            unknown.append(token)
        elif type_id not in known:
            known.append(type_id)
    return tuple(known), tuple(unknown)
