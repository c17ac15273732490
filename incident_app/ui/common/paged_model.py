"""A table model windowed over SQL pages: ``rowCount`` is the full count, only the pages the view
asks for are fetched — through ``request_page(generation, page, offset, limit)``, which the owner
runs on the job runner and answers with :meth:`PagedTableModel.page_loaded` — and a bounded cache
keeps memory flat however far the officer scrolls. The People and Enquiries tables share it.

While a search's count is still running (a scan: seconds at ten million people) the model can
be *open* (:meth:`PagedTableModel.reset_open`): it holds the pages that arrived so far, the view
asks for the next one when it reaches the end (``canFetchMore``/``fetchMore``), and
:meth:`PagedTableModel.set_total` gives it the full count once known."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QModelIndex

from incident_app.domain.i18n import Translator
from incident_app.ui.common.table_model import Index, TranslatedTableModel

PageRequest = Callable[[int, int, int, int], None]
Row = TypeVar("Row")


class PagedTableModel(TranslatedTableModel, Generic[Row]):
    page_size = 200
    max_pages = 60

    def __init__(self, tr: Translator, request_page: PageRequest, parent: Any = None) -> None:
        super().__init__(tr, parent)
        self._request_page = request_page
        self._total = 0
        self._generation = 0
        self._pages: OrderedDict[int, list[Row]] = OrderedDict()
        self._in_flight: set[int] = set()
        self._open = False  # the count is not known yet: rows are added as pages arrive

    def reset(self, total: int) -> int:
        """Start over with ``total`` rows (new search, filter or import); returns the new
        generation, so answers to requests made before are ignored."""
        self.beginResetModel()
        self._generation += 1
        self._total = total
        self._open = False
        self._pages.clear()
        self._in_flight.clear()
        self.endResetModel()
        return self._generation

    def reset_open(self) -> int:
        """Start over with no rows and the count still unknown: the first page is asked for at
        once, the next ones when the view reaches the end; :meth:`set_total` ends it."""
        generation = self.reset(0)
        self._open = True
        self.fetchMore(QModelIndex())
        return generation

    @property
    def counting(self) -> bool:
        """Whether the full count is still unknown (the model grows page by page)."""
        return self._open

    def set_total(self, total: int) -> None:
        """The full count arrived: the rows not yet fetched are added (or, when fewer people
        match now, the extra ones removed)."""
        self._open = False
        if total > self._total:
            self.beginInsertRows(QModelIndex(), self._total, total - 1)
            self._total = total
            self.endInsertRows()
        elif total < self._total:
            self.beginRemoveRows(QModelIndex(), total, self._total - 1)
            self._total = total
            self.endRemoveRows()

    def canFetchMore(self, parent: Index) -> bool:
        return self._open and not parent.isValid()

    def fetchMore(self, parent: Index) -> None:
        """Ask for the page after the rows shown (only while the count is unknown)."""
        if not self.canFetchMore(parent):
            return
        page = self._total // self.page_size
        if page not in self._in_flight and page not in self._pages:
            self._in_flight.add(page)
            self._request_page(self._generation, page, page * self.page_size, self.page_size)

    def refetch(self) -> None:
        """Forget the cached pages and ask again for those shown (same rows, same scroll
        position: after a language switch the prepared texts are in the other language)."""
        self._generation += 1
        self._pages.clear()
        self._in_flight.clear()
        if self._total:
            self.dataChanged.emit(self.index(0, 0), self.index(self._total - 1, self.columnCount() - 1))
        self.fetchMore(QModelIndex())  # while still counting: the next page, asked for again

    @property
    def generation(self) -> int:
        """Which reset the model is at: a page asked for under an older one is not wanted."""
        return self._generation

    def cache_rows(self, loaded: Sequence[Any]) -> list[Row]:
        """What a page keeps of the rows that arrived (the People table adds masked copies)."""
        return list(loaded)

    def page_loaded(self, generation: int, page: int, loaded: Sequence[Any]) -> None:
        """A page arrived from the worker: cache it and repaint its rows."""
        if generation != self._generation:
            return
        self._in_flight.discard(page)
        first = page * self.page_size
        if self._open and first >= self._total:  # the next page of a list still being counted
            self._grow(page, loaded)
            return
        self._pages[page] = self.cache_rows(loaded)
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)
        last = min(first + len(loaded), self._total) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, self.columnCount() - 1))

    def _grow(self, page: int, loaded: Sequence[Any]) -> None:
        rows = self.cache_rows(loaded)
        first = page * self.page_size
        self._open = len(rows) >= self.page_size
        if not rows:
            return
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._pages[page] = rows
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)
        self._total = first + len(rows)
        self.endInsertRows()

    def page_failed(self, generation: int, page: int) -> None:
        if generation == self._generation:
            self._in_flight.discard(page)

    def row_key(self, row: Row) -> int | None:
        """The sort key of a cached row (the People table: the person id), or None when the
        owner pages by offset only."""
        del row
        return None

    def key_before(self, page: int) -> int | None:
        """The key of the last row of the page before ``page`` when that page is cached and full:
        the owner then asks for the rows after it (keyset paging, what scrolling down does),
        which costs the same on every page; None means "count from the start" (a jump)."""
        rows = self._pages.get(page - 1) if page > 0 else None
        if not rows or len(rows) < self.page_size:
            return None
        return self.row_key(rows[-1])

    def cached_pages(self) -> int:
        return len(self._pages)

    def shown_rows(self) -> int:
        return self._total

    def cached_row(self, row: int) -> Row | None:
        """The row's cached value, asking for its page when it is not here yet (None until then)."""
        page, offset = divmod(row, self.page_size)
        rows = self._pages.get(page)
        if rows is None:
            if page not in self._in_flight:
                self._in_flight.add(page)
                self._request_page(self._generation, page, page * self.page_size, self.page_size)
            rows = self._pages.get(page)  # a synchronous runner (tests) answers at once
        if rows is None or offset >= len(rows):
            return None
        self._pages.move_to_end(page)
        return rows[offset]

    def cached_rows(self) -> Iterator[tuple[int, Row]]:
        """(row number, value) of every cached row."""
        for page, rows in self._pages.items():
            for offset, value in enumerate(rows):
                yield page * self.page_size + offset, value
