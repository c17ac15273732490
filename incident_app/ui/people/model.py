"""Table model of an incident's affected people, windowed over SQL pages.

``rowCount`` is the full count (a million rows scroll like ten), but only the pages the view
asks for are fetched — through ``request_page(generation, page, offset, limit)``, which the tab
runs on the job runner and answers with :meth:`page_loaded`. Until then a cell shows a
placeholder. A bounded cache keeps memory flat however far the officer scrolls. Personal data
is shown masked unless the person was explicitly unmasked (a logged action)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt

from incident_app.domain.i18n import Translator
from incident_app.domain.people import Person
from incident_app.ui.common import Index
from incident_app.ui.common.paged_model import PagedTableModel, PageRequest

PersonRole = Qt.ItemDataRole.UserRole + 1  # the real (unmasked) Person, for actions
PAGE_SIZE = 200
MAX_PAGES = 60


class PeopleModel(PagedTableModel[tuple[Person, Person]]):
    page_size, max_pages = PAGE_SIZE, MAX_PAGES
    COL_USER_ID, COL_NAME, COL_EMAIL, COL_PHONE, COL_ADDRESS, COL_MINOR, COL_GUARDIAN, COL_CHANNEL, COL_TYPES = range(9)
    _HEADER_KEYS = ("people.col.user_id", "people.col.name", "people.col.email", "people.col.phone",
                    "people.col.address", "people.col.minor", "people.col.guardian", "people.col.channel",
                    "people.col.data_types")

    def __init__(self, tr: Translator, request_page: PageRequest, parent: Any = None,
                 type_names: Callable[[str, str], str] | None = None) -> None:
        super().__init__(tr, request_page, parent)
        self._type_names = type_names or (lambda type_id, _lang: type_id)
        self._unmasked: dict[int, Person] = {}

    # -- loading ----------------------------------------------------------------------------
    def cache_rows(self, loaded: Sequence[Any]) -> list[tuple[Person, Person]]:
        """Each person with the masked copy made once, when the page arrives."""
        return [(p, p.masked()) for p in loaded]

    def row_key(self, row: tuple[Person, Person]) -> int | None:
        return row[0].id

    def show_unmasked(self, person: Person) -> None:
        """Show this person in full (after the unmasking was logged)."""
        self._unmasked[person.id] = person
        self._repaint(person.id)

    def forget_unmasked(self, person_id: int) -> None:
        """Show this person masked again (their data changed since it was unmasked)."""
        if self._unmasked.pop(person_id, None) is not None:
            self._repaint(person_id)

    def _repaint(self, person_id: int) -> None:
        for row, (person, _masked) in self.cached_rows():
            if person.id == person_id:
                self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    # -- Qt model ---------------------------------------------------------------------------
    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return super().headerData(section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Only the display and person roles, and no page request for any other role: a cell
        whose page has not arrived yet shows a placeholder."""
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, PersonRole):
            return None
        pair = self.cached_row(index.row())
        if pair is None:
            return self._tr.t("people.loading") if role == Qt.ItemDataRole.DisplayRole else None
        person, masked = pair
        if role == PersonRole:
            return person
        return self._display(self._unmasked.get(person.id, masked), index.column())

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
