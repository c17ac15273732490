"""DOCX export through python-docx: one heading per notice element, so the document keeps the
identifiable sections of the HTML it is made from. A drill notice says so in every page header."""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

from incident_app.services.notices.html_blocks import Block, BlockKind, html_blocks

# Word picks the East Asian font from w:eastAsia; without it Chinese falls back unpredictably.
EAST_ASIAN_FONT = "Microsoft YaHei"
LATIN_FONT = "Calibri"


def write_docx(html: str, out: BinaryIO, *, drill_banner: str = "") -> None:
    """Write the notice HTML as a Word document into ``out`` (the caller's private staged file)."""
    # Deferred here and below (0.2-0.3 s): every process that opens the services imports this module.
    from docx import Document

    document = Document()
    _set_fonts(document)
    if drill_banner:
        header = document.sections[0].header.paragraphs[0]
        _red(header.add_run(drill_banner))
    for block in html_blocks(html):
        _add(document, block)
    buffer = io.BytesIO()  # a full disk then fails one plain write, not the zip library's close
    document.save(buffer)
    out.write(buffer.getvalue())


def _set_fonts(document: object) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    for name in ("Normal", "Title", "Heading 1", "Heading 2", "List Bullet"):
        style = document.styles[name]  # type: ignore[attr-defined]
        style.font.name = LATIN_FONT
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    document.styles["Normal"].font.size = Pt(10.5)  # type: ignore[attr-defined]


def _add(document: object, block: Block) -> None:
    doc = document
    if block.kind == BlockKind.TITLE:
        doc.add_heading(block.text, level=1)  # type: ignore[attr-defined]
    elif block.kind == BlockKind.HEADING:
        doc.add_heading(block.text, level=2)  # type: ignore[attr-defined]
    elif block.kind == BlockKind.ITEM:
        if block.marker:  # an ordered list keeps its numbers
            doc.add_paragraph(f"{block.marker} {block.text}")  # type: ignore[attr-defined]
        else:
            doc.add_paragraph(block.text, style="List Bullet")  # type: ignore[attr-defined]
    elif block.kind == BlockKind.BANNER:
        _red(doc.add_paragraph().add_run(block.text))  # type: ignore[attr-defined]
    else:
        paragraph = doc.add_paragraph()  # type: ignore[attr-defined]
        lines = block.text.split("\n")
        for index, line in enumerate(lines):
            run = paragraph.add_run(line)
            if index < len(lines) - 1:
                run.add_break()


def _red(run: object) -> None:
    from docx.shared import RGBColor

    run.bold = True  # type: ignore[attr-defined]
    run.font.color.rgb = RGBColor(0xB0, 0x00, 0x00)  # type: ignore[attr-defined]


def docx_text(path: Path) -> str:
    """Every paragraph of a DOCX (header included), one per line: what the completeness check reads."""
    from docx import Document

    document = Document(str(path))
    header = [p.text for p in document.sections[0].header.paragraphs]
    return "\n".join([*header, *(p.text for p in document.paragraphs)])
