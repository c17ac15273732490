"""Qt's own strings follow the UI language; an uncaught error gets the calm dialog with the log
path and scrubbed details to copy."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from incident_app.domain.i18n import Translator
from incident_app.services.resources import load_messages
from incident_app.ui.common.errors import ErrorReporter, install_excepthook
from incident_app.ui.common.qt_translations import install_qt_translator


def _cancel() -> str:
    return QCoreApplication.translate("QPlatformTheme", "Cancel")


def test_standard_buttons_are_chinese_in_the_chinese_ui(qapp: QApplication) -> None:
    try:
        assert install_qt_translator(qapp, "zh-CN")
        assert _cancel() == "取消"
        assert not install_qt_translator(qapp, "en")
        assert _cancel() == "Cancel"
    finally:
        install_qt_translator(qapp, "en")


def test_uncaught_error_dialog_has_log_path_and_scrubbed_details(qapp: QApplication, monkeypatch) -> None:
    reporter = ErrorReporter(None, Translator(load_messages(), "en"))
    reporter.interactive = False
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    install_excepthook(reporter)
    try:
        raise ValueError("bad value for someone@example.com / 13800138000")
    except ValueError:
        sys.excepthook(*sys.exc_info())
    assert "Diagnostic log (no personal data):" in reporter.shown[-1]
    assert "someone@example.com" not in reporter.last_details and "13800138000" not in reporter.last_details
    assert "ValueError" in reporter.last_details
    reporter.copy_details(reporter.last_details)
    assert QApplication.clipboard().text() == reporter.last_details
