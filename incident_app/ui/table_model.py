"""A read-only table model over a list of records (frozen dataclasses), described by column specs:
the record role, a sort role and lazy fetching, so every table in the app behaves the same."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from incident_app.domain.i18n import Translator
from incident_app.ui.register_model import RecordRole, SortRole

Index = QModelIndex | QPersistentModelIndex
BATCH = 200
ALERT_COLOR = QColor("#b3261e")
MUTED_COLOR = QColor("#6b7280")


@dataclass(frozen=True)
class Column:
    """One column: header key, text of a cell, and optionally its sort value, tooltip and tone
    ('alert' for red, 'muted' for grey)."""

    header_key: str
    text: Callable[[Any, Translator], str]
    sort: Callable[[Any], Any] | None = None
    tooltip: Callable[[Any, Translator], str] | None = None
    tone: Callable[[Any], str] | None = None


class RecordTableModel(QAbstractTableModel):
    def __init__(self, columns: Sequence[Column], tr: Translator, parent: Any = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._tr = tr
        self._all: list[Any] = []
        self._loaded = 0

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._all = list(rows)
        self._loaded = min(BATCH, len(self._all))
        self.endResetModel()

    def set_translator(self, tr: Translator) -> None:
        self._tr = tr
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._columns) - 1)
        self.refresh_cells()

    def refresh_cells(self) -> None:
        """Repaint every loaded cell (translations, countdowns)."""
        if self._loaded:
            self.dataChanged.emit(self.index(0, 0), self.index(self._loaded - 1, len(self._columns) - 1))

    def record(self, row: int) -> Any:
        return self._all[row]

    def records(self) -> list[Any]:
        return list(self._all)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else self._loaded

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self._loaded < len(self._all)

    def fetchMore(self, parent: Index) -> None:
        extra = min(BATCH, len(self._all) - self._loaded)
        if extra > 0:
            self.beginInsertRows(QModelIndex(), self._loaded, self._loaded + extra - 1)
            self._loaded += extra
            self.endInsertRows()

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._tr.t(self._columns[section].header_key)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        record, column = self._all[index.row()], self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(record, self._tr)
        if role == RecordRole:
            return record
        if role == SortRole:
            return column.sort(record) if column.sort else column.text(record, self._tr)
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tooltip(record, self._tr) if column.tooltip else column.text(record, self._tr)
        if role == Qt.ItemDataRole.ForegroundRole and column.tone:
            return _brush(column.tone(record))
        return None


def _brush(tone: str) -> QBrush | None:
    if tone == "alert":
        return QBrush(ALERT_COLOR)
    if tone == "muted":
        return QBrush(MUTED_COLOR)
    return None


def record_table(model: RecordTableModel, stretch: int | None) -> QTableView:
    """A read-only, row-selecting table view over ``model``; column ``stretch`` takes the rest
    (None: every column shares the width, text wrapping)."""
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.setWordWrap(False)
    header = table.horizontalHeader()
    if stretch is None:
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.setWordWrap(True)
        model.modelReset.connect(table.resizeRowsToContents)
        return table
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table
