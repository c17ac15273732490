"""Table model of the incident register: column constants, a sort role, a record role, and
lazy fetching so a 10,000-incident register only builds the rows that are scrolled to. The rows
arrive without their grade and next deadline; the model asks ``request_details(generation, ids)``
for each batch it shows (the main window runs services.register.view.register_details on a
worker) and :meth:`details_loaded` fills them in.

Sorting and filtering happen here, over every row and on precomputed keys (one key per row and
column, built once per load), never by a proxy calling :meth:`data` per comparison: a proxy only
sees the fetched rows, and 10,000 rows cost it 250,000+ Python calls on the UI thread. Detail
requests go one at a time; a batch scrolled past before its turn is dropped (asked again if it
comes back into view), so dragging the scroll bar to the bottom does not queue 50 assessments.
A sort or filter that needs every row's grade or deadline asks for all the missing rows in ONE
request (the main window sends it to the helper process, which reads the cached summaries and
computes the rest): the GUI process only merges the answer, then re-sorts once.

:meth:`data` is called for every painted cell and role (about 1,400 calls per scroll step): it
looks up display texts and the deadline brush precomputed per row (the countdown text per
countdown tick), compares the role with plain ints, and never formats a date or reads the
catalog per call."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from incident_app.domain.clock import humanize_delta, utc_now
from incident_app.domain.decisions import CAC_LEVELS
from incident_app.domain.i18n import Translator
from incident_app.domain.incident import IncidentStatus
from incident_app.services.register import RegisterRow
from incident_app.services.register.summary import INTERNAL_MARK, JUDGEMENT_MARK
from incident_app.ui.common import RecordRole, SortRole
from incident_app.ui.common.times import beijing_time
from incident_app.ui.register.filters import ANY, accepts

Index = QModelIndex | QPersistentModelIndex
BATCH = 200
URGENT_SECONDS = 3600  # a deadline under one hour away turns red
PENDING_TEXT = "…"  # grade and deadline of a row whose assessment is still on its way
RequestDetails = Callable[[int, list[int]], None]
_STATUS_RANK = {status: n for n, status in enumerate(IncidentStatus)}  # the workflow's order
_GRADE_RANK = {level: n for n, level in enumerate(CAC_LEVELS)}
_URGENT = QBrush(QColor("#b3261e"))  # one brush for every urgent cell, not one per call
# Plain ints: comparing with Qt.ItemDataRole members costs an enum lookup per call.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
_RECORD, _SORT = int(RecordRole), int(SortRole)


@dataclass(frozen=True)
class Filters:
    status: str = ANY
    grade: str = ANY
    drill: str = "all"
    text: str = ""

    def active(self) -> bool:
        return bool(self.status or self.grade or self.drill != "all" or self.text)


@dataclass
class _Batch:
    ids: list[int]
    keep: bool  # needed by a sort or filter over every row: never dropped for being out of view


def grade_rank(grade: str | None) -> int:
    """Severity order of a register grade ('一般' < … < '特别重大'; ungraded first)."""
    if not grade:
        return -1
    return _GRADE_RANK.get(grade.split(" ")[0], len(CAC_LEVELS))


def sort_key(row: RegisterRow, column: int) -> Any:
    """The key a column sorts on; None while it depends on an assessment still on its way."""
    if column == RegisterModel.COL_ID:
        return row.id
    if column == RegisterModel.COL_TITLE:
        return row.title.casefold()
    if column == RegisterModel.COL_STATUS:
        return _STATUS_RANK[row.status]
    if column == RegisterModel.COL_DISCOVERED:
        return row.discovered_at.timestamp()
    if column == RegisterModel.COL_PEOPLE:
        return row.affected_people
    if not row.assessed:
        return None
    if column == RegisterModel.COL_GRADE:
        return grade_rank(row.grade)
    return row.next_deadline.timestamp() if row.next_deadline else float("inf")


class RegisterModel(QAbstractTableModel):
    COL_ID, COL_TITLE, COL_STATUS, COL_DISCOVERED, COL_PEOPLE, COL_GRADE, COL_DEADLINE = range(7)
    _HEADER_KEYS = ("register.col.id", "register.col.title", "register.col.status",
                    "register.col.discovered", "register.col.people", "register.col.grade",
                    "register.col.deadline")
    NEEDS_DETAILS = (COL_GRADE, COL_DEADLINE)  # sorting on these needs every row assessed

    def __init__(self, tr: Translator, parent: Any = None, request_details: RequestDetails | None = None) -> None:
        super().__init__(parent)
        self._tr = tr
        self._all: list[RegisterRow] = []  # every row, newest first (the order ties keep)
        self._position: dict[int, int] = {}  # incident id -> index in _all
        self._order: list[int] = []  # indexes into _all: the filtered, sorted rows
        self._view_row: dict[int, int] = {}  # index in _all -> row in _order
        self._keys: dict[int, list[Any]] = {}  # column -> sort key of each row of _all
        self._titles: list[tuple[str, str]] | None = None  # (lower-cased title, id) of each row, for the search
        self._cells: dict[int, tuple[str, ...]] = {}  # index in _all -> display texts but the countdown
        self._deadlines: dict[int, tuple[int, str, QBrush | None]] = {}  # index in _all -> (tick, text, brush)
        self._tick = 0  # the countdown tick the cached deadline texts belong to
        self._loaded = 0
        self._generation = 0  # details for an older set of rows are dropped
        self._request_details = request_details
        self._sort_column, self._sort_order = -1, Qt.SortOrder.AscendingOrder
        self._filters = Filters()
        self._asked: set[int] = set()
        self._queue: list[_Batch] = []
        self._busy = False  # one details request in flight at a time
        self._stale = False  # details arrived that the current order or filter depends on
        self._visible: tuple[int, int] | None = None

    # -- rows -------------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[RegisterRow], keep_details: bool = False) -> None:
        """New rows (a refresh): the sort, the filters and how far the view had fetched stay.
        ``keep_details``: the rows are as current as the ones shown (every row after the first
        screen's): a row already assessed keeps its grade and deadline instead of asking again."""
        shown = {r.id: r for r in self._all if r.assessed} if keep_details else {}
        self._replace_all([shown.get(r.id, r) for r in rows] if shown else list(rows))

    def apply_changes(self, rows: Sequence[RegisterRow], gone: Sequence[int] = (), reassess_all: bool = False) -> None:
        """A live refresh: only the changed incidents' rows are replaced (new ones added, gone
        ones removed); every other row stays as it is, assessed or not (time passing does not
        change a row: its next deadline is the earliest open clock, overdue or not, and the
        countdown is computed as it is painted). ``reassess_all`` (a change every assessment
        reads: the profile, the rules) sends every row back to "…" to be asked again."""
        changed = {r.id: r for r in rows}
        dropped = set(gone)
        kept = [changed.pop(r.id, r) for r in self._all if r.id not in dropped]
        added = sorted(changed.values(), key=lambda r: r.id, reverse=True)  # new incidents: the newest
        every = added + kept
        if added and kept and added[-1].id < kept[0].id:
            every.sort(key=lambda r: r.id, reverse=True)  # an id below one already listed: newest first still
        self._replace_all([_unassessed(r) if reassess_all and r.assessed else r for r in every])

    def _replace_all(self, rows: list[RegisterRow]) -> None:
        keep = max(self._loaded, BATCH)
        self._all = rows
        self._position = {row.id: n for n, row in enumerate(self._all)}
        self._generation += 1  # an answer still on its way may predate a change: asked again
        self._keys.clear()
        self._titles = None
        self._asked.clear()
        self._queue.clear()
        self._rearrange(keep)

    def row_ids(self) -> list[int]:
        """Every row's incident id, in the register's order (newest first)."""
        return [r.id for r in self._all]

    def _rearrange(self, loaded: int = BATCH) -> None:
        """Filter and sort every row on the precomputed keys; the view restarts from them."""
        self.beginResetModel()
        self._stale = False
        self._cells.clear()
        self._deadlines.clear()
        self._order = self._filtered_sorted()
        self._view_row = {pos: n for n, pos in enumerate(self._order)}
        self._loaded = min(loaded, len(self._order))
        self.endResetModel()
        if self._needs_every_row():
            self._ask_every_row()  # one request; the rows in view are among them
        elif self._visible is None:
            self._ask_rows(0, min(BATCH, self._loaded))
        # Else the view says which rows it shows once it has laid them out (set_visible): no
        # assessment competes with the repaint for the interpreter.

    def _filtered_sorted(self) -> list[int]:
        f = self._filters
        if f.active() and not (f.status or f.grade or f.drill != "all"):
            # Only a search (typed key by key): on the titles lower-cased once per load.
            text, titles = f.text, self._search_texts()
            order = [n for n, (title, number) in enumerate(titles) if text in title or text == number]
        elif f.active():
            rows = self._all
            order = [n for n in range(len(rows)) if accepts(rows[n], f.status, f.grade, f.drill, f.text)]
        else:
            order = list(range(len(self._all)))
        if self._sort_column < 0:
            return order
        keys = self._keys_of(self._sort_column)
        known = [n for n in order if keys[n] is not None]
        pending = [n for n in order if keys[n] is None]  # last, in either direction, until assessed
        # Python's sort is stable, also reversed: equal keys keep the register's order (newest first).
        known.sort(key=keys.__getitem__, reverse=self._sort_order == Qt.SortOrder.DescendingOrder)
        return known + pending

    def _search_texts(self) -> list[tuple[str, str]]:
        if self._titles is None:
            self._titles = [(row.title.lower(), str(row.id)) for row in self._all]
        return self._titles

    def _keys_of(self, column: int) -> list[Any]:
        keys = self._keys.get(column)
        if keys is None:
            keys = self._keys[column] = [sort_key(row, column) for row in self._all]
        return keys

    def _needs_every_row(self) -> bool:
        return self._sort_column in self.NEEDS_DETAILS or bool(self._filters.grade)

    # -- sorting and filtering -------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort every row (not only the fetched ones) on the column's precomputed key."""
        self._sort_column, self._sort_order = column, order
        self._rearrange()

    def sort_state(self) -> tuple[int, Qt.SortOrder]:
        return self._sort_column, self._sort_order

    def set_filters(self, *, status: str = ANY, grade: str = ANY, drill: str = "all", text: str = "") -> None:
        """Show only the rows passing every filter (over every row; see filters.accepts)."""
        filters = Filters(status, grade, drill, text.strip().lower())
        if filters != self._filters:
            self._filters = filters
            self._rearrange()

    # -- details (grade, next deadline), one batch at a time --------------------------------
    def _ask_rows(self, start: int, end: int, keep: bool = False) -> None:
        self._ask_positions(self._order[start:end], keep)

    def _ask_positions(self, positions: Sequence[int], keep: bool) -> None:
        ids = [self._all[n].id for n in positions if not self._all[n].assessed and self._all[n].id not in self._asked]
        # Rows in view: batches of BATCH (the one in view first). Every row for a sort or filter:
        # one request, so the helper process answers it at once instead of 50 round trips.
        size = len(ids) if keep else BATCH
        for first in range(0, len(ids), max(size, 1)):
            chunk = ids[first:first + size]
            self._asked.update(chunk)
            self._queue.append(_Batch(chunk, keep))
        self._pump()

    def _ask_every_row(self) -> None:
        # Every row the other filters let through: a grade filter hides the rows still unassessed.
        f, rows = self._filters, self._all
        wanted = [n for n, row in enumerate(rows)
                  if not row.assessed and accepts(row, f.status, ANY, f.drill, f.text)]
        self._ask_positions(wanted, keep=True)

    def _pump(self) -> None:
        while not self._busy and self._queue and self._request_details is not None:
            batch = self._next_batch()
            if batch is None:
                return
            # Rows answered by an earlier request (the every-row one) are not asked again.
            batch.ids = [i for i in batch.ids if i in self._position and not self._all[self._position[i]].assessed]
            if not batch.ids:
                continue
            self._busy = True
            self._request_details(self._generation, batch.ids)  # a synchronous runner answers at once

    def _next_batch(self) -> _Batch | None:
        """The batch in view first; a batch scrolled past is dropped (asked again when seen)."""
        if self._visible is None:
            return self._queue.pop(0)
        first, last = self._visible
        spans = [self._span(batch) for batch in self._queue]
        for margin in (0, BATCH):  # in view, then next to it (the next scroll step)
            for n, (low, high) in enumerate(spans):
                if low <= last + margin and high >= first - margin:
                    return self._queue.pop(n)
        kept = [b for b in self._queue if b.keep]
        for batch in self._queue:
            if not batch.keep:
                self._asked.difference_update(batch.ids)
        self._queue = kept
        return self._queue.pop(0) if self._queue else None

    def _span(self, batch: _Batch) -> tuple[int, int]:
        rows = [self._view_row.get(self._position.get(i, -1), -1) for i in batch.ids]
        shown = [r for r in rows if r >= 0]
        return (min(shown), max(shown)) if shown else (-1, -2)

    def set_visible(self, first: int, last: int) -> None:
        """The view shows rows ``first``..``last``: assess their batch if it is not yet."""
        self._visible = (first, last)
        if 0 <= first <= last:
            start = first - first % BATCH
            self._ask_rows(start, min(last - last % BATCH + BATCH, self._loaded))

    def details_failed(self, _generation: int) -> None:
        """The request in flight failed (the error is shown elsewhere): go on with the next."""
        self._busy = False
        self._pump()

    def details_loaded(self, generation: int, details: Mapping[int, RegisterRow]) -> None:
        """Put the assessed rows in place (ignored if the rows were reloaded meanwhile)."""
        self._busy = False
        if generation == self._generation:
            self._apply_details(details)
        self._pump()
        if self._stale and not self._busy and not self._queue and self._depends_on_details():
            self._rearrange(self._loaded)  # every asked row is in: sort or filter them in place

    def _apply_details(self, details: Mapping[int, RegisterRow]) -> None:
        changed = [self._position[i] for i in details if i in self._position]
        # Only the sort column's keys are kept up to date (10,000 rows × 7 columns on the UI thread
        # would be 70,000 calls): the other columns' keys are computed again when sorted on.
        column = self._sort_column
        keys = self._keys.get(column)
        self._keys = {column: keys} if keys is not None else {}
        every, cells, deadlines = self._all, self._cells, self._deadlines
        for n in changed:
            row = every[n] = details[every[n].id]
            cells.pop(n, None)
            deadlines.pop(n, None)
            if keys is not None:
                keys[n] = sort_key(row, column)
        self._stale = self._stale or bool(changed)
        rows = [r for r in (self._view_row.get(n, -1) for n in changed) if 0 <= r < self._loaded]
        if rows:
            self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), self.columnCount() - 1))

    def _depends_on_details(self) -> bool:
        return self._needs_every_row()

    # -- view ---------------------------------------------------------------------------------
    def set_translator(self, tr: Translator) -> None:
        self._tr = tr
        self._cells.clear()
        self._deadlines.clear()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
        if self._loaded:
            self.dataChanged.emit(self.index(0, 0), self.index(self._loaded - 1, self.columnCount() - 1))

    def refresh_countdowns(self, first: int = 0, last: int | None = None) -> None:
        """Repaint the next-deadline cells of rows ``first``..``last`` (the visible ones; default
        every fetched row) so their countdown moves on."""
        last = self._loaded - 1 if last is None else min(last, self._loaded - 1)
        self._tick += 1  # the cached countdown texts are recomputed as they are painted
        if self._loaded and 0 <= first <= last:
            self.dataChanged.emit(self.index(first, self.COL_DEADLINE), self.index(last, self.COL_DEADLINE))

    def total_rows(self) -> int:
        return len(self._all)

    def shown_rows(self) -> int:
        """Rows passing the filters, fetched into the view or not."""
        return len(self._order)

    def position_of(self, incident_id: int) -> int | None:
        """The row of an incident among the rows fetched so far (None: not fetched, filtered out or gone)."""
        position = self._view_row.get(self._position.get(incident_id, -1))
        return position if position is not None and position < self._loaded else None

    def ensure_fetched(self, incident_id: int) -> int | None:
        """Fetch as far as the incident's row (a selection kept across a sort); its row or None."""
        position = self._view_row.get(self._position.get(incident_id, -1))
        if position is None:
            return None
        if position >= self._loaded:
            self._fetch_to(position - position % BATCH + BATCH)
        return position

    def fetch_all(self) -> None:
        """Fetch every remaining row at once (Ctrl+End): rows are cheap, only assessing costs, and
        that follows what is in view."""
        self._fetch_to(len(self._order))

    def _fetch_to(self, count: int) -> None:
        count = min(count, len(self._order))
        if count <= self._loaded:
            return
        start = self._loaded
        self.beginInsertRows(QModelIndex(), start, count - 1)
        self._loaded = count
        self.endInsertRows()
        self._ask_rows(max(start, count - BATCH), count)

    def record(self, position: int) -> RegisterRow:
        """The row at ``position`` among the shown rows (in their order), fetched into the view or not."""
        return self._all[self._order[position]]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else self._loaded

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._HEADER_KEYS)

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self._loaded < len(self._order)

    def fetchMore(self, parent: Index) -> None:
        start = self._loaded
        extra = min(BATCH, len(self._order) - start)
        if extra <= 0:
            return
        self.beginInsertRows(QModelIndex(), start, start + extra - 1)
        self._loaded += extra
        self.endInsertRows()
        if self._visible is None:  # no view tells what it shows: assess what is fetched
            self._ask_rows(start, self._loaded)
        # Else, while the scroll bar is dragged down, only the rows it stops at are assessed.

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._tr.t(self._HEADER_KEYS[section])
        return None

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        # Called for every painted cell and role: plain int compares, texts and brush cached per row.
        if role == _DISPLAY:
            row = index.row()
            if row < 0:  # an invalid index
                return None
            n, column = self._order[row], index.column()
            if column == self.COL_DEADLINE:
                return self._deadline(n)[1]
            cells = self._cells.get(n)
            if cells is None:
                cells = self._cells[n] = self._texts(self._all[n])
            return cells[column]
        if role == _FOREGROUND:
            if index.column() != self.COL_DEADLINE or index.row() < 0:
                return None
            return self._deadline(self._order[index.row()])[2]
        if role == _RECORD:
            return self._all[self._order[index.row()]] if index.isValid() else None
        if role == _SORT:
            return sort_key(self._all[self._order[index.row()]], index.column()) if index.isValid() else None
        return None

    def _deadline(self, n: int) -> tuple[int, str, QBrush | None]:
        """(tick, countdown text, brush) of row ``n`` of _all, computed once per countdown tick."""
        entry = self._deadlines.get(n)
        if entry is None or entry[0] != self._tick:
            row = self._all[n]
            entry = self._deadlines[n] = (self._tick, self._deadline_text(row), _deadline_brush(row))
        return entry

    def _texts(self, row: RegisterRow) -> tuple[str, ...]:
        t = self._tr.t
        if not row.assessed:
            grade = PENDING_TEXT
        else:
            grade = (self._tr.word("grade.name", row.grade) + (JUDGEMENT_MARK if row.grade_needs_judgement else "")
                     if row.grade else t("common.none"))
        return (str(row.id), row.title, t(f"status.{row.status.value}"),
                beijing_time(row.discovered_at), f"{row.affected_people:,}", grade)

    def _deadline_text(self, row: RegisterRow) -> str:
        if not row.assessed:
            return PENDING_TEXT
        if row.next_deadline is None:
            return self._tr.t("common.none")
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


def _unassessed(row: RegisterRow) -> RegisterRow:
    return replace(row, grade=None, next_deadline=None, next_deadline_label="", assessed=False,
                   grade_needs_judgement=False)


def _deadline_brush(row: RegisterRow) -> QBrush | None:
    if row.next_deadline is None:
        return None
    left = (row.next_deadline - utc_now()).total_seconds()
    return _URGENT if left < URGENT_SECONDS else None
