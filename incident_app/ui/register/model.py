"""Table model of the incident register: column constants, a sort role, a record role, and
lazy fetching so a 10,000-incident register only builds the rows that are scrolled to. The rows
arrive without their grade and next deadline; the model asks ``request_details(generation, ids)``
for each batch it shows (the main window runs services.register.view.register_details on a
worker) and :meth:`details_loaded` fills them in."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from incident_app.domain.clock import SHANGHAI, humanize_delta, utc_now
from incident_app.domain.i18n import Translator
from incident_app.services.register import RegisterRow
from incident_app.services.register.summary import INTERNAL_MARK, JUDGEMENT_MARK
from incident_app.ui.common import RecordRole, SortRole

Index = QModelIndex | QPersistentModelIndex
BATCH = 200
URGENT_SECONDS = 3600  # a deadline under one hour away turns red
PENDING_TEXT = "…"  # grade and deadline of a row whose assessment is still on its way
RequestDetails = Callable[[int, list[int]], None]


class RegisterModel(QAbstractTableModel):
    COL_ID, COL_TITLE, COL_STATUS, COL_DISCOVERED, COL_PEOPLE, COL_GRADE, COL_DEADLINE = range(7)
    _HEADER_KEYS = ("register.col.id", "register.col.title", "register.col.status",
                    "register.col.discovered", "register.col.people", "register.col.grade",
                    "register.col.deadline")

    def __init__(self, tr: Translator, parent: Any = None, request_details: RequestDetails | None = None) -> None:
        super().__init__(parent)
        self._tr = tr
        self._all: list[RegisterRow] = []
        self._position: dict[int, int] = {}
        self._loaded = 0
        self._generation = 0  # details for an older set of rows are dropped
        self._request_details = request_details

    def set_rows(self, rows: Sequence[RegisterRow]) -> None:
        self.beginResetModel()
        self._all = list(rows)
        self._position = {row.id: n for n, row in enumerate(self._all)}
        self._loaded = min(BATCH, len(self._all))
        self._generation += 1
        self.endResetModel()
        self._ask_details(0, self._loaded)

    def _ask_details(self, start: int, end: int) -> None:
        ids = [row.id for row in self._all[start:end] if not row.assessed]
        if ids and self._request_details is not None:
            self._request_details(self._generation, ids)

    def details_loaded(self, generation: int, details: Mapping[int, RegisterRow]) -> None:
        """Put the assessed rows in place (ignored if the rows were reloaded meanwhile)."""
        if generation != self._generation:
            return
        changed = [self._position[i] for i in details if i in self._position]
        for n in changed:
            self._all[n] = details[self._all[n].id]
        if changed:
            self.dataChanged.emit(self.index(min(changed), 0), self.index(max(changed), self.columnCount() - 1))

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

    def position_of(self, incident_id: int) -> int | None:
        """The row of an incident among the rows fetched so far (None: not fetched or gone)."""
        position = self._position.get(incident_id)
        return position if position is not None and position < self._loaded else None

    def record(self, position: int) -> RegisterRow:
        """The row at ``position`` among all rows, fetched into the view or not."""
        return self._all[position]

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
        start = self._loaded
        self.beginInsertRows(QModelIndex(), start, start + extra - 1)
        self._loaded += extra
        self.endInsertRows()
        self._ask_details(start, self._loaded)

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
        if column in (self.COL_GRADE, self.COL_DEADLINE) and not row.assessed:
            return PENDING_TEXT
        if column == self.COL_GRADE:
            if not row.grade:
                return none
            return self._tr.word("grade.name", row.grade) + (JUDGEMENT_MARK if row.grade_needs_judgement else "")
        if row.next_deadline is None:
            return none
        delta = row.next_deadline - utc_now()
        # Overdue in words, never a bare minus sign that reads like time left.
        left = (self._tr.t("overview.clock.overdue", delta=humanize_delta(-delta)) if delta.total_seconds() < 0
                else humanize_delta(delta))
        return f"{self._regime(row.next_deadline_label)} {left}".strip()

    def _regime(self, label: str) -> str:
        # The stored label is the regime's code, with INTERNAL_MARK for an internal target.
        code = label.removesuffix(INTERNAL_MARK)
        if not code:
            return label
        return self._tr.word("assess.regime", code) + label[len(code):]

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
