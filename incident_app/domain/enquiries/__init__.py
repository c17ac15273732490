"""Enquiries from the people the notices reached: what they asked, through which channel, and the
two clocks the privacy policy sets for each of them (a first reply within three working days,
handling within fifteen when the request needs verification), counted on the official Chinese
calendar from the day the enquiry arrived.

The enquirer's stated contact is personal data: it lives in the record only, masked on screen
and never in an event (events carry the enquiry id, topic and channel)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from incident_app.contact_scrub import scrub_contacts
from incident_app.domain.assessment.deadlines import (
    CalendarNotPublishedError,
    ChineseOfficialCalendar,
    WorkdayCalendar,
    add_working_days,
    end_of_day,
)
from incident_app.domain.assessment.enquiries import EnquiryLoad as EnquiryLoad  # re-exported
from incident_app.domain.clock import SHANGHAI, shanghai_date, to_iso
from incident_app.domain.mail.sending import mask_phone_in_text
from incident_app.domain.people.person import mask_email, mask_phone, mask_text

REPLY_WORKING_DAYS = 3
HANDLING_WORKING_DAYS = 15
MAX_TEXT = 4000


class EnquiryChannel(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    LETTER = "letter"
    ONLINE_FORM = "online_form"
    REGULATOR_REFERRAL = "regulator_referral"


class Topic(StrEnum):
    AFFECTED = "affected"
    WHAT_LEAKED = "what_leaked"
    PROTECT = "protect"
    COMPLAINT = "complaint"
    COMPENSATION = "compensation"
    DELETION = "deletion"
    CORRECTION = "correction"
    OTHER = "other"

    @property
    def is_request(self) -> bool:
        """A complaint or a request that keeps its own status (and needs verification)."""
        return self in REQUEST_TOPICS


REQUEST_TOPICS = frozenset({Topic.COMPLAINT, Topic.COMPENSATION, Topic.DELETION, Topic.CORRECTION})


class EnquiryStatus(StrEnum):
    OPEN = "open"  # no reply yet
    REPLIED = "replied"  # first reply given, still being handled
    CLOSED = "closed"


class RequestOutcome(StrEnum):
    """How a complaint or request ended (its own status, listed in the evidence pack and report)."""

    PENDING = "pending"
    DONE = "done"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class ContactKind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    USER_ID = "user_id"
    OTHER = "other"


class ReplyKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    NOTE = "note"


def mask_contact(kind: str, value: str) -> str:
    """The contact as the screen shows it."""
    if kind == ContactKind.PHONE:
        return mask_phone(value) or ""
    if kind == ContactKind.EMAIL:
        return mask_email(value) or ""
    return mask_text(value) or ""


# Contacts people write in an enquiry to dodge filters or by habit, beyond what scrub_contacts
# finds: an address with "at"/"dot" spelled out or spaces around @, a QQ number or WeChat id after
# its keyword, a phone number with spaced or Unicode dashes or underscores, one in Chinese numerals.
_DOT = r"(?:\s*(?:\.|．|。|点)\s*|\s*[(\[{<]\s*dot\s*[)\]}>]\s*|\s+dot\s+)"
_SPELLED_EMAIL = re.compile(
    r"([A-Za-z0-9._%+-]+)((?:\s+(?:@|＠)\s*|\s*(?:@|＠)\s+|\s*[(\[{<]\s*(?:at|艾特)\s*[)\]}>]\s*"
    r"|\s+(?:at|艾特)\s+)[A-Za-z0-9-]+(?:" + _DOT + r"[A-Za-z0-9-]+)*" + _DOT + r"[A-Za-z]{2,}\b)", re.IGNORECASE)
_KEYWORD_ID = re.compile(r"((?<![A-Za-z])(?:qq|扣扣|企鹅|微信|wechat|weixin|vx|wx)\s*(?:号码|号|id)?\s*[:：]?\s*)"
                         r"([A-Za-z][-_A-Za-z0-9]{4,19}|\d{5,12})", re.IGNORECASE)
_WIDE_PHONE = re.compile(r"(?<![\d０-９])\+?[\d０-９](?:[\s\-‐‑‒–—―−_./()（）]{0,3}[\d０-９]){6,}(?![\d０-９])")
_CHINESE_DIGITS = re.compile(r"[〇零一二三四五六七八九幺]{7,}")


def mask_enquiry_text(text: str, contact: str, masked_contact: str) -> str:
    """An enquirer's text as the screen shows it: their own contact masked, and every other e-mail
    address, phone (or ID) number, QQ number or WeChat id written in it, however written."""
    if contact:
        text = text.replace(contact, masked_contact)
    text = _SPELLED_EMAIL.sub("***@***", text)
    text = _KEYWORD_ID.sub(lambda m: m.group(1) + "***", text)
    text = _WIDE_PHONE.sub(lambda m: mask_phone_in_text(m.group(0)), text)
    text = _CHINESE_DIGITS.sub("***", text)
    return scrub_contacts(text, lambda a: mask_email(a) or "", mask_phone_in_text)


@dataclass(frozen=True)
class Clocks:
    """The due times of one enquiry (end of the N-th working day after the day it arrived)."""

    reply_due: datetime
    close_due: datetime | None
    calendar_published: bool = True


def enquiry_clocks(received_at: datetime, needs_verification: bool, *, reply_days: int = REPLY_WORKING_DAYS,
                   handling_days: int = HANDLING_WORKING_DAYS,
                   calendar: WorkdayCalendar | None = None) -> Clocks:
    """Both clocks of an enquiry received at ``received_at`` (the day of arrival is not counted;
    holidays skipped, make-up weekend workdays counted, as for the incident's policy clocks)."""
    cal = calendar or ChineseOfficialCalendar()
    day = shanghai_date(received_at)
    reply = add_working_days(day, reply_days, cal)
    if not needs_verification:
        return Clocks(end_of_day(reply.day), None, reply.calendar_published)
    close = add_working_days(day, handling_days, cal)
    return Clocks(end_of_day(reply.day), end_of_day(close.day), reply.calendar_published and close.calendar_published)


@dataclass(frozen=True)
class Enquiry:
    id: int
    incident_id: int
    channel: EnquiryChannel
    received_at: datetime
    contact_kind: ContactKind
    contact: str  # normalised as the import normalises; private
    topic: Topic
    text: str
    handler: str
    person_id: int | None
    status: EnquiryStatus
    outcome: RequestOutcome | None
    needs_verification: bool
    reply_due: datetime
    close_due: datetime | None
    first_reply_at: datetime | None
    closed_at: datetime | None
    recorded_at: datetime

    @property
    def masked_contact(self) -> str:
        return mask_contact(self.contact_kind, self.contact)

    @property
    def masked_text(self) -> str:
        """What they said with every contact in it masked, as the screen masks contacts: the
        enquirer's own contact, and any e-mail address or phone (or ID) number written in it."""
        return mask_enquiry_text(self.text, self.contact, self.masked_contact)

    def overdue(self, now: datetime) -> bool:
        """No reply by the reply due time, or (needing verification) not closed by the close due time."""
        if self.first_reply_at is None and now > self.reply_due:
            return True
        return self.close_due is not None and self.closed_at is None and now > self.close_due

    def unpublished_years(self) -> tuple[int, ...]:
        """Years its clocks cross for which the State Council has not announced the holidays yet:
        there the count falls back to Monday–Friday, so the due times are an estimate."""
        last = (self.close_due or self.reply_due).astimezone(SHANGHAI).year
        missing = []
        for year in range(self.received_at.astimezone(SHANGHAI).year, last + 1):
            try:
                ChineseOfficialCalendar().is_workday(date(year, 6, 1))
            except CalendarNotPublishedError:
                missing.append(year)
        return tuple(missing)

    def replied_on_time(self) -> bool | None:
        """None while unanswered; else whether the first reply met its clock."""
        return None if self.first_reply_at is None else self.first_reply_at <= self.reply_due

    def to_dict(self, now: datetime, *, masked: bool = True) -> dict[str, object]:
        """The JSON of ``enquiry add/list`` (the contact masked unless asked otherwise)."""
        return {
            "id": self.id, "incident_id": self.incident_id, "channel": self.channel.value,
            "received_at": to_iso(self.received_at), "contact_kind": self.contact_kind.value,
            "contact": self.masked_contact if masked else self.contact, "topic": self.topic.value,
            "text": self.masked_text if masked else self.text, "handler": self.handler,
            "person_id": self.person_id, "status": self.status.value,
            "request_status": self.outcome.value if self.outcome else None,
            "needs_verification": self.needs_verification, "reply_due": to_iso(self.reply_due),
            "close_due": to_iso(self.close_due) if self.close_due else None,
            "first_reply_at": to_iso(self.first_reply_at) if self.first_reply_at else None,
            "closed_at": to_iso(self.closed_at) if self.closed_at else None,
            "overdue": self.overdue(now),
            "calendar_published": not self.unpublished_years(),
        }


@dataclass(frozen=True)
class Reply:
    id: int
    enquiry_id: int
    kind: ReplyKind
    template: str
    language: str
    body: str
    at: datetime
    by: str
    state: str = "recorded"  # e-mail: sent / deferred / failed (the relay's answer); else recorded
    message_id: str = ""
    code: int | None = None
    relay_reply: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "kind": self.kind.value, "template": self.template, "language": self.language,
                "body": self.body, "at": to_iso(self.at.astimezone(SHANGHAI)), "by": self.by, "state": self.state,
                "message_id": self.message_id, "code": self.code}


