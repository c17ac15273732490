"""Deadline reminders over the stored incidents: the open obligations with a legal due time, the
officer's lead times, and which reminders were already shown (persisted, so a restart does not
repeat them). The GUI's tray shows them; ``reminders`` on the command line reads and sets the
same settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from incident_app.domain.clock import to_iso
from incident_app.domain.incident import IncidentStatus
from incident_app.domain.reminders import (
    DueObligation,
    Reminder,
    ReminderPlan,
    forget_old,
    next_due,
    plan_reminders,
)
from incident_app.services.container import Services
from incident_app.services.settings.reminders import ReminderSettings, reminder_settings

SHOWN_KEY = "reminders.shown"


@dataclass(frozen=True)
class ReminderCheck:
    """One look at the deadlines: what to notify now, and the obligation to watch in the tray."""

    reminders: tuple[Reminder, ...]
    next: DueObligation | None
    open_count: int
    settings: ReminderSettings = field(default_factory=ReminderSettings)


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
                                           obligation.title, obligation.deadline.due, incident.facts.drill))
    return items


def shown_keys(services: Services) -> frozenset[str]:
    stored = services.ctx.store.settings.get(SHOWN_KEY, [])
    return frozenset(str(k) for k in stored) if isinstance(stored, list) else frozenset()


def check_reminders(services: Services, now: datetime | None = None) -> ReminderCheck:
    """What to notify now; the reminders returned are recorded as shown (one event each, in the
    incident's timeline) before they are returned, so each fires once even across restarts and
    with two copies of the app open on one file."""
    moment = now or services.ctx.now()
    items = open_due_obligations(services)
    settings = reminder_settings(services)
    plan = plan_reminders(items, settings.lead_minutes, moment, shown_keys(services))
    show = _remember(services, plan, items, moment) if plan.handled else ()
    return ReminderCheck(show, next_due(items, moment), len(items), settings)


def _remember(services: Services, plan: ReminderPlan, items: Sequence[DueObligation],
              now: datetime) -> tuple[Reminder, ...]:
    """Persist the plan and return the reminders still to show. The shown keys are read again
    under the write lock: another copy of the app (or window) that checked at the same moment
    and already showed one of them must not make it appear twice."""
    store = services.ctx.store
    with store.transaction():
        store.settings.lock_for_write()
        shown = shown_keys(services)
        show = tuple(r for r in plan.show if r.key not in shown)
        store.settings.set(SHOWN_KEY, sorted(forget_old(shown | plan.handled, now, items)))
        for reminder in show:
            item = reminder.item
            services.ctx.record("reminder.shown", "obligation", item.obligation_id,
                                {"obligation": item.obligation_id, "lead_minutes": reminder.lead_minutes,
                                 "due": to_iso(item.due)}, incident_id=item.incident_id)
    return show


def upcoming(services: Services) -> Sequence[DueObligation]:
    """The open obligations with a legal due time, soonest first (``reminders status``)."""
    return sorted(open_due_obligations(services), key=lambda i: i.due)
