"""The completeness check: reads a *rendered* notice (never its template) and lists each required
element as present, empty, missing, waived (a recorded decision with a reason) or deferred (a
regulator report item marked "to be supplemented", which the CAC Measures allow).

How sections are recognised in the output (documented in README "Notices"):
- HTML: ``<section data-element="ID">``; a section marked ``data-deferred="true"`` is deferred.
  Its text (headings excluded) must not be blank.
- Text (email text, SMS, push, phone script, TXT export): a marker line ``【heading】`` or
  ``[heading]`` holding an element's heading (any language) or its id; the section runs to the
  next marker line. A body starting with 待补报 / "to be supplemented" (for an item that may
  follow: containing it) is deferred.
- PDF/DOCX text (pdftotext, DOCX paragraphs): a line that is exactly an element heading.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from html.parser import HTMLParser
from typing import Any

from incident_app.domain.notices.bilingual import translation_problems
from incident_app.domain.notices.kinds import (
    DEFERRABLE_ELEMENTS,
    DRILL_MARKERS,
    HEADING_INDEX,
    SHORT_CHANNELS,
    SMS_MAX_CHARS,
    SMS_MAX_GSM7,
    Channel,
    NoticeKind,
    may_defer,
    required_elements,
)
from incident_app.domain.notices.sms_gateway import GSM7_EXTENSION, billing_problems, is_gsm7, ucs2_units


class ElementStatus(StrEnum):
    PRESENT = "present"
    EMPTY = "empty"
    MISSING = "missing"
    WAIVED = "waived"
    DEFERRED = "deferred"


ACCEPTABLE = frozenset({ElementStatus.PRESENT, ElementStatus.WAIVED, ElementStatus.DEFERRED})
DEFERRED_TOKENS = ("待补报", "to be supplemented")
# What an item the first report must carry says while nothing is known (never 待补报, which would
# read as acceptable): the section is a gap the checker reports as empty, in every format.
REQUIRED_GAP_TOKENS = ("首次报告须包含本项", "the first report must include this item")
REQUIRED_FIRST_DETAIL = ("required in the first report: item (二) includes the measures taken (CAC Measures "
                         "Art. 7 ¶2 lets only items 3–8 follow); record them in Remediation or write this "
                         "element's text")


@dataclass(frozen=True)
class Section:
    """One identified section of a rendered notice."""

    element: str
    text: str
    deferred: bool = False


@dataclass(frozen=True)
class ElementCheck:
    element: str
    status: ElementStatus
    detail: str = ""

    def to_dict(self) -> dict[str, str]:
        out = {"element": self.element, "status": self.status.value}
        if self.detail:
            out["detail"] = self.detail
        return out


@dataclass(frozen=True)
class CompletenessReport:
    """The result for one rendered notice; ``complete`` gates approval."""

    kind: NoticeKind
    channel: Channel
    lang: str
    elements: tuple[ElementCheck, ...]
    problems: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.problems and all(e.status in ACCEPTABLE for e in self.elements)

    def missing(self) -> list[str]:
        """Human-readable list of what blocks approval."""
        lacking = [f"{e.element}: {e.status.value}" for e in self.elements if e.status not in ACCEPTABLE]
        return lacking + list(self.problems)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "channel": self.channel.value, "lang": self.lang,
                "complete": self.complete, "elements": [e.to_dict() for e in self.elements],
                "problems": list(self.problems)}


@dataclass(frozen=True)
class CheckExpectations:
    """What the output must also satisfy: the officer's contact details in the contact section,
    a drill banner when the incident is a drill, waivers recorded as decisions, and the
    conditional elements this incident calls for (kinds.CONDITIONAL_ELEMENTS: the ransom demand,
    the GDPR reasons for a late notification)."""

    contact_values: tuple[str, ...] = ()
    drill: bool = False
    waivers: Mapping[str, str] = field(default_factory=dict)
    extra_elements: tuple[str, ...] = ()
    # The SMS signature the gateway adds for this language (counted in the billed length).
    sms_signature: str = ""


# -- reading sections -----------------------------------------------------------------------------

class _SectionParser(HTMLParser):
    """Collects ``<section data-element>`` blocks and their text, headings excluded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[Section] = []
        self.drill = False
        self._stack: list[tuple[str, bool, list[str]] | None] = []
        self._in_heading = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("data-drill") == "true":
            self.drill = True
        if tag == "section":
            element = values.get("data-element")
            self._stack.append((element, values.get("data-deferred") == "true", []) if element else None)
        elif re.fullmatch(r"h[1-6]", tag):
            self._in_heading += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "section" and self._stack:
            top = self._stack.pop()
            if top is not None:
                self.sections.append(Section(top[0], " ".join("".join(top[2]).split()), top[1]))
        elif re.fullmatch(r"h[1-6]", tag) and self._in_heading:
            self._in_heading -= 1

    def handle_data(self, data: str) -> None:
        if self._in_heading:
            return
        for entry in self._stack:
            if entry is not None:
                entry[2].append(data)


