"""Deadline clocks: a rule's timing applied to a named anchor moment (discovery, awareness,
handling closed, a decision). Nothing is stored: every clock is recomputed from the facts, so
changing an anchor time moves every deadline that hangs on it.

Working days follow the Chinese official calendar (make-up weekend workdays included) through
chinesecalendar. Two traps are avoided on purpose: ``find_workday`` is not used because it
counts one day late when the start is a holiday, and a year the State Council has not yet
announced raises there, so the count falls back to Monday–Friday and says so."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cache, cached_property
from typing import Protocol

from incident_app.domain.assessment.common import Text
from incident_app.domain.clock import SHANGHAI, shanghai_date
from incident_app.domain.wording import DECISION_WORDS, both, time_both


class TimingKind(StrEnum):
    """How a rule states its time limit."""

    HOURS = "hours"
    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"
    OPERATOR_HOURS = "operator_hours"  # hours looked up by operator type (CAC Measures Art. 4)
    IMMEDIATE = "immediate"  # 立即: no number in the law
    PROMPT = "prompt"  # 及时 / without undue delay: no number in the law
    NONE = "none"  # no time limit (as the regulator requires)


class DueKind(StrEnum):
    """What the ``due`` field of an obligation means."""

    DEADLINE = "deadline"
    IMMEDIATE = "immediate"
    PROMPT = "prompt"
    AWAITING_ANCHOR = "awaiting_anchor"
    NONE = "none"


@dataclass(frozen=True)
class Timing:
    kind: TimingKind
    amount: float | None = None
    internal_target_hours: float | None = None


class CalendarNotPublishedError(LookupError):
    """The official holiday arrangement for that year has not been announced yet."""


class WorkdayCalendar(Protocol):
    def is_workday(self, day: date) -> bool:
        """True on a working day; raises :class:`CalendarNotPublishedError` for an unannounced year."""
        ...


class ChineseOfficialCalendar:
    """The State Council holiday arrangements as packaged by chinesecalendar."""

    def is_workday(self, day: date) -> bool:
        return _official_workday(day)


@cache
def _official_workday(day: date) -> bool:
    # Cached: chinesecalendar re-validates its whole table on every call (~25 µs), and the
    # register recomputes every incident's clocks.
    import chinese_calendar  # the package only holds tables; importing it does no I/O

    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError as exc:
        raise CalendarNotPublishedError(str(exc)) from None


class WeekdayCalendar:
    """Monday–Friday only: the fallback for years without an announced arrangement."""

    def is_workday(self, day: date) -> bool:
        return day.weekday() < 5


@dataclass(frozen=True)
class WorkingDayResult:
    day: date
    calendar_published: bool


def add_working_days(start: date, count: int, calendar: WorkdayCalendar) -> WorkingDayResult:
    """The ``count``-th working day after ``start`` (the start day itself is never counted)."""
    day, found, published = start, 0, True
    while found < count:
        day += timedelta(days=1)
        try:
            working = calendar.is_workday(day)
        except CalendarNotPublishedError:
            working, published = day.weekday() < 5, False
        found += working
    return WorkingDayResult(day, published)


def end_of_day(day: date) -> datetime:
    """The last second of ``day`` in Asia/Shanghai ("within N working days" ends at day's end)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=SHANGHAI)


ANCHOR_NAMES: Mapping[str, Text] = {
    "discovered_at": Text("发现时间", "discovery"),
    "aware_at": Text("知悉时间", "awareness"),
    "handling_closed_at": Text("处置工作结束时间", "the end of handling"),
    "enquiry_unreplied": Text("最早一个待答复询问的到达时间", "the arrival of the oldest enquiry awaiting a reply"),
    "enquiry_unhandled": Text("最早一个未办结请求的到达时间", "the arrival of the oldest request not yet handled"),
}


def anchor_name(anchor: str) -> Text:
    if anchor.startswith("decision:"):
        zh, en = both(DECISION_WORDS, anchor[9:])
        return Text(f"“{zh}”决定作出时间", f"the '{en}' decision")
    return ANCHOR_NAMES.get(anchor, Text(anchor, anchor))


@dataclass(frozen=True)
class Anchors:
    """The moments clocks can hang on."""

    discovered_at: datetime
    aware_at: datetime
    handling_closed_at: datetime | None
    decisions: Mapping[str, datetime]
    # enquiry_unreplied / enquiry_unhandled: the arrival of the oldest enquiry still waiting.
    enquiries: Mapping[str, datetime] = field(default_factory=dict)

    def get(self, name: str) -> datetime | None:
        if name.startswith("decision:"):
            return self.decisions.get(name[9:])
        if name.startswith("enquiry_"):
            return self.enquiries.get(name)
        return {"discovered_at": self.discovered_at, "aware_at": self.aware_at,
                "handling_closed_at": self.handling_closed_at}.get(name)


@dataclass(frozen=True)
class Deadline:
    kind: DueKind
    anchor: str
    anchor_at: datetime | None
    due: datetime | None
    internal_target: datetime | None
    timing_kind: TimingKind
    amount: float | None = None  # hours/days of the rule, or the internal-target hours
    calendar_published: bool = True

    @property
    def clock(self) -> datetime | None:
        """The time a countdown runs to: the legal due time, else the internal target."""
        return self.due or self.internal_target

    @cached_property
    def explanation(self) -> Text:
        """How this clock runs, in both languages (built on first use: the register reads none)."""
        return _explain(self)


def compute_deadline(timing: Timing, anchor: str, anchors: Anchors, calendar: WorkdayCalendar,
                     operator_hours: float | None = None) -> Deadline:
    """Apply ``timing`` to the anchor moment; ``operator_hours`` serves OPERATOR_HOURS timings."""
    at = anchors.get(anchor)
    if timing.kind == TimingKind.NONE:
        return Deadline(DueKind.NONE, anchor, at, None, None, timing.kind)
    if at is None:
        return Deadline(DueKind.AWAITING_ANCHOR, anchor, None, None, None, timing.kind)
    if timing.kind in (TimingKind.IMMEDIATE, TimingKind.PROMPT):
        hours = timing.internal_target_hours or 24
        kind = DueKind.IMMEDIATE if timing.kind == TimingKind.IMMEDIATE else DueKind.PROMPT
        return Deadline(kind, anchor, at, None, at + timedelta(hours=hours), timing.kind, hours)
    amount = operator_hours if timing.kind == TimingKind.OPERATOR_HOURS else timing.amount
    if amount is None:
        raise ValueError(f"timing {timing.kind.value} needs an amount")
    if timing.kind == TimingKind.WORKING_DAYS:
        result = add_working_days(shanghai_date(at), int(amount), calendar)
        return Deadline(DueKind.DEADLINE, anchor, at, end_of_day(result.day), None, timing.kind, amount,
                        result.calendar_published)
    span = timedelta(days=amount) if timing.kind == TimingKind.CALENDAR_DAYS else timedelta(hours=amount)
    return Deadline(DueKind.DEADLINE, anchor, at, at + span, None, timing.kind, amount)


def _explain(d: Deadline) -> Text:
    name = anchor_name(d.anchor)
    if d.kind == DueKind.NONE:
        return Text("法律未规定时限，按主管部门要求办理。",
                    "The law sets no time limit; follow the regulator's requests.")
    if d.kind == DueKind.AWAITING_ANCHOR:
        return Text(f"时限自{name.zh}起算，该时间尚未发生。",
                    f"The clock starts at {name.en}, which has not happened yet.")
    if d.kind in (DueKind.IMMEDIATE, DueKind.PROMPT):
        return _explain_unnumbered(d, name)
    amount, due = d.amount or 0, time_both(d.due)
    if d.timing_kind == TimingKind.WORKING_DAYS:
        return _explain_working(d, name, amount, due)
    if d.timing_kind == TimingKind.CALENDAR_DAYS:
        return Text(f"自{name.zh}起 {amount:g} 个自然日内（节假日不顺延，保守计算），截止{due[0]}。",
                    f"Within {amount:g} calendar days of {name.en} (not extended for holidays, conservative): "
                    f"due {due[1]}.")
    return Text(f"自{name.zh}起 {amount:g} 小时内，截止{due[0]}。", f"Within {amount:g} h of {name.en}: due {due[1]}.")


def _explain_unnumbered(d: Deadline, name: Text) -> Text:
    if d.kind == DueKind.IMMEDIATE:
        law = Text("法律要求“立即”，未规定具体小时数", "The law says 'immediately' (立即) and gives no number of hours")
    else:
        law = Text("法律要求“及时”，未规定具体时限",
                   "The law says 'promptly' (及时 / without undue delay) and gives no number")
    target = time_both(d.internal_target)
    hours = d.amount or 0
    return law + Text(f"；内部目标（非法定时限）：{name.zh}后 {hours:g} 小时内，即{target[0]}。",
                      f"; internal target (not a legal deadline): within {hours:g} h of {name.en}, i.e. "
                      f"{target[1]}.")


def _explain_working(d: Deadline, name: Text, amount: float, due: tuple[str, str]) -> Text:
    why = Text(f"自{name.zh}次日起算 {amount:g} 个工作日（按国务院公布的节假日安排，含调休上班日），截止{due[0]}。",
               f"{amount:g} working days counted from the day after {name.en} (official Chinese holiday calendar, "
               f"make-up workdays included): due {due[1]}.")
    if not d.calendar_published:
        why = why + Text("该年度节假日安排尚未公布：按周一至周五计算，请在公布后复核。",
                         "Calendar not yet published for that year: counted Monday–Friday; "
                         "re-check once it is announced.")
    return why

