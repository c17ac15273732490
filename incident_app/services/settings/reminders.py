"""The desktop app's deadline-reminder settings: lead times before each legal due time and what
closing the main window does. Stored like every other setting, with one event per change."""

from __future__ import annotations

from dataclasses import dataclass

from incident_app.domain.errors import ValidationError
from incident_app.domain.reminders import DEFAULT_LEAD_MINUTES, CloseAction, parse_lead_minutes
from incident_app.services.container import Services

LEAD_KEY = "reminders.lead_minutes"
CLOSE_KEY = "reminders.close_action"


@dataclass(frozen=True)
class ReminderSettings:
    lead_minutes: tuple[int, ...] = DEFAULT_LEAD_MINUTES
    close_action: CloseAction = CloseAction.ASK

    def to_dict(self) -> dict[str, object]:
        return {"lead_minutes": list(self.lead_minutes), "close_action": self.close_action.value}


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
