"""The organisation profile as the officer has edited it, or the policy's defaults."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from incident_app.domain.profile import OrganisationProfile, parse_profile, profile_value
from incident_app.services.context import AppContext
from incident_app.services.resources import load_default_profile

PROFILE_KEY = "profile"


class ProfileService:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    def get(self) -> OrganisationProfile:
        stored = self._ctx.store.settings.get(PROFILE_KEY)
        return parse_profile(stored) if stored else load_default_profile()

    def save(self, data: Mapping[str, Any]) -> OrganisationProfile:
        """Validate and store the profile; the event keeps the before and after values."""
        merged = self.get().to_dict() | dict(data)
        profile = parse_profile(merged)
        before = self.get().to_dict()
        with self._ctx.store.transaction():
            self._ctx.store.settings.set(PROFILE_KEY, profile.to_dict())
            changed = {k: {"from": before[k], "to": v} for k, v in profile.to_dict().items() if before.get(k) != v}
            self._ctx.record("settings.profile_changed", "settings", PROFILE_KEY, {"changes": changed})
        return profile

    def set_value(self, key: str, text: str) -> OrganisationProfile:
        """``profile set KEY VALUE``: one field from its text, validated as the Settings dialog's
        values are, stored with one event."""
        return self.save({key: profile_value(key, text)})

    def set_actor(self, name: str) -> None:
        with self._ctx.store.transaction():
            self._ctx.store.settings.set("actor", name.strip())
            self._ctx.record("settings.actor_changed", "settings", "actor", {"actor": name.strip()})
