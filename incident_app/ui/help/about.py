"""Help → About: the version, where the database, the diagnostic log and the desktop settings
are, and the licences of what the application ships (read from the installed libraries'
metadata), with a button that copies it all for a support request."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from incident_app import __version__
from incident_app.diagnostics import log_path
from incident_app.domain.i18n import Translator
from incident_app.services.licences import shipped_libraries
from incident_app.ui.common.app_settings import settings_path
from incident_app.ui.common.fonts import pick_cjk_family


def about_text(tr: Translator, db_path: Path | None) -> str:
    """Everything the About box shows, as plain text (also what Copy puts on the clipboard)."""
    t = tr.t
    family = pick_cjk_family()
    lines = [
        t("about.version", version=__version__),
        t("about.database", path=str(db_path) if db_path else t("about.none")),
        t("about.log", path=str(log_path())),
        t("about.settings", path=settings_path()),
        t("about.runtime", python=sys.version.split()[0], qt=qVersion(), pyside=pyside_version,
          platform=sys.platform),
        "",
        t("about.qt_licence"),
        t("about.fonts", family=family or t("about.none")),
        "",
        t("about.libraries"),
    ]
    lines += [f"  {lib.line(t('about.licence_unstated'))}" for lib in shipped_libraries()]
    return "\n".join(lines)


class AboutDialog(QDialog):
    """The About box; :attr:`text` holds what it shows."""

    def __init__(self, tr: Translator, db_path: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        t = tr.t
        self.setWindowTitle(t("about.title"))
        self.text = about_text(tr, db_path)
        heading = QLabel(f"<b>{t('app.title')}</b> {__version__}")
        self.details = QPlainTextEdit(self.text)
        self.details.setObjectName("aboutDetails")
        self.details.setReadOnly(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(t("about.close"))
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        self.copy_button = QPushButton(t("about.copy"))
        self.copy_button.setObjectName("aboutCopy")
        self.copy_button.clicked.connect(self.copy)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)
        self.resize(640, 480)

    def copy(self) -> None:
        """Put the whole text on the clipboard (for a support request)."""
        QGuiApplication.clipboard().setText(self.text)
