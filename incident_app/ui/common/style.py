"""The application look: the CJK font (so Chinese never renders as boxes) and a small stylesheet
(resources/style.qss)."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from incident_app.services.resources import RESOURCES_DIR
from incident_app.ui.common.fonts import apply_cjk_font


def apply_look(app: QApplication) -> str | None:
    """Apply the font and stylesheet; returns the CJK family used (None if none is installed)."""
    family = apply_cjk_font(app)
    app.setStyleSheet((RESOURCES_DIR / "style.qss").read_text(encoding="utf-8"))
    return family
