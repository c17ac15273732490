"""The tray icon while the app runs: the next legal deadline in its tooltip and menu (incident,
obligation, time left, Beijing time), desktop notifications at the officer's lead times, and a
click on either that opens the incident.

The check runs on a worker every 30 seconds and after every change to the database; which
reminders are due and which were shown is decided and persisted by services/reminders.py."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from incident_app.domain.clock import humanize_delta, utc_now
from incident_app.domain.i18n import Translator
from incident_app.domain.reminders import DueObligation, Reminder
from incident_app.jobs.runner import JobRunner, SyncJobRunner
from incident_app.services.incidents import format_time
from incident_app.services.reminders import ReminderCheck, check_reminders
from incident_app.ui.reminders.notifier import Notifier, TrayNotifier, WindowNotifier

log = logging.getLogger(__name__)

CHECK_MS = 30_000


def app_icon() -> QIcon:
    """A plain drawn icon (no image file to ship): a dark square with a white exclamation mark."""
    pixmap = QPixmap(64, 64)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor("#1f3a5f"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawRoundedRect(2, 2, 60, 60, 12, 12)
    painter.setPen(QColor("white"))
    font = QFont()
    font.setBold(True)
    font.setPixelSize(44)
    painter.setFont(font)
    painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, "!")
    painter.end()
    return QIcon(pixmap)


def time_left_text(due: datetime, now: datetime, tr: Translator) -> str:
    """'剩余 1h 05m' or '已逾期 2h 10m' — overdue is never worded like time left."""
    left = due - now
    if left.total_seconds() < 0:
        return tr.t("tray.overdue", delta=humanize_delta(-left))
    return tr.t("tray.left", delta=humanize_delta(left))


def incident_name(item: DueObligation, tr: Translator) -> str:
    """The incident's title, marked when it is a drill: a drill's deadline must not read as a real one."""
    return tr.t("tray.drill", title=item.incident_title) if item.drill else item.incident_title


def obligation_name(item: DueObligation, tr: Translator) -> str:
    """The obligation's title, marked when its incident is a drill (notification titles, menu line)."""
    title = item.obligation_title.get(tr.lang)
    return tr.t("tray.drill", title=title) if item.drill else title


def next_deadline_text(item: DueObligation | None, now: datetime, tr: Translator) -> str:
    """The tray's tooltip: the obligation to watch, or that none with a legal due time is open."""
    if item is None:
        return tr.t("tray.tooltip.none")
    return tr.t("tray.tooltip.next", id=item.incident_id, incident=incident_name(item, tr),
                obligation=item.obligation_title.get(tr.lang), due=format_time(item.due, tr),
                left=time_left_text(item.due, now, tr))


def reminder_texts(reminder: Reminder, tr: Translator) -> tuple[str, str]:
    """(title, body) of one notification."""
    item = reminder.item
    obligation = obligation_name(item, tr)
    if reminder.lead_minutes:
        title = tr.t("tray.notify.lead", obligation=obligation, minutes=reminder.lead_minutes)
    else:
        title = tr.t("tray.notify.expired", obligation=obligation)
    body = tr.t("tray.notify.body", id=item.incident_id, incident=incident_name(item, tr),
                due=format_time(item.due, tr))
    return title, body


class DeadlineTray(QObject):
    """Owns the tray icon. ``open_requested(incident_id)`` after a click on a notification or the
    menu's deadline line; ``show_requested`` / ``quit_requested`` from the menu."""

    open_requested = Signal(int)
    show_requested = Signal()
    quit_requested = Signal()
    checked = Signal(object)

    def __init__(self, runner: JobRunner | SyncJobRunner, tr: Translator, *, notifier: Notifier | None = None,
                 now: Callable[[], datetime] = utc_now, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner, self.tr_, self._now = runner, tr, now
        self.last_check: ReminderCheck | None = None
        self.icon = QSystemTrayIcon(app_icon(), self)
        self.menu = QMenu()
        self.next_action = QAction(self)
        self.next_action.triggered.connect(self._open_next)
        self.show_action = QAction(self)
        self.show_action.triggered.connect(self.show_requested.emit)
        self.quit_action = QAction(self)
        self.quit_action.triggered.connect(self.quit_requested.emit)
        self.menu.addAction(self.next_action)
        self.menu.addSeparator()
        self.menu.addAction(self.show_action)
        self.menu.addAction(self.quit_action)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        if notifier is None:
            real: TrayNotifier | WindowNotifier
            if self.available() and QSystemTrayIcon.supportsMessages():
                real = TrayNotifier(self.icon)
            else:
                real = WindowNotifier(parent if isinstance(parent, QWidget) else None)
            real.clicked.connect(self.open_requested.emit)
            notifier = real
        self.notifier = notifier
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.check)
        self.retranslate()

    @staticmethod
    def available() -> bool:
        """Whether the desktop has a tray (offscreen and some window managers have none)."""
        return bool(QSystemTrayIcon.isSystemTrayAvailable())

    def start(self) -> None:
        """Show the icon (where there is a tray), check now and every 30 seconds."""
        if self.available():
            self.icon.show()
        self.timer.start()
        self.check()

    def stop(self) -> None:
        self.timer.stop()
        self.icon.hide()

    def set_translator(self, tr: Translator) -> None:
        self.tr_ = tr
        self.retranslate()

    def retranslate(self) -> None:
        t = self.tr_.t
        self.show_action.setText(t("tray.menu.show"))
        self.quit_action.setText(t("tray.menu.quit"))
        self._show_next()

    # -- checking -----------------------------------------------------------------------
    def check(self) -> None:
        """Ask the services what is due (on a worker); notifications follow when it returns."""
        moment = self._now()
        self.runner.run(lambda s, _p: check_reminders(s, moment), on_success=self._on_checked,
                        on_failure=self._on_check_failed)

    def _on_checked(self, check: ReminderCheck) -> None:
        self.last_check = check
        for reminder in check.reminders:
            title, body = reminder_texts(reminder, self.tr_)
            self.notifier.notify(title, body, reminder.item.incident_id)
        self._show_next()
        self.checked.emit(check)

    def _on_check_failed(self, exc: BaseException, details: str) -> None:
        # Every 30 s: a dialog each time would bury the window; the next check retries.
        log.warning("deadline check failed: %s", exc)
        log.debug("%s", details)

    def _show_next(self) -> None:
        item = self.last_check.next if self.last_check else None
        text = next_deadline_text(item, self._now(), self.tr_)
        self.icon.setToolTip(text)
        self.next_action.setText(text.split("\n", 1)[0] if item is None else
                                 self.tr_.t("tray.menu.next", id=item.incident_id,
                                            obligation=obligation_name(item, self.tr_),
                                            left=time_left_text(item.due, self._now(), self.tr_)))
        self.next_action.setEnabled(item is not None)

    def tooltip(self) -> str:
        return self.icon.toolTip()

    def _open_next(self) -> None:
        item = self.last_check.next if self.last_check else None
        if item is not None:
            self.open_requested.emit(item.incident_id)

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.show_requested.emit()
