"""Settings: the organisation profile every notice carries, and the preferences that are not part of
it (SMTP relay, interface language)."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.services.settings.preferences import (
        SettingsSnapshot,
        load_settings,
        save_settings,
        save_ui_language,
    )
    from incident_app.services.settings.profile import ProfileService

__all__ = ["ProfileService", "SettingsSnapshot", "load_settings", "save_settings", "save_ui_language"]
__getattr__ = lazy_exports(
    __name__,
    {
        "preferences": ["SettingsSnapshot", "load_settings", "save_settings", "save_ui_language"],
        "profile": ["ProfileService"],
    },
)
