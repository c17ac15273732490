"""Settings that are not the organisation profile: the SMTP relay (no password) and the interface
language. Each change is logged like any other change to stored data."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from incident_app.domain.errors import FieldProblem, ValidationError
from incident_app.domain.i18n import LANGUAGES
from incident_app.domain.mail.smtp_settings import SmtpSettings, parse_smtp_settings
from incident_app.domain.profile import OrganisationProfile, check_profile_changes, parse_profile
from incident_app.domain.reminders import CloseAction, parse_lead_minutes
from incident_app.domain.retention import DEFAULT_RETENTION_DAYS, parse_retention_days
from incident_app.domain.text import NAME_MAX, text_problem
from incident_app.services.container import Services
from incident_app.services.resources import read_json_resource
from incident_app.services.retention import retention_policy, set_retention_days
from incident_app.services.settings.profile import phone_e164
from incident_app.services.settings.reminders import ReminderSettings, reminder_settings, save_reminder_settings

T = TypeVar("T")

SMTP_KEY = "smtp"
UI_LANGUAGE_KEY = "ui_language"


def load_smtp_settings(services: Services) -> SmtpSettings:
    """The stored SMTP settings, or empty defaults."""
    stored = services.ctx.store.settings.get(SMTP_KEY)
    return parse_smtp_settings(stored) if stored else SmtpSettings()


def save_smtp_settings(services: Services, data: Mapping[str, Any]) -> SmtpSettings:
    """Validate and store the SMTP settings (refusing any password) with an event."""
    settings = parse_smtp_settings(data)
    with services.ctx.store.transaction():
        services.ctx.store.settings.set(SMTP_KEY, settings.to_dict())
        services.ctx.record("settings.smtp_changed", "settings", SMTP_KEY, settings.to_dict())
    return settings


def load_ui_language(services: Services) -> str | None:
    """The interface language the officer chose last, if any."""
    value = services.ctx.store.settings.get(UI_LANGUAGE_KEY)
    return str(value) if value in LANGUAGES else None


def save_ui_language(services: Services, lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang}")
    with services.ctx.store.transaction():
        services.ctx.store.settings.set(UI_LANGUAGE_KEY, lang)
        services.ctx.record("settings.ui_language_changed", "settings", UI_LANGUAGE_KEY, {"lang": lang})


@dataclass(frozen=True)
class SettingsSnapshot:
    """Everything the settings dialog edits, read in one go."""

    profile: OrganisationProfile
    smtp: SmtpSettings
    actor: str
    provinces: tuple[tuple[str, str], ...]
    retention_days: int = DEFAULT_RETENTION_DAYS
    reminders: ReminderSettings = field(default_factory=ReminderSettings)


def load_settings(services: Services) -> SettingsSnapshot:
    stored_actor = services.ctx.store.settings.get("actor")
    provinces = tuple((p["zh"], p["en"]) for p in read_json_resource("provinces.json"))
    return SettingsSnapshot(services.profile.get(), load_smtp_settings(services),
                            str(stored_actor) if stored_actor else services.ctx.actor, provinces,
                            retention_policy(services).days_after_close, reminder_settings(services))


def save_settings(services: Services, profile: Mapping[str, Any], smtp: Mapping[str, Any], actor: str,
                  retention_days: int | None = None, reminders: Mapping[str, Any] | None = None) -> None:
    """Validate profile, SMTP settings and actor together, then save what changed in ONE
    transaction (a problem anywhere saves nothing). SMTP problems are named ``smtp.<field>``;
    ``reminders`` (lead_minutes, close_action) problems by those names."""
    problems: list[FieldProblem] = []
    current = services.profile.get()
    before = current.to_dict()
    changes = {k: v for k, v in profile.items() if before.get(k) != (list(v) if isinstance(v, tuple) else v)}
    new_profile = _checked(problems, "", lambda: parse_profile(
        before | check_profile_changes(changes, [(p["zh"], p["en"]) for p in read_json_resource("provinces.json")],
                                       phone_e164)))
    new_smtp = _checked(problems, "smtp.", lambda: parse_smtp_settings(smtp))
    if not actor.strip():
        problems.append(FieldProblem("actor", "is required: the event log names who acted"))
    elif problem := text_problem(actor, NAME_MAX):
        problems.append(FieldProblem("actor", problem))
    if retention_days is not None:
        _checked(problems, "", lambda: parse_retention_days(retention_days))
    if reminders is not None:
        _checked(problems, "", lambda: _check_reminders(reminders))
    if problems or new_profile is None or new_smtp is None:
        raise ValidationError(problems)
    with services.ctx.store.transaction():
        if new_profile != current:
            services.profile.save(new_profile.to_dict())
        if new_smtp != load_smtp_settings(services):
            save_smtp_settings(services, new_smtp.to_dict())
        if actor.strip() != services.ctx.actor:
            services.profile.set_actor(actor)
        if retention_days is not None and retention_days != retention_policy(services).days_after_close:
            set_retention_days(services, retention_days)
        if reminders is not None:
            save_reminder_settings(services, lead_minutes=reminders.get("lead_minutes"),
                                   close_action=reminders.get("close_action"))


def _check_reminders(reminders: Mapping[str, Any]) -> None:
    if reminders.get("lead_minutes") is not None:
        parse_lead_minutes(reminders["lead_minutes"])
    action = reminders.get("close_action")
    if action is not None and action not in {a.value for a in CloseAction}:
        raise ValidationError.single("close_action", f"'{action}' is not a close action; use ask, tray or quit")


def _checked(problems: list[FieldProblem], prefix: str, parse: Callable[[], T]) -> T | None:
    try:
        return parse()
    except ValidationError as exc:
        problems.extend(FieldProblem(prefix + p.field, p.message, p.row) for p in exc.problems)
        return None
