"""Table models of the Notices tab: the notices (kind × channel × language with their status) and
the completeness list of the selected notice (element, status, detail)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from incident_app.domain.i18n import Translator
from incident_app.domain.notices import ElementCheck, ElementStatus, heading
from incident_app.domain.notices.completeness import REQUIRED_FIRST_DETAIL
from incident_app.services.notices import NoticeState
from incident_app.ui.common import Index, RowListModel, TranslatedTableModel

_STATUS_COLOURS = {"approved": "#1b7f3b", "complete": "#1b5e9f", "needs_reapproval": "#a15c00",
                   "incomplete": "#b00020", "error": "#b00020"}
_ELEMENT_COLOURS = {ElementStatus.PRESENT: "#1b7f3b", ElementStatus.WAIVED: "#1b5e9f",
                    ElementStatus.DEFERRED: "#a15c00", ElementStatus.EMPTY: "#b00020",
                    ElementStatus.MISSING: "#b00020"}


_TRANSLATION = re.compile(r"^(?P<lang>Chinese|English) text (?P<state>missing|untranslated): (?P<field>\S+)$")


def translation_problem(text: str, tr: Translator) -> str:
    """A translation gap of the completeness check ("English text missing: profile.contact_name_en")
    in ``tr``'s language, a profile field by its Settings label and where to write it; any other
    problem as the check wrote it."""
    found = _TRANSLATION.match(text)
    if not found:
        return text
    field = found["field"]
    if field.startswith("profile."):
        name = field.removeprefix("profile.")
        field = tr.t("notices.translation.profile_field", label=tr.word("settings.field", name), field=name)
    language = tr.t("notices.lang.en" if found["lang"] == "English" else "notices.lang.zh-CN")
    return tr.t(f"notices.translation.{found['state']}", language=language, field=field)


class NoticeListModel(RowListModel[NoticeState]):
    COL_KIND, COL_CHANNEL, COL_LANG, COL_STATUS = range(4)
    _HEADER_KEYS = ("notices.col.kind", "notices.col.channel", "notices.col.lang", "notices.col.status")

    def row(self, index: int) -> NoticeState:
        return self.record(index)

    def cell(self, state: NoticeState, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(state, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == self.COL_STATUS:
            return QColor(_STATUS_COLOURS.get(state.status, "#000000"))
        return None

    def _display(self, state: NoticeState, column: int) -> str:
        notice = state.rendered
        if column == self.COL_KIND:
            return self._tr.t(f"notices.kind.{notice.kind.value}")
        if column == self.COL_CHANNEL:
            return self._tr.t(f"notices.channel.{notice.channel.value}")
        if column == self.COL_LANG:
            return self._tr.word("notices.lang", notice.lang)
        return self._tr.t(f"notices.status.{state.status}")


class ElementModel(TranslatedTableModel):
    """The element checks, then the notice's other problems (order, contact, SMS length…) as rows
    of their own; rows carry no record role."""

    COL_ELEMENT, COL_STATUS, COL_DETAIL = range(3)
    _HEADER_KEYS = ("notices.col.element", "notices.col.status", "notices.col.detail")

    def __init__(self, tr: Translator, parent: Any = None) -> None:
        super().__init__(tr, parent)
        self._rows: list[ElementCheck] = []
        self._problems: list[str] = []

    def set_rows(self, rows: Sequence[ElementCheck], problems: Sequence[str] = ()) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._problems = list(problems)
        self.endResetModel()

    def element_at(self, row: int) -> str | None:
        return self._rows[row].element if 0 <= row < len(self._rows) else None

    def shown_rows(self) -> int:
        return len(self._rows) + len(self._problems)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if index.row() >= len(self._rows):  # problems (order, contact, SMS length…) follow the elements
            return self._problem(index, role)
        check = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (heading(check.element, self._tr.lang), self._tr.t(f"notices.element.{check.status.value}"),
                    self._detail(check))[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == self.COL_STATUS:
            return QColor(_ELEMENT_COLOURS[check.status])
        return None

    def _detail(self, check: ElementCheck) -> str:
        """Waivers show their recorded reason; the other statuses a translated explanation."""
        if check.status in (ElementStatus.PRESENT, ElementStatus.WAIVED):
            return check.detail
        if check.detail == REQUIRED_FIRST_DETAIL:  # a gap the first regulator report may not leave
            return self._tr.t("notices.detail.required_first")
        return self._tr.t(f"notices.detail.{check.status.value}")

    def _problem(self, index: Index, role: int) -> Any:
        text = self._problems[index.row() - len(self._rows)]
        if role == Qt.ItemDataRole.DisplayRole:
            return (self._tr.t("notices.problem"), "", translation_problem(text, self._tr))[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor("#b00020")
        return None
