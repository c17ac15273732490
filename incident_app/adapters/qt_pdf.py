"""PDF writer on Qt (QPdfWriter + QTextDocument), implementing services.documents.PdfWriter.

Measured choices (STACK-NOTES): the font is WenQuanYi Micro Hei, whose glyphs survive pdftotext
(Noto CJK loses digits); pages are laid out by us — the document's page size is set and each page
drawn with drawContents — so Qt adds no page numbers, and a drill watermark can be drawn across
every page. Many letters go into one PDF (one writer, a new page per letter), which is far faster
than one file per letter."""

from __future__ import annotations

import errno
import sys
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPainter,
    QPainterPath,
    QPdfWriter,
    QTextDocument,
)

from incident_app.platform_support import cjk_font_families

RESOLUTION = 300
# Documents are laid out at CSS's 96 pixels per inch, so the stylesheet means the same in the PDF
# as in a browser or mail client (Qt reads margins only in px), then scaled to the PDF resolution.
LAYOUT_DPI = 96
MARGIN_MM = 20.0
BODY_POINT_SIZE = 10.5


def ensure_gui_application() -> QGuiApplication:
    """QTextDocument layout needs a Qt application; outside the GUI, start an offscreen one."""
    existing = QGuiApplication.instance()
    if isinstance(existing, QGuiApplication):
        return existing
    return QGuiApplication([sys.argv[0] if sys.argv else "breach-desk", "-platform", "offscreen"])


def pdf_font() -> QFont:
    """The platform's CJK font (WenQuanYi on Linux, whose text extraction works; Microsoft YaHei or
    SimSun on Windows; PingFang on macOS); otherwise the system default, which may show Chinese as
    boxes — bootstrap.sh installs fonts-wqy-microhei."""
    families = set(QFontDatabase.families())
    family = next((f for f in cjk_font_families() if f in families), "")
    font = QFont(family) if family else QFont()
    font.setPointSizeF(BODY_POINT_SIZE)
    return font


class QtPdfWriter:
    """Writes HTML documents to A4 PDF pages, each document starting on a new page."""

    def __init__(self) -> None:
        self._app = ensure_gui_application()
        self._font = pdf_font()

    def write_pdf(self, html_pages: Iterable[str], path: Path, *, watermark: str = "") -> int:
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = QPdfWriter(str(path))
        writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        writer.setPageMargins(QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM), QPageLayout.Unit.Millimeter)
        writer.setResolution(RESOLUTION)
        writer.setCreator("Breach Desk")
        rect = writer.pageLayout().paintRectPixels(RESOLUTION)
        scale = RESOLUTION / LAYOUT_DPI
        size = QSizeF(rect.width() / scale, rect.height() / scale)
        painter = QPainter(writer)
        if not painter.isActive():
            raise OSError(errno.EIO, f"cannot write the PDF file {path.name}")
        painter.scale(scale, scale)
        pages = 0
        try:
            for html in html_pages:
                pages = self._draw_document(writer, painter, html, size, pages, watermark)
        finally:
            painter.end()
        _check_complete(path)
        return pages

    def _draw_document(self, writer: QPdfWriter, painter: QPainter, html: str, size: QSizeF, pages: int,
                       watermark: str) -> int:
        document = QTextDocument()
        document.setDefaultFont(self._font)
        document.setPageSize(size)  # our own page size: Qt then adds no page numbers
        document.setHtml(html)
        for index in range(document.pageCount()):
            if pages:
                writer.newPage()
            top = index * size.height()
            painter.save()
            painter.translate(0, -top)
            document.drawContents(painter, QRectF(0, top, size.width(), size.height()))
            painter.restore()
            if watermark:
                self._draw_watermark(painter, size, watermark)
            pages += 1
        return pages

    def _draw_watermark(self, painter: QPainter, size: QSizeF, text: str) -> None:
        """Drawn as outlines, not text: pdftotext would otherwise mix its letters into the body."""
        font = QFont(self._font)
        font.setPixelSize(96)  # layout pixels (the painter is scaled); a point size would scale twice
        path = QPainterPath()
        path.addText(0, 0, font, text)
        bounds = path.boundingRect()
        painter.save()
        painter.translate(size.width() / 2, size.height() / 2)
        painter.rotate(-35)
        painter.translate(-bounds.center())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(190, 0, 0, 50))
        painter.drawPath(path)
        painter.restore()


def _check_complete(path: Path) -> None:
    """Qt reports no write error (a full disk included): a PDF that does not end with its
    %%EOF trailer was cut short, and must not be renamed into place."""
    with path.open("rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - 32))
        tail = handle.read()
    if b"%%EOF" not in tail:
        raise OSError(errno.ENOSPC, f"the PDF file {path.name} could not be written completely "
                                    "(is the disk full?)")
