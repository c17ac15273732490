"""Ports for documents that need a heavy library: the PDF writer lives in adapters/qt_pdf.py
(Qt) and is passed in by the composition roots; services only see this protocol."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol


class PdfWriter(Protocol):
    def write_pdf(self, html_pages: Iterable[str], path: Path, *, watermark: str = "") -> int:
        """Write each HTML document starting on a new page into one PDF; returns the page count.
        ``watermark`` (e.g. "演练 DRILL") is drawn across every page."""
        ...
