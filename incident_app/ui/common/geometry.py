"""Remembering where windows were: geometry and splitter positions in the desktop settings,
restored so the window is always reachable — a position saved on a screen that is no longer
attached (a laptop undocked, a projector gone) is moved onto an available screen."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QSplitter, QWidget

from incident_app.ui.common.app_settings import app_settings
from incident_app.ui.common.screen_fit import FRAME_ALLOWANCE

MIN_VISIBLE = 120  # at least this much of the title bar must be on a screen to count as visible


def clamp_to_screens(rect: QRect, screens: Sequence[QRect]) -> QRect:
    """``rect`` if enough of its top edge is on one of ``screens``; otherwise the same size (cut
    to fit) centred on the first screen. A window larger than its screen is cut to it."""
    if not screens:
        return QRect(rect)
    for screen in screens:
        top = QRect(rect.x(), rect.y(), rect.width(), min(40, rect.height()))
        overlap = top.intersected(screen)
        if overlap.width() >= min(MIN_VISIBLE, rect.width()) and overlap.height() > 0:
            return _fit(rect, screen)
    target = screens[0]
    fitted = QRect(0, 0, min(rect.width(), target.width()), min(rect.height(), target.height()))
    fitted.moveCenter(target.center())
    return fitted


def _fit(rect: QRect, screen: QRect) -> QRect:
    """Cut a too-large window to its screen and keep its title bar below the screen's top."""
    return QRect(rect.x(), max(rect.y(), screen.y()), min(rect.width(), screen.width()),
                   min(rect.height(), screen.height()))


def available_screens() -> list[QRect]:
    """The available area of every attached screen, the primary first."""
    primary = QGuiApplication.primaryScreen()
    screens = [s.availableGeometry() for s in ([primary] if primary else [])]
    screens += [s.availableGeometry() for s in QGuiApplication.screens() if s is not primary]
    return screens


def save_window(window: QWidget, name: str, splitters: Sequence[QSplitter] = ()) -> None:
    """Remember ``window``'s normal geometry (and maximised state) and its splitters' positions."""
    settings = app_settings()
    rect = window.normalGeometry() if window.isMaximized() else window.geometry()
    settings.setValue(f"windows/{name}/rect", [rect.x(), rect.y(), rect.width(), rect.height()])
    settings.setValue(f"windows/{name}/maximized", window.isMaximized())
    for index, splitter in enumerate(splitters):
        if sum(splitter.sizes()) > 0:  # a splitter on a tab never shown has no sizes yet: keep the saved ones
            settings.setValue(f"windows/{name}/splitter{index}", splitter.saveState())
    settings.sync()


def restore_window(window: QWidget, name: str, splitters: Sequence[QSplitter] = (),
                   screens: Sequence[QRect] | None = None) -> bool:
    """Put ``window`` where it was (clamped onto ``screens``, by default the attached ones).
    Returns whether anything was saved."""
    settings = app_settings()
    saved = settings.value(f"windows/{name}/rect")
    try:
        x, y, w, h = (int(v) for v in saved)
    except (TypeError, ValueError):
        x = None
    if x is not None:
        # The frame (title bar, borders) must fit too: clamp to the screen less the frame, as
        # fit_to_screen does.
        room = [QRect(r.x(), r.y(), r.width() - FRAME_ALLOWANCE.width(), r.height() - FRAME_ALLOWANCE.height())
                for r in (available_screens() if screens is None else screens)]
        rect = clamp_to_screens(QRect(x, y, max(w, 200), max(h, 150)), room)
        window.setGeometry(rect)
    for index, splitter in enumerate(splitters):  # after the size, so the splitter keeps its split
        state = settings.value(f"windows/{name}/splitter{index}")
        if state is not None:
            splitter.restoreState(state)
    if x is None:
        return False
    if str(settings.value(f"windows/{name}/maximized", "false")).lower() == "true":
        window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)  # applies at show()
    return True
