"""The app's read-only table models. :class:`TranslatedTableModel` is what they all share
(translated headers, no child rows, the record role); :class:`RowListModel` holds its rows in a
list; :class:`RecordTableModel` is described by column specs and fetches lazily, so most tables
need no model class of their own."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QItemSelectionModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from incident_app.domain.i18n import Translator

Index = QModelIndex | QPersistentModelIndex
R = TypeVar("R")
BATCH = 200
ALERT_COLOR = QColor("#b3261e")
MUTED_COLOR = QColor("#6b7280")

# The roles every table model of the app answers: the row's record, and the value to sort by.
RecordRole = Qt.ItemDataRole.UserRole + 1
SortRole = Qt.ItemDataRole.UserRole + 2


@dataclass(frozen=True)
class Column:
    """One column: header key, text of a cell, and optionally its sort value, tooltip and tone
    ('alert' for red, 'muted' for grey)."""

    header_key: str
    text: Callable[[Any, Translator], str]
    sort: Callable[[Any], Any] | None = None
    tooltip: Callable[[Any, Translator], str] | None = None
    tone: Callable[[Any], str] | None = None


class TranslatedTableModel(QAbstractTableModel):
    """A flat table with translated column headers (``_HEADER_KEYS``). ``data`` answers
    ``RecordRole`` with the row's record and hands every other role to :meth:`cell`; subclasses
    say how many rows are shown (:meth:`shown_rows`) and which record a row holds (:meth:`record`)."""

    _HEADER_KEYS: tuple[str, ...] = ()

    def __init__(self, tr: Translator, parent: Any = None) -> None:
        super().__init__(parent)
        self._tr = tr

    def set_translator(self, tr: Translator) -> None:
        self._tr = tr
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)

    def shown_rows(self) -> int:
        """How many rows the view may show now (with lazy fetching, those fetched so far)."""
        raise NotImplementedError

    def record(self, row: int) -> Any:
        """The record shown in ``row``."""
        raise NotImplementedError

    def cell(self, record: Any, column: int, role: int) -> Any:
        """The value of one cell for ``role`` (any role but ``RecordRole``)."""
        return None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else self.shown_rows()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._HEADER_KEYS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._tr.t(self._HEADER_KEYS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        record = self.record(index.row())
        if role == RecordRole:
            return record
        return self.cell(record, index.column(), role)


class RowListModel(TranslatedTableModel, Generic[R]):
    """All rows at once, replaced by :meth:`set_rows` (tables of a few dozen rows)."""

    def __init__(self, tr: Translator, parent: Any = None) -> None:
        super().__init__(tr, parent)
        self._rows: list[R] = []

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def shown_rows(self) -> int:
        return len(self._rows)

    def record(self, row: int) -> R:
        return self._rows[row]


class RecordTableModel(TranslatedTableModel):
    """Records described by :class:`Column` specs, fetched into the view ``BATCH`` rows at a time."""

    def __init__(self, columns: Sequence[Column], tr: Translator, parent: Any = None) -> None:
        super().__init__(tr, parent)
        self._columns = list(columns)
        self._HEADER_KEYS = tuple(column.header_key for column in self._columns)
        self._all: list[Any] = []
        self._loaded = 0

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._all = list(rows)
        self._loaded = min(BATCH, len(self._all))
        self.endResetModel()

    def set_translator(self, tr: Translator) -> None:
        super().set_translator(tr)
        self.refresh_cells()

    def refresh_cells(self) -> None:
        """Repaint every loaded cell (translations, countdowns)."""
        if self._loaded:
            self.dataChanged.emit(self.index(0, 0), self.index(self._loaded - 1, len(self._columns) - 1))

    def record(self, row: int) -> Any:
        return self._all[row]

    def records(self) -> list[Any]:
        return list(self._all)

    def shown_rows(self) -> int:
        return self._loaded

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self._loaded < len(self._all)

    def fetchMore(self, parent: Index) -> None:
        extra = min(BATCH, len(self._all) - self._loaded)
        if extra > 0:
            self.beginInsertRows(QModelIndex(), self._loaded, self._loaded + extra - 1)
            self._loaded += extra
            self.endInsertRows()

    def cell(self, record: Any, column: int, role: int) -> Any:
        spec = self._columns[column]
        if role == Qt.ItemDataRole.DisplayRole:
            return spec.text(record, self._tr)
        if role == SortRole:
            return spec.sort(record) if spec.sort else spec.text(record, self._tr)
        if role == Qt.ItemDataRole.ToolTipRole:
            return spec.tooltip(record, self._tr) if spec.tooltip else spec.text(record, self._tr)
        if role == Qt.ItemDataRole.ForegroundRole and spec.tone:
            return _brush(spec.tone(record))
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


def set_rows_keeping_selection(table: QTableView, model: RecordTableModel, rows: Sequence[Any],
                               key: Callable[[Any], object]) -> None:
    """Replace a table's rows and select again the records (by ``key``) that were selected: a
    refresh after a change elsewhere must not leave the officer's Edit/Withdraw aimed at nothing."""
    chosen = {key(model.record(index.row())) for index in table.selectionModel().selectedRows()}
    model.set_rows(rows)
    if not chosen:
        return
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in range(model.shown_rows()):
        if key(model.record(row)) in chosen:
            table.selectionModel().select(model.index(row, 0), flags)
