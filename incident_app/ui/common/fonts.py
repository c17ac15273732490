"""Pick a CJK font that exists, so Chinese never renders as boxes (STACK-NOTES: prefer
WenQuanYi Micro Hei, whose glyphs also survive pdftotext in generated PDFs)."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

from incident_app.platform_support import cjk_font_families


def pick_cjk_family() -> str | None:
    """The first installed CJK family for this platform (Microsoft YaHei/SimSun on Windows, PingFang
    on macOS, WenQuanYi on Linux), or None."""
    families = set(QFontDatabase.families())
    return next((f for f in cjk_font_families() if f in families), None)


def apply_cjk_font(app: QGuiApplication) -> str | None:
    """Set the application font to the CJK family (keeping the platform size)."""
    family = pick_cjk_family()
    if family:
        font = QFont(app.font())
        font.setFamilies([family])
        app.setFont(font)
    return family
