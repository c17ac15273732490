"""Filters above the register: free text, status, grade and drill/real incidents. The register
model filters and sorts every row itself (on precomputed keys); the proxy between it and the
table only hands the filters and the sort on, without a Python call per row or comparison."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QIdentityProxyModel, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from incident_app.domain.decisions import CAC_LEVELS
from incident_app.domain.i18n import Translator
from incident_app.domain.incident import IncidentStatus
from incident_app.services.register import RegisterRow

ANY = ""
UNGRADED = "-"
DRILL_CHOICES = ("all", "real", "drill")
SEARCH_SETTLE_MS = 200  # a pause this long after a key applies the search


class RegisterFilterProxy(QIdentityProxyModel):
    """Passes rows through unchanged (in C++); the filters and the sort (QAbstractProxyModel.sort
    forwards it) go to the register model, which applies them over every row."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.status, self.grade, self.drill, self.text = ANY, ANY, "all", ""

    def set_filters(self, *, status: str = ANY, grade: str = ANY, drill: str = "all", text: str = "") -> None:
        self.status, self.grade, self.drill, self.text = status, grade, drill, text.strip().lower()
        source: Any = self.sourceModel()  # the RegisterModel (not imported here: it imports accepts)
        source.set_filters(status=status, grade=grade, drill=drill, text=text)


def accepts(row: RegisterRow, status: str, grade: str, drill: str, text: str) -> bool:
    """Whether ``row`` passes every active filter."""
    if status and row.status.value != status:
        return False
    if grade and not row.assessed:
        return False  # its grade is still on its way; the row appears when it arrives
    if (grade == UNGRADED and row.grade is not None) or (grade not in (ANY, UNGRADED) and row.grade != grade):
        return False
    if (drill == "real" and row.drill) or (drill == "drill" and not row.drill):
        return False
    return not text or text in row.title.lower() or text == str(row.id)


class RegisterFilterBar(QWidget):
    """Search box and three combos; ``filters_changed`` fires on any change."""

    filters_changed = Signal()

    def __init__(self, tr: Translator) -> None:
        super().__init__()
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.status, self.grade, self.drill = QComboBox(), QComboBox(), QComboBox()
        self.count = QLabel()
        self.count.setObjectName("muted")
        self.labels = [QLabel(), QLabel(), QLabel()]
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search, 2)
        for label, combo in zip(self.labels, (self.status, self.grade, self.drill), strict=True):
            label.setBuddy(combo)
            layout.addWidget(label)
            layout.addWidget(combo)
        layout.addStretch(1)
        layout.addWidget(self.count)
        # Typing is applied once the keys pause (each pass filters 10,000 rows and resets the
        # view); clearing the box is one action and applies at once.
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_SETTLE_MS)
        self.search_timer.timeout.connect(self.filters_changed)
        self.search.textChanged.connect(self._on_text_changed)
        for combo in (self.status, self.grade, self.drill):
            combo.currentIndexChanged.connect(self.filters_changed)
        self.retranslate(tr)

    def _on_text_changed(self, text: str) -> None:
        if text:
            self.search_timer.start()
        else:
            self.search_timer.stop()
            self.filters_changed.emit()

    def search_pending(self) -> bool:
        """Typed text not yet applied (the keys have not paused for SEARCH_SETTLE_MS yet)."""
        return self.search_timer.isActive()

    def retranslate(self, tr: Translator) -> None:
        t = tr.t
        self.search.setPlaceholderText(t("register.filter.search"))
        for label, key in zip(self.labels, ("status", "grade", "drill"), strict=True):
            label.setText(t(f"register.filter.{key}"))
        _refill(self.status, [(ANY, t("register.filter.any"))] +
                [(s.value, t(f"status.{s.value}")) for s in IncidentStatus])
        _refill(self.grade, [(ANY, t("register.filter.any")), (UNGRADED, t("register.filter.ungraded"))] +
                [(level, tr.word("grade.name", level)) for level in CAC_LEVELS])
        _refill(self.drill, [(d, t(f"register.filter.drill.{d}")) for d in DRILL_CHOICES])

    def values(self) -> dict[str, str]:
        return {"status": self.status.currentData(), "grade": self.grade.currentData(),
                "drill": self.drill.currentData(), "text": self.search.text()}

    def show_count(self, shown: int, total: int, tr: Translator) -> None:
        self.count.setText(tr.t("register.filter.count", shown=shown, total=total))


def _refill(combo: QComboBox, items: list[tuple[str, str]]) -> None:
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    for value, text in items:
        combo.addItem(text, value)
    combo.setCurrentIndex(max(combo.findData(current), 0))
    combo.blockSignals(False)
