"""Spreadsheet-safe cell values for every CSV and XLSX export (CSV/formula injection).

A spreadsheet treats a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula, and a
leading tab or carriage return can smuggle one past a naive check. Text from intake forms and
imported files (a title, a person's name typed as ``=HYPERLINK(…)``) must open as text. Following
the OWASP guidance, such a value gets a leading apostrophe; numbers and booleans stay numbers.

The full-width forms (``＝ ＋ － ＠``), which a Chinese input method produces, are neutralised too:
some spreadsheet programs fold them to ASCII on entry, and a visible apostrophe costs nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from incident_app.domain.clock import to_iso

FORMULA_TRIGGERS = frozenset("=+-@\t\r" + "＝＋－＠")
# Characters XML 1.0 (and so XLSX) cannot hold; removed rather than failing the whole export.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

CellValue = str | int | float | bool | None


def neutralise_cell(value: Any) -> CellValue:
    """The value as it may safely appear in a spreadsheet cell.

    Text that a spreadsheet would run as a formula is prefixed with ``'``; ``None``, numbers and
    booleans pass through; times become ISO 8601 text; anything else becomes text first.
    """
    if value is None or isinstance(value, bool | int | float):
        return value
    text = to_iso(value) if isinstance(value, datetime) else str(value)
    if text and text[0] in FORMULA_TRIGGERS:
        return "'" + text
    return text


def neutralise_text(text: str) -> str:
    """:func:`neutralise_cell` of a text, without the type checks (a hot path: one call per cell
    of a 10M-row export)."""
    return "'" + text if text and text[0] in FORMULA_TRIGGERS else text


def neutralise_row(values: Iterable[Any]) -> list[CellValue]:
    """:func:`neutralise_cell` over a row."""
    return [neutralise_cell(v) for v in values]


def xlsx_safe(value: CellValue) -> CellValue:
    """Also drop the control characters an XLSX file cannot store (after neutralising)."""
    return _XML_ILLEGAL.sub("", value) if isinstance(value, str) else value


def flatten_for_sheet(record: Mapping[str, Any], columns: Iterable[str]) -> list[CellValue]:
    """One record as a neutralised row in ``columns`` order; lists are joined with ``; ``."""
    return [neutralise_cell(_scalar(record.get(c))) for c in columns]


def _scalar(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return value
