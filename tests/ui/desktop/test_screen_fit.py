"""Every top-level window and dialog fits a 1366×768 laptop screen (100%) and a 1920×1080 screen
at 150% (1280×720 logical), each with a 40-pixel taskbar: the frame stays within the available
area; and the key one-line labels are not cut (their text fits their width)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from incident_app.ui.common.screen_fit import FRAME_ALLOWANCE
from incident_app.ui.main_window import MainWindow
from tests.ui.helpers import demo_window

SCREENS = {"1366x768@100%": QRect(0, 0, 1366, 768 - 40), "1920x1080@150%": QRect(0, 0, 1280, (1080 - 40) * 2 // 3)}


@pytest.fixture(params=list(SCREENS))
def area(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> QRect:
    rect = SCREENS[request.param]
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _self: QRect(rect))
    return rect


def assert_fits(window: QWidget, area: QRect, name: str) -> None:
    window.show()
    QApplication.processEvents()
    size = window.size()
    assert size.width() + FRAME_ALLOWANCE.width() <= area.width(), f"{name} is {size.width()} px wide"
    assert size.height() + FRAME_ALLOWANCE.height() <= area.height(), f"{name} is {size.height()} px tall"


def clipped_labels(window: QWidget) -> list[str]:
    """One-line plain-text labels whose text is wider than the label (Qt cuts it off)."""
    clipped = []
    for label in window.findChildren(QLabel):
        text = label.text()
        rich = label.textFormat() == Qt.TextFormat.RichText or "<" in text
        if not label.isVisible() or label.wordWrap() or not text or "\n" in text or rich:
            continue
        if label.fontMetrics().horizontalAdvance(text) > label.contentsRect().width():
            clipped.append(text)
    return clipped


def cells_fit(view: QAbstractItemView, column: int) -> bool:
    """Qt's own measure of the widest cell of ``column`` (text, margins, check box, tree
    indentation) is within the column's width: no cell is drawn cut off with '…'."""
    return bool(view.sizeHintForColumn(column) <= view.columnWidth(column))


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_element_recipient_and_catalog_names_are_not_cut(qtbot: QtBot, tmp_path: Path, area: QRect,
                                                         lang: str) -> None:
    window = demo_window(qtbot, tmp_path / "db.sqlite3", lang)
    workspace = window.open_incident(1)
    assert_fits(workspace, area, "workspace")
    workspace.tabs.setCurrentIndex(5)
    QApplication.processEvents()
    notices = workspace.tab_widgets["notices"]
    notices.list_view.selectRow(0)
    QApplication.processEvents()
    assert notices.elements_view.model().rowCount() > 5
    assert cells_fit(notices.elements_view, 0)
    assert all(cells_fit(notices.list_view, c) for c in range(notices.notices_model.columnCount()))
    wizard = window.open_wizard()
    assert_fits(wizard, area, "wizard")
    wizard.next()
    tree = wizard.data.picker.tree
    QApplication.processEvents()
    assert cells_fit(tree, 0)


def every_window(window: MainWindow) -> Iterator[tuple[str, QWidget]]:
    yield "register", window
    workspace = window.open_incident(1)
    for index in range(workspace.tabs.count()):
        workspace.tabs.setCurrentIndex(index)
        yield f"workspace tab {workspace.specs[index].key}", workspace
    tabs = workspace.tab_widgets
    yield "facts dialog", tabs["overview"].open_facts_dialog()
    yield "status dialog", tabs["overview"].open_status_dialog()
    yield "decision dialog", tabs["decisions"].open_record_dialog()
    yield "remediation action dialog", tabs["remediation"].open_add_action()
    yield "people import dialog", tabs["people"].open_import_dialog()
    workspace.tabs.setCurrentIndex(5)
    tabs["notices"].open_send_dialog()
    yield "send dialog", tabs["notices"].send_dialog
    wizard = window.open_wizard()
    for page in range(4):
        yield f"wizard page {page}", wizard
        wizard.next()
    window.open_settings()
    settings = window.dialog
    for index in range(settings.tabs.count()):
        settings.tabs.setCurrentIndex(index)
        yield f"settings tab {index}", settings


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_every_window_fits_and_no_key_label_is_cut(qtbot: QtBot, tmp_path: Path, area: QRect, lang: str) -> None:
    window = demo_window(qtbot, tmp_path / "db.sqlite3", lang)
    problems = []
    for name, shown in every_window(window):
        assert_fits(shown, area, name)
        if cut := clipped_labels(shown):
            problems.append(f"{name}: {cut}")
        if shown is not window and shown.isWindow() and hasattr(shown, "done") and not name.startswith(
                ("wizard page", "settings tab")):
            shown.close()
    assert not problems, "\n".join(problems)
