"""Table model of the incident register: column constants, a sort role, a record role, and
lazy fetching so a 10,000-incident register only builds the rows that are scrolled to."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from incident_app.domain.clock import SHANGHAI, humanize_delta, utc_now
from incident_app.domain.i18n import Translator
from incident_app.services.register_view import RegisterRow

Index = QModelIndex | QPersistentModelIndex
RecordRole = Qt.ItemDataRole.UserRole + 1
SortRole = Qt.ItemDataRole.UserRole + 2
BATCH = 200
URGENT_SECONDS = 3600  # a deadline under one hour away turns red


class RegisterModel(QAbstractTableModel):
    COL_ID, COL_TITLE, COL_STATUS, COL_DISCOVERED, COL_PEOPLE, COL_GRADE, COL_DEADLINE = range(7)
    _HEADER_KEYS = ("register.col.id", "register.col.title", "register.col.status",
                    "register.col.discovered", "register.col.people", "register.col.grade",
                    "register.col.deadline")

    def __init__(self, tr: Translator, parent: Any = None) -> None:
        super().__init__(parent)
        self._tr = tr
        self._all: list[RegisterRow] = []
        self._loaded = 0

    def set_rows(self, rows: Sequence[RegisterRow]) -> None:
        self.beginResetModel()
        self._all = list(rows)
        self._loaded = min(BATCH, len(self._all))
        self.endResetModel()

    def set_translator(self, tr: Translator) -> None:
        self._tr = tr
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
        if self._loaded:
            self.dataChanged.emit(self.index(0, 0), self.index(self._loaded - 1, self.columnCount() - 1))

    def refresh_countdowns(self) -> None:
        """Repaint the next-deadline column so its countdown moves on."""
        if self._loaded:
            self.dataChanged.emit(self.index(0, self.COL_DEADLINE), self.index(self._loaded - 1, self.COL_DEADLINE))

    def total_rows(self) -> int:
        return len(self._all)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else self._loaded

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._HEADER_KEYS)

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self._loaded < len(self._all)

    def fetchMore(self, parent: Index) -> None:
        extra = min(BATCH, len(self._all) - self._loaded)
        if extra <= 0:
            return
        self.beginInsertRows(QModelIndex(), self._loaded, self._loaded + extra - 1)
        self._loaded += extra
        self.endInsertRows()

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._tr.t(self._HEADER_KEYS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._all[index.row()]
        if role == RecordRole:
            return row
        if role == SortRole:
            return self._sort_value(row, index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, index.column())
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == self.COL_DEADLINE:
            return _deadline_brush(row)
        return None

    def _display(self, row: RegisterRow, column: int) -> str:
        none = self._tr.t("common.none")
        if column == self.COL_ID:
            return str(row.id)
        if column == self.COL_TITLE:
            return row.title
        if column == self.COL_STATUS:
            return self._tr.t(f"status.{row.status.value}")
        if column == self.COL_DISCOVERED:
            return row.discovered_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
        if column == self.COL_PEOPLE:
            return f"{row.affected_people:,}"
        if column == self.COL_GRADE:
            return row.grade or none
        if row.next_deadline is None:
            return none
        left = humanize_delta(row.next_deadline - utc_now())
        return f"{row.next_deadline_label} {left}".strip()

    def _sort_value(self, row: RegisterRow, column: int) -> Any:
        values = (row.id, row.title, row.status.value, row.discovered_at.timestamp(),
                  row.affected_people, row.grade or "",
                  row.next_deadline.timestamp() if row.next_deadline else float("inf"))
        return values[column]


def _deadline_brush(row: RegisterRow) -> QBrush | None:
    if row.next_deadline is None:
        return None
    left = (row.next_deadline - utc_now()).total_seconds()
    return QBrush(QColor("#b3261e")) if left < URGENT_SECONDS else None
