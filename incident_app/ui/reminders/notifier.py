"""The notification boundary: a port with one method, and the real adapter over
``QSystemTrayIcon.showMessage``. Tests replace only this (a recording fake); the due times, the
lead-time scheduling and the persistence behind it are the real ones."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QSystemTrayIcon, QWidget

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


class WindowNotifier(QObject):
    """Where the desktop has no tray (some Linux desktops, or one that cannot show balloon
    messages), a tray message would go nowhere while the reminder is recorded as shown: the
    reminder comes as a non-modal message box over the main window instead, its Open button
    opening the incident (``clicked``)."""

    clicked = Signal(int)

    def __init__(self, window: QWidget | None) -> None:
        super().__init__(window)
        self._window = window
        self.boxes: list[QMessageBox] = []

    def notify(self, title: str, body: str, incident_id: int) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, title, body, parent=self._window)
        box.setObjectName("reminderBox")
        box.setModal(False)
        box.setStandardButtons(QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Close)
        box.setDefaultButton(QMessageBox.StandardButton.Open)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _code, b=box: self._forget(b))
        box.buttonClicked.connect(lambda button, b=box: self._clicked(b, button, incident_id))
        self.boxes.append(box)
        box.show()
        box.raise_()

    def _clicked(self, box: QMessageBox, button: object, incident_id: int) -> None:
        if box.standardButton(button) == QMessageBox.StandardButton.Open:  # type: ignore[arg-type]
            self.clicked.emit(incident_id)

    def _forget(self, box: QMessageBox) -> None:
        if box in self.boxes:
            self.boxes.remove(box)
