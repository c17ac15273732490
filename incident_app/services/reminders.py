"""Deadline reminders over the stored incidents: the open obligations with a legal due time, the
officer's lead times, and which reminders were already shown (persisted, so a restart does not
repeat them). The GUI's tray shows them; ``reminders`` on the command line reads and sets the
same settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from incident_app.domain.clock import to_iso
from incident_app.domain.errors import ValidationError
from incident_app.domain.incident import IncidentStatus
from incident_app.domain.reminders import (
    DEFAULT_LEAD_MINUTES,
    CloseAction,
    DueObligation,
    Reminder,
    ReminderPlan,
    forget_old,
    next_due,
    parse_lead_minutes,
    plan_reminders,
)
from incident_app.services.container import Services

LEAD_KEY = "reminders.lead_minutes"
CLOSE_KEY = "reminders.close_action"
SHOWN_KEY = "reminders.shown"


@dataclass(frozen=True)
class ReminderSettings:
    lead_minutes: tuple[int, ...] = DEFAULT_LEAD_MINUTES
    close_action: CloseAction = CloseAction.ASK

    def to_dict(self) -> dict[str, object]:
        return {"lead_minutes": list(self.lead_minutes), "close_action": self.close_action.value}


@dataclass(frozen=True)
class ReminderCheck:
    """One look at the deadlines: what to notify now, and the obligation to watch in the tray."""

    reminders: tuple[Reminder, ...]
    next: DueObligation | None
    open_count: int


def reminder_settings(services: Services) -> ReminderSettings:
    """The stored lead times and close action, or the defaults (a value this version cannot read
    falls back to the default rather than silencing reminders)."""
    store = services.ctx.store.settings
    try:
        leads = parse_lead_minutes(store.get(LEAD_KEY, list(DEFAULT_LEAD_MINUTES)))
    except ValidationError:
        leads = DEFAULT_LEAD_MINUTES
    try:
        close = CloseAction(store.get(CLOSE_KEY, CloseAction.ASK.value))
    except ValueError:
        close = CloseAction.ASK
    return ReminderSettings(leads, close)


def save_reminder_settings(services: Services, *, lead_minutes: object = None,
                           close_action: str | None = None) -> ReminderSettings:
    """Validate and store what is given (None: unchanged), with one event when anything changes.
    Raises ValidationError naming ``lead_minutes`` or ``close_action``."""
    current = reminder_settings(services)
    leads = current.lead_minutes if lead_minutes is None else parse_lead_minutes(lead_minutes)
    close = current.close_action
    if close_action is not None:
        try:
            close = CloseAction(close_action.strip().lower())
        except ValueError:
            raise ValidationError.single(
                "close_action", f"'{close_action}' is not a close action; use ask, tray or quit") from None
    new = ReminderSettings(leads, close)
    if new == current:
        return current
    with services.ctx.store.transaction():
        services.ctx.store.settings.set(LEAD_KEY, list(new.lead_minutes))
        services.ctx.store.settings.set(CLOSE_KEY, new.close_action.value)
        services.ctx.record("settings.reminders_changed", "settings", "reminders",
                            {"from": current.to_dict(), "to": new.to_dict()})
    return new


def open_due_obligations(services: Services) -> list[DueObligation]:
    """Every open obligation with a legal due time, of every incident not closed (met, fulfilled
    and not-applicable obligations are not open)."""
    store = services.ctx.store
    ids = [s.id for s in store.incidents.summaries() if s.status is not IncidentStatus.CLOSED]
    if not ids:
        return []
    incidents = store.incidents.get_many(ids)
    items: list[DueObligation] = []
    for incident, assessment in zip(incidents, services.assessment.assess_all(incidents), strict=True):
        for obligation in assessment.obligations:
            if obligation.status.is_open and obligation.deadline.due is not None:
                items.append(DueObligation(incident.id, incident.facts.title, obligation.id,
                                           obligation.title, obligation.deadline.due))
    return items


def shown_keys(services: Services) -> frozenset[str]:
    stored = services.ctx.store.settings.get(SHOWN_KEY, [])
    return frozenset(str(k) for k in stored) if isinstance(stored, list) else frozenset()


def check_reminders(services: Services, now: datetime | None = None) -> ReminderCheck:
    """What to notify now; the reminders returned are recorded as shown (one event each, in the
    incident's timeline) before they are returned, so each fires once even across restarts."""
    moment = now or services.ctx.now()
    items = open_due_obligations(services)
    settings = reminder_settings(services)
    shown = shown_keys(services)
    plan = plan_reminders(items, settings.lead_minutes, moment, shown)
    if plan.handled:
        _remember(services, plan, shown, moment)
    return ReminderCheck(plan.show, next_due(items, moment), len(items))


def _remember(services: Services, plan: ReminderPlan, shown: frozenset[str], now: datetime) -> None:
    with services.ctx.store.transaction():
        services.ctx.store.settings.set(SHOWN_KEY, sorted(forget_old(shown | plan.handled, now)))
        for reminder in plan.show:
            item = reminder.item
            services.ctx.record("reminder.shown", "obligation", item.obligation_id,
                                {"obligation": item.obligation_id, "lead_minutes": reminder.lead_minutes,
                                 "due": to_iso(item.due)}, incident_id=item.incident_id)


def upcoming(services: Services) -> Sequence[DueObligation]:
    """The open obligations with a legal due time, soonest first (``reminders status``)."""
    return sorted(open_due_obligations(services), key=lambda i: i.due)
