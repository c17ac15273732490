"""Pick a CJK font that exists, so Chinese never renders as boxes (STACK-NOTES: prefer
WenQuanYi Micro Hei, whose glyphs also survive pdftotext in generated PDFs)."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

PREFERRED_CJK = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Source Han Sans SC",
                 "Microsoft YaHei", "PingFang SC")


def pick_cjk_family() -> str | None:
    """The first installed CJK family from the preference list, or None."""
    families = set(QFontDatabase.families())
    return next((f for f in PREFERRED_CJK if f in families), None)


def apply_cjk_font(app: QGuiApplication) -> str | None:
    """Set the application font to the CJK family (keeping the platform size)."""
    family = pick_cjk_family()
    if family:
        font = QFont(app.font())
        font.setFamilies([family])
        app.setFont(font)
    return family
