"""The deadline tray, offscreen, with only the notification boundary faked (a recording
notifier): the due times, the lead-time scheduling and the persistence are the real ones.
Notifications fire once per obligation and lead time (not again after a restart), none for a
fulfilled obligation; the tooltip names incident, obligation, time left in Beijing time; a click
opens the incident; closing the window can keep the app in the tray."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QSystemTrayIcon
from pytestqt.qtbot import QtBot

from incident_app.domain.clock import parse_time
from incident_app.services.container import open_services
from incident_app.services.settings.reminders import reminder_settings, save_reminder_settings
from incident_app.ui.main_window import MainWindow
from incident_app.ui.reminders.notifier import TrayNotifier
from incident_app.ui.reminders.tray import DeadlineTray
from tests.ui.helpers import make_window

CAC_DUE = parse_time("2026-11-20T13:00:00+08:00")  # discovered 09:00, ordinary operator: 4 hours


class RecordingNotifier:
    def __init__(self) -> None:
        self.shown: list[tuple[str, str, int]] = []

    def notify(self, title: str, body: str, incident_id: int) -> None:
        self.shown.append((title, body, incident_id))


class MovableClock:
    def __init__(self, now):  # type: ignore[no-untyped-def]
        self.now = now

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.now


@pytest.fixture
def db(tmp_path: Path, intake: dict[str, object]) -> Path:
    path = tmp_path / "db.sqlite3"
    services = open_services(path)
    services.incidents.create(intake)
    services.close()
    return path


def with_tray(qtbot: QtBot, db: Path, clock: MovableClock) -> tuple[MainWindow, DeadlineTray, RecordingNotifier]:
    window = make_window(qtbot, db)
    notifier = RecordingNotifier()
    tray = DeadlineTray(window.runner, window.tr_, notifier=notifier, now=clock, parent=window)
    window.attach_tray(tray)
    tray.start()
    return window, tray, notifier


def test_notifies_once_per_lead_time_even_across_restarts(qtbot: QtBot, db: Path) -> None:
    clock = MovableClock(CAC_DUE - timedelta(minutes=59))
    window, tray, notifier = with_tray(qtbot, db, clock)
    assert [(t, i) for t, _b, i in notifier.shown] == [("网络安全事件初报：还剩 60 分钟", 1)]
    assert "13:00" in notifier.shown[0][1] and "北京时间" in notifier.shown[0][1]
    tip = tray.tooltip()
    assert "Test leak" in tip and "网络安全事件初报" in tip and "2026-11-20 13:00" in tip and "北京时间" in tip
    assert "剩余 0h 59m" in tip
    tray.check()
    assert len(notifier.shown) == 1  # not again
    window.shutdown()

    restarted, tray2, notifier2 = with_tray(qtbot, db, clock)  # a new process would read the same file
    assert notifier2.shown == []
    clock.now = CAC_DUE - timedelta(minutes=9)
    tray2.check()
    assert [t for t, _b, _i in notifier2.shown] == ["网络安全事件初报：还剩 10 分钟"]  # 30 was missed: the urgent one
    clock.now = CAC_DUE + timedelta(minutes=1)
    tray2.check()
    assert notifier2.shown[-1][0] == "网络安全事件初报：已到截止时间"
    assert "已逾期" in tray2.tooltip()
    timeline = restarted.open_incident(1).tab_widgets["timeline"]
    assert sum(1 for r in timeline.model.records() if r.type == "reminder.shown") == 3
    restarted.shutdown()


def test_no_notification_for_a_fulfilled_obligation(qtbot: QtBot, db: Path) -> None:
    services = open_services(db)
    services.fulfilments.record(1, {"obligation_id": "cac-initial-report", "done_at": "2026-11-20T11:00:00+08:00",
                                    "channel": "website_12387", "reference": "12387-1", "done_by": "王伟"})
    services.close()
    clock = MovableClock(CAC_DUE - timedelta(minutes=5))
    window, tray, notifier = with_tray(qtbot, db, clock)
    assert notifier.shown == []
    assert "网络安全事件初报" not in tray.tooltip()
    window.shutdown()


def test_the_lead_times_of_settings_are_used(qtbot: QtBot, db: Path) -> None:
    services = open_services(db)
    save_reminder_settings(services, lead_minutes="120")
    services.close()
    clock = MovableClock(CAC_DUE - timedelta(minutes=100))
    window, _tray, notifier = with_tray(qtbot, db, clock)
    assert [t for t, _b, _i in notifier.shown] == ["网络安全事件初报：还剩 120 分钟"]
    window.shutdown()


def test_clicking_a_notification_or_the_menu_line_opens_the_incident(qtbot: QtBot, db: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # A desktop with a tray that shows messages (offscreen has none: see the window fallback below)
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    monkeypatch.setattr(QSystemTrayIcon, "supportsMessages", staticmethod(lambda: True))
    window = make_window(qtbot, db)
    clock = MovableClock(CAC_DUE - timedelta(minutes=30))
    tray = DeadlineTray(window.runner, window.tr_, now=clock, parent=window)  # the real adapter
    assert isinstance(tray.notifier, TrayNotifier)
    window.attach_tray(tray)
    tray.start()
    tray.icon.messageClicked.emit()
    assert 1 in window.workspaces
    window.workspaces[1].close()
    tray.next_action.trigger()
    assert 1 in window.workspaces and window.isVisible()
    window.shutdown()


def test_closing_keeps_the_app_in_the_tray_after_asking_once(qtbot: QtBot, db: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    clock = MovableClock(CAC_DUE - timedelta(hours=3))
    window, tray, _notifier = with_tray(qtbot, db, clock)
    window.show()
    asked: list[bool] = []
    monkeypatch.setattr(window, "ask_close_action", lambda: asked.append(True) or __import__(
        "incident_app.domain.reminders", fromlist=["CloseAction"]).CloseAction.TRAY)
    window.close()
    assert asked == [True] and not window.isVisible()
    assert tray.timer.isActive() and window.watcher is not None and window.watcher.timer.isActive()
    services = open_services(db)
    assert reminder_settings(services).close_action.value == "tray"  # asked once: remembered
    services.close()
    tray.check()
    window.show_again()
    window.close()
    assert asked == [True]  # not asked again
    window.quit_app()
    assert not tray.timer.isActive() and not window.watcher.timer.isActive()


def test_a_drill_is_marked_in_notifications_and_never_hides_a_real_deadline(
        qtbot: QtBot, tmp_path: Path, intake: dict[str, object]) -> None:
    """A drill's reminder used to read exactly like a real incident's, and a drill's earlier
    deadline took the tray's 'next legal deadline' from a real one."""
    path = tmp_path / "db.sqlite3"
    services = open_services(path)
    services.incidents.create({**intake, "title": "Drill leak", "drill": True})
    services.incidents.create({**intake, "title": "Real leak", "discovered_at": "2026-11-20T10:00:00+08:00",
                               "aware_at": "2026-11-20T10:00:00+08:00"})
    services.close()
    clock = MovableClock(CAC_DUE - timedelta(minutes=59))
    window, tray, notifier = with_tray(qtbot, path, clock)
    drill = [(t, b) for t, b, i in notifier.shown if i == 1]
    assert drill and drill[0][0].startswith("【演练】") and "【演练】Drill leak" in drill[0][1]
    tip = tray.tooltip()
    assert "Real leak" in tip and "演练" not in tip and "#2" in tray.next_action.text()
    window.shutdown()


def test_without_a_tray_the_reminder_comes_over_the_main_window(qtbot: QtBot, db: Path) -> None:
    """Offscreen (like a Linux desktop without a tray) a tray message went nowhere while the
    reminder was recorded as shown in the Timeline; it now comes as a message box with Open."""
    from PySide6.QtWidgets import QMessageBox

    from incident_app.ui.reminders.notifier import WindowNotifier

    assert not DeadlineTray.available()
    clock = MovableClock(CAC_DUE - timedelta(minutes=59))
    window = make_window(qtbot, db)
    window.show()
    tray = DeadlineTray(window.runner, window.tr_, now=clock, parent=window)
    assert isinstance(tray.notifier, WindowNotifier)
    window.attach_tray(tray)
    tray.start()
    boxes = [b for b in tray.notifier.boxes if b.isVisible()]
    assert len(boxes) == 1 and boxes[0].windowTitle() == "网络安全事件初报：还剩 60 分钟"
    assert "13:00" in boxes[0].text() and not boxes[0].isModal()
    boxes[0].button(QMessageBox.StandardButton.Open).click()
    assert 1 in window.workspaces
    window.shutdown()
