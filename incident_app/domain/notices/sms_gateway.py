"""SMS hand-off to a Chinese SMS gateway: the tool never sends SMS itself. A notification SMS goes
out only through an approved signature and template with per-recipient variables, so the tool
turns each approved SMS notice into

- a *template* (the fixed text with named variables) and an approval pack checked against the
  gateway's rules (Alibaba Cloud: signature 2–12 characters, template at most 500 characters, no
  【】 inside, each variable 1–35 characters, used once, never adjacent; billed with the signature
  included: a message whose signature and text are all GSM 7-bit characters per 160, then 153
  septets a part; one with any other character (a Chinese signature makes an English text one)
  in UCS-2 per 70 characters, then 67; Tencent Cloud: no variable may be or hold a link);
- one row per recipient in the provider's batch layout.

The only variable is the recipient's reference code (``BD<incident>-<10 hex>``): no name, no
ID number, no phone number travels as a variable. Pure: no files, no database."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from incident_app.domain.exports import neutralise_text

SIGNATURE_MIN, SIGNATURE_MAX = 2, 12
TEMPLATE_MAX = 500
VARIABLE_MIN, VARIABLE_MAX = 1, 35
FIRST_SEGMENT, NEXT_SEGMENT = 70, 67
GSM7_FIRST_SEGMENT, GSM7_NEXT_SEGMENT = 160, 153
# A notification SMS may take at most two billed parts (the completeness check's limit).
MAX_PARTS = 2
DAILY_LIMIT_PER_NUMBER = 50
REFERENCE_VARIABLE = "code"
_LINK = re.compile(r"(https?://|www\.|[a-z0-9-]+\.(?:com|cn|net|org|top|xyz|io|cc)\b)", re.IGNORECASE)
_BRACKETS = ("【", "】")


class Provider(StrEnum):
    """Batch layouts: ``generic`` (E.164, variables, final text, version), Alibaba Cloud's
    console batch file, Tencent Cloud's console batch file (phone in column A, one column per
    variable in order)."""

    GENERIC = "generic"
    ALIYUN = "aliyun"
    TENCENT = "tencent"


@dataclass(frozen=True)
class Variable:
    """A template variable: its name, kind, longest value and an example value."""

    name: str
    kind: str
    max_length: int
    example: str


@dataclass(frozen=True)
class SmsTemplate:
    """The fixed text of one SMS notice with its variables as ``${name}``."""

    text: str
    variables: tuple[Variable, ...]

    def fill(self, values: dict[str, str]) -> str:
        """The text with each variable replaced by its value."""
        out = self.text
        for v in self.variables:
            out = out.replace("${" + v.name + "}", values[v.name])
        return out

    def for_provider(self, provider: Provider) -> str:
        """As the provider's console wants it: Tencent numbers its variables {1}, {2}…"""
        if provider != Provider.TENCENT:
            return self.text
        out = self.text
        for i, v in enumerate(self.variables, 1):
            out = out.replace("${" + v.name + "}", "{" + str(i) + "}")
        return out

    def worst_case(self) -> str:
        """The text with every variable at its longest (the billing worst case)."""
        return self.fill({v.name: "X" * v.max_length for v in self.variables})


def template_from(body: str, reference: str, example: str) -> SmsTemplate:
    """The template of an SMS master: its specimen reference becomes the ``${code}`` variable."""
    variable = Variable(REFERENCE_VARIABLE, "reference code", max(len(reference), len(example)), example)
    return SmsTemplate(body.replace(reference, "${" + REFERENCE_VARIABLE + "}"), (variable,))


