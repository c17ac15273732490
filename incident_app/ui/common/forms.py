"""Form building blocks shared by the wizard and the dialogs: a validation message directly under
each field, and a date-time field that can be left 'not known yet'."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from PySide6.QtCore import QDateTime, Signal
from PySide6.QtWidgets import QCheckBox, QDateTimeEdit, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from incident_app.domain.clock import SHANGHAI
from incident_app.domain.errors import FieldProblem
from incident_app.domain.i18n import Translator
from incident_app.ui.common.problems import problem_text

QT_TIME_FORMAT = "yyyy-MM-dd HH:mm"


class FieldErrors:
    """The message labels of one form, keyed by the domain field name they belong to."""

    def __init__(self) -> None:
        self.labels: dict[str, QLabel] = {}
        self.widgets: dict[str, QWidget] = {}

    def wrap(self, field: str, widget: QWidget) -> QWidget:
        """``widget`` with its (hidden until needed) message label underneath."""
        label = QLabel()
        label.setObjectName("fieldError")
        label.setWordWrap(True)
        label.hide()
        self.labels[field] = label
        self.widgets[field] = widget
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(widget)
        layout.addWidget(label)
        return box

    def clear(self) -> None:
        for label in self.labels.values():
            label.clear()
            label.hide()

    def show(self, problems: Iterable[FieldProblem], tr: Translator) -> list[FieldProblem]:
        """Put each problem beside its field; returns the problems no field of this form owns."""
        self.clear()
        unplaced: list[FieldProblem] = []
        first: QWidget | None = None
        for problem in problems:
            label = self.labels.get(problem.field)
            if label is None:
                unplaced.append(problem)
                continue
            text = problem_text(problem, tr)
            label.setText(f"{label.text()}\n{text}" if label.text() else text)
            label.show()
            first = first or self.widgets[problem.field]
        if first is not None:
            first.setFocus()
        return unplaced

    def text(self, field: str) -> str:
        """The message shown for ``field`` ('' when none): what tests and screen readers see."""
        label = self.labels.get(field)
        return label.text() if label is not None else ""

    def owns(self, field: str) -> bool:
        return field in self.labels


class DateTimeField(QWidget):
    """A Beijing-time date and time; when ``optional``, a 'not known' box leaves it empty."""

    changed = Signal()

    def __init__(self, optional: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._optional = optional
        self.edit = QDateTimeEdit()
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat(QT_TIME_FORMAT)
        self.unknown = QCheckBox()
        self.unknown.setVisible(optional)
        self.unknown_key = "wizard.time.unknown"
        self.unknown.toggled.connect(self._on_unknown_toggled)
        self.set_value(datetime.now(SHANGHAI))
        self.edit.dateTimeChanged.connect(self.changed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.zone = QLabel()
        self.zone.setObjectName("muted")
        layout.addWidget(self.edit)
        layout.addWidget(self.zone)
        layout.addWidget(self.unknown)
        layout.addStretch(1)
        self.setFocusProxy(self.edit)

    def retranslate(self, tr: Translator) -> None:
        self.unknown.setText(tr.t(self.unknown_key))
        self.zone.setText(tr.t("wizard.time.hint"))

    def _on_unknown_toggled(self, checked: bool) -> None:
        self.edit.setEnabled(not checked)
        self.changed.emit()

    def value_iso(self) -> str | None:
        """ISO 8601 with the +08:00 offset (the officer types Beijing time), or None."""
        if self._optional and self.unknown.isChecked():
            return None
        return self.edit.dateTime().toString("yyyy-MM-dd'T'HH:mm:00") + "+08:00"

    def set_value(self, moment: datetime | None) -> None:
        if moment is None:
            self.unknown.setChecked(True)
            return
        local = moment.astimezone(SHANGHAI)
        self.unknown.setChecked(False)
        self.edit.setDateTime(QDateTime.fromString(local.strftime("%Y-%m-%d %H:%M"), QT_TIME_FORMAT))
