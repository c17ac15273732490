"""Table model of an incident's affected people, windowed over SQL pages.

``rowCount`` is the full count (ten million rows scroll like ten), but only the pages the view
asks for are fetched — through ``request_page(generation, page, offset, limit)``, which the tab
runs on the job runner and answers with :meth:`page_loaded`. Until then a cell shows a
placeholder. A bounded cache keeps memory flat however far the officer scrolls. Personal data
is shown masked unless the person was explicitly unmasked (a logged action).

The worker hands over prepared rows (:func:`prepare_rows`: each person with the masked cell
texts already made), so painting a cell is a tuple lookup; :meth:`PeopleModel.multiData` answers
all the roles a cell is painted with in one call (Qt's delegate asks for seven)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple, cast

from PySide6.QtCore import QModelIndex, QModelRoleData, QModelRoleDataSpan, QPersistentModelIndex, Qt

from incident_app.domain.i18n import Translator
from incident_app.domain.people import Person
from incident_app.ui.common import Index
from incident_app.ui.common.paged_model import PagedTableModel, PageRequest

PersonRole = Qt.ItemDataRole.UserRole + 1  # the real (unmasked) Person, for actions
PAGE_SIZE = 200
MAX_PAGES = 60
COLUMNS = 10
TypeNames = Callable[[str, str], str]
_DISPLAY = Qt.ItemDataRole.DisplayRole
_DISPLAY_VALUE = int(_DISPLAY.value)
_PERSON_VALUE = int(PersonRole)


class PersonRow(NamedTuple):
    """One person of a page: the real person (for actions) and the cell texts shown (masked)."""

    person: Person
    cells: tuple[str, ...]


def _no_type_names(type_id: str, _lang: str) -> str:
    return type_id


def cell_texts(person: Person, tr: Translator, type_names: TypeNames = _no_type_names) -> tuple[str, ...]:
    """The ten cells of ``person`` as shown (pass a masked copy unless the viewing was logged). The
    first is the person's id as ``#210``: the number the send and hand-off refusals name and the
    search box finds, which is not personal data and not the row number."""
    t = tr.t
    none = t("common.none")
    guardian = " / ".join(p for p in (person.guardian_name, person.guardian_email, person.guardian_phone) if p)
    return (f"#{person.id}", person.user_id or none, person.name or none, person.email or none, person.phone or none,
            person.address or none, t(f"people.band.{person.minor_band.value}"), guardian or none,
            t(f"people.channel.{person.channel.value}"),
            "; ".join(type_names(d, tr.lang) for d in person.data_types) or none)


def prepare_rows(people: Sequence[Person], tr: Translator, type_names: TypeNames = _no_type_names) -> list[PersonRow]:
    """Each person with the masked cell texts, made once (on the worker, off the UI thread)."""
    return [PersonRow(p, cell_texts(p.masked(), tr, type_names)) for p in people]


class PeopleModel(PagedTableModel[PersonRow]):
    page_size, max_pages = PAGE_SIZE, MAX_PAGES
    (COL_PERSON_ID, COL_USER_ID, COL_NAME, COL_EMAIL, COL_PHONE, COL_ADDRESS, COL_MINOR, COL_GUARDIAN, COL_CHANNEL,
     COL_TYPES) = range(COLUMNS)
    _HEADER_KEYS = ("people.col.person_id", "people.col.user_id", "people.col.name", "people.col.email",
                    "people.col.phone", "people.col.address", "people.col.minor", "people.col.guardian",
                    "people.col.channel", "people.col.data_types")

    def __init__(self, tr: Translator, request_page: PageRequest, parent: Any = None,
                 type_names: TypeNames | None = None) -> None:
        super().__init__(tr, request_page, parent)
        self.type_names: TypeNames = type_names or _no_type_names
        self._unmasked: dict[int, PersonRow] = {}
        self._loading = tr.t("people.loading")

    # -- loading ----------------------------------------------------------------------------
    def cache_rows(self, loaded: Sequence[Any]) -> list[PersonRow]:
        """The prepared rows as they came (a page of plain people is prepared here)."""
        if loaded and not isinstance(loaded[0], PersonRow):
            return prepare_rows(loaded, self._tr, self.type_names)
        return list(loaded)

    def row_key(self, row: PersonRow) -> int | None:
        return row.person.id

    def set_translator(self, tr: Translator) -> None:
        """The cells were made in the other language: the pages are asked for again (the rows,
        the scroll position and the selection stay)."""
        super().set_translator(tr)
        self._loading = tr.t("people.loading")
        self._unmasked = {k: PersonRow(r.person, cell_texts(r.person, tr, self.type_names))
                          for k, r in self._unmasked.items()}
        self.refetch()

    def show_unmasked(self, person: Person) -> None:
        """Show this person in full (after the unmasking was logged)."""
        self._unmasked[person.id] = PersonRow(person, cell_texts(person, self._tr, self.type_names))
        self._repaint(person.id)

    def forget_unmasked(self, person_id: int) -> None:
        """Show this person masked again (their data changed since it was unmasked)."""
        if self._unmasked.pop(person_id, None) is not None:
            self._repaint(person_id)

    def _repaint(self, person_id: int) -> None:
        for row, value in self.cached_rows():
            if value.person.id == person_id:
                self.dataChanged.emit(self.index(row, 0), self.index(row, COLUMNS - 1))

    # -- Qt model ---------------------------------------------------------------------------
    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else COLUMNS

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        """One Python call per index (the base class asks rowCount and columnCount each time)."""
        if 0 <= row < self._total and 0 <= column < COLUMNS and not parent.isValid():
            return self.createIndex(row, column)
        return QModelIndex()

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if role == _DISPLAY else None
        return super().headerData(section, orientation, role)

    def _row(self, row: int) -> PersonRow | None:
        value = self.cached_row(row)
        if value is not None and self._unmasked:
            return self._unmasked.get(value.person.id, value)
        return value

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Only the display and person roles, and no page request for any other role: a cell
        whose page has not arrived yet shows a placeholder."""
        if not index.isValid() or role not in (_DISPLAY, PersonRole):
            return None
        value = self._row(index.row())
        if value is None:
            return self._loading if role == _DISPLAY else None
        return value.person if role == PersonRole else value.cells[index.column()]

    def multiData(self, index: QModelIndex | QPersistentModelIndex,
                  roleDataSpan: QModelRoleDataSpan | QModelRoleData) -> None:  # noqa: N803 - Qt's keyword
        """Every role the delegate paints a cell with, in one call: the text, nothing else."""
        value = self._row(index.row()) if index.isValid() else None
        items = [roleDataSpan] if isinstance(roleDataSpan, QModelRoleData) else cast(
            "Iterable[QModelRoleData]", roleDataSpan)  # a span iterates (its stubs do not say so)
        for item in items:
            role = item.role()
            if role == _DISPLAY_VALUE:
                item.setData(self._loading if value is None else value.cells[index.column()])
            elif role == _PERSON_VALUE and value is not None:
                item.setData(value.person)
            else:
                item.clearData()
