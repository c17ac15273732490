"""The per-user settings of the desktop application itself (not of a database): recent
databases, window geometry, splitter positions and the last folder used for each kind of file.

Kept in an INI file through QSettings, so they survive a restart and a change of database.
``$INCIDENT_APP_UI_SETTINGS`` names another file (tests; a portable install)."""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings

ENV_UI_SETTINGS = "INCIDENT_APP_UI_SETTINGS"
ORGANISATION = "breach-desk"
APPLICATION = "Breach Desk"


def app_settings() -> QSettings:
    """The settings store (a new handle each time: QSettings objects are cheap and not shared
    between threads)."""
    override = os.environ.get(ENV_UI_SETTINGS)
    if override:
        return QSettings(override, QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION)


def settings_path() -> str:
    """Where the settings file is (shown in the About box)."""
    return str(app_settings().fileName())