# GSM 03.38: a message written only in these characters goes out in 7-bit encoding; the
# extension characters take two septets each.
GSM7 = frozenset("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                 "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXTENSION = frozenset("^{}\\[~]|€\x0c")


def ucs2_units(text: str) -> int:
    """The length of ``text`` in UCS-2/UTF-16 code units, as the gateway counts a UCS-2 message: a
    character outside the Basic Multilingual Plane (an emoji, a rare CJK character) takes two."""
    return len(text.encode("utf-16-le")) // 2


def is_gsm7(text: str) -> bool:
    """Whether every character of ``text`` is in the GSM 7-bit alphabet (with its extension)."""
    return all(ch in GSM7 or ch in GSM7_EXTENSION for ch in text)


@dataclass(frozen=True)
class Billing:
    """How the gateway bills one message: its encoding, its length in that encoding (septets for
    GSM-7, characters for UCS-2), the parts it is billed as and what the first and next parts hold."""

    encoding: str
    length: int
    parts: int
    first: int
    next: int

    @property
    def two_parts_hold(self) -> int:
        """What :data:`MAX_PARTS` concatenated parts hold in this encoding."""
        return self.next * MAX_PARTS


def billing(signature: str, text: str) -> Billing:
    """The message as the gateway bills it: 【signature】 plus the text. The gateway adds the
    brackets itself; it chooses GSM-7 only when the signature and the text are all GSM-7
    characters, so a Chinese signature bills an English text in UCS-2 (70, then 67 a part)."""
    if is_gsm7(signature + text):
        length = len(signature) + 2 + len(text) + sum(ch in GSM7_EXTENSION for ch in signature + text)
        first, nxt = GSM7_FIRST_SEGMENT, GSM7_NEXT_SEGMENT
        return Billing("GSM-7", length, 1 if length <= first else math.ceil(length / nxt), first, nxt)
    length = billed_length(signature, text)
    return Billing("UCS-2", length, segments(length), FIRST_SEGMENT, NEXT_SEGMENT)


def billed_length(signature: str, text: str) -> int:
    """Characters as Chinese gateways bill a UCS-2 message: the signature in 【】 plus the text."""
    return ucs2_units(signature) + 2 + ucs2_units(text)


def segments(length: int) -> int:
    """A UCS-2 message: one part up to 70 characters; longer ones in parts of 67."""
    return 1 if length <= FIRST_SEGMENT else math.ceil(length / NEXT_SEGMENT)


def billing_problems(signature: str, text: str, lang: str) -> list[str]:
    """The message takes more than :data:`MAX_PARTS` billed parts: say how it is billed and what
    fixes it (an English SMS with a Chinese signature: an English signature; else a shorter text)."""
    bill = billing(signature, text)
    if bill.parts <= MAX_PARTS:
        return []
    why = ""
    if bill.encoding == "UCS-2" and is_gsm7(text) and not is_gsm7(signature):
        why = f" (the signature 【{signature}】 is not GSM 7-bit, so the whole message is billed in UCS-2)"
    fix = ("set an English SMS signature of 2–12 Latin letters (profile field sms_signature_en: Settings → "
           "Profile, or 'profile set sms_signature_en NAME') or shorten the template"
           if why and lang != "zh-CN" else "shorten the template")
    return [f"sms: {bill.length} characters with the signature, {bill.encoding}{why}: {bill.parts} billed parts; "
            f"{MAX_PARTS} parts hold {bill.two_parts_hold}; {fix}"]


def signature_problems(signature: str) -> list[str]:
    """A signature names the company in 2–12 characters, without brackets."""
    problems = []
    if not SIGNATURE_MIN <= len(signature) <= SIGNATURE_MAX:
        problems.append(f"signature: {len(signature)} characters; it must have {SIGNATURE_MIN}–{SIGNATURE_MAX}"
                        " (give a shorter company name with --signature)")
    if any(b in signature for b in _BRACKETS):
        problems.append("signature: write it without 【】 (the gateway adds them)")
    return problems


def link_domain(value: str) -> str:
    """The host of a web address (``https://www.wotu.cn/x`` → ``wotu.cn``), lower case, no ``www.``."""
    host = re.sub(r"^[a-z]+://", "", value.strip().lower()).split("/", 1)[0].split(":", 1)[0]
    return host.removeprefix("www.")


def _links_in(text: str) -> list[str]:
    return re.findall(r"(?:https?://|www\.)[^\s，。；、）)]+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|cn|net|org)\b[^\s，。；、）)]*",
                      text, re.IGNORECASE)


def template_problems(template: SmsTemplate, provider: Provider = Provider.GENERIC, *,
                      website: str = "") -> list[str]:
    """The gateway rules the template breaks (empty when it may be filed for approval). A link
    in the fixed text must point to the company's own (ICP-filed) website domain."""
    problems = []
    allowed = link_domain(website) if website else ""
    for link in _links_in(template.text):
        domain = link_domain(link)
        if not allowed or (domain != allowed and not domain.endswith("." + allowed)):
            problems.append(f"template: link '{link[:60]}' is not on the company's ICP-filed website domain"
                            f" ({allowed or 'none set in Settings'}); gateways approve links to that domain only")
    worst = template.worst_case()
    if len(worst) > TEMPLATE_MAX:
        problems.append(f"template: {len(worst)} characters at worst; at most {TEMPLATE_MAX}")
    if any(b in template.text for b in _BRACKETS):
        problems.append("template: contains 【 or 】, which only the signature may use")
    names = [v.name for v in template.variables]
    for name in names:
        used = template.text.count("${" + name + "}")
        if used != 1:
            problems.append(f"variable {name}: used {used} times; each variable exactly once")
    if re.search(r"\}\$\{", template.text):
        problems.append("template: two variables next to each other; put fixed text between them")
    for v in template.variables:
        if not VARIABLE_MIN <= v.max_length <= VARIABLE_MAX:
            problems.append(f"variable {v.name}: up to {v.max_length} characters; {VARIABLE_MIN}–{VARIABLE_MAX}")
        if provider == Provider.TENCENT and has_link(v.example):
            problems.append(f"variable {v.name}: holds a link, which Tencent Cloud refuses")
    return problems


def has_link(value: str) -> bool:
    """Whether a value is or holds a web link."""
    return bool(_LINK.search(value))


def value_problems(values: dict[str, str], template: SmsTemplate, provider: Provider) -> list[str]:
    """What is wrong with one recipient's variable values."""
    problems = []
    for v in template.variables:
        value = values.get(v.name, "")
        if not VARIABLE_MIN <= len(value) <= VARIABLE_MAX:
            problems.append(f"{v.name}: {len(value)} characters; {VARIABLE_MIN}–{VARIABLE_MAX}")
        if provider == Provider.TENCENT and has_link(value):
            problems.append(f"{v.name}: holds a link, which Tencent Cloud refuses in a variable")
    return problems


def provider_phone(e164: str, provider: Provider) -> str:
    """The number as the provider's batch file wants it: E.164 for generic; the 11-digit mainland
    number for Alibaba Cloud and Tencent Cloud (their domestic templates reach mainland numbers)."""
    if provider == Provider.GENERIC:
        return e164
    if not re.fullmatch(r"\+861\d{10}", e164):
        raise ValueError(f"{provider.value}: a domestic notification SMS reaches only mainland mobile numbers")
    return e164[3:]


def header(template: SmsTemplate, provider: Provider) -> list[str]:
    """The batch file's header row."""
    names = [v.name for v in template.variables]
    if provider == Provider.ALIYUN:
        return ["手机号码", *names]
    if provider == Provider.TENCENT:
        return ["手机号码", *(f"变量{i}" for i in range(1, len(names) + 1))]
    return ["phone", *names, "text", "notice_kind", "language", "notice_version_id", "notice_sha256", "out_id"]


def batch_row(phone: str, values: dict[str, str], template: SmsTemplate, provider: Provider,
              extra: Sequence[str]) -> list[str]:
    """One recipient's row; ``extra`` (final text, kind, language, version, hash, out id) only in
    the generic layout."""
    cells = [provider_phone(phone, provider), *(values[v.name] for v in template.variables)]
    return cells + list(extra) if provider == Provider.GENERIC else cells


class RowRefusedError(ValueError):
    """A recipient's row cannot be written for the provider; ``problems`` lists each rule broken
    (the screens word each in the officer's language)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


class SmsMerge:
    """One approved SMS notice version prepared once for a batch of any size: the signature, the
    constant cells (kind, language, version, hash) and the file route are worked out here, so
    each recipient costs only its merge fields (the reference code), its number and its out id.
    ``row`` gives what :func:`batch_row` gives, with the cells after the phone already
    spreadsheet-safe (``neutralise_text``) and the number in the provider's form."""

    def __init__(self, template: SmsTemplate, provider: Provider, *, sign: str, kind: str, lang: str,
                 version_id: str, sha256: str) -> None:
        self.template, self.provider = template, provider
        self.kind, self.lang, self.version_id = kind, lang, version_id
        self.generic = provider == Provider.GENERIC
        # Alibaba and Tencent consoles send one template per batch: one file per notice there.
        self.route = "" if self.generic else f"{kind}.{lang}"
        self._prefix = f"【{sign}】"
        self._names = tuple(v.name for v in template.variables)
        self._constant = [neutralise_text(c) for c in (kind, lang, version_id, sha256)]

    def text(self, values: dict[str, str]) -> str:
        """The final text of one message: the signature and the template with its values."""
        return self._prefix + self.template.fill(values)

    def row(self, phone: str, values: dict[str, str], out_id: str) -> list[str]:
        """One recipient's batch row; :class:`RowRefusedError` says why it cannot be written for this
        provider."""
        bad = value_problems(values, self.template, self.provider)
        try:
            number = provider_phone(phone, self.provider)
        except ValueError as exc:
            bad.append(str(exc))
        if bad:
            raise RowRefusedError(bad)
        cells = [number, *(neutralise_text(values[n]) for n in self._names)]
        if self.generic:
            cells += [neutralise_text(self.text(values)), *self._constant, neutralise_text(out_id)]
        return cells


class ReportState(StrEnum):
    """What a provider's send report says of one message."""

    DELIVERED = "delivered"
    FAILED = "failed"
    PENDING = "pending"


_DELIVERED = {"success", "delivered", "delivrd", "成功", "发送成功", "接收成功", "3", "0", "ok", "sent"}
_FAILED = {"fail", "failed", "failure", "失败", "发送失败", "接收失败", "2", "undeliv", "rejected", "error"}
_PENDING = {"pending", "sending", "等待回执", "发送中", "1", "waiting"}


def report_state(value: str) -> ReportState | None:
    """The state a report's status cell means, or None when it is not understood."""
    folded = value.strip().lower()
    if folded in _DELIVERED:
        return ReportState.DELIVERED
    if folded in _FAILED:
        return ReportState.FAILED
    if folded in _PENDING:
        return ReportState.PENDING
    return None


# Header names the providers' send-record exports use, and ours.
REPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "phone": ("phone", "手机号码", "手机号", "phonenumber", "phone_number", "mobile", "接收号码"),
    "message_id": ("message_id", "bizid", "回执id", "发送回执id", "sid", "serialno", "流水号", "消息id"),
    "status": ("status", "state", "发送状态", "状态", "sendstatus", "report_status", "接收状态"),
    "out_id": ("out_id", "outid", "外部流水号", "sessioncontext", "扩展字段"),
    "reason": ("reason", "错误码", "失败原因", "errcode", "description", "err_msg", "回执信息"),
}


def report_columns(header_row: Sequence[str],
                   columns: Mapping[str, tuple[str, ...]] = REPORT_COLUMNS) -> dict[str, int]:
    """Which column of a report holds what (phone and status are required): the first header
    cell whose name, folded, is one of a key's ``columns`` aliases."""
    found: dict[str, int] = {}
    for index, cell in enumerate(header_row):
        name = cell.strip().lstrip("\ufeff").lower().replace(" ", "")
        for key, aliases in columns.items():
            if name in aliases and key not in found:
                found[key] = index
    return found
