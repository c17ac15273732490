"""The notification boundary: a port with one method, and the real adapter over
``QSystemTrayIcon.showMessage``. Tests replace only this (a recording fake); the due times, the
lead-time scheduling and the persistence behind it are the real ones."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QSystemTrayIcon

MESSAGE_MS = 30_000  # long enough to be read by someone looking at another window


class Notifier(Protocol):
    """Shows one desktop notification about ``incident_id``."""

    def notify(self, title: str, body: str, incident_id: int) -> None: ...


class TrayNotifier(QObject):
    """Desktop notifications through the tray icon. A click on the balloon emits ``clicked`` with
    the incident of the notification shown last (Qt's signal carries no payload)."""

    clicked = Signal(int)

    def __init__(self, icon: QSystemTrayIcon) -> None:
        super().__init__(icon)
        self._icon = icon
        self._last_incident: int | None = None
        icon.messageClicked.connect(self._on_clicked)

    def notify(self, title: str, body: str, incident_id: int) -> None:
        self._last_incident = incident_id
        self._icon.showMessage(title, body, QSystemTrayIcon.MessageIcon.Warning, MESSAGE_MS)

    def _on_clicked(self) -> None:
        if self._last_incident is not None:
            self.clicked.emit(self._last_incident)
