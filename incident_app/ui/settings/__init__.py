"""Settings: the organisation profile, the retention period and other preferences."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.ui.settings.dialog import SettingsDialog

__all__ = ["SettingsDialog"]
__getattr__ = lazy_exports(__name__, {"dialog": ["SettingsDialog"]})
