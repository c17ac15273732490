"""A table model windowed over SQL pages: ``rowCount`` is the full count, only the pages the view
asks for are fetched — through ``request_page(generation, page, offset, limit)``, which the owner
runs on the job runner and answers with :meth:`PagedTableModel.page_loaded` — and a bounded cache
keeps memory flat however far the officer scrolls. The People and Enquiries tables share it."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar

from incident_app.domain.i18n import Translator
from incident_app.ui.common.table_model import TranslatedTableModel

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

    def reset(self, total: int) -> int:
        """Start over with ``total`` rows (new search, filter or import); returns the new
        generation, so answers to requests made before are ignored."""
        self.beginResetModel()
        self._generation += 1
        self._total = total
        self._pages.clear()
        self._in_flight.clear()
        self.endResetModel()
        return self._generation

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
        self._pages[page] = self.cache_rows(loaded)
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)
        first = page * self.page_size
        last = min(first + len(loaded), self._total) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, self.columnCount() - 1))

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