def html_sections(html: str) -> tuple[list[Section], bool]:
    """Sections in document order (by start) and whether a drill banner is marked."""
    parser = _SectionParser()
    parser.feed(html)
    parser.close()
    return parser.sections, parser.drill


_MARKER = re.compile(r"^\s*(?:【([^】]+)】|\[([^\]]+)\])\s*$")
# "一、", "（三）", "2.", "2.1 " (sub-items of a regulator report item).
_ENUMERATOR = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]"
                         r"|\d+(?:\.\d+)*[.、)]?\s+|\d+[.、)])")


def element_for_heading(text: str) -> str | None:
    """Map a heading (any language, optionally numbered "一、" / "(3)" / "2.") to its element id."""
    cleaned = _ENUMERATOR.sub("", text.strip()).strip()
    return HEADING_INDEX.get(cleaned.casefold()) or HEADING_INDEX.get(cleaned)


def text_sections(text: str, *, bare_headings: bool = False) -> list[Section]:
    """Sections of a text rendering. ``bare_headings`` reads pdftotext/DOCX output, where a heading
    is a line of its own without brackets."""
    sections: list[Section] = []
    current: tuple[str, list[str]] | None = None
    for line in text.splitlines():
        element = _line_element(line, bare_headings)
        if element:
            if current:
                sections.append(_text_section(*current))
            current = (element, [])
        elif current:
            current[1].append(line)
    if current:
        sections.append(_text_section(*current))
    return sections


def _line_element(line: str, bare: bool) -> str | None:
    match = _MARKER.match(line)
    if match:
        return element_for_heading(match.group(1) or match.group(2))
    if bare and line.strip():
        return element_for_heading(line)
    return None


def _text_section(element: str, lines: list[str]) -> Section:
    body = " ".join(" ".join(lines).split())
    folded = body.casefold().lstrip("（(- ")
    # A whole item to follow starts with the token; a known item may still mark one missing
    # detail inline (「地点：（待补报）」), which does not make the item deferred.
    deferred = folded.startswith(DEFERRED_TOKENS) or any(t in folded for t in REQUIRED_GAP_TOKENS) or (
        element in DEFERRABLE_ELEMENTS and any(t in folded for t in DEFERRED_TOKENS))
    return Section(element, body, deferred)


# -- judging --------------------------------------------------------------------------------------

def check_sections(
    sections: Iterable[Section], kind: NoticeKind, channel: Channel, lang: str,
    expectations: CheckExpectations, *, whole_text: str = "", drill_marked: bool | None = None,
) -> CompletenessReport:
    """Judge identified sections against what (kind, channel) requires."""
    found = list(sections)
    by_element: dict[str, Section] = {}
    for section in found:
        by_element.setdefault(section.element, section)
    required = required_elements(kind, channel, expectations.extra_elements)
    checks = tuple(_judge(e, by_element.get(e), kind, expectations) for e in required)
    problems = _order_problems(found, required) + _contact_problems(by_element.get("contact"), expectations)
    if expectations.drill and not (drill_marked or any(m in whole_text for m in DRILL_MARKERS)):
        problems.append("drill: this is a drill incident but the notice carries no 演练/DRILL banner")
    if channel == Channel.SMS and whole_text:
        problems += sms_length_problems(whole_text, expectations.sms_signature, lang)
    # A fact without a value in this notice's language (or an untranslated copy): named by field.
    problems += translation_problems(whole_text)
    return CompletenessReport(kind, channel, lang, checks, tuple(problems))


