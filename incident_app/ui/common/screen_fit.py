"""Windows that fit the screen they open on: a laptop at 1366×768 (100%) or a 1920×1080 screen
at 150% (1280×720 logical pixels) has less room than the sizes the windows prefer. Each window
asks for its preferred size through :func:`fit_to_screen`, which never goes beyond the screen's
available area minus the window frame (title bar and borders added by the window manager)."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# Title bar and borders: the real frame is only known once the window is shown; openbox, GNOME
# and Windows stay within this.
FRAME_ALLOWANCE = QSize(16, 40)


def available_area(widget: QWidget) -> QRect:
    """The available geometry of the widget's screen (the primary one before it has a screen)."""
    parent = widget.parentWidget()
    screen = (parent.screen() if parent is not None else None) or widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fitted_size(preferred: QSize, area: QRect, frame: QSize = FRAME_ALLOWANCE) -> QSize:
    """``preferred`` shrunk to what fits ``area`` with its frame."""
    return QSize(min(preferred.width(), area.width() - frame.width()),
                 min(preferred.height(), area.height() - frame.height()))


def fit_to_screen(widget: QWidget, width: int, height: int) -> None:
    """Resize ``widget`` to its preferred ``width`` × ``height``, or less where the screen is
    smaller; a shown window is also moved back inside the available area."""
    area = available_area(widget)
    size = fitted_size(QSize(width, height), area)
    widget.resize(size)
    if widget.isVisible():
        keep_inside(widget, area)


def keep_inside(widget: QWidget, area: QRect) -> None:
    """Move a window whose frame reaches past ``area`` back inside it."""
    frame = widget.frameGeometry()
    x = max(area.left(), min(frame.left(), area.right() - frame.width() + 1))
    y = max(area.top(), min(frame.top(), area.bottom() - frame.height() + 1))
    if (x, y) != (frame.left(), frame.top()):
        widget.move(x, y)
