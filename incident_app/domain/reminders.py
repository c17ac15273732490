"""Deadline reminders: which open obligations with a legal due time deserve a desktop
notification now, at the officer's lead times (default 60, 30 and 10 minutes before, and at
expiry), each shown once.

Pure: the caller passes the obligations, the lead times, the time and the keys already shown
(persisted by the service), and gets back the reminders to show and every key to remember."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from incident_app.domain.assessment.common import Text
from incident_app.domain.clock import to_iso
from incident_app.domain.errors import ValidationError

DEFAULT_LEAD_MINUTES: tuple[int, ...] = (60, 30, 10, 0)
MAX_LEAD_MINUTES = 7 * 24 * 60  # a week: earlier than that a reminder is a calendar's job
MAX_LEADS = 8
# A shown key is forgotten this long after its due time: it can never fire again by then.
FORGET_AFTER = timedelta(days=30)


class CloseAction(StrEnum):
    """What closing the main window does while the tray is available."""

    ASK = "ask"  # ask once, remember the answer (the default)
    TRAY = "tray"  # keep running in the tray: reminders keep coming
    QUIT = "quit"  # quit: no reminders until the app starts again


@dataclass(frozen=True)
class DueObligation:
    """One open obligation with a legal due time (an internal target never reminds: it is not law)."""

    incident_id: int
    incident_title: str
    obligation_id: str
    obligation_title: Text
    due: datetime
    drill: bool = False  # an exercise: its reminders say so, and a real deadline is watched first


@dataclass(frozen=True)
class Reminder:
    """One notification to show: ``lead_minutes`` before ``item.due`` (0 = at expiry)."""

    item: DueObligation
    lead_minutes: int

    @property
    def key(self) -> str:
        return reminder_key(self.item, self.lead_minutes)


@dataclass(frozen=True)
class ReminderPlan:
    """The result of one check: what to show now, and every key to persist as handled."""

    show: tuple[Reminder, ...]
    handled: frozenset[str]


def reminder_key(item: DueObligation, lead_minutes: int) -> str:
    """Once per obligation, lead time and due time: a due time that moves (a corrected discovery
    time) is a new deadline and reminds again."""
    return f"{item.incident_id}|{item.obligation_id}|{lead_minutes}|{to_iso(item.due)}"


def key_due(key: str) -> datetime | None:
    """The due time inside a stored key (None for a key this version cannot read)."""
    try:
        return datetime.fromisoformat(key.rsplit("|", 1)[1])
    except (IndexError, ValueError):
        return None


def parse_lead_minutes(value: object) -> tuple[int, ...]:
    """Lead times from a list of whole minutes or text such as ``60,30,10,0`` (0 = at expiry):
    each 0–10080, at most 8, duplicates dropped, largest first. Raises ValidationError naming
    ``lead_minutes`` and the bad item."""
    items: Sequence[object]
    if isinstance(value, str):
        items = [part.strip() for part in value.replace("，", ",").split(",") if part.strip()]
    elif isinstance(value, list | tuple):
        items = value
    else:
        raise ValidationError.single("lead_minutes", "give whole minutes separated by commas, e.g. 60,30,10,0")
    minutes: set[int] = set()
    for item in items:
        number = _whole_minutes(item)
        if number is None or not 0 <= number <= MAX_LEAD_MINUTES:
            raise ValidationError.single(
                "lead_minutes", f"'{item}' is not a lead time; use whole minutes 0–{MAX_LEAD_MINUTES} "
                                "(0 = when the deadline passes), e.g. 60,30,10,0")
        minutes.add(number)
    if not minutes:
        raise ValidationError.single("lead_minutes", "give at least one lead time, e.g. 60,30,10,0")
    if len(minutes) > MAX_LEADS:
        raise ValidationError.single("lead_minutes", f"at most {MAX_LEADS} lead times")
    return tuple(sorted(minutes, reverse=True))


def _whole_minutes(item: object) -> int | None:
    if isinstance(item, bool):
        return None
    if isinstance(item, int):
        return item
    if isinstance(item, str) and item.strip().isdecimal():  # not isdigit: int("²") raises
        return int(item.strip())
    return None


def plan_reminders(items: Iterable[DueObligation], lead_minutes: Sequence[int], now: datetime,
                   shown: frozenset[str] | set[str]) -> ReminderPlan:
    """The reminders whose moment (due − lead) has come and that were never shown.

    When several moments of one obligation have passed unseen (the app was not running), only
    the most urgent one is shown and the earlier ones are marked handled: three stale
    notifications for one deadline would bury the one that matters."""
    show: list[Reminder] = []
    handled: set[str] = set()
    for item in items:
        passed = [lead for lead in sorted(lead_minutes) if item.due - timedelta(minutes=lead) <= now]
        unseen = [lead for lead in passed if reminder_key(item, lead) not in shown]
        if not unseen:
            continue
        show.append(Reminder(item, unseen[0]))
        handled.update(reminder_key(item, lead) for lead in unseen)
    show.sort(key=lambda r: r.item.due)
    return ReminderPlan(tuple(show), frozenset(handled))


def next_due(items: Iterable[DueObligation], now: datetime) -> DueObligation | None:
    """The open obligation to watch: the earliest due time of a real incident (a drill's only when
    no real one is open — an exercise must never hide a real deadline). An overdue duty is still
    open and comes first — it stays in front of the officer until it is met, never hidden behind
    a later deadline that merely has time left."""
    del now  # the order is the due time alone; kept so callers state the moment they ask about
    return min(items, key=lambda i: (i.drill, i.due), default=None)


def forget_old(shown: Iterable[str], now: datetime, still_open: Iterable[DueObligation] = ()) -> frozenset[str]:
    """The shown keys worth keeping: those whose due time is less than 30 days past, and every
    key of an obligation that is still open however long overdue — forgetting those would make
    the next check show its expiry reminder again, and again at every check after it."""
    open_deadlines = {(f"{item.incident_id}|{item.obligation_id}", to_iso(item.due)) for item in still_open}
    kept = set()
    for key in shown:
        due, parts = key_due(key), key.rsplit("|", 2)
        if due is None or len(parts) != 3:
            continue
        if due > now - FORGET_AFTER or (parts[0], parts[2]) in open_deadlines:
            kept.add(key)
    return frozenset(kept)
