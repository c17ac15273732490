"""Table model of an incident's affected people, windowed over SQL pages.

``rowCount`` is the full count (a million rows scroll like ten), but only the pages the view
asks for are fetched — through ``request_page(generation, page, offset, limit)``, which the tab
runs on the job runner and answers with :meth:`page_loaded`. Until then a cell shows a
placeholder. A bounded cache keeps memory flat however far the officer scrolls. Personal data
is shown masked unless the person was explicitly unmasked (a logged action)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt

from incident_app.domain.i18n import Translator
from incident_app.domain.people import Person
from incident_app.ui.common import Index, TranslatedTableModel

PersonRole = Qt.ItemDataRole.UserRole + 1  # the real (unmasked) Person, for actions
PAGE_SIZE = 200
MAX_PAGES = 60
PageRequest = Callable[[int, int, int, int], None]


class PeopleModel(TranslatedTableModel):
    COL_USER_ID, COL_NAME, COL_EMAIL, COL_PHONE, COL_ADDRESS, COL_MINOR, COL_GUARDIAN, COL_CHANNEL, COL_TYPES = range(9)
    _HEADER_KEYS = ("people.col.user_id", "people.col.name", "people.col.email", "people.col.phone",
                    "people.col.address", "people.col.minor", "people.col.guardian", "people.col.channel",
                    "people.col.data_types")

    def __init__(self, tr: Translator, request_page: PageRequest, parent: Any = None,
                 type_names: Callable[[str, str], str] | None = None) -> None:
        super().__init__(tr, parent)
        self._type_names = type_names or (lambda type_id, _lang: type_id)
        self._request_page = request_page
        self._total = 0
        self._generation = 0
        self._pages: OrderedDict[int, list[tuple[Person, Person]]] = OrderedDict()
        self._in_flight: set[int] = set()
        self._unmasked: dict[int, Person] = {}

    # -- loading ----------------------------------------------------------------------------
    def reset(self, total: int) -> int:
        """Start over with ``total`` rows (new search or import); returns the new generation,
        so answers to requests made before are ignored."""
        self.beginResetModel()
        self._generation += 1
        self._total = total
        self._pages.clear()
        self._in_flight.clear()
        self.endResetModel()
        return self._generation

    def page_loaded(self, generation: int, page: int, people: Sequence[Person]) -> None:
        """A page arrived from the worker: cache it (masked copies made once) and repaint."""
        if generation != self._generation:
            return
        self._in_flight.discard(page)
        self._pages[page] = [(p, p.masked()) for p in people]
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        first = page * PAGE_SIZE
        last = min(first + len(people), self._total) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, self.columnCount() - 1))

    def page_failed(self, generation: int, page: int) -> None:
        if generation == self._generation:
            self._in_flight.discard(page)

    def cached_pages(self) -> int:
        return len(self._pages)

    def show_unmasked(self, person: Person) -> None:
        """Show this person in full (after the unmasking was logged)."""
        self._unmasked[person.id] = person
        self._repaint(person.id)

    def forget_unmasked(self, person_id: int) -> None:
        """Show this person masked again (their data changed since it was unmasked)."""
        if self._unmasked.pop(person_id, None) is not None:
            self._repaint(person_id)

    def _repaint(self, person_id: int) -> None:
        for page, rows in self._pages.items():
            for offset, (person, _masked) in enumerate(rows):
                if person.id == person_id:
                    row = page * PAGE_SIZE + offset
                    self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    # -- Qt model ---------------------------------------------------------------------------
    def shown_rows(self) -> int:
        return self._total

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return super().headerData(section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Only the display and person roles, and no page request for any other role: a cell
        whose page has not arrived yet shows a placeholder."""
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, PersonRole):
            return None
        pair = self._pair(index.row())
        if pair is None:
            return self._tr.t("people.loading") if role == Qt.ItemDataRole.DisplayRole else None
        person, masked = pair
        if role == PersonRole:
            return person
        return self._display(self._unmasked.get(person.id, masked), index.column())

    def _pair(self, row: int) -> tuple[Person, Person] | None:
        page, offset = divmod(row, PAGE_SIZE)
        rows = self._pages.get(page)
        if rows is None:
            self._request(page)
            rows = self._pages.get(page)  # a synchronous runner (tests) answers at once
        if rows is None or offset >= len(rows):
            return None
        self._pages.move_to_end(page)
        return rows[offset]

    def _request(self, page: int) -> None:
        if page in self._in_flight:
            return
        self._in_flight.add(page)
        self._request_page(self._generation, page, page * PAGE_SIZE, PAGE_SIZE)

    def _display(self, person: Person, column: int) -> str:
        t = self._tr.t
        none = t("common.none")
        if column == self.COL_MINOR:
            return t(f"people.band.{person.minor_band.value}")
        if column == self.COL_CHANNEL:
            return t(f"people.channel.{person.channel.value}")
        if column == self.COL_TYPES:
            return "; ".join(self._type_names(t, self._tr.lang) for t in person.data_types) or none
        if column == self.COL_GUARDIAN:
            parts = [person.guardian_name, person.guardian_email, person.guardian_phone]
            return " / ".join(p for p in parts if p) or none
        values = (person.user_id, person.name, person.email, person.phone, person.address)
        return values[column] or none
