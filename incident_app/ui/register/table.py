"""The register's table view: column widths measured on a sample of rows (ResizeToContents
would call the model's data() for up to 1,000 rows per column on every change — 130,000 calls
at start-up), Ctrl+End that reaches the last of every row (not only the fetched ones), and the
range of rows in view (which rows to assess, which countdowns to repaint)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

SAMPLE_ROWS = 40  # the widths come from the header and this many rows from the top
PADDING = 24  # the cell's margins and the sort arrow
MAX_WIDTH = 360


class RegisterTable(QTableView):
    """QTableView for the register model (through its identity proxy)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(False)
        rows = self.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # no per-row size hints
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)

    def moveCursor(self, cursorAction: QAbstractItemView.CursorAction,  # noqa: N803 - Qt's name
                   modifiers: Qt.KeyboardModifier) -> QModelIndex:
        if (cursorAction == QAbstractItemView.CursorAction.MoveEnd
                and modifiers & Qt.KeyboardModifier.ControlModifier):
            source = _source(self.model())
            if source is not None and hasattr(source, "fetch_all"):
                source.fetch_all()  # the last row of the register, not of what is fetched so far
        return super().moveCursor(cursorAction, modifiers)

    def visible_rows(self) -> tuple[int, int]:
        """(first, last) row in view; (-1, -1) when there is none."""
        count = self.model().rowCount() if self.model() is not None else 0
        if count == 0:
            return -1, -1
        first = self.rowAt(0)
        last = self.rowAt(max(0, self.viewport().height() - 1))
        first = 0 if first < 0 else first
        return first, count - 1 if last < 0 else last


def size_columns(table: QTableView, stretch: int, sample: int = SAMPLE_ROWS) -> None:
    """Interactive column widths from the header text and the first ``sample`` rows; column
    ``stretch`` takes the rest of the width. At most ``sample`` data() calls per column."""
    model = table.model()
    header = table.horizontalHeader()
    metrics = table.fontMetrics()
    heading = header.fontMetrics()
    rows = min(model.rowCount(), sample)
    for column in range(model.columnCount()):
        if column == stretch:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
            continue
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        widest = heading.horizontalAdvance(title)
        for row in range(rows):
            widest = max(widest, metrics.horizontalAdvance(str(model.index(row, column).data() or "")))
        header.resizeSection(column, min(widest + PADDING, MAX_WIDTH))


def _source(model: QAbstractItemModel | None) -> Any:
    while model is not None and hasattr(model, "sourceModel") and model.sourceModel() is not None:
        model = model.sourceModel()
    return model



