"""The organisation profile as the officer has edited it, or the policy's defaults."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from incident_app.domain.errors import ValidationError
from incident_app.domain.people.fields import FieldRejected, normalise_phone
from incident_app.domain.people.person import mask_email, mask_phone
from incident_app.domain.profile import OrganisationProfile, check_profile_changes, parse_profile, profile_value
from incident_app.domain.text import NAME_MAX, text_problem
from incident_app.services.context import AppContext
from incident_app.services.resources import load_default_profile, read_json_resource

PROFILE_KEY = "profile"


class ProfileService:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    def get(self) -> OrganisationProfile:
        stored = self._ctx.store.settings.get(PROFILE_KEY)
        return parse_profile(stored) if stored else load_default_profile()

    def save(self, data: Mapping[str, Any]) -> OrganisationProfile:
        """Validate and store the profile; the event keeps the before and after values."""
        current = self.get()
        before = current.to_dict()
        # Only the values that change are checked: a profile saved by an older version stays usable.
        changes = {k: v for k, v in data.items() if before.get(k) != (list(v) if isinstance(v, tuple) else v)}
        merged = before | check_profile_changes(changes, _provinces(), phone_e164)
        profile = parse_profile(merged)
        changed = {k: {"from": _loggable(k, before.get(k)), "to": _loggable(k, v)}
                   for k, v in profile.to_dict().items() if before.get(k) != v}
        if not changed:  # nothing changes: no write, no event
            return current
        with self._ctx.store.transaction():
            self._ctx.store.settings.set(PROFILE_KEY, profile.to_dict())
            self._ctx.record("settings.profile_changed", "settings", PROFILE_KEY, {"changes": changed})
        return profile

    def set_value(self, key: str, text: str) -> OrganisationProfile:
        """``profile set KEY VALUE``: one field from its text, validated as the Settings dialog's
        values are, stored with one event."""
        return self.save({key: profile_value(key, text)})

    def set_actor(self, name: str) -> None:
        """The name that signs records made from this PC (under the shared text rule)."""
        if not name.strip():
            raise ValidationError.single("actor", "is required: name the person using the tool")
        if problem := text_problem(name, NAME_MAX):
            raise ValidationError.single("actor", problem)
        with self._ctx.store.transaction():
            self._ctx.store.settings.set("actor", name.strip())
            self._ctx.record("settings.actor_changed", "settings", "actor", {"actor": name.strip()})


def _loggable(key: str, value: Any) -> Any:
    """The responsible persons' e-mail addresses and phones are masked in the event log, like
    every contact the tool logs (they are staff, not affected people, but contacts all the same)."""
    if key != "responsible_persons" or not isinstance(value, list):
        return value
    return [{**p, "email": mask_email(str(p.get("email", ""))) or "",
             "phone": mask_phone(str(p.get("phone", ""))) or ""} for p in value if isinstance(p, Mapping)]


def _provinces() -> list[tuple[str, str]]:
    """The province-level regions (resources/provinces.json): zh, en."""
    return [(str(p["zh"]), str(p["en"])) for p in read_json_resource("provinces.json")]


def phone_e164(text: str) -> str | None:
    """A phone as the people list keeps it (E.164), or None when it is not a phone number."""
    try:
        parsed = normalise_phone(text)
    except FieldRejected:
        return None
    return parsed[0] if parsed else None