def _judge(element: str, section: Section | None, kind: NoticeKind, exp: CheckExpectations) -> ElementCheck:
    waiver = exp.waivers.get(element)
    if section is None:
        if waiver:
            return ElementCheck(element, ElementStatus.WAIVED, waiver)
        return ElementCheck(element, ElementStatus.MISSING, "no section for this element in the output")
    if section.deferred and may_defer(kind, element):
        return ElementCheck(element, ElementStatus.DEFERRED, "to be supplemented (CAC Measures: items 1–2 first)")
    if not section.text.strip() or section.deferred:
        if waiver:
            return ElementCheck(element, ElementStatus.WAIVED, waiver)
        if section.deferred:  # marked as a gap, which this notice may not leave open
            return ElementCheck(element, ElementStatus.EMPTY, REQUIRED_FIRST_DETAIL)
        return ElementCheck(element, ElementStatus.EMPTY, "the section has a heading but no content")
    return ElementCheck(element, ElementStatus.PRESENT)


def _order_problems(found: list[Section], required: tuple[str, ...]) -> list[str]:
    seen = [s.element for s in found if s.element in required]
    positions = [required.index(e) for e in dict.fromkeys(seen)]
    if positions == sorted(positions):
        return []
    return ["order: sections must appear in this order: " + ", ".join(required)]


def _contact_problems(section: Section | None, exp: CheckExpectations) -> list[str]:
    if section is None or not exp.contact_values:
        return []
    flat = "".join(section.text.split())
    return [f"contact: '{value}' (officer contact from the profile) is not in the contact section"
            for value in exp.contact_values if "".join(value.split()) not in flat]


def sms_size(body: str) -> tuple[int, int]:
    """(length as the network counts it, what two concatenated segments hold): GSM 7-bit 2 × 153
    septets when every character allows it, else UCS-2 2 × 67 characters (no signature counted)."""
    if is_gsm7(body):
        return len(body) + sum(ch in GSM7_EXTENSION for ch in body), SMS_MAX_GSM7
    return ucs2_units(body), SMS_MAX_CHARS


def sms_length_problems(body: str, signature: str = "", lang: str = "zh-CN") -> list[str]:
    """An SMS must fit two billed parts. With the signature known it is counted as the gateway
    bills it (【signature】 included, its characters choosing the encoding); without one, the
    body alone must fit two concatenated segments."""
    if signature:
        return billing_problems(signature, body, lang)
    size, limit = sms_size(body)
    if size <= limit:
        return []
    return [f"sms: {size} characters; two SMS segments hold {limit}"]


def short_form_body(text: str) -> str:
    """What an SMS or push actually delivers: the section bodies joined, marker lines dropped.
    Lines join without a space after Chinese text and with one after Latin text."""
    lines = [line.strip() for line in text.splitlines() if line.strip() and not _line_element(line, False)]
    out = ""
    for line in lines:
        latin_seam = out and out[-1].isascii() and line[0].isascii()
        out += (" " if latin_seam else "") + line
    return out


def check_rendered(
    content: str, kind: NoticeKind, channel: Channel, lang: str, expectations: CheckExpectations,
) -> CompletenessReport:
    """Check one rendered notice in its own format (HTML or marked-up text)."""
    if channel.is_html:
        sections, drill = html_sections(content)
        return check_sections(sections, kind, channel, lang, expectations, whole_text=content, drill_marked=drill)
    delivered = short_form_body(content) if channel in SHORT_CHANNELS else content
    return check_sections(text_sections(content), kind, channel, lang, expectations, whole_text=delivered)


def check_extracted_text(
    text: str, kind: NoticeKind, channel: Channel, lang: str, expectations: CheckExpectations,
) -> CompletenessReport:
    """Check text extracted from a PDF (pdftotext) or a DOCX, where headings are bare lines."""
    sections = text_sections(text, bare_headings=True)
    return check_sections(sections, kind, channel, lang, expectations, whole_text=text)