@dataclass(frozen=True)
class EnquiryFilter:
    """What narrows the list: topic, status, overdue (at ``now``)."""

    topic: Topic | None = None
    status: EnquiryStatus | None = None
    overdue_at: datetime | None = None


@dataclass(frozen=True)
class EnquiryMetrics:
    """Median time to the first reply and the share replied on time (of those replied or overdue)."""

    total: int
    replied: int
    overdue: int
    median_reply_hours: float | None
    on_time_share: float | None
    # One drill incident's own figures (the register never counts them), or, over all
    # incidents, how many drill enquiries were left out (as the register leaves drills out).
    drill: bool = False
    drills_excluded: int = 0

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"total": self.total, "replied": self.replied, "overdue": self.overdue,
                                  "median_reply_hours": self.median_reply_hours, "on_time_share": self.on_time_share}
        if self.drill:
            out["drill"] = True
        if self.drills_excluded:
            out["drills_excluded"] = self.drills_excluded
        return out


def reply_metrics(total: int, overdue: int,
                  reply_pairs: Iterable[tuple[datetime, datetime, datetime]]) -> EnquiryMetrics:
    """From (received, first reply, reply due) of every replied enquiry."""
    spans: list[timedelta] = []
    on_time = 0
    for received, replied, due in reply_pairs:
        spans.append(replied - received)
        on_time += replied <= due
    spans.sort()
    median = None
    if spans:
        mid = len(spans) // 2
        middle = spans[mid] if len(spans) % 2 else (spans[mid - 1] + spans[mid]) / 2
        median = round(middle.total_seconds() / 3600, 2)
    judged = len(spans) + overdue
    share = round(on_time / judged, 4) if judged else None
    return EnquiryMetrics(total, len(spans), overdue, median, share)


def request_counts(rows: Iterable[tuple[str, str | None, int]]) -> Mapping[str, Mapping[str, int]]:
    """topic -> status -> count, for complaints and requests only (no personal data)."""
    found: dict[str, dict[str, int]] = {}
    for topic, outcome, count in rows:
        if Topic(topic).is_request:
            found.setdefault(topic, {})[outcome or RequestOutcome.PENDING.value] = count
    return found
